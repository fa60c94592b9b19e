"""Version numbers kept in Django's cache, so that processes notice a change made elsewhere.

A reader puts the current version in its keys or compares it with what it loaded; a writer
bumps it. With a shared cache (Redis) every process sees the bump at once.
"""

import uuid

from django.core.cache import cache


def current_version(key: str) -> str:
    """Return the version stored under key, creating one if there is none yet."""
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        version = cache.get(key)
    return version


def bump_version(key: str) -> None:
    cache.set(key, uuid.uuid4().hex, timeout=None)
