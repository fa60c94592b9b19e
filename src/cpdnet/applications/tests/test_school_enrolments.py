"""A school's senior leader enrols the school in an offering counted in schools, naming its
lead participants; the school place and the leads' places are held under the offering lock."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cpdnet.applications.models import (
    EnrolmentLead,
    EnrolmentState,
    SchoolEnrolment,
    State,
)
from cpdnet.applications.personal_data import SchoolEnrolments
from cpdnet.applications.selectors import get_waiting_lead
from cpdnet.applications.services import (
    ApplicationError,
    complete_lead_application,
    decide_application,
    enrol_school,
    places_taken,
    record_enrolment_colleagues_reached,
    replace_enrolment_lead,
    withdraw_enrolled_school,
    withdraw_school_enrolment,
)
from cpdnet.audit.models import AuditEntry
from cpdnet.notifications.models import OutboxEmail
from cpdnet.notifications.outbox import send_owed_emails
from cpdnet.privacy.registry import Person
from cpdnet.programmes.models import Offering, Provider, ProviderKind
from cpdnet.programmes.selectors import with_places
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

pytestmark = pytest.mark.django_db

COMMITMENT = {
    "senior_leader_name": "Helen Head",
    "senior_leader_role": "Headteacher",
    "releases_for_sessions": True,
    "gives_gap_task_time": True,
}


@pytest.fixture
def offering():
    """A Work Group of 3 school places and 6 places, for schools in its hub's area."""
    offering = OfferingFactory(capacity=6, school_capacity=3)
    HubAreaFactory(hub=offering.hub)
    return offering


def _approver_of(school):
    approver = UserFactory()
    RoleAssignmentFactory(user=approver, role="school_approver", school=school, hub=None)
    return approver


def _enrol(offering, school, leads=(("Ada Lead", "ada@school.example.org"),), by=None):
    return enrol_school(
        offering=offering,
        school=school,
        by=by or _approver_of(school),
        leads=list(leads),
        **COMMITMENT,
    )


def test_enrolling_holds_a_school_place_and_a_place_per_lead_with_history_and_audit(
    offering, mailoutbox, django_capture_on_commit_callbacks
):
    school = SchoolFactory(name="Hillside Primary")
    approver = _approver_of(school)

    with django_capture_on_commit_callbacks(execute=True):
        enrolment = _enrol(
            offering,
            school,
            [("Ada Lead", "Ada@School.example.org"), ("Bea Lead", "bea@school.example.org")],
            by=approver,
        )

    assert enrolment.state == EnrolmentState.ENROLLED
    assert [t.to_state for t in enrolment.history.all()] == [EnrolmentState.ENROLLED]
    assert [lead.email for lead in enrolment.leads.all()] == [
        "ada@school.example.org",
        "bea@school.example.org",
    ]
    assert places_taken(offering) == 2
    # Pages that show places left count the held places too
    assert with_places(Offering.objects.filter(pk=offering.pk)).get().places_left == 4
    assert AuditEntry.objects.filter(action="applications.school_enrolment.enrolled").count() == 1
    invitations = sorted(mailoutbox, key=lambda email: email.to)
    assert [email.to for email in invitations] == [
        ["ada@school.example.org"],
        ["bea@school.example.org"],
    ]
    assert "Hillside Primary" in invitations[0].body
    lead = enrolment.leads.first()
    assert f"/account/school-places/{lead.pk}/" in invitations[0].body


def test_a_school_cannot_enrol_twice(offering):
    school = SchoolFactory()
    approver = _approver_of(school)
    _enrol(offering, school, by=approver)

    with pytest.raises(ApplicationError) as refused:
        _enrol(offering, school, [("Cy Lead", "cy@school.example.org")], by=approver)

    assert refused.value.code == "already_enrolled"


def test_the_last_school_place_goes_and_the_next_school_is_refused(offering):
    for _ in range(3):
        _enrol(offering, SchoolFactory())

    with pytest.raises(ApplicationError) as refused:
        _enrol(offering, SchoolFactory())

    assert refused.value.code == "no_school_places_left"
    assert SchoolEnrolment.objects.count() == 3


