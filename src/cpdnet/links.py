"""Paths of pages linked from every page, or many times from one, worked out once per process.

Django's reverse() costs tens of microseconds: the layout's dozen links (header, footer,
search box) were a tenth of a small page, and a list of twenty schools paid more for its links
than for its query. A path depends only on the URL name, its arguments, the URLconf and the
script prefix, so it is kept per process for those.
"""

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse


def page_path(name: str, **kwargs) -> str:
    """Return reverse(name, kwargs=kwargs), for fixed arguments (not one per school or hub)."""
    return _page_path(name, tuple(sorted(kwargs.items())), get_urlconf(), get_script_prefix())


@lru_cache(maxsize=256)
def _page_path(name: str, kwargs: tuple, urlconf, prefix: str) -> str:
    return reverse(name, urlconf=urlconf, kwargs=dict(kwargs))


def school_path(urn: int) -> str:
    """Return the path of a school's page, as reverse("public:school", ...) gives it."""
    return page_path("public:school", urn=0).removesuffix("0/") + f"{urn}/"
