"""A light per-visitor limit on anonymous forms and lookups, counted in the shared cache."""

import hashlib

from django.core.cache import cache


def client_address(request) -> str:
    # The address the web server saw: a proxy in front must pass the visitor's own.
    return request.META.get("REMOTE_ADDR", "")


def over_limit(request, scope: str, *, limit: int, seconds: int, extra: str = "") -> bool:
    """Count one more use of `scope` by this visitor (and `extra`, such as a page); whether
    they have now gone over `limit` uses within `seconds`."""
    digest = hashlib.sha256(f"{client_address(request)}|{extra}".encode()).hexdigest()[:32]
    key = f"cpdnet:rate:{scope}:{digest}"
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry ran out between add and incr
        cache.set(key, 1, timeout=seconds)
        count = 1
    return count > limit