def test_a_school_whose_teacher_applied_counts_once(offering):
    # Given two schools holding places through teachers who applied, and a third school
    first = SchoolFactory()
    ApplicationFactory(offering=offering, applicant=TeacherFactory(school=first), state="accepted")
    ApplicationFactory(offering=offering, state="accepted")

    # When the first school enrols too, it keeps its one school place; a third school fits
    _enrol(offering, first)
    _enrol(offering, SchoolFactory())

    # And a fourth does not
    with pytest.raises(ApplicationError) as refused:
        _enrol(offering, SchoolFactory())
    assert refused.value.code == "no_school_places_left"


def test_places_are_held_for_the_leads_and_a_school_needing_more_is_refused(offering):
    offering.capacity = 3
    offering.save(update_fields=["capacity"])
    _enrol(offering, SchoolFactory(), [("A", "a@one.example.org"), ("B", "b@one.example.org")])

    with pytest.raises(ApplicationError) as refused:
        _enrol(offering, SchoolFactory(), [("C", "c@two.example.org"), ("D", "d@two.example.org")])

    assert refused.value.code == "no_places_left"
    # A submitted application cannot take a place held for a lead either
    _enrol(offering, SchoolFactory(), [("E", "e@three.example.org")])
    waiting = ApplicationFactory(offering=offering, state=State.SUBMITTED)
    with pytest.raises(ApplicationError) as no_place:
        decide_application(application=waiting, decision="accept", by=UserFactory())
    assert no_place.value.code == "no_places_left"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"releases_for_sessions": False}, "commitment_required"),
        ({"gives_gap_task_time": False}, "commitment_required"),
        ({"leads": []}, "lead_participants_required"),
        (
            {"leads": [("A", "a@x.org"), ("B", "b@x.org"), ("C", "c@x.org")]},
            "lead_participants_required",
        ),  # fmt: skip
        ({"leads": [("A", "a@x.org"), ("B", "A@x.org")]}, "same_lead_twice"),
    ],
)
def test_an_enrolment_without_its_commitment_or_leads_is_refused(offering, change, code):
    school = SchoolFactory()
    arguments = {**COMMITMENT, "leads": [("Ada", "ada@x.org")], **change}

    with pytest.raises(ApplicationError) as refused:
        enrol_school(offering=offering, school=school, by=_approver_of(school), **arguments)

    assert refused.value.code == code
    assert not SchoolEnrolment.objects.exists()


def test_an_offering_without_school_places_does_not_enrol_schools():
    offering = OfferingFactory(school_capacity=None)
    HubAreaFactory(hub=offering.hub)

    with pytest.raises(ApplicationError) as refused:
        _enrol(offering, SchoolFactory())

    assert refused.value.code == "not_enrolling_schools"


def test_a_school_outside_the_hub_area_is_refused(offering):
    with pytest.raises(ApplicationError) as refused:
        _enrol(offering, SchoolFactory(la_code="999", district_code="E99999999"))

    assert refused.value.code == "outside_hub_area"


def test_only_the_schools_own_approver_enrols_it(offering):
    with pytest.raises(PermissionDenied):
        _enrol(offering, SchoolFactory(), by=_approver_of(SchoolFactory()))


def test_a_lead_completes_their_application_and_takes_the_held_place(
    offering, mailoutbox, django_capture_on_commit_callbacks
):
    school = SchoolFactory()
    enrolment = _enrol(offering, school)
    lead = enrolment.leads.get()
    teacher = UserFactory(email="ada@school.example.org", full_name="Ada Lead")

    with django_capture_on_commit_callbacks(execute=True):
        application = complete_lead_application(
            lead=lead, person=teacher, job_role="class_teacher", statement="Fluency"
        )

    assert application.state == State.ACCEPTED
    assert application.school == school
    assert application.school_confirmed
    history = [(t.from_state, t.to_state) for t in application.history.all()]
    assert history == [("", State.SUBMITTED), (State.SUBMITTED, State.ACCEPTED)]
    lead.refresh_from_db()
    assert lead.application == application
    # The held place became the application's: still two places, not three
    assert places_taken(offering) == 1
    assert [email.to for email in mailoutbox] == [["ada@school.example.org"]]
    assert "You have a place" in mailoutbox[0].subject


