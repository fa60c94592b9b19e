"""Applying to an accreditation programme: PD leadership evidence, the information sheet, the
hub lead's endorsement and national staff's selection."""

import pytest
from django.core import mail

from cpdnet.accreditation.applying import (
    AccreditationApplicationError,
    application_status,
    endorse,
    pending_endorsements,
    send_endorsement_email,
    state_words,
    submit_accreditation_application,
)
from cpdnet.accreditation.models import Endorsement, EndorsementDecision, PDLeadershipEvidence
from cpdnet.applications.models import Application, State
from cpdnet.applications.services import (
    AcceptanceRefused,
    ApplicationError,
    NotEligible,
    decide_application,
    withdraw_application,
)
from cpdnet.audit.models import AuditEntry
from cpdnet.notifications.models import OutboxEmail
from tests.factories import ApplicationFactory, TeacherFactory

from .applying_world import add_information_sheet

EVIDENCE = {
    "pd_roles": ["work_group_lead", "mastery_specialist"],
    "pd_led": "A secondary mastery Work Group for six schools.",
    "led_for": "Twelve teachers from six schools across Leeds.",
}


def _apply(world, *, beyond_own_school=True, acknowledged=True, teacher=None):
    teacher = teacher or world.teacher
    return submit_accreditation_application(
        offering=world.offering,
        applicant=teacher,
        school=teacher.school,
        job_role="subject_lead",
        approver_email="",
        beyond_own_school=beyond_own_school,
        information_sheet_acknowledged=acknowledged,
        **EVIDENCE,
    )


@pytest.fixture
def no_release(world):
    # The school's release is tested elsewhere: here the application goes straight to the hub.
    world.offering.requires_school_approval = False
    world.offering.save()


def test_an_application_keeps_the_pd_leadership_and_the_sheet_read(world, no_release):
    # Given a programme with an information sheet
    add_information_sheet(world.programme)

    # When a subject lead who leads PD beyond their school applies, having read it
    application = _apply(world)

    # Then their evidence and the moment they read the sheet are kept with the application
    evidence = PDLeadershipEvidence.objects.get(application=application)
    assert evidence.pd_roles == "work_group_lead,mastery_specialist"
    assert evidence.beyond_own_school is True
    assert evidence.led_for == EVIDENCE["led_for"]
    assert application.information_sheet_acknowledged_at is not None
    assert application.state == State.SUBMITTED


def test_no_information_sheet_means_nothing_to_acknowledge(world, no_release):
    application = _apply(world, acknowledged=False)

    assert application.information_sheet_acknowledged_at is None


def test_applying_without_reading_the_sheet_is_refused_and_changes_nothing(world, no_release):
    add_information_sheet(world.programme)

    with pytest.raises(AccreditationApplicationError) as refused:
        _apply(world, acknowledged=False)

    assert "information sheet" in refused.value.reason
    assert not Application.objects.exists()


def test_leading_pd_only_in_ones_own_school_is_refused_with_the_reason(world, no_release):
    with pytest.raises(NotEligible) as refused:
        _apply(world, beyond_own_school=False)

    assert refused.value.code == "no_pd_leadership_beyond_school"
    assert "beyond their own school" in refused.value.reason
    assert not Application.objects.exists()
    assert not PDLeadershipEvidence.objects.exists()


def test_missing_evidence_is_refused(world, no_release):
    with pytest.raises(AccreditationApplicationError):
        submit_accreditation_application(
            offering=world.offering,
            applicant=world.teacher,
            school=world.school_a,
            job_role="subject_lead",
            approver_email="",
            pd_roles=["not_a_role"],
            pd_led="",
            led_for="",
            beyond_own_school=True,
            information_sheet_acknowledged=True,
        )

    assert not Application.objects.exists()


# --- Endorsement -----------------------------------------------------------------------------


