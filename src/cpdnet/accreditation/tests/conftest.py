"""An accreditation cohort at a Leeds hub, a candidate from a Leeds school, national staff,
and assessors from elsewhere (and one from the candidate's own hub)."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from cpdnet.accreditation import services
from cpdnet.accreditation.models import (
    SECTION_KEYS,
    Candidacy,
    CandidacyState,
    CandidacyTransition,
)
from tests.factories import (
    ApplicationFactory,
    HubAreaFactory,
    HubFactory,
    OfferingFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _on_commit_at_once(monkeypatch):
    # Test transactions never commit: run what waits for the commit (emails) at once.
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def leeds_hub(db):
    hub = HubFactory(name="Leeds Maths Hub", slug="leeds")
    HubAreaFactory(hub=hub, local_authority_id="383")
    return hub


@pytest.fixture
def cohort(leeds_hub):
    return OfferingFactory(
        hub=leeds_hub,
        programme__kind="accreditation",
        programme__phase="secondary",
        programme__title="PD Lead Programme: secondary",
        cohort_name="Cohort A",
    )


@pytest.fixture
def national(db):
    return RoleAssignmentFactory(user__email="national@example.org", role="national_staff").user


@pytest.fixture
def candidate(db):
    return TeacherFactory(email="candidate@example.org", full_name="Cara Candidate")


@pytest.fixture
def candidacy(cohort, candidate):
    application = ApplicationFactory(offering=cohort, applicant=candidate, state="accepted")
    return services.open_candidacy(application)


def _assessor(email: str, role: str = "assessor", school=None):
    user = UserFactory(email=email, school=school or SchoolFactory(la_code="926"))
    RoleAssignmentFactory(user=user, role=role)
    return user


@pytest.fixture
def assessor(db):
    return _assessor("assessor@example.org")


@pytest.fixture
def moderator(db):
    return _assessor("moderator@example.org", role="moderator")


@pytest.fixture
def make_assessor(db):
    return _assessor


def write_every_section(candidacy, by):
    for key in SECTION_KEYS:
        services.save_draft(candidacy, section=key, text=f"My {key} in words.", by=by)


@pytest.fixture
def submitted(candidacy, candidate):
    write_every_section(candidacy, candidate)
    return services.submit_evidence(candidacy, by=candidate)


def all_met(met=True):
    return {key: (met, f"Feedback on {key}") for key in SECTION_KEYS}


def not_accredited(candidacy, *, days_ago: int = 0):
    """Put the candidacy where ratification leaves it when not accredited, `days_ago` days back."""
    Candidacy.objects.filter(pk=candidacy.pk).update(state=CandidacyState.NOT_ACCREDITED)
    outcome = CandidacyTransition.objects.create(
        candidacy=candidacy,
        from_state=CandidacyState.AWAITING_RATIFICATION,
        to_state=CandidacyState.NOT_ACCREDITED,
    )
    outcome_on = timezone.localdate() - datetime.timedelta(days=days_ago)
    CandidacyTransition.objects.filter(pk=outcome.pk).update(
        created_at=timezone.make_aware(datetime.datetime.combine(outcome_on, datetime.time(12)))
    )
    candidacy.refresh_from_db()
    return candidacy


def future(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


# Applying, endorsement, who may lead what and capacity share one world (applying_world.py).
from .applying_world import world  # noqa: E402, F401