def test_someone_else_cannot_take_a_leads_place(offering):
    lead = _enrol(offering, SchoolFactory()).leads.get()

    with pytest.raises(PermissionDenied):
        complete_lead_application(
            lead=lead,
            person=UserFactory(email="other@school.example.org"),
            job_role="class_teacher",
        )


def test_withdrawing_the_school_withdraws_its_leads_and_offers_the_places(offering):
    # Given a full offering: an enrolled school with one lead who took the place and one
    # still to complete, and a teacher on the waiting list
    offering.capacity = 2
    offering.save(update_fields=["capacity"])
    school = SchoolFactory()
    approver = _approver_of(school)
    enrolment = _enrol(
        offering, school, [("A", "a@s.example.org"), ("B", "b@s.example.org")], by=approver
    )
    taken = complete_lead_application(
        lead=enrolment.leads.get(email="a@s.example.org"),
        person=UserFactory(email="a@s.example.org"),
        job_role="class_teacher",
    )
    waiting = ApplicationFactory(offering=offering, state=State.WAITLISTED)

    # When the school withdraws
    withdraw_school_enrolment(enrolment=enrolment, by=approver, reason="Staffing changes")

    # Then the enrolment and the lead's place are withdrawn with history, and the waiting
    # teacher is offered a place
    enrolment.refresh_from_db()
    taken.refresh_from_db()
    waiting.refresh_from_db()
    assert enrolment.state == EnrolmentState.WITHDRAWN
    assert [t.to_state for t in enrolment.history.all()] == ["enrolled", "withdrawn"]
    assert taken.state == State.WITHDRAWN
    assert taken.history.last().reason == "Staffing changes"
    assert waiting.state == State.PLACE_OFFERED
    assert places_taken(offering) == 1
    assert AuditEntry.objects.filter(action="applications.school_enrolment.withdrawn").count() == 1

    # And it cannot be withdrawn twice, and a lead still waiting cannot take a place
    with pytest.raises(ApplicationError):
        withdraw_school_enrolment(enrolment=enrolment, by=approver)
    with pytest.raises(ApplicationError) as refused:
        complete_lead_application(
            lead=enrolment.leads.get(email="b@s.example.org"),
            person=UserFactory(email="b@s.example.org"),
            job_role="class_teacher",
        )
    assert refused.value.code == "not_enrolled"


def test_the_school_records_colleagues_reached_with_an_audit_entry(offering):
    school = SchoolFactory()
    approver = _approver_of(school)
    enrolment = _enrol(offering, school, by=approver)

    record_enrolment_colleagues_reached(enrolment=enrolment, colleagues_reached=7, by=approver)

    enrolment.refresh_from_db()
    assert enrolment.colleagues_reached == 7
    entry = AuditEntry.objects.get(action="applications.school_enrolment.colleagues_recorded")
    assert entry.data == {"before": None, "after": 7}
    with pytest.raises(PermissionDenied):
        record_enrolment_colleagues_reached(
            enrolment=enrolment, colleagues_reached=9, by=_approver_of(SchoolFactory())
        )


def test_a_third_lead_from_an_enrolled_school_is_refused_on_a_programme_counted_in_schools(
    offering,
):
    offering.programme.counts_schools = True
    offering.programme.save(update_fields=["counts_schools"])
    school = SchoolFactory()
    _enrol(offering, school, [("A", "a@s.example.org"), ("B", "b@s.example.org")])
    colleague = ApplicationFactory(offering=offering, applicant=TeacherFactory(school=school))

    with pytest.raises(ApplicationError) as refused:
        decide_application(application=colleague, decision="accept", by=UserFactory())

    assert refused.value.code == "school_has_its_lead_participants"
    assert EnrolmentLead.objects.count() == 2


