"""A short-lived cache of the catalogue pages that signed-out visitors see.

The catalogue is the busiest page on the day applications open, and every signed-out visitor
with the same filters sees the same page. Any change to a programme, an offering or an
application bumps a version in Django's cache, so a page is never served after a change in the
same process; with a shared cache (Redis) in no process. Pages for signed-in people carry their
own header and CSRF token, so they are always rendered.
"""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from cpdnet.cache_versions import bump_version, current_version

VERSION_KEY = "cpdnet:catalogue-version"


def page_key(request) -> str:
    version = current_version(VERSION_KEY)
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()[:32]
    return f"cpdnet:catalogue-page:{version}:{get_language()}:{digest}"


def get_page(request) -> bytes | None:
    if request.user.is_authenticated or not settings.CATALOGUE_CACHE_SECONDS:
        return None
    return cache.get(page_key(request))


def keep_page(request, content: bytes) -> None:
    if request.user.is_authenticated or not settings.CATALOGUE_CACHE_SECONDS:
        return
    cache.set(page_key(request), content, timeout=settings.CATALOGUE_CACHE_SECONDS)


def forget_pages(**kwargs) -> None:
    """Make every cached catalogue page stale (connected to model save and delete signals)."""
    bump_version(VERSION_KEY)
