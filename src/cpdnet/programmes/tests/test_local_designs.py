"""Hubs design locally: a hub proposes a local Work Group or network meeting, national staff
approve, return or decline it, and an approved design becomes a programme only its hub runs."""

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cpdnet.audit.models import AuditEntry
from cpdnet.programmes.models import (
    DESIGN_TRANSITIONS,
    DesignState,
    LocalDesign,
    LocalDesignTransition,
)
from cpdnet.programmes.services import (
    DesignError,
    create_local_design,
    create_offering,
    decide_local_design,
    submit_local_design,
    update_local_design,
)
from tests.factories import HubFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db

DESIGN = {
    "kind": "work_group",
    "title": "Reasoning in Year 5 and 6",
    "aims": "Teachers develop pupils' reasoning about multiplicative structures.",
    "audience": "class_teacher,subject_lead",
    "phase": "primary",
    "key_stages": "KS2",
    "planned_sessions": 4,
    "sessions_outline": "1. October, 3 hours: launch\n2. November, 2 hours: lesson study",
    "lead_name": "Sam Facilitator",
    "local_need": "Reasoning scores in our coastal schools lag the rest of the county.",
}
# What each decision or action asks for, and the state it aims at.
ACTIONS = {
    "submit": DesignState.SUBMITTED,
    "approve": DesignState.APPROVED,
    "return": DesignState.RETURNED,
    "decline": DesignState.DECLINED,
}
# The truth table: which actions each state allows. Everything else is refused.
ALLOWED = {
    DesignState.DRAFT: {"submit"},
    DesignState.SUBMITTED: {"approve", "return", "decline"},
    DesignState.RETURNED: {"submit"},
    DesignState.APPROVED: set(),
    DesignState.DECLINED: set(),
}


@pytest.fixture
def hub():
    return HubFactory(email="hello@coast.example.org")


@pytest.fixture
def hub_staff(hub):
    return RoleAssignmentFactory(role="hub_staff", hub=hub).user


@pytest.fixture
def national():
    return RoleAssignmentFactory(role="national_staff", hub=None).user


def _design_in(state: str, hub, by) -> LocalDesign:
    design = create_local_design(hub=hub, by=by, **DESIGN)
    LocalDesign.objects.filter(pk=design.pk).update(state=state)
    design.refresh_from_db()
    return design


def _act(action: str, design, hub_staff, national):
    if action == "submit":
        return submit_local_design(design=design, by=hub_staff)
    return decide_local_design(design=design, by=national, decision=action, comments="Because")


def test_the_truth_table_names_every_state_and_matches_the_model():
    assert set(ALLOWED) == set(DesignState.values)
    for state, actions in ALLOWED.items():
        assert {ACTIONS[action] for action in actions} == DESIGN_TRANSITIONS[state]


@pytest.mark.parametrize(("state", "action"), list(itertools.product(DesignState.values, ACTIONS)))
def test_every_state_and_action(state, action, hub, hub_staff, national):
    design = _design_in(state, hub, hub_staff)
    before = LocalDesignTransition.objects.filter(design=design).count()

    if action in ALLOWED[state]:
        moved = _act(action, design, hub_staff, national)
        assert moved.state == ACTIONS[action]
        assert LocalDesignTransition.objects.filter(design=design).count() == before + 1
        assert (moved.programme_id is not None) == (action == "approve")
    else:
        with pytest.raises(DesignError) as refused:
            _act(action, design, hub_staff, national)
        assert refused.value.code == "invalid_transition"
        design.refresh_from_db()
        assert design.state == state
        assert LocalDesignTransition.objects.filter(design=design).count() == before