def test_erasing_a_named_lead_frees_the_place_held_and_blanks_the_leader(offering):
    school = SchoolFactory()
    approver = _approver_of(school)
    enrolment = _enrol(
        offering, school, [("Ada", "ada@s.example.org"), ("Bea", "bea@s.example.org")], by=approver
    )
    ada = UserFactory(email="ada@s.example.org")
    exported = SchoolEnrolments().export(Person.of(ada))
    assert exported["named_as_lead_participant"][0]["email"] == "ada@s.example.org"

    SchoolEnrolments().erase(Person.of(ada))
    SchoolEnrolments().erase(Person.of(approver))

    assert [lead.email for lead in enrolment.leads.all()] == ["bea@s.example.org"]
    assert places_taken(offering) == 1
    enrolment.refresh_from_db()
    assert (enrolment.senior_leader_name, enrolment.senior_leader_role) == ("", "")


# --- Replacing a lead who has not completed their application -------------------------------


@pytest.fixture
def two_leads(offering):
    """An enrolled school with Ada and Bea named, neither having completed their application."""
    school = SchoolFactory(name="Hillside Primary")
    approver = _approver_of(school)
    enrolment = _enrol(
        offering,
        school,
        [("Ada Lead", "ada@s.example.org"), ("Bea Lead", "bea@s.example.org")],
        by=approver,
    )
    return enrolment, approver, enrolment.leads.get(email="ada@s.example.org")


def test_replacing_a_lead_passes_the_held_place_and_emails_both(
    offering, two_leads, mailoutbox, django_capture_on_commit_callbacks
):
    enrolment, approver, ada = two_leads
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cy = replace_enrolment_lead(
            lead=ada, full_name=" Cy Lead ", email="Cy@S.example.org", by=approver
        )

    # The place passed: still two held, now for Bea and Cy
    ada.refresh_from_db()
    assert (ada.replaced_by, ada.is_replaced) == (cy, True)
    assert (cy.full_name, cy.email, cy.is_waiting) == ("Cy Lead", "cy@s.example.org", True)
    assert places_taken(offering) == 2
    assert with_places(Offering.objects.filter(pk=offering.pk)).get().places_left == 4
    entry = AuditEntry.objects.get(action="applications.enrolment_lead.replaced")
    assert entry.data == {"leaving": ada.pk, "joining": cy.pk}
    assert "ada@" not in entry.summary  # names stay on the lead rows, which erasure blanks
    # Ada is told; Cy gets the link to the place, which is theirs now
    by_address = {email.to[0]: email for email in mailoutbox}
    assert sorted(by_address) == ["ada@s.example.org", "cy@s.example.org"]
    assert "no longer a lead participant" in by_address["ada@s.example.org"].subject
    assert "link we sent you" in by_address["ada@s.example.org"].body
    assert f"/account/school-places/{cy.pk}/" in by_address["cy@s.example.org"].body
    # Ada's link no longer finds a place, and she cannot take it
    ada_account = UserFactory(email="ada@s.example.org")
    with pytest.raises(EnrolmentLead.DoesNotExist):
        get_waiting_lead(ada_account, ada.pk)
    with pytest.raises(ApplicationError) as refused:
        complete_lead_application(lead=ada, person=ada_account, job_role="class_teacher")
    assert refused.value.code == "replaced"
    # Cy completes and takes the held place: no extra place is taken
    complete_lead_application(
        lead=cy, person=UserFactory(email="cy@s.example.org"), job_role="class_teacher"
    )
    assert places_taken(offering) == 2
    assert [lead.full_name for lead in enrolment.leads.filter(replaced_at__isnull=True)] == [
        "Bea Lead",
        "Cy Lead",
    ]


