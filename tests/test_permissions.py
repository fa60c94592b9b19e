"""Deny by default: every view and API router declares who may use it.

A view added without `cpdnet.accounts.permissions.declare` (or an API router without `access`)
fails here before it can reach production open to anyone.
"""

from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver

from cpdnet import urls as root_urls
from cpdnet.accounts.permissions import Access
from cpdnet.api.urls import api

SKIPPED_NAMESPACES = {
    "admin",  # Django's admin checks staff and model permissions itself
    api.urls_namespace,  # ninja operations: routers are checked below
}


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            yield from _walk(entry.url_patterns, route)
        else:
            yield route, entry


VIEWS = list(_walk(root_urls.urlpatterns))


def _routers():
    # api.urls binds the routers; _routers then lists every router, nested ones included.
    assert api.urls
    return [router for _, router in api._routers]


def test_the_walk_finds_the_public_and_back_office_views():
    routes = {route for route, _ in VIEWS}

    assert {"", "find-your-hub/", "hubs/<slug:slug>/", "backoffice/areas/<slug:network>/"} <= routes
    # admin/login/ is ours (the portal's sign-in), so it is walked and declares its access.
    assert "admin/login/" in routes
    assert not any(route.startswith(("admin/", "api/")) for route in routes - {"admin/login/"})


@pytest.mark.parametrize(("route", "pattern"), VIEWS, ids=[route or "/" for route, _ in VIEWS])
def test_every_view_declares_its_access(route, pattern):
    assert isinstance(getattr(pattern.callback, "access", None), Access), (
        f"{route} ({pattern.callback.__module__}.{pattern.callback.__name__}) declares no access; "
        "decorate it with cpdnet.accounts.permissions.declare"
    )


