"""The demo's accreditation applications: evidence, endorsements, a queue, requirements."""

from cpdnet.accreditation.applying import pending_endorsements
from cpdnet.accreditation.demo_applying import load_demo_applying
from cpdnet.accreditation.facilitators import requirement_for
from cpdnet.accreditation.models import Endorsement, FacilitatorRule, PDLeadershipEvidence
from cpdnet.applications.models import State
from tests.factories import ApplicationFactory, TeacherFactory


def test_the_demo_fills_in_accreditation_applications_once(world):
    # Given demo applications to the PD Lead cohort in several states
    states = (State.SUBMITTED, State.AWAITING_SCHOOL_APPROVAL, State.ACCEPTED, State.WAITLISTED)
    applications = {
        state: ApplicationFactory(
            offering=world.offering,
            applicant=TeacherFactory(school=world.school_a),
            state=state,
        )
        for state in states
    }

    # When the demo is loaded twice
    first = load_demo_applying()
    second = load_demo_applying()

    # Then every application has evidence, those further on are endorsed, the rest wait
    assert (first["evidence"], first["endorsements"], first["requirements"]) == (4, 2, 1)
    assert (second["evidence"], second["endorsements"], second["requirements"]) == (0, 0, 0)
    assert PDLeadershipEvidence.objects.count() == 4
    assert set(Endorsement.objects.values_list("application__state", flat=True)) == {
        State.ACCEPTED,
        State.WAITLISTED,
    }
    assert set(pending_endorsements(world.hub_a)) == {
        applications[State.SUBMITTED],
        applications[State.AWAITING_SCHOOL_APPROVAL],
    }
    assert requirement_for(world.programme) == FacilitatorRule.ACCREDITED_OR_MENTORED