def test_propose_return_resubmit_approve_with_history_audit_and_emails(
    hub, hub_staff, national, mailoutbox, django_capture_on_commit_callbacks
):
    design = create_local_design(hub=hub, by=hub_staff, **DESIGN)
    submit_local_design(design=design, by=hub_staff)
    with django_capture_on_commit_callbacks(execute=True):
        decide_local_design(
            design=design, by=national, decision="return", comments="Add a gap task plan."
        )
    design.refresh_from_db()
    assert design.decision_comments == "Add a gap task plan."
    update_local_design(design=design, by=hub_staff, sessions_outline="1. With gap tasks")
    submit_local_design(design=design, by=hub_staff)
    with django_capture_on_commit_callbacks(execute=True):
        approved = decide_local_design(design=design, by=national, decision="approve")

    assert [t.to_state for t in approved.history.all()] == [
        "draft",
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    programme = approved.programme
    assert (programme.designed_by_hub, programme.title, programme.kind) == (
        hub,
        DESIGN["title"],
        "work_group",
    )
    assert programme.is_local_design and programme.network == hub.network
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "programmes.local_design.drafted",
        "programmes.local_design.submitted",
        "programmes.local_design.returned",
        "programmes.local_design.changed",
        "programmes.local_design.approved",
    } <= actions
    to = sorted(tuple(email.to) for email in mailoutbox)
    assert to == sorted([("hello@coast.example.org",), (hub_staff.email,)] * 2)
    assert any("Add a gap task plan." in email.body for email in mailoutbox)


@pytest.mark.parametrize("decision", ["return", "decline"])
def test_a_return_or_decline_needs_comments(decision, hub, hub_staff, national):
    design = _design_in(DesignState.SUBMITTED, hub, hub_staff)

    with pytest.raises(DesignError) as refused:
        decide_local_design(design=design, by=national, decision=decision, comments="  ")

    assert refused.value.code == "comments_required"


def test_only_national_staff_decide(hub, hub_staff):
    design = _design_in(DesignState.SUBMITTED, hub, hub_staff)

    with pytest.raises(PermissionDenied):
        decide_local_design(design=design, by=hub_staff, decision="approve")


def test_another_hubs_staff_cannot_draft_change_or_submit(hub, hub_staff):
    stranger = RoleAssignmentFactory(role="hub_staff", hub=HubFactory()).user
    design = create_local_design(hub=hub, by=hub_staff, **DESIGN)

    with pytest.raises(PermissionDenied):
        create_local_design(hub=hub, by=stranger, **DESIGN)
    with pytest.raises(PermissionDenied):
        update_local_design(design=design, by=stranger, title="Mine now")
    with pytest.raises(PermissionDenied):
        submit_local_design(design=design, by=stranger)


def test_a_submitted_design_cannot_be_changed(hub, hub_staff):
    design = _design_in(DesignState.SUBMITTED, hub, hub_staff)

    with pytest.raises(DesignError) as refused:
        update_local_design(design=design, by=hub_staff, title="Changed")

    assert refused.value.code == "not_editable"


def test_a_design_breaking_a_rule_is_refused(hub, hub_staff):
    with pytest.raises(ValidationError):
        create_local_design(hub=hub, by=hub_staff, **{**DESIGN, "planned_sessions": 0})


def _offering_fields(programme) -> dict:
    now = timezone.now()
    return {
        "programme": programme,
        "academic_year": 2026,
        "capacity": 20,
        "mode": "online",
        "planned_sessions": 4,
        "starts_on": datetime.date(2027, 1, 10),
        "ends_on": datetime.date(2027, 5, 10),
        "applications_open_at": now,
        "applications_close_at": now + datetime.timedelta(days=30),
    }


def test_only_the_designing_hub_schedules_its_local_programme(hub, hub_staff, national):
    design = _design_in(DesignState.SUBMITTED, hub, hub_staff)
    programme = decide_local_design(design=design, by=national, decision="approve").programme

    offering = create_offering(hub=hub, by=hub_staff, **_offering_fields(programme))
    assert offering.programme == programme

    other_hub = HubFactory(network=hub.network)
    with pytest.raises(ValidationError) as refused:
        create_offering(hub=other_hub, by=UserFactory(), **_offering_fields(programme))
    assert "Only the hub that designed" in str(refused.value)
