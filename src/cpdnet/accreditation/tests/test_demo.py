"""The accreditation demo: phase-specific PD Lead programmes, a cohort per phase with a
candidate in every state, an assessor with assignments, and a register with a renewal due."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from cpdnet.accounts.models import User
from cpdnet.accreditation import selectors
from cpdnet.accreditation.demo import load_demo_accreditation
from cpdnet.accreditation.models import Accreditation, Candidacy, CandidacyState, Renewal
from cpdnet.hubs.services import load_hubs
from cpdnet.programmes.demo import load_demo_programmes
from cpdnet.programmes.models import Kind, Programme
from tests.factories import SchoolFactory

HUBS_DEMO = Path(__file__).resolve().parents[2] / "hubs" / "demo_data"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_hubs(hubs_csv=HUBS_DEMO / "hubs.csv", areas_csv=HUBS_DEMO / "hub_areas.csv")
    for phase in ("Primary", "Primary", "Secondary", "Nursery"):
        SchoolFactory(phase=phase)
    load_demo_programmes()
    return load_demo_accreditation()


def test_pd_lead_programmes_are_phase_specific_and_do_not_promise_accreditation(demo):
    programmes = Programme.objects.filter(kind=Kind.ACCREDITATION)

    assert sorted(programmes.values_list("phase", flat=True)) == [
        "early_years",
        "post_16",
        "primary",
        "secondary",
    ]
    for programme in programmes:
        assert "class_teacher" not in programme.audience
        assert "beyond their own school" in programme.description
        assert "three one-day workshops" in programme.description
        assert "you are listed as an accredited PD Lead" not in programme.description
        assert set(programme.offerings.values_list("planned_sessions", flat=True)) == {3}


def test_each_phase_has_a_candidate_in_every_state(demo):
    for phase in ("early_years", "primary", "secondary", "post_16"):
        states = set(Candidacy.objects.filter(phase=phase).values_list("state", flat=True))
        assert states == set(CandidacyState.values), phase


def test_the_assessor_has_assignments_and_the_moderator_a_queue(demo):
    assessor = User.objects.get(email="assessor@example.org")

    assert selectors.list_assignments(assessor, completed=False).count() == 4
    assert selectors.list_assignments(assessor, completed=True).count() >= 16
    assert selectors.moderation_queue().count() == 4
    assert selectors.awaiting_ratification().count() == 4


def test_the_register_has_listed_leads_and_a_renewal_due(demo):
    today = timezone.localdate()
    assert selectors.public_register().count() >= 8
    assert Accreditation.objects.filter(on_public_register=False).exists()
    assert Accreditation.objects.filter(
        valid_until__lte=today + datetime.timedelta(days=30), valid_until__gte=today
    ).exists()
    assert Renewal.objects.filter(state="submitted").count() == 1
    assert Candidacy.objects.filter(pg_cert_opted_in_at__isnull=False).count() == 8


def test_loading_again_makes_nothing_new(demo):
    assert load_demo_accreditation() == demo
