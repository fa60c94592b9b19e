"""Offering services: each change is checked, saved and audited in one transaction."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cpdnet.audit.models import AuditEntry
from cpdnet.hubs.services import ensure_networks
from cpdnet.programmes.models import Offering
from cpdnet.programmes.services import (
    OfferingError,
    close_applications,
    create_offering,
    open_applications,
    update_offering,
)
from tests.factories import (
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    UserFactory,
)

NOW = datetime.datetime(2026, 10, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def world(db):
    networks = ensure_networks()
    hub = HubFactory(network=networks["maths"], slug="hub-a")
    return {
        "networks": networks,
        "hub": hub,
        "programme": ProgrammeFactory(network=networks["maths"]),
        "staff": UserFactory(email="staff@hub.example.org"),
    }


def fields(world, **changes) -> dict:
    return {
        "programme": world["programme"],
        "academic_year": 2026,
        "capacity": 20,
        "mode": "online",
        "starts_on": datetime.date(2027, 1, 10),
        "ends_on": datetime.date(2027, 6, 10),
        "applications_open_at": NOW,
        "applications_close_at": NOW + datetime.timedelta(days=30),
        **changes,
    }


class TestCreate:
    def test_an_offering_is_created_with_an_audit_entry(self, world):
        offering = create_offering(hub=world["hub"], by=world["staff"], **fields(world))

        assert Offering.objects.get() == offering
        entry = AuditEntry.objects.get()
        assert (entry.action, entry.actor, entry.hub, entry.object_id) == (
            "programmes.offering.created",
            world["staff"],
            world["hub"],
            str(offering.pk),
        )
        assert entry.data["fields"]["capacity"] == 20
        assert entry.data["fields"]["programme"] == world["programme"].pk

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            (
                {"applications_close_at": NOW - datetime.timedelta(days=1)},
                "Applications must open before they close.",
            ),
            ({"ends_on": datetime.date(2026, 1, 1)}, "The offering must start before it ends."),
        ],
    )
    def test_the_models_rules_are_checked_and_nothing_is_saved(self, world, changes, message):
        with pytest.raises(ValidationError) as error:
            create_offering(hub=world["hub"], by=world["staff"], **fields(world, **changes))

        assert message in error.value.messages
        assert not Offering.objects.exists()
        assert not AuditEntry.objects.exists()

    def test_a_programme_of_another_network_is_refused(self, world):
        physics = ProgrammeFactory(network=world["networks"]["science"])

        with pytest.raises(ValidationError) as error:
            create_offering(hub=world["hub"], by=world["staff"], **fields(world, programme=physics))

        assert list(error.value.message_dict) == ["programme"]
        assert not Offering.objects.exists()

    def test_a_facilitator_must_work_with_the_hub(self, world):
        ours, theirs = UserFactory(), UserFactory()
        RoleAssignmentFactory(user=ours, role="facilitator", hub=world["hub"])
        RoleAssignmentFactory(user=theirs, role="facilitator", hub=HubFactory())

        offering = create_offering(
            hub=world["hub"], by=world["staff"], **fields(world, facilitator=ours)
        )
        with pytest.raises(ValidationError) as error:
            create_offering(
                hub=world["hub"], by=world["staff"], **fields(world, facilitator=theirs)
            )

        assert offering.facilitator == ours
        assert error.value.message_dict == {
            "facilitator": ["Choose a facilitator who works with this hub."]
        }
        assert Offering.objects.count() == 1

    def test_unknown_fields_are_a_programming_error(self, world):
        with pytest.raises(TypeError):
            create_offering(hub=world["hub"], by=world["staff"], **fields(world, hub_id=1))


class TestUpdate:
    def test_changes_are_saved_and_audited_with_before_and_after(self, world):
        offering = OfferingFactory(hub=world["hub"], programme=world["programme"], capacity=10)

        update_offering(offering=offering, by=world["staff"], capacity=12, venue="Leeds")

        offering.refresh_from_db()
        assert (offering.capacity, offering.venue) == (12, "Leeds")
        entry = AuditEntry.objects.get()
        assert entry.action == "programmes.offering.updated"
        assert entry.data["changed"] == {"capacity": [10, 12], "venue": ["", "Leeds"]}

    def test_saving_without_changes_writes_nothing(self, world):
        offering = OfferingFactory(hub=world["hub"], programme=world["programme"], capacity=10)

        update_offering(
            offering=offering, by=world["staff"], capacity=10, programme=world["programme"]
        )

        assert not AuditEntry.objects.exists()

    def test_a_broken_rule_leaves_the_offering_as_it_was(self, world):
        offering = OfferingFactory(hub=world["hub"], programme=world["programme"])
        before = Offering.objects.get(pk=offering.pk)

        with pytest.raises(ValidationError):
            update_offering(
                offering=offering, by=world["staff"], ends_on=datetime.date(2000, 1, 1), capacity=3
            )

        after = Offering.objects.get(pk=offering.pk)
        assert (after.ends_on, after.capacity) == (before.ends_on, before.capacity)
        assert not AuditEntry.objects.exists()


class TestOpeningAndClosing:
    def test_opening_sets_the_window_to_start_now(self, world):
        offering = OfferingFactory(
            hub=world["hub"],
            programme=world["programme"],
            applications_open_at=NOW + datetime.timedelta(days=5),
            applications_close_at=NOW + datetime.timedelta(days=30),
        )

        opened = open_applications(offering=offering, by=world["staff"], now=NOW)

        assert opened.applications_open_at == NOW
        assert Offering.objects.get(pk=offering.pk).is_open_for_applications(NOW)
        entry = AuditEntry.objects.get()
        assert entry.action == "programmes.offering.opened"
        assert entry.hub == world["hub"]

    def test_closing_sets_the_window_to_end_now(self, world):
        offering = OfferingFactory(hub=world["hub"], programme=world["programme"])
        now = timezone.now()

        close_applications(offering=offering, by=world["staff"], now=now)

        offering.refresh_from_db()
        assert offering.applications_close_at == now
        assert not offering.is_open_for_applications(now)
        assert AuditEntry.objects.get().action == "programmes.offering.closed"

    @pytest.mark.parametrize(
        ("opens", "closes", "service", "code"),
        [
            (-1, 30, open_applications, "already_open"),
            (-30, -1, open_applications, "closing_date_passed"),
            (5, 30, close_applications, "not_open"),
            (-30, -1, close_applications, "not_open"),
        ],
        ids=["open-when-open", "open-after-closing-date", "close-before-open", "close-when-closed"],
    )
    def test_a_change_that_makes_no_sense_is_refused_with_a_reason(
        self, world, opens, closes, service, code
    ):
        offering = OfferingFactory(
            hub=world["hub"],
            programme=world["programme"],
            applications_open_at=NOW + datetime.timedelta(days=opens),
            applications_close_at=NOW + datetime.timedelta(days=closes),
        )

        with pytest.raises(OfferingError) as error:
            service(offering=offering, by=world["staff"], now=NOW)

        assert error.value.code == code
        assert error.value.reason
        assert not AuditEntry.objects.exists()
