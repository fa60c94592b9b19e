"""Who may lead what: the programme's facilitator requirement, obeyed wherever a facilitator is
assigned to an offering."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cpdnet.accreditation.facilitators import check_facilitator, set_facilitator_requirement
from cpdnet.accreditation.models import FacilitatorRule, Mentorship
from cpdnet.audit.models import AuditEntry
from cpdnet.programmes.admin import OfferingAdminForm
from cpdnet.programmes.services import create_offering, update_offering
from tests.factories import RoleAssignmentFactory, UserFactory

from .applying_world import accredit


@pytest.fixture
def facilitator(world):
    person = UserFactory(email="fran@example.org", full_name="Fran Facilitator")
    RoleAssignmentFactory(user=person, role="facilitator", hub=world.hub_a)
    return person


def _require(world, rule):
    set_facilitator_requirement(programme=world.programme, rule=rule, by=world.national)


def _offering_fields(world, facilitator):
    return {
        "programme": world.programme,
        "academic_year": world.year,
        "facilitator": facilitator,
        "capacity": 20,
        "mode": "online",
        "planned_sessions": 3,
        "starts_on": datetime.date(world.year + 1, 1, 10),
        "ends_on": datetime.date(world.year + 1, 6, 30),
        "applications_open_at": timezone.now(),
        "applications_close_at": timezone.now() + datetime.timedelta(days=30),
    }


def test_anyone_may_lead_when_no_requirement_is_set(world, facilitator):
    assert check_facilitator(world.programme, facilitator) is None


def test_assigning_an_unaccredited_facilitator_is_refused_with_the_reason(world, facilitator):
    _require(world, FacilitatorRule.ACCREDITED)

    with pytest.raises(ValidationError) as refused:
        create_offering(by=world.lead_a, hub=world.hub_a, **_offering_fields(world, facilitator))

    [reason] = refused.value.message_dict["facilitator"]
    assert reason.startswith("Fran Facilitator cannot lead PD Lead Programme (secondary)")
    assert "accredited PD Lead for secondary" in reason


def test_an_accredited_lead_for_the_phase_may_lead(world, facilitator):
    _require(world, FacilitatorRule.ACCREDITED)
    accredit(facilitator, phase="secondary", hub=world.hub_a)

    offering = create_offering(
        by=world.lead_a, hub=world.hub_a, **_offering_fields(world, facilitator)
    )

    assert offering.facilitator == facilitator


@pytest.mark.parametrize(
    "accreditation",
    [
        {"phase": "primary"},
        {"lapsed_at": timezone.now()},
        {"withdrawn_at": timezone.now()},
        {"valid_until": datetime.date(2020, 1, 1), "accredited_on": datetime.date(2017, 1, 1)},
    ],
    ids=["another-phase", "lapsed", "withdrawn", "expired"],
)
def test_an_accreditation_not_in_force_for_the_phase_does_not_count(
    world, facilitator, accreditation
):
    _require(world, FacilitatorRule.ACCREDITED)
    accredit(facilitator, **accreditation)

    assert check_facilitator(world.programme, facilitator) is not None


def test_a_trainee_with_an_accredited_mentor_may_lead_when_the_programme_allows(world, facilitator):
    mentor = accredit(UserFactory(), phase="secondary", hub=world.hub_a)
    Mentorship.objects.create(
        trainee=facilitator,
        mentor=mentor,
        phase="secondary",
        started_on=timezone.localdate() - datetime.timedelta(days=30),
    )

    _require(world, FacilitatorRule.ACCREDITED)
    assert "no accreditation in force" in check_facilitator(world.programme, facilitator)
    _require(world, FacilitatorRule.ACCREDITED_OR_MENTORED)
    assert check_facilitator(world.programme, facilitator) is None


def test_a_mentor_whose_accreditation_lapsed_does_not_count(world, facilitator):
    mentor = accredit(UserFactory(), phase="secondary", lapsed_at=timezone.now())
    Mentorship.objects.create(
        trainee=facilitator, mentor=mentor, phase="secondary", started_on=timezone.localdate()
    )
    _require(world, FacilitatorRule.ACCREDITED_OR_MENTORED)

    reason = check_facilitator(world.programme, facilitator)

    assert "named accredited mentor" in reason


def test_changing_the_facilitator_is_checked_but_other_changes_are_not(world, facilitator):
    # Given an offering led before the requirement was set
    offering = create_offering(
        by=world.lead_a, hub=world.hub_a, **_offering_fields(world, facilitator)
    )
    _require(world, FacilitatorRule.ACCREDITED)

    # When hub staff change its capacity, the assignment stands
    update_offering(offering=offering, by=world.lead_a, capacity=25)

    # But assigning another unaccredited facilitator is refused
    other = UserFactory(full_name="Olly Other")
    RoleAssignmentFactory(user=other, role="facilitator", hub=world.hub_a)
    with pytest.raises(ValidationError) as refused:
        update_offering(offering=offering, by=world.lead_a, facilitator=other)
    assert "Olly Other cannot lead" in refused.value.message_dict["facilitator"][0]
    offering.refresh_from_db()
    assert offering.facilitator == facilitator


def test_the_admin_obeys_the_requirement(world, facilitator):
    _require(world, FacilitatorRule.ACCREDITED)
    fields = _offering_fields(world, facilitator)
    data = {
        **{name: value.pk if hasattr(value, "pk") else value for name, value in fields.items()},
        "hub": world.hub_a.pk,
        "provider": world.hub_a.provider.pk,
        "local_only": True,
        "requires_school_approval": True,
        "programme_year": 1,
    }
    form = OfferingAdminForm(data=data)

    assert not form.is_valid()
    assert "Fran Facilitator cannot lead" in form.errors["facilitator"][0]


def test_setting_the_requirement_is_audited_once(world):
    _require(world, FacilitatorRule.ACCREDITED)
    _require(world, FacilitatorRule.ACCREDITED)

    entries = AuditEntry.objects.filter(action="accreditation.facilitator_requirement.set")
    assert entries.count() == 1
