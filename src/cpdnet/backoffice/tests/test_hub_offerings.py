"""Hub staff add and edit their hub's offerings, and open or close applications."""

import datetime

import pytest
from django.utils import timezone

from cpdnet.audit.models import AuditEntry
from cpdnet.programmes.models import Offering
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    UserFactory,
)

NEW = "/backoffice/hub/offerings/new/"


def edit_url(offering) -> str:
    return f"/backoffice/hub/offerings/{offering.pk}/edit/"


def offering_data(world, **changes) -> dict:
    data = {
        "hub": "hub-a",
        "programme": world.programme.pk,
        "academic_year": world.year,
        "cohort_name": "Leeds North",
        "facilitator": "",
        "capacity": "24",
        "school_capacity": "12",
        "mode": "blended",
        "venue": "Leeds Lead Academy",
        "planned_sessions": "5",
        "starts_on": f"{world.year + 1}-01-15",
        "ends_on": f"{world.year + 1}-06-30",
        "applications_open_at": f"{world.year}-09-01T09:00",
        "applications_close_at": f"{world.year}-12-01T17:00",
        "local_only": "on",
        "requires_school_approval": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


class TestAdding:
    def test_hub_staff_add_an_offering_for_their_hub(self, hub_world, signed_in):
        facilitator = UserFactory(full_name="Fran Facilitator")
        RoleAssignmentFactory(user=facilitator, role="facilitator", hub=hub_world.hub_a)

        response = signed_in(hub_world.staff_a).post(
            NEW, offering_data(hub_world, facilitator=facilitator.pk), follow=True
        )

        offering = Offering.objects.get(cohort_name="Leeds North")
        assert (offering.hub, offering.capacity, offering.facilitator) == (
            hub_world.hub_a,
            24,
            facilitator,
        )
        assert timezone.localtime(offering.applications_open_at).hour == 9
        assert offering.local_only and offering.requires_school_approval
        entry = AuditEntry.objects.get(action="programmes.offering.created")
        assert (entry.actor, entry.hub, entry.object_id) == (
            hub_world.staff_a,
            hub_world.hub_a,
            str(offering.pk),
        )
        assert "Offering added" in response.content.decode()

    def test_hub_staff_cannot_add_an_offering_for_another_hub(self, hub_world, signed_in):
        # The denied twin of the test above: the same form, for hub B
        response = signed_in(hub_world.staff_a).post(NEW, offering_data(hub_world, hub="hub-b"))

        assert response.status_code == 200
        assert "Choose one of the hubs in the list" in response.content.decode()
        assert not Offering.objects.filter(cohort_name="Leeds North").exists()
        assert not AuditEntry.objects.exists()

    def test_the_form_offers_only_the_hubs_facilitators(self, hub_world, signed_in):
        ours = UserFactory(email="ours@example.org")
        theirs = UserFactory(email="theirs@example.org")
        RoleAssignmentFactory(user=ours, role="facilitator", hub=hub_world.hub_a)
        RoleAssignmentFactory(user=theirs, role="facilitator", hub=hub_world.hub_b)

        form = signed_in(hub_world.staff_a).get(NEW).context["form"]

        assert list(form.fields["facilitator"].queryset) == [ours]
        assert list(form.fields["hub"].queryset) == [hub_world.hub_a]

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            (
                {"applications_close_at": "2000-08-01T09:00"},
                "applications_close_at",
                "Applications must close after they open",
            ),
            (
                {"ends_on": "2000-01-01"},
                "ends_on",
                "The end date must be on or after the start date",
            ),
            ({"capacity": ""}, "capacity", "Enter the number of places"),
            ({"capacity": "0"}, "capacity", "The number of places must be 1 or more"),
            ({"capacity": "lots"}, "capacity", "Enter the number of places as a whole number"),
            ({"starts_on": "31/02/2027"}, "starts_on", "Enter the start date as a real date"),
            ({"programme": ""}, "programme", "Choose a programme"),
            ({"mode": None}, "mode", "Choose how the offering is delivered"),
        ],
        ids=["closes-before-opens", "ends-before-starts", "no-places", "zero-places", "words",
             "not-a-date", "no-programme", "no-mode"],
    )  # fmt: skip
    def test_mistakes_are_shown_in_an_error_summary_and_nothing_is_added(
        self, hub_world, signed_in, changes, field, message
    ):
        response = signed_in(hub_world.staff_a).post(NEW, offering_data(hub_world, **changes))

        assert response.status_code == 200
        text = response.content.decode()
        assert "<title>Error: Add an offering" in text
        assert "govuk-error-summary" in text
        assert message in text
        anchor = f"#id_{field}_0" if field == "mode" else f"#id_{field}"
        assert f'href="{anchor}"' in text
        assert not Offering.objects.filter(cohort_name="Leeds North").exists()
        assert not AuditEntry.objects.exists()

    def test_a_programme_of_another_network_is_refused_on_its_field(self, hub_world, signed_in):
        # Given national staff, who may choose any hub and any programme, and a science hub
        HubFactory(network=hub_world.networks["science"])
        science = ProgrammeFactory(network=hub_world.networks["science"], title="Physics")

        response = signed_in(hub_world.national).post(
            NEW, offering_data(hub_world, programme=science.pk)
        )

        text = response.content.decode()
        assert "Choose a programme of the" in text
        assert 'href="#id_programme"' in text
        assert not Offering.objects.filter(cohort_name="Leeds North").exists()