def test_a_lead_replaced_can_be_named_again_later(two_leads):
    enrolment, approver, ada = two_leads
    cy = replace_enrolment_lead(lead=ada, full_name="Cy", email="cy@s.example.org", by=approver)

    again = replace_enrolment_lead(
        lead=cy, full_name="Ada Lead", email="ada@s.example.org", by=approver
    )

    assert again.pk != ada.pk and again.is_waiting
    assert enrolment.leads.count() == 4  # Ada, Bea, Cy and Ada again: the history stays
    assert EnrolmentLead.objects.holding_places().count() == 2


def test_an_invitation_still_owed_to_a_replaced_lead_is_not_sent(
    offering, mailoutbox, django_capture_on_commit_callbacks
):
    # Given an enrolment whose invitation was not sent (the process died after the commit)
    school = SchoolFactory()
    approver = _approver_of(school)
    with django_capture_on_commit_callbacks(execute=False):
        ada = _enrol(offering, school, [("Ada", "ada@s.example.org")], by=approver).leads.get()

    # When the school replaces Ada, and the sweep later sends what is still owed
    with django_capture_on_commit_callbacks(execute=True):
        replace_enrolment_lead(lead=ada, full_name="Cy", email="cy@s.example.org", by=approver)
    send_owed_emails(now=timezone.now() + datetime.timedelta(hours=1))

    # Then Ada hears only that she was replaced, never a link to the place
    to_ada = [email.subject for email in mailoutbox if email.to == ["ada@s.example.org"]]
    assert len(to_ada) == 1 and "no longer a lead participant" in to_ada[0]
    assert not OutboxEmail.objects.filter(sent_at__isnull=True).exists()


def _refused_replacing(lead, email, by, code):
    leads_before, owed_before = EnrolmentLead.objects.count(), OutboxEmail.objects.count()
    with pytest.raises(ApplicationError) as refused:
        replace_enrolment_lead(lead=lead, full_name="Cy Lead", email=email, by=by)
    assert refused.value.code == code
    assert EnrolmentLead.objects.count() == leads_before
    assert OutboxEmail.objects.count() == owed_before
    return refused.value.reason


def test_replacing_a_lead_of_a_withdrawn_enrolment_is_refused(two_leads):
    enrolment, approver, ada = two_leads
    withdraw_school_enrolment(enrolment=enrolment, by=approver)

    reason = _refused_replacing(ada, "cy@s.example.org", approver, "not_enrolled")

    assert "withdrawn" in reason


def test_replacing_a_lead_who_completed_points_to_the_swap(two_leads):
    _enrolment, approver, ada = two_leads
    complete_lead_application(
        lead=ada, person=UserFactory(email="ada@s.example.org"), job_role="class_teacher"
    )

    reason = _refused_replacing(ada, "cy@s.example.org", approver, "already_applied")

    assert "Swap for a colleague" in reason


@pytest.mark.parametrize("email", ["bea@s.example.org", "ADA@s.example.org"])
def test_naming_a_current_lead_again_is_refused(two_leads, email):
    _enrolment, approver, ada = two_leads

    reason = _refused_replacing(ada, email, approver, "same_lead_twice")

    assert "Name a different colleague" in reason


def test_a_lead_already_replaced_cannot_be_replaced_again(two_leads):
    _enrolment, approver, ada = two_leads
    replace_enrolment_lead(lead=ada, full_name="Cy", email="cy@s.example.org", by=approver)

    _refused_replacing(ada, "dee@s.example.org", approver, "already_replaced")


@pytest.mark.parametrize("who", ["another_schools_approver", "hub_staff", "the_lead"], ids=str)
def test_only_the_schools_approver_replaces_a_lead(offering, two_leads, who):
    _enrolment, _approver, ada = two_leads
    by = {
        "another_schools_approver": lambda: _approver_of(SchoolFactory()),
        "hub_staff": lambda: RoleAssignmentFactory(role="hub_staff", hub=offering.hub).user,
        "the_lead": lambda: UserFactory(email="ada@s.example.org"),
    }[who]()

    with pytest.raises(PermissionDenied):
        replace_enrolment_lead(lead=ada, full_name="Cy", email="cy@s.example.org", by=by)

    ada.refresh_from_db()
    assert not ada.is_replaced


