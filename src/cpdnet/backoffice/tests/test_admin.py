"""The admin for national staff: lists render, change requests are decided with an audit trail."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

from cpdnet.hubs.models import (
    HubArea,
    HubChangeRequest,
    HubChangeRequestStatus,
    HubSchoolOverride,
)
from cpdnet.hubs.selectors import resolve_hubs_for_schools
from cpdnet.hubs.services import ensure_networks, submit_hub_change_request
from tests.factories import HubAreaFactory, HubFactory, SchoolFactory, UserFactory

CHANGE_REQUESTS = "/admin/hubs/hubchangerequest/"


@pytest.fixture
def world(db):
    networks = ensure_networks()
    current = HubFactory(network=networks["maths"], name="West Yorkshire Maths Hub")
    asked = HubFactory(network=networks["maths"], name="North Lancs Maths Hub")
    HubAreaFactory(hub=current, local_authority_id="383")
    HubAreaFactory(hub=asked, local_authority_id="888", district_id="E07000121")
    school = SchoolFactory(name="Leeds School")
    change = submit_hub_change_request(
        school=school,
        requested_hub=asked,
        contact_name="Ada Teacher",
        contact_email="ada@school.example.org",
        reason="Closer to us",
    )
    return {
        "networks": networks,
        "current": current,
        "asked": asked,
        "school": school,
        "change": change,
    }


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _maths_hub(world):
    school = world["school"]
    return resolve_hubs_for_schools([school])[school.urn][world["networks"]["maths"].pk]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/schools/school/",
        "/admin/hubs/network/",
        "/admin/hubs/hub/",
        "/admin/hubs/hubarea/",
        "/admin/hubs/hubschooloverride/",
        CHANGE_REQUESTS,
    ],
)
def test_the_changelists_render_for_a_superuser(admin_client, world, url):
    response = admin_client.get(url)

    assert response.status_code == 200


def test_the_changelists_list_the_rows(admin_client, world):
    hubs = admin_client.get("/admin/hubs/hub/").content.decode()
    areas = admin_client.get("/admin/hubs/hubarea/").content.decode()
    requests = admin_client.get(CHANGE_REQUESTS).content.decode()

    assert "West Yorkshire Maths Hub" in hubs and "North Lancs Maths Hub" in hubs
    assert "Lancaster (Lancashire)" in areas
    assert "Leeds School" in requests


def test_a_hub_change_page_renders_with_its_areas(admin_client, world):
    response = admin_client.get(f"/admin/hubs/hub/{world['asked'].pk}/change/")

    assert response.status_code == 200
    assert "/backoffice/areas/maths/" in response.content.decode()


def test_a_change_request_page_renders(admin_client, world):
    response = admin_client.get(f"{CHANGE_REQUESTS}{world['change'].pk}/change/")

    assert response.status_code == 200


def _decide(client, change, action):
    return client.post(
        CHANGE_REQUESTS, {"action": action, "_selected_action": [change.pk]}, follow=True
    )


def test_approving_in_the_admin_moves_the_school_and_is_audited(admin_client, superuser, world):
    assert _maths_hub(world) == world["current"]

    response = _decide(admin_client, world["change"], "approve")

    assert response.status_code == 200
    assert "1 request(s) decided." in response.content.decode()
    assert _maths_hub(world) == world["asked"]
    override = HubSchoolOverride.objects.get(school=world["school"])
    assert override.hub == world["asked"]
    change = HubChangeRequest.objects.get()
    assert (change.status, change.decided_by) == (HubChangeRequestStatus.APPROVED, superuser)
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(HubChangeRequest),
        object_id=str(change.pk),
    )
    assert (entry.user, entry.action_flag, entry.get_change_message()) == (
        superuser,
        CHANGE,
        "Approved",
    )


def test_declining_in_the_admin_leaves_the_school_and_is_audited(admin_client, superuser, world):
    _decide(admin_client, world["change"], "decline")

    assert _maths_hub(world) == world["current"]
    assert not HubSchoolOverride.objects.exists()
    assert HubChangeRequest.objects.get().status == HubChangeRequestStatus.DECLINED
    assert LogEntry.objects.get().get_change_message() == "Declined"


def test_deciding_an_already_decided_request_again_changes_and_logs_nothing(admin_client, world):
    _decide(admin_client, world["change"], "decline")

    response = _decide(admin_client, world["change"], "approve")

    assert "0 request(s) decided." in response.content.decode()
    assert HubChangeRequest.objects.get().status == HubChangeRequestStatus.DECLINED
    assert not HubSchoolOverride.objects.exists()
    assert LogEntry.objects.count() == 1


def test_staff_without_permissions_cannot_approve(client, world):
    # The denied twin: same request, by staff with no change permission on requests
    client.force_login(UserFactory(is_staff=True))

    response = _decide(client, world["change"], "approve")

    assert response.status_code == 403
    assert HubChangeRequest.objects.get().status == HubChangeRequestStatus.PENDING
    assert not HubSchoolOverride.objects.exists()
    assert not LogEntry.objects.exists()


class TestAddingAreas:
    """The admin explains a clash instead of failing, and keeps the rows as they were."""

    def _add(self, client, hub, **fields):
        data = {"hub": hub.pk, "local_authority": "888", "district": "", "basis": "national"}
        return client.post("/admin/hubs/hubarea/add/", {**data, **fields})

    def test_a_new_area_is_added(self, admin_client, world):
        response = self._add(admin_client, world["asked"], district="E07000123")

        assert response.status_code == 302
        assert HubArea.objects.filter(hub=world["asked"], district_id="E07000123").exists()

    def test_a_district_outside_the_authority_is_refused(self, admin_client, world):
        response = self._add(
            admin_client, world["asked"], local_authority="383", district="E07000123"
        )

        assert response.status_code == 200
        assert "This district is not in the chosen local authority." in response.content.decode()
        assert HubArea.objects.count() == 2

    def test_a_second_whole_authority_hub_is_refused_with_a_reason(self, admin_client, world):
        # Given Leeds is served as a whole by West Yorkshire
        response = self._add(admin_client, world["asked"], local_authority="383")

        assert response.status_code == 200
        assert (
            "Another hub of this network already serves the whole of this authority."
            in response.content.decode()
        )
        assert HubArea.objects.count() == 2

    def test_a_second_hub_for_a_district_is_refused_with_a_reason(self, admin_client, world):
        # Given Lancaster district is served by North Lancs
        response = self._add(admin_client, world["current"], district="E07000121")

        assert response.status_code == 200
        assert "Another hub of this network already serves this district." in (
            response.content.decode()
        )
        assert HubArea.objects.count() == 2


class TestAddingOverrides:
    def _add(self, client, school, hub):
        return client.post(
            "/admin/hubs/hubschooloverride/add/",
            {"school": school.urn, "hub": hub.pk, "reason": "Asked by phone"},
        )

    def test_a_new_override_moves_the_school(self, admin_client, world):
        response = self._add(admin_client, world["school"], world["asked"])

        assert response.status_code == 302
        assert _maths_hub(world) == world["asked"]

    def test_a_second_override_in_the_same_network_is_refused_with_a_reason(
        self, admin_client, world
    ):
        HubSchoolOverride.objects.create(school=world["school"], hub=world["asked"])
        other = HubFactory(network=world["networks"]["maths"])

        response = self._add(admin_client, world["school"], other)

        assert response.status_code == 200
        assert "errornote" in response.content.decode()
        assert HubSchoolOverride.objects.get().hub == world["asked"]


def _change_form_data(response) -> dict:
    """The POST data of an admin change page as shown, inline rows included."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for row in formset.forms:
            for name in row.fields:
                value = row[name].value()
                if value is not None:
                    data[row.add_prefix(name)] = value
    return data


