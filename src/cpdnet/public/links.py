"""Paths of pages a single page links many times, worked out once per process.

Django's reverse() costs tens of microseconds; a list of twenty schools paid more for its
links than for its query. The paths depend only on the URLconf, fixed for a process.
"""

from functools import lru_cache

from django.urls import reverse


@lru_cache(maxsize=1)
def _school_prefix() -> str:
    return reverse("public:school", kwargs={"urn": 0}).removesuffix("0/")


def school_path(urn: int) -> str:
    """Return the path of a school's page (the same as reverse("public:school", ...))."""
    return f"{_school_prefix()}{urn}/"