def shown_data(form) -> dict:
    """The POST data of a form as the page shows it, as a browser would send it back."""
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        shown = "on" if value is True else field.field.widget.format_value(value)
        if shown is not None:  # a list posts each value, as ticked checkboxes do
            data[field.html_name] = shown
    return data


class TestEditing:
    def test_saving_one_change_records_only_that_change(self, hub_world, signed_in):
        # Given the form as shown: times to the minute, though stored to the microsecond
        url = edit_url(hub_world.offering_a)
        client = signed_in(hub_world.staff_a)
        data = shown_data(client.get(url).context["form"])
        data["capacity"] = "7"

        response = client.post(url, data)

        assert response.status_code == 302
        entry = AuditEntry.objects.get(action="programmes.offering.updated")
        assert entry.data["changed"] == {"capacity": [2, 7]}
        offering = Offering.objects.get(pk=hub_world.offering_a.pk)
        assert offering.applications_open_at == hub_world.offering_a.applications_open_at

    def test_hub_staff_change_their_offering_and_the_change_is_audited(self, hub_world, signed_in):
        url = edit_url(hub_world.offering_a)
        client = signed_in(hub_world.staff_a)
        data = offering_data(hub_world, capacity="30")
        del data["hub"]

        response = client.post(url, data, follow=True)

        assert response.status_code == 200
        offering = Offering.objects.get(pk=hub_world.offering_a.pk)
        assert (offering.capacity, offering.cohort_name, offering.mode) == (
            30,
            "Leeds North",
            "blended",
        )
        entry = AuditEntry.objects.get(action="programmes.offering.updated")
        assert entry.data["changed"]["capacity"] == [2, 30]
        assert entry.hub == hub_world.hub_a

    def test_hub_staff_cannot_edit_another_hubs_offering(self, hub_world, signed_in):
        # The denied twin: same change, to hub B's offering
        url = edit_url(hub_world.offering_b)
        data = offering_data(hub_world, capacity="30")
        client = signed_in(hub_world.staff_a)

        assert client.get(url).status_code == 404
        assert client.post(url, data).status_code == 404
        assert Offering.objects.get(pk=hub_world.offering_b.pk).capacity == 10
        assert not AuditEntry.objects.exists()

    def test_a_missing_offering_is_not_found_the_same_way(self, hub_world, signed_in):
        assert (
            signed_in(hub_world.staff_a).get("/backoffice/hub/offerings/999999/edit/").status_code
            == 404
        )

    def test_national_staff_may_edit_any_hubs_offering(self, hub_world, signed_in):
        data = offering_data(hub_world, capacity="30")

        response = signed_in(hub_world.national).post(edit_url(hub_world.offering_b), data)

        assert response.status_code == 302
        assert Offering.objects.get(pk=hub_world.offering_b.pk).capacity == 30

    def test_mistakes_re_render_with_an_error_summary_and_change_nothing(
        self, hub_world, signed_in
    ):
        before = Offering.objects.get(pk=hub_world.offering_a.pk)
        data = offering_data(hub_world, capacity="30", ends_on=f"{hub_world.year}-01-01")

        response = signed_in(hub_world.staff_a).post(edit_url(hub_world.offering_a), data)

        text = response.content.decode()
        assert "<title>Error: Edit offering" in text
        assert "The end date must be on or after the start date" in text
        after = Offering.objects.get(pk=hub_world.offering_a.pk)
        assert (after.capacity, after.ends_on, after.updated_at) == (
            before.capacity,
            before.ends_on,
            before.updated_at,
        )
        assert not AuditEntry.objects.exists()

    def test_places_cannot_be_fewer_than_those_taken(self, hub_world, signed_in):
        ApplicationFactory.create_batch(2, offering=hub_world.offering_a, state="accepted")
        data = offering_data(hub_world, capacity="1")

        response = signed_in(hub_world.staff_a).post(edit_url(hub_world.offering_a), data)

        assert "2 places are already taken: enter at least 2 places" in response.content.decode()
        assert Offering.objects.get(pk=hub_world.offering_a.pk).capacity == 2

    def test_the_form_shows_the_offerings_values(self, hub_world, signed_in):
        text = signed_in(hub_world.staff_a).get(edit_url(hub_world.offering_a)).content.decode()

        opens = timezone.localtime(hub_world.offering_a.applications_open_at)
        assert f'value="{opens:%Y-%m-%dT%H:%M}"' in text
        assert 'value="2027-01-15"' in text
        assert "Close applications now" in text


