"""A short-lived cache of the public register's pages, which anyone may ask for at any rate.

Every page is the same for everyone with the same filters, and sorting every listed lead by
name is most of its cost. A save or delete of an accreditation, a person or a hub bumps a
version (in the shared cache, so every process sees it), and the day is part of the key because
"valid today" changes at midnight; `ACCREDITATION_REGISTER_CACHE_SECONDS` bounds anything the
signals cannot see (a bulk update).
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from cpdnet.cache_versions import bump_version, current_version

VERSION_KEY = "cpdnet:accreditation-register-version"


def cached_page(parts: tuple, build: Callable[[], dict]) -> dict:
    """The page for these filters and this page number, built once per version and day."""
    seconds = settings.ACCREDITATION_REGISTER_CACHE_SECONDS
    if not seconds:
        return build()
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    version = current_version(VERSION_KEY)
    key = f"cpdnet:accreditation-register:{version}:{timezone.localdate()}:{digest}"
    page = cache.get(key)
    if page is None:
        page = build()
        cache.set(key, page, timeout=seconds)
    return page


def forget_pages(**kwargs) -> None:
    """Make every cached register page stale (connected to save and delete signals)."""
    bump_version(VERSION_KEY)