BACK_OFFICE_ACCESS = {
    "backoffice/": Access.SIGNED_IN,  # an index listing only the links a person's roles allow
    # Hub staff and a national provider's staff; the access_* selectors scope each object.
    "backoffice/hub/": Access.HUB_OR_PROVIDER_STAFF,
    # Withdrawing a school enrolled in an offering: its hub's or provider's staff (404 for
    # other offerings, through access_offering) and national staff.
    "backoffice/hub/offerings/<int:offering_id>/schools/<int:enrolment_id>/withdraw/": (
        Access.HUB_OR_PROVIDER_STAFF
    ),
    # Participation by provider: national reporting.
    "backoffice/hub/providers/": Access.NATIONAL_STAFF,
    # Local designs are a hub's own: provider staff design national programmes elsewhere.
    "backoffice/hub/designs/": Access.HUB_STAFF,
    "backoffice/national/designs/": Access.NATIONAL_STAFF,
    # Programme documents, who may lead a programme and the materials library: national.
    "backoffice/programmes/": Access.NATIONAL_STAFF,
    "backoffice/materials/": Access.NATIONAL_STAFF,
    # Endorsing an application to an accreditation programme is the hub lead's.
    "backoffice/hub/endorsements/": Access.HUB_STAFF,
    "backoffice/audit/": Access.NATIONAL_STAFF,
    "backoffice/tasks/": Access.NATIONAL_STAFF,
    "backoffice/evaluation/": Access.NATIONAL_STAFF,
    "backoffice/areas/": Access.NATIONAL_STAFF,
    # Reach for the whole country; hub staff use their hub's page, which 404s for other hubs.
    "backoffice/insights/": Access.NATIONAL_STAFF,
    "backoffice/insights/hubs/": Access.HUB_STAFF,
    # The schools behind a figure and impact: scoped to the person's hubs inside the view.
    "backoffice/insights/schools": Access.HUB_STAFF,
    "backoffice/insights/impact/": Access.HUB_STAFF,
    # The anonymised extract (national staff may download it too).
    "backoffice/insights/extract.csv": Access.EVALUATOR,
    # The offering's facilitator, its hub's staff or national staff: checked on the offering.
    "backoffice/events/": Access.SIGNED_IN,
    "backoffice/newsletters/": Access.NATIONAL_STAFF,
    # Verified domains and who works where: hub staff of a hub serving the school (404 for
    # other schools) and national staff.
    "backoffice/schools/": Access.HUB_STAFF,
    # Signed in, then `access_runnable_offering` (404 otherwise): the offering's facilitator, its
    # hub's staff and national staff. Access.FACILITATOR would refuse hub staff, who hold no
    # facilitator role.
    "backoffice/offerings/<int:offering_id>/sessions/": Access.SIGNED_IN,
    # Running an offering (overview, registers, resources, gap tasks, completion) and the
    # "your offerings to run" list: the same people, by the same rule as the line above.
    "backoffice/offerings/": Access.SIGNED_IN,
    # The funds overview and a fund's page and entries: finance staff see every fund, hub staff
    # their hub's; the views refuse anyone else and scope the funds to the person.
    "backoffice/funding/": Access.SIGNED_IN,
    # Everything else about money is for national finance staff (national staff too).
    "backoffice/funding/funds/new/": Access.FINANCE,
    "backoffice/funding/funds/<int:fund_id>/edit/": Access.FINANCE,
    "backoffice/funding/claims/": Access.FINANCE,
    "backoffice/funding/runs/": Access.FINANCE,
    "backoffice/funding/payments/": Access.FINANCE,
    "backoffice/funding/invoices/": Access.FINANCE,
    "backoffice/funding/schools/": Access.FINANCE,
    "backoffice/funding/reach/": Access.FINANCE,
    # Accreditation: candidates, submissions and the full register for hub staff (their hub's,
    # scoped by the selectors) and national staff; marking for assessors and moderators, each
    # seeing only their own assignments; every decision for national staff.
    "backoffice/accreditation/": Access.HUB_STAFF,
    "backoffice/accreditation/assignments/": Access.ASSESSOR_OR_MODERATOR,
    "backoffice/accreditation/submissions/<int:candidacy_id>/assign/": Access.NATIONAL_STAFF,
    "backoffice/accreditation/submissions/<int:candidacy_id>/unassign/": Access.NATIONAL_STAFF,
    "backoffice/accreditation/submissions/<int:candidacy_id>/extension/": Access.NATIONAL_STAFF,
    "backoffice/accreditation/submissions/<int:candidacy_id>/withdraw/": Access.NATIONAL_STAFF,
    "backoffice/accreditation/submissions/<int:candidacy_id>/moderation/": Access.NATIONAL_STAFF,
    "backoffice/accreditation/submissions/<int:candidacy_id>/ratify/": Access.NATIONAL_STAFF,
    "backoffice/accreditation/workload/": Access.NATIONAL_STAFF,
    "backoffice/accreditation/deadlines/": Access.NATIONAL_STAFF,
    "backoffice/accreditation/moderation/": Access.NATIONAL_STAFF,
    "backoffice/accreditation/awarding/": Access.NATIONAL_STAFF,
    "backoffice/accreditation/appeals/": Access.NATIONAL_STAFF,
    "backoffice/accreditation/renewals/": Access.NATIONAL_STAFF,
    "backoffice/accreditation/pg-cert.csv": Access.NATIONAL_STAFF,
}


def _expected_back_office_access(route: str) -> Access:
    prefix = max((p for p in BACK_OFFICE_ACCESS if route.startswith(p)), key=len)
    return BACK_OFFICE_ACCESS[prefix]


def test_back_office_views_are_for_staff_roles_only():
    back_office = [(route, pattern) for route, pattern in VIEWS if route.startswith("backoffice/")]

    assert back_office
    for route, pattern in back_office:
        assert pattern.callback.access == _expected_back_office_access(route), route


def test_every_api_router_declares_its_access():
    # The API's implicit default router holds no operations; `@api.get` would add one there,
    # with no declared access, and fail this test.
    routers = _routers()

    declared = [router for router in routers if isinstance(getattr(router, "access", None), Access)]
    undeclared = [router for router in routers if router not in declared]
    assert declared
    assert [router.path_operations for router in undeclared] == [{} for _ in undeclared]
    assert all(router is api.default_router for router in undeclared)