class TestOpeningAndClosing:
    def test_closing_applications_now_closes_them_and_is_audited(self, hub_world, signed_in):
        url = f"/backoffice/hub/offerings/{hub_world.offering_a.pk}/close/"

        response = signed_in(hub_world.staff_a).post(url, follow=True)

        assert "Applications are closed." in response.content.decode()
        offering = Offering.objects.get(pk=hub_world.offering_a.pk)
        assert not offering.is_open_for_applications()
        assert AuditEntry.objects.get().action == "programmes.offering.closed"
        assert "Open applications now" in response.content.decode()

    def test_opening_applications_now_opens_them(self, hub_world, signed_in):
        offering = OfferingFactory(
            hub=hub_world.hub_a,
            programme=hub_world.programme,
            applications_open_at=timezone.now() + datetime.timedelta(days=3),
        )

        response = signed_in(hub_world.staff_a).post(
            f"/backoffice/hub/offerings/{offering.pk}/open/", follow=True
        )

        assert "Applications are open." in response.content.decode()
        assert Offering.objects.get(pk=offering.pk).is_open_for_applications()
        assert AuditEntry.objects.get().action == "programmes.offering.opened"

    def test_opening_open_applications_says_so_and_changes_nothing(self, hub_world, signed_in):
        before = Offering.objects.get(pk=hub_world.offering_a.pk).applications_open_at

        response = signed_in(hub_world.staff_a).post(
            f"/backoffice/hub/offerings/{hub_world.offering_a.pk}/open/", follow=True
        )

        assert "Applications are already open." in response.content.decode()
        assert Offering.objects.get(pk=hub_world.offering_a.pk).applications_open_at == before
        assert not AuditEntry.objects.exists()

    def test_hub_staff_cannot_close_another_hubs_applications(self, hub_world, signed_in):
        url = f"/backoffice/hub/offerings/{hub_world.offering_b.pk}/close/"

        response = signed_in(hub_world.staff_a).post(url)

        assert response.status_code == 404
        assert Offering.objects.get(pk=hub_world.offering_b.pk).is_open_for_applications()

    def test_the_buttons_only_answer_post(self, hub_world, signed_in):
        url = f"/backoffice/hub/offerings/{hub_world.offering_a.pk}/close/"

        assert signed_in(hub_world.staff_a).get(url).status_code == 405
        assert Offering.objects.get(pk=hub_world.offering_a.pk).is_open_for_applications()