def test_the_hub_lead_endorses_with_audit_and_an_email(world, no_release):
    application = _apply(world)
    owed_before = OutboxEmail.objects.count()

    endorsement = endorse(application, endorsed=True, reason="", by=world.lead_a)

    assert endorsement.decision == EndorsementDecision.ENDORSED
    assert endorsement.hub == world.hub_a
    assert AuditEntry.objects.filter(action="accreditation.endorsement.endorsed").count() == 1
    assert OutboxEmail.objects.count() == owed_before + 1
    # Sent once the endorsement commits (at once here), and never twice
    [email] = [message for message in mail.outbox if "endorsed" in message.subject]
    assert email.to == [world.teacher.email]
    assert "Abacus Maths Hub has endorsed" in email.body
    assert send_endorsement_email(endorsement_id=endorsement.pk) is False


def test_not_endorsing_needs_a_reason_the_applicant_sees(world, no_release):
    application = _apply(world)

    with pytest.raises(AccreditationApplicationError):
        endorse(application, endorsed=False, reason="  ", by=world.lead_a)
    endorsement = endorse(
        application, endorsed=False, reason="Lead a Work Group first.", by=world.lead_a
    )

    [email] = [message for message in mail.outbox if "Hub endorsement" in message.subject]
    assert "Their reason: Lead a Work Group first." in email.body
    assert endorsement.reason == "Lead a Work Group first."


def test_staff_of_another_hub_cannot_endorse(world, no_release):
    application = _apply(world)

    with pytest.raises(AccreditationApplicationError) as refused:
        endorse(application, endorsed=True, reason="", by=world.lead_b)

    assert refused.value.code == "not_their_hub"
    assert not Endorsement.objects.exists()


def test_national_staff_do_not_endorse(world, no_release):
    application = _apply(world)

    with pytest.raises(AccreditationApplicationError):
        endorse(application, endorsed=True, reason="", by=world.national)


def test_an_endorsement_is_given_once(world, no_release):
    application = _apply(world)
    endorse(application, endorsed=True, reason="", by=world.lead_a)

    with pytest.raises(AccreditationApplicationError) as refused:
        endorse(application, endorsed=False, reason="Changed my mind", by=world.lead_a)

    assert refused.value.code == "already_decided"


def test_the_endorsing_hub_is_the_one_serving_the_applicants_school(world, no_release):
    # Given a teacher in Lancashire applying to hub A's cohort
    teacher = TeacherFactory(school=world.school_b, job_role="subject_lead")
    application = _apply(world, teacher=teacher)

    # Then hub B endorses, and hub A may not
    assert list(pending_endorsements(world.hub_b)) == [application]
    assert list(pending_endorsements(world.hub_a)) == []
    with pytest.raises(AccreditationApplicationError):
        endorse(application, endorsed=True, reason="", by=world.lead_a)
    assert endorse(application, endorsed=True, reason="", by=world.lead_b).hub == world.hub_b


def test_pending_endorsements_leave_out_decided_and_other_programmes(world, no_release):
    waiting = _apply(world)
    endorsed = _apply(world, teacher=TeacherFactory(school=world.school_a))
    endorse(endorsed, endorsed=True, reason="", by=world.lead_a)
    ApplicationFactory(applicant=TeacherFactory(school=world.school_a))  # a Work Group

    assert list(pending_endorsements(world.hub_a)) == [waiting]


def test_pending_endorsements_take_the_same_queries_however_many(
    world, no_release, django_assert_num_queries
):
    for _ in range(5):
        _apply(world, teacher=TeacherFactory(school=world.school_a))

    with django_assert_num_queries(1):
        rows = list(pending_endorsements(world.hub_a))
        assert [row.pd_leadership.beyond_own_school for row in rows] == [True] * 5


