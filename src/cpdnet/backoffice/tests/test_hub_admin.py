"""The admin for national staff: programmes, offerings, applications and the audit trail."""

import pytest

from cpdnet.applications.models import Transition
from cpdnet.audit.models import AuditEntry
from cpdnet.audit.services import record
from cpdnet.programmes.models import Programme
from tests.factories import ApplicationFactory, ProgrammeFactory, UserFactory


@pytest.fixture
def admin_client(client, hub_world):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def application(hub_world):
    application = ApplicationFactory(offering=hub_world.offering_a, state="waitlisted")
    Transition.objects.create(
        application=application,
        from_state="submitted",
        to_state="waitlisted",
        by=hub_world.staff_a,
        reason="Full for now",
    )
    return application


@pytest.mark.parametrize(
    "url",
    [
        "/admin/programmes/programme/",
        "/admin/programmes/offering/",
        "/admin/programmes/offering/?hub__network__id__exact=1&academic_year=2026",
        "/admin/programmes/offering/?q=Mastery",
        "/admin/applications/application/",
        "/admin/applications/application/?state=waitlisted",
        "/admin/audit/auditentry/",
    ],
)
def test_the_changelists_render(admin_client, application, url):
    assert admin_client.get(url).status_code == 200


def test_a_programme_page_lets_conflicts_be_chosen_side_by_side(admin_client, hub_world):
    response = admin_client.get(f"/admin/programmes/programme/{hub_world.programme.pk}/change/")

    assert response.status_code == 200
    assert "selectfilter" in response.content.decode().lower()


def test_conflicts_set_in_the_admin_hold_both_ways(admin_client, hub_world):
    other = ProgrammeFactory(network=hub_world.networks["maths"], title="Secondary Mastery")
    url = f"/admin/programmes/programme/{hub_world.programme.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(is_active="on", conflicts_with=[other.pk])
    data.pop("counts_schools", None)

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert list(Programme.objects.get(pk=other.pk).conflicts_with.all()) == [hub_world.programme]


def test_an_application_page_shows_its_history_and_cannot_be_changed(admin_client, application):
    url = f"/admin/applications/application/{application.pk}/change/"

    response = admin_client.get(url)

    text = response.content.decode()
    assert "Full for now" in text
    assert f"/backoffice/hub/applications/{application.pk}/" in text
    admin_client.post(url, {"state": "accepted"})
    application.refresh_from_db()
    assert application.state == "waitlisted"
    assert admin_client.get("/admin/applications/application/add/").status_code == 403


def test_audit_entries_can_be_read_but_not_added_changed_or_deleted(admin_client, hub_world):
    entry = record(
        actor=hub_world.staff_a, action="a.b", obj=hub_world.offering_a, summary="Original"
    )
    url = f"/admin/audit/auditentry/{entry.pk}/change/"

    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"summary": "Rewritten"})
    assert AuditEntry.objects.get().summary == "Original"
    assert admin_client.get("/admin/audit/auditentry/add/").status_code == 403
    assert admin_client.post(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    assert AuditEntry.objects.count() == 1
