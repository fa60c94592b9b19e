"""The audit trail page for national staff, and the back-office index for everyone signed in."""

import pytest

from cpdnet.audit.models import AuditEntry
from cpdnet.audit.services import record
from tests.factories import ApplicationFactory, RoleAssignmentFactory, UserFactory

from .helpers import count_queries

URL = "/backoffice/audit/"


def entries(world, count: int = 1, *, action: str = "programmes.offering.updated", hub=None):
    for number in range(count):
        record(
            actor=world.staff_a,
            action=action,
            obj=world.offering_a,
            hub=hub or world.hub_a,
            summary=f"Change {number}",
        )


def test_national_staff_see_the_audit_trail_newest_first(hub_world, signed_in):
    record(actor=hub_world.staff_a, action="a.first", obj=hub_world.offering_a, summary="First")
    record(actor=None, action="a.second", obj=hub_world.offering_b, summary="Second")

    response = signed_in(hub_world.national).get(URL)

    assert response.status_code == 200
    assert [entry.summary for entry in response.context["entries"]] == ["Second", "First"]
    text = response.content.decode()
    assert "Ann Staff (staff-a@hub-a.example.org)" in text
    assert f"programmes.offering {hub_world.offering_a.pk}" in text


def test_hub_staff_are_refused_the_audit_trail(hub_world, signed_in):
    # The denied twin: same entries, seen by hub staff
    record(actor=hub_world.staff_a, action="a.first", obj=hub_world.offering_a, summary="First")

    response = signed_in(hub_world.staff_a).get(URL)

    assert response.status_code == 403


def test_the_trail_filters_by_hub_and_action_prefix(hub_world, signed_in):
    entries(hub_world, action="applications.application.accepted")
    entries(hub_world, action="programmes.offering.created")
    entries(hub_world, action="applications.application.declined", hub=hub_world.hub_b)
    client = signed_in(hub_world.national)

    by_hub = client.get(URL + "?hub=hub-b").context["entries"]
    by_action = client.get(URL + "?action=applications.").context["entries"]
    by_both = client.get(URL + "?hub=hub-a&action=applications.").context["entries"]

    assert [entry.action for entry in by_hub] == ["applications.application.declined"]
    assert {entry.action for entry in by_action} == {
        "applications.application.accepted",
        "applications.application.declined",
    }
    assert [entry.action for entry in by_both] == ["applications.application.accepted"]


def test_the_trail_has_pages(hub_world, signed_in):
    entries(hub_world, 51)

    response = signed_in(hub_world.national).get(URL + "?page=2")

    assert len(response.context["entries"]) == 1
    assert "Page 2 of 2" in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_trail_takes_the_same_queries_however_many_entries(hub_world, signed_in, count):
    entries(hub_world, count)

    assert count_queries(signed_in(hub_world.national), URL + "?hub=hub-a") == 7


def test_decisions_made_in_the_hub_pages_appear_in_the_trail(hub_world, signed_in):
    application = ApplicationFactory(offering=hub_world.offering_a)
    signed_in(hub_world.staff_a).post(
        f"/backoffice/hub/applications/{application.pk}/decide/", {"decision": "decline"}
    )

    response = signed_in(hub_world.national).get(URL + "?action=applications.application")

    assert [entry.action for entry in response.context["entries"]] == [
        "applications.application.declined"
    ]
    assert AuditEntry.objects.get().actor == hub_world.staff_a


class TestIndex:
    def _links(self, client) -> set[str]:
        response = client.get("/backoffice/")
        assert response.status_code == 200
        text = response.content.decode()
        return {
            href
            for href in ["/backoffice/hub/", "/backoffice/audit/", "/backoffice/areas/maths/",
                         "/admin/"]
            if f'href="{href}"' in text
        }  # fmt: skip

    def test_hub_staff_see_the_hub_pages_only(self, hub_world, signed_in):
        assert self._links(signed_in(hub_world.staff_a)) == {"/backoffice/hub/"}

    def test_national_staff_see_the_hub_pages_audit_and_areas(self, hub_world, signed_in):
        assert self._links(signed_in(hub_world.national)) == {
            "/backoffice/hub/",
            "/backoffice/audit/",
            "/backoffice/areas/maths/",
        }

    def test_admin_staff_also_see_the_admin(self, hub_world, signed_in):
        assert "/admin/" in self._links(signed_in(UserFactory(is_staff=True)))

    def test_a_teacher_sees_no_links_and_is_told_why(self, hub_world, signed_in):
        client = signed_in(hub_world.teacher)

        assert self._links(client) == set()
        assert "You have no back-office roles" in client.get("/backoffice/").content.decode()

    def test_a_facilitator_without_hub_staff_role_sees_no_hub_pages(self, hub_world, signed_in):
        facilitator = UserFactory()
        RoleAssignmentFactory(user=facilitator, role="facilitator", hub=hub_world.hub_a)

        assert self._links(signed_in(facilitator)) == set()

    def test_signed_out_visitors_are_sent_to_sign_in(self, hub_world, client):
        response = client.get("/backoffice/")

        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")