# --- Where an application is, in words ---------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "decision", "reader", "words"),
    [
        (
            State.AWAITING_SCHOOL_APPROVAL,
            None,
            "applicant",
            "Waiting for the school's release and your hub lead's endorsement",
        ),
        (State.SUBMITTED, None, "applicant", "Waiting for your hub lead's endorsement"),
        (State.SUBMITTED, None, "hub_lead", "Waiting for your endorsement"),
        (State.SUBMITTED, None, "staff", "Waiting for the hub lead's endorsement"),
        (State.WAITLISTED, None, "hub_lead", "On the waiting list: waiting for your endorsement"),
        (
            State.AWAITING_SCHOOL_APPROVAL,
            "endorsed",
            "applicant",
            "Endorsed: waiting for the school's release",
        ),
        (State.SUBMITTED, "endorsed", "applicant", "Endorsed: waiting for national selection"),
        (State.WAITLISTED, "endorsed", "staff", "Endorsed: on the waiting list"),
        (State.SUBMITTED, "not_endorsed", "applicant", "Not endorsed"),
        (State.WAITLISTED, "not_endorsed", "hub_lead", "Not endorsed"),
        (State.ACCEPTED, "endorsed", "applicant", "Accepted"),
        (State.DECLINED, "not_endorsed", "applicant", "Declined"),
    ],
)
def test_an_accreditation_application_says_whose_step_it_waits_for(
    world, state, decision, reader, words
):
    application = ApplicationFactory(
        offering=world.offering, applicant=world.teacher, school=world.school_a, state=state
    )
    if decision:
        Endorsement.objects.create(application=application, hub=world.hub_a, decision=decision)
    application.refresh_from_db()

    assert application_status(application, reader=reader) == words


def test_other_programmes_keep_their_states_words(world):
    application = ApplicationFactory(state=State.SUBMITTED)

    assert application_status(application, reader="hub_lead") == "Submitted: waiting for the hub"
    assert state_words(State.SUBMITTED, application.offering.programme) == (
        "Submitted: waiting for the hub"
    )


def test_the_history_says_where_a_submitted_accreditation_application_went(world):
    assert state_words(State.SUBMITTED, world.programme) == (
        "Submitted: for the hub lead's endorsement and national selection"
    )
    assert state_words(State.WAITLISTED, world.programme) == "On the waiting list"


# --- Selection by national staff ---------------------------------------------------------------


def test_accepting_without_the_endorsement_is_refused_with_the_reason(world, no_release):
    application = _apply(world)

    with pytest.raises(AcceptanceRefused) as refused:
        decide_application(application=application, decision="accept", by=world.national)

    assert "has not endorsed" in refused.value.reason
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert application.history.count() == 1


def test_accepting_after_a_refused_endorsement_gives_the_hubs_reason(world, no_release):
    application = _apply(world)
    endorse(application, endorsed=False, reason="Not leading PD yet.", by=world.lead_a)

    with pytest.raises(AcceptanceRefused) as refused:
        decide_application(application=application, decision="accept", by=world.national)

    assert "Not leading PD yet." in refused.value.reason


def test_national_staff_accept_an_endorsed_application(world, no_release):
    application = _apply(world)
    endorse(application, endorsed=True, reason="", by=world.lead_a)

    decide_application(application=application, decision="accept", by=world.national)

    application.refresh_from_db()
    assert application.state == State.ACCEPTED


def test_hub_staff_cannot_decide_places_on_accreditation_programmes(world, no_release):
    application = _apply(world)
    endorse(application, endorsed=True, reason="", by=world.lead_a)

    for decision in ("accept", "waitlist", "decline"):
        with pytest.raises(ApplicationError) as refused:
            decide_application(application=application, decision=decision, by=world.lead_a)
        assert refused.value.code == "national_staff_decide"

    application.refresh_from_db()
    assert application.state == State.SUBMITTED


def test_a_freed_place_skips_those_not_endorsed(world, no_release):
    # Given a full cohort of one, and two on the waiting list: the first not endorsed
    world.offering.capacity = 1
    world.offering.save()
    holder = _apply(world)
    endorse(holder, endorsed=True, reason="", by=world.lead_a)
    decide_application(application=holder, decision="accept", by=world.national)
    first = _apply(world, teacher=TeacherFactory(school=world.school_a))
    second = _apply(world, teacher=TeacherFactory(school=world.school_a))
    for waiting in (first, second):
        decide_application(application=waiting, decision="waitlist", by=world.national)
    endorse(second, endorsed=True, reason="", by=world.lead_a)

    # When the place comes free
    withdraw_application(application=holder, by=holder.applicant)

    # Then it is offered to the first endorsed applicant waiting
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (State.WAITLISTED, State.PLACE_OFFERED)


def test_work_groups_need_no_endorsement(world):
    application = ApplicationFactory(state=State.SUBMITTED)

    decide_application(application=application, decision="accept", by=world.lead_a)

    application.refresh_from_db()
    assert application.state == State.ACCEPTED