def test_an_area_added_on_the_hub_page_is_saved(admin_client, world):
    url = f"/admin/hubs/hub/{world['asked'].pk}/change/"
    data = _change_form_data(admin_client.get(url))
    rows = int(data["areas-TOTAL_FORMS"])
    data[f"areas-{rows - 1}-local_authority"] = "888"
    data[f"areas-{rows - 1}-district"] = "E07000123"
    data[f"areas-{rows - 1}-basis"] = "national"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert set(world["asked"].areas.values_list("district_id", flat=True)) == {
        "E07000121",
        "E07000123",
    }


def test_an_area_clashing_with_another_hub_is_refused_on_the_hub_page(admin_client, world):
    # Given the North Lancs hub's page, with one more area row filled in for Leeds
    url = f"/admin/hubs/hub/{world['asked'].pk}/change/"
    data = _change_form_data(admin_client.get(url))
    rows = int(data["areas-TOTAL_FORMS"])
    data[f"areas-{rows - 1}-local_authority"] = "383"
    data[f"areas-{rows - 1}-basis"] = "national"

    # When it is saved
    response = admin_client.post(url, data)

    # Then the clash is explained and nothing changes
    assert response.status_code == 200
    assert (
        "Another hub of this network already serves the whole of this authority."
        in response.content.decode()
    )
    assert HubArea.objects.count() == 2
