"""National staff give and take away roles; every change is audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cpdnet.accounts.models import RoleAssignment
from cpdnet.accounts.selectors import list_staffed_hub_ids
from cpdnet.accounts.services import assign_role, remove_role
from cpdnet.audit.models import AuditEntry
from tests.factories import HubFactory, RoleAssignmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def national():
    return RoleAssignmentFactory(role="national_staff").user


def test_assigning_a_hub_role_writes_an_audit_entry(national):
    person, hub = UserFactory(email="lead@hub.example.org"), HubFactory(name="Pennine Hub")
    assert list_staffed_hub_ids(person) == []

    assignment = assign_role(user=person, role="hub_staff", hub=hub, by=national)

    assert list_staffed_hub_ids(person) == [hub.pk]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.hub, entry.object_id) == (
        "accounts.role.assigned",
        national,
        hub,
        str(assignment.pk),
    )
    assert "lead@hub.example.org" in entry.summary


def test_assigning_a_role_held_already_changes_nothing(national):
    person, school = UserFactory(), SchoolFactory()
    first = assign_role(user=person, role="school_approver", school=school, by=national)

    again = assign_role(user=person, role="school_approver", school=school, by=national)

    assert again == first
    assert AuditEntry.objects.count() == 1


def test_role_without_its_place_is_refused(national):
    with pytest.raises(ValidationError):
        assign_role(user=UserFactory(), role="school_approver", by=national)

    assert not RoleAssignment.objects.filter(role="school_approver").exists()
    assert not AuditEntry.objects.exists()


def test_removing_a_role_writes_an_audit_entry(national):
    person, hub = UserFactory(), HubFactory()
    assign_role(user=person, role="facilitator", hub=hub, by=national)

    removed = remove_role(user=person, role="facilitator", hub=hub, by=national)
    removed_again = remove_role(user=person, role="facilitator", hub=hub, by=national)

    assert (removed, removed_again) == (True, False)
    assert not person.roles.exists()
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "accounts.role.assigned",
        "accounts.role.removed",
    ]


@pytest.mark.parametrize("by_national_staff", [True, False], ids=["national", "hub-staff"])
def test_only_national_staff_may_change_roles(national, by_national_staff):
    hub = HubFactory()
    by = national if by_national_staff else RoleAssignmentFactory(role="hub_staff", hub=hub).user
    person = UserFactory()

    if by_national_staff:
        assign_role(user=person, role="hub_staff", hub=hub, by=by)
        assert remove_role(user=person, role="hub_staff", hub=hub, by=by)
    else:
        with pytest.raises(PermissionDenied):
            assign_role(user=person, role="hub_staff", hub=hub, by=by)
        with pytest.raises(PermissionDenied):
            remove_role(user=person, role="hub_staff", hub=hub, by=by)
        assert not AuditEntry.objects.exists()