def test_erasing_a_replaced_lead_keeps_the_history_and_the_colleagues_place(offering, two_leads):
    _enrolment, approver, ada = two_leads
    cy = replace_enrolment_lead(lead=ada, full_name="Cy", email="cy@s.example.org", by=approver)
    ada_account = UserFactory(email="ada@s.example.org")
    exported = SchoolEnrolments().export(Person.of(ada_account))
    assert exported["named_as_lead_participant"][0]["replaced_at"] is not None

    SchoolEnrolments().erase(Person.of(ada_account))

    ada.refresh_from_db()
    assert (ada.full_name, ada.replaced_by) == ("", cy)
    assert places_taken(offering) == 2


def test_replacing_a_lead_without_a_name_is_refused(two_leads):
    _enrolment, approver, ada = two_leads

    with pytest.raises(ApplicationError) as refused:
        replace_enrolment_lead(lead=ada, full_name="  ", email="cy@s.example.org", by=approver)

    assert refused.value.code == "lead_participant_required"
    assert EnrolmentLead.objects.count() == 2


# --- The staff running the offering withdraw an enrolled school ------------------------------


@pytest.fixture
def enrolled_school(offering, two_leads):
    """The school of `two_leads` on a full offering: Ada took her place, Bea has not completed
    her application; a teacher of another school waits for a place; two approvers."""
    enrolment, approver, ada = two_leads
    offering.capacity = 2
    offering.save(update_fields=["capacity"])
    taken = complete_lead_application(
        lead=ada, person=UserFactory(email="ada@s.example.org"), job_role="class_teacher"
    )
    other_approver = _approver_of(enrolment.school)
    other_approver.email = "deputy@s.example.org"
    other_approver.save(update_fields=["email"])
    waiting = ApplicationFactory(offering=offering, state=State.WAITLISTED)
    return enrolment, approver, taken, waiting


def test_hub_staff_withdraw_a_school_and_everyone_concerned_is_emailed(
    offering, enrolled_school, mailoutbox, django_capture_on_commit_callbacks
):
    enrolment, approver, taken, waiting = enrolled_school
    staff = RoleAssignmentFactory(role="hub_staff", hub=offering.hub).user
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        withdraw_enrolled_school(
            enrolment=enrolment, by=staff, reason=" The school stopped taking part "
        )

    # The enrolment and Ada's place are withdrawn with history; the freed places are offered
    enrolment.refresh_from_db()
    taken.refresh_from_db()
    waiting.refresh_from_db()
    withdrawal = enrolment.history.last()
    assert (withdrawal.to_state, withdrawal.by, withdrawal.reason) == (
        EnrolmentState.WITHDRAWN,
        staff,
        "The school stopped taking part",
    )
    assert taken.state == State.WITHDRAWN
    assert waiting.state == State.PLACE_OFFERED
    assert places_taken(offering) == 1
    entry = AuditEntry.objects.get(action="applications.school_enrolment.withdrawn")
    assert (entry.actor, entry.data["by_school"]) == (staff, False)
    # Ada, Bea and both of the school's approvers are told why
    to = {email.to[0]: email for email in mailoutbox}
    assert "ada@s.example.org" in to and "bea@s.example.org" in to
    assert to["ada@s.example.org"].subject.startswith("Your application has been withdrawn")
    assert "Your place on" in to["ada@s.example.org"].body
    assert "The place held for you has been withdrawn" in to["bea@s.example.org"].subject
    for address in (approver.email, "deputy@s.example.org"):
        assert "Hillside Primary has been withdrawn" in to[address].subject
        assert "Reason: The school stopped taking part" in to[address].body
    assert "The school stopped taking part" in to["bea@s.example.org"].body
    assert "The school stopped taking part" in to["ada@s.example.org"].body


