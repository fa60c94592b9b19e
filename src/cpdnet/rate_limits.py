"""Rate limits per client address, per account and over everyone, counted in the shared cache.

Limits are "COUNT/SECONDS" strings in `settings.RATE_LIMITS[scope][kind]`, kind being "ip",
"account" or "all". A window opens at the first use and lasts SECONDS; its start is kept beside
the count, so every process sees the same count and the time left is the `Retry-After`. With
Redis each count is one atomic INCR; Django's DatabaseCache has no atomic increment, so two
processes counting at the same instant may count once (docs/security.md).

Why not django-ratelimit: its system checks refuse Django's DatabaseCache (which production may
use, docs/deploy.md) and warn on Django's own Redis cache, so `check --deploy` could never be
clean; the counting it would save is the twenty lines of `_count` below.
"""

import functools
import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

KINDS = ("ip", "account", "all")
# Counters outlive their window by a little, so a slow clock never reads a fresh zero early.
EXPIRY_MARGIN_SECONDS = 5


class RateLimited(Exception):  # noqa: N818 (named for what happened, like Http404)
    """Over a limit: answered 429 with Retry-After (TooManyRequestsMiddleware, the API)."""

    def __init__(self, scope: str, *, retry_after: int):
        super().__init__(f"Too many requests for {scope}; retry after {retry_after} s")
        self.scope = scope
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


def parse_limit(rate: str) -> Limit:
    """Read "COUNT/SECONDS", such as "60/600"."""
    try:
        count, seconds = (int(part) for part in rate.split("/"))
    except ValueError:
        raise ImproperlyConfigured(
            f"A rate limit is COUNT/SECONDS, like 60/600, not {rate!r}."
        ) from None
    if count < 1 or seconds < 1:
        raise ImproperlyConfigured(f"A rate limit needs a count and seconds above 0: {rate!r}.")
    return Limit(count, seconds)


@functools.cache
def _trusted_networks(proxies: tuple[str, ...]) -> tuple:
    try:
        return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)
    except ValueError as error:
        raise ImproperlyConfigured(f"CPDNET_TRUSTED_PROXIES: {error}") from None


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _trusted_networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The visitor's own address: REMOTE_ADDR, or the trusted proxy's header when it is one.

    A header from anyone else is ignored: it could say anything. With a list of addresses in
    the header (X-Forwarded-For), the last one our proxies did not add is the visitor's.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted_proxy(remote):
        return remote
    meta_key = "HTTP_" + settings.CLIENT_IP_HEADER.upper().replace("-", "_")
    for candidate in reversed(request.META.get(meta_key, "").split(",")):
        candidate = candidate.strip()
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            break
        if not _is_trusted_proxy(candidate):
            return candidate
    return remote


def _address_key(address: str) -> str:
    # One IPv6 household or school gets a whole /64 and can move around in it.
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def _key(scope: str, kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"cpdnet:rate:{scope}:{kind}:{digest}"


def _count(key: str, limit: Limit, now: float, *, increment: bool) -> tuple[int, float]:
    """Return the count in the key's window (after this use when counting) and its start."""
    if not increment:
        return cache.get(key, 0), cache.get(f"{key}:start", now)
    timeout = limit.seconds + EXPIRY_MARGIN_SECONDS
    cache.add(f"{key}:start", now, timeout=timeout)
    cache.add(key, 0, timeout=limit.seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ran out between add and incr
        cache.set(f"{key}:start", now, timeout=timeout)
        cache.set(key, 1, timeout=limit.seconds)
        count = 1
    return count, cache.get(f"{key}:start", now)


def _values(request: HttpRequest | None, account: str | None, detail: str) -> dict[str, str]:
    values = {"all": "all"}
    if request is not None:
        values["ip"] = f"{_address_key(client_address(request))}|{detail}"
    if account:
        values["account"] = f"{account.strip().lower()}|{detail}"
    return values


def _apply(
    scope: str,
    *,
    request: HttpRequest | None,
    account: str | None,
    detail: str,
    increment: bool,
) -> None:
    now = time.time()
    # In KINDS order, stopping at the first limit reached: a refused address does not use up
    # the account's or everyone's allowance, so one flooding address cannot lock out the rest.
    values = _values(request, account, detail)
    for kind in KINDS:
        rate = settings.RATE_LIMITS[scope].get(kind)
        if kind not in values or not rate:
            continue
        limit = parse_limit(rate)
        count, started = _count(_key(scope, kind, values[kind]), limit, now, increment=increment)
        # Counting: over once this use goes past the limit; peeking: once it is reached.
        if count > limit.count or (not increment and count >= limit.count):
            raise RateLimited(scope, retry_after=max(math.ceil(started + limit.seconds - now), 1))


def hit(
    scope: str, *, request: HttpRequest | None, account: str | None = None, detail: str = ""
) -> None:
    """Count one use of `scope` by this visitor and account (and `detail`, such as a page);
    raise RateLimited if any is over its limit."""
    _apply(scope, request=request, account=account, detail=detail, increment=True)


def check(scope: str, *, request: HttpRequest | None, account: str | None = None) -> None:
    """Raise RateLimited if `scope` is already used up, without counting a use."""
    _apply(scope, request=request, account=account, detail="", increment=False)


def too_many_requests(request: HttpRequest, error: RateLimited) -> HttpResponse:
    """The plain-English 429 page, with Retry-After."""
    minutes = max(1, math.ceil(error.retry_after / 60))
    response = render(request, "rate_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


class TooManyRequestsMiddleware:
    """Answer RateLimited, raised anywhere in a view, with the 429 page (the API answers JSON
    through its own exception handler)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RateLimited):
            return too_many_requests(request, exception)
        return None