def test_when_the_school_withdraws_itself_its_leads_are_told_and_not_its_approvers(
    enrolled_school, mailoutbox, django_capture_on_commit_callbacks
):
    enrolment, approver, _taken, _waiting = enrolled_school
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        withdraw_school_enrolment(enrolment=enrolment, by=approver, reason="Staffing")

    emails = {email.to[0]: email.subject for email in mailoutbox}
    assert "The place held for you has been withdrawn" in emails.pop("bea@s.example.org")
    assert emails.pop("ada@s.example.org").startswith("Your application has been withdrawn")
    # Beyond the leads, only the teacher offered the place freed
    assert [subject.startswith("A place has come free") for subject in emails.values()] == [True]
    assert AuditEntry.objects.get(action="applications.school_enrolment.withdrawn").data == {
        "reason": "Staffing",
        "by_school": True,
    }


def test_hub_staff_must_say_why_a_school_is_withdrawn(offering, enrolled_school):
    enrolment, _approver, taken, _waiting = enrolled_school
    staff = RoleAssignmentFactory(role="hub_staff", hub=offering.hub).user

    with pytest.raises(ApplicationError) as refused:
        withdraw_enrolled_school(enrolment=enrolment, by=staff, reason="  ")

    assert refused.value.code == "reason_required"
    enrolment.refresh_from_db()
    taken.refresh_from_db()
    assert (enrolment.state, taken.state) == (EnrolmentState.ENROLLED, State.ACCEPTED)


def test_a_school_already_withdrawn_cannot_be_withdrawn_again(offering, enrolled_school):
    enrolment, approver, _taken, _waiting = enrolled_school
    withdraw_school_enrolment(enrolment=enrolment, by=approver)

    with pytest.raises(ApplicationError) as refused:
        withdraw_enrolled_school(
            enrolment=enrolment,
            by=RoleAssignmentFactory(role="hub_staff", hub=offering.hub).user,
            reason="Stopped taking part",
        )

    assert refused.value.code == "invalid_transition"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("hub_staff", True),
        ("national_staff", True),
        ("another_hubs_staff", False),
        ("the_schools_approver", False),
        ("facilitator", False),
    ],
)
def test_only_the_offerings_hub_staff_and_national_staff_withdraw_a_school(
    offering, two_leads, who, allowed
):
    enrolment, approver, _ada = two_leads
    by = {
        "hub_staff": lambda: RoleAssignmentFactory(role="hub_staff", hub=offering.hub).user,
        "national_staff": lambda: RoleAssignmentFactory(role="national_staff", hub=None).user,
        "another_hubs_staff": lambda: (
            RoleAssignmentFactory(role="hub_staff", hub=HubFactory()).user
        ),
        "the_schools_approver": lambda: approver,
        "facilitator": lambda: RoleAssignmentFactory(role="facilitator", hub=offering.hub).user,
    }[who]()

    if allowed:
        withdraw_enrolled_school(enrolment=enrolment, by=by, reason="Stopped taking part")
    else:
        with pytest.raises(PermissionDenied):
            withdraw_enrolled_school(enrolment=enrolment, by=by, reason="Stopped taking part")

    enrolment.refresh_from_db()
    assert enrolment.is_enrolled is not allowed


def test_a_national_providers_staff_withdraw_a_school_from_its_offering():
    centre = Provider.objects.create(
        kind=ProviderKind.NATIONAL_CENTRE, name="National Centre", slug="centre"
    )
    offering = OfferingFactory(
        hub=None, provider=centre, local_only=False, capacity=6, school_capacity=3
    )
    enrolment = _enrol(offering, SchoolFactory())
    staff = RoleAssignmentFactory(role="provider_staff", hub=None, provider=centre).user
    other = Provider.objects.create(kind=ProviderKind.PARTNER, name="Partner", slug="partner")
    partner_staff = RoleAssignmentFactory(role="provider_staff", hub=None, provider=other).user

    with pytest.raises(PermissionDenied):
        withdraw_enrolled_school(enrolment=enrolment, by=partner_staff, reason="Stopped")
    withdraw_enrolled_school(enrolment=enrolment, by=staff, reason="Stopped")

    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.WITHDRAWN
