"""Application emails: one per change of state, sent once, to the right person only."""

import datetime
import re
import smtplib
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cpdnet.applications.models import State, Transition
from cpdnet.applications.services import (
    application_for_approval_token,
    decide_application,
    expire_overdue_applications,
    record_school_decision,
    submit_application,
    take_up_offered_place,
    withdraw_application,
)
from cpdnet.notifications.models import SentEmail
from cpdnet.notifications.services import send_application_emails
from cpdnet.notifications.tasks import send_application_email_task
from tests.factories import (
    ApplicationFactory,
    HubAreaFactory,
    OfferingFactory,
    SchoolFactory,
    SessionFactory,
    TeacherFactory,
    UserFactory,
    VerifiedDomainFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def offering():
    offering = OfferingFactory(capacity=1, programme__title="Mastery Specialists")
    HubAreaFactory(hub=offering.hub, local_authority_id="383")
    return offering


@pytest.fixture
def teacher():
    school = SchoolFactory(name="Ashfield Primary School")
    VerifiedDomainFactory(domain="ashfield.example.org", school=school)
    return TeacherFactory(email="ada@ashfield.example.org", full_name="Ada Lovelace", school=school)


@pytest.fixture
def staff():
    return UserFactory(email="staff@hub.example.org")


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run a service as a request would: its email tasks run when its transaction commits."""

    def run(service, **arguments):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**arguments)

    return run


HEAD = "head@ashfield.example.org"


def apply(offering, teacher, approver=HEAD, statement=""):
    return submit_application(
        offering=offering,
        applicant=teacher,
        school=teacher.school,
        job_role="class_teacher",
        approver_email=approver,
        statement=statement,
    )


def to(mailoutbox, address):
    return [message for message in mailoutbox if message.to == [address]]


def my_applications_url():
    return settings.SITE_URL + reverse("public:my-applications")


def test_a_new_application_tells_the_applicant_to_wait_for_their_school(
    offering, teacher, run_on_commit, mailoutbox
):
    run_on_commit(apply, offering=offering, teacher=teacher)

    (email,) = to(mailoutbox, teacher.email)
    assert email.subject == (
        "We have your application: your school needs to release you: Mastery Specialists"
    )
    application = teacher.applications.get()
    assert "Hello Ada" in email.body
    assert f"Your reference: {application.reference}" in email.body
    # The approver's address is theirs: the teacher is not shown it
    assert "head@ashfield.example.org" not in email.body
    assert my_applications_url() in email.body


def test_a_new_application_asks_the_approver_to_release_the_teacher_with_a_link(
    offering, teacher, run_on_commit, mailoutbox
):
    application = run_on_commit(apply, offering=offering, teacher=teacher)

    (email,) = to(mailoutbox, "head@ashfield.example.org")
    assert email.subject == "Please release Ada Lovelace for Mastery Specialists"
    assert "Ada Lovelace (ada@ashfield.example.org)" in email.body
    prefix = re.escape(settings.SITE_URL)
    links = re.findall(prefix + r"\S+", email.body)
    approval_links = [link for link in links if link != my_applications_url()]
    assert len(approval_links) == 1
    # The link carries a token that leads back to this application
    token = approval_links[0].rstrip("/").rsplit("/", 1)[-1]
    assert approval_links[0] == settings.SITE_URL + reverse(
        "public:school-approval", kwargs={"token": token}
    )
    assert application_for_approval_token(token) == application


def test_an_application_that_needs_no_school_approval_emails_only_the_applicant(
    offering, teacher, run_on_commit, mailoutbox
):
    offering.requires_school_approval = False
    offering.save()

    run_on_commit(apply, offering=offering, teacher=teacher)

    assert [email.to for email in mailoutbox] == [[teacher.email]]
    assert mailoutbox[0].subject == "Your application has gone to the hub: Mastery Specialists"


@pytest.fixture
def awaiting(offering, teacher):
    return apply(offering, teacher)


@pytest.fixture
def submitted(offering, teacher):
    return ApplicationFactory(offering=offering, applicant=teacher, state=State.SUBMITTED)


def test_release_by_the_school_tells_the_applicant_it_went_to_the_hub(
    awaiting, teacher, run_on_commit, mailoutbox
):
    run_on_commit(record_school_decision, application=awaiting, release=True, approver_email=HEAD)

    (email,) = to(mailoutbox, teacher.email)
    assert email.subject == "Your application has gone to the hub: Mastery Specialists"
    assert "Your school has released you" in email.body


def test_release_for_an_accreditation_programme_says_the_hub_lead_endorses_next(
    awaiting, teacher, run_on_commit, mailoutbox
):
    awaiting.offering.programme.kind = "accreditation"
    awaiting.offering.programme.save()

    run_on_commit(record_school_decision, application=awaiting, release=True, approver_email=HEAD)

    (email,) = to(mailoutbox, teacher.email)
    assert "Your hub lead will now endorse your application" in email.body
    assert "will now decide on your application" not in email.body


def test_the_school_declining_tells_the_applicant_why(awaiting, teacher, run_on_commit, mailoutbox):
    run_on_commit(
        record_school_decision,
        application=awaiting,
        release=False,
        approver_email=HEAD,
        reason="We cannot cover the class this term",
    )

    (email,) = to(mailoutbox, teacher.email)
    assert email.subject == "Your application was not successful: Mastery Specialists"
    assert "Reason: We cannot cover the class this term." in email.body


@pytest.mark.parametrize(
    ("decision", "subject", "words"),
    [
        ("accept", "You have a place: Mastery Specialists", "It starts on 15 January 2027"),
        ("waitlist", "You are on the waiting list: Mastery Specialists", "is full"),
        ("decline", "Your application was not successful: Mastery Specialists", "Reason: Full"),
    ],
)
def test_each_hub_decision_sends_the_applicant_its_email(
    submitted, teacher, staff, decision, subject, words, run_on_commit, mailoutbox
):
    run_on_commit(
        decide_application, application=submitted, decision=decision, by=staff, reason="Full"
    )

    (email,) = mailoutbox
    assert email.to == [teacher.email]
    assert email.subject == subject
    assert words in email.body
    assert my_applications_url() in email.body


def test_withdrawing_tells_the_applicant(submitted, teacher, run_on_commit, mailoutbox):
    run_on_commit(withdraw_application, application=submitted, by=teacher)

    (email,) = mailoutbox
    assert email.to == [teacher.email]
    assert email.subject == "You have withdrawn your application: Mastery Specialists"


def test_a_place_coming_free_tells_the_next_teacher_waiting_until_when_it_is_held(
    offering, teacher, run_on_commit, mailoutbox
):
    # Given the only place taken by someone else, and the teacher waiting
    holder = ApplicationFactory(offering=offering, state=State.ACCEPTED)
    waiting = ApplicationFactory(
        offering=offering,
        applicant=teacher,
        state=State.WAITLISTED,
        waitlisted_at=timezone.now() - DAY,
    )

    # When the place holder withdraws
    run_on_commit(withdraw_application, application=holder, by=holder.applicant)

    # Then the waiting teacher is told a place is theirs until the offer runs out
    (email,) = to(mailoutbox, teacher.email)
    assert email.subject == "A place has come free for you: Mastery Specialists"
    waiting.refresh_from_db()
    expires = timezone.localtime(waiting.offer_expires_at)
    assert expires.strftime("%-d %B %Y, %H:%M") in email.body
    assert len(to(mailoutbox, holder.applicant.email)) == 1


def test_taking_up_the_place_offered_confirms_the_place(
    offering, teacher, run_on_commit, mailoutbox
):
    offered = ApplicationFactory(
        offering=offering,
        applicant=teacher,
        state=State.PLACE_OFFERED,
        offer_expires_at=timezone.now() + DAY,
    )

    run_on_commit(take_up_offered_place, application=offered, by=teacher)

    (email,) = mailoutbox
    assert email.subject == "You have a place: Mastery Specialists"


def test_a_lapsed_school_approval_tells_the_applicant(awaiting, teacher, run_on_commit, mailoutbox):
    mailoutbox.clear()

    run_on_commit(expire_overdue_applications, now=awaiting.approval_due_at)

    (email,) = mailoutbox
    assert email.to == [teacher.email]
    assert email.subject == "Your application was not successful: Mastery Specialists"
    assert "The school did not answer in time" in email.body


def test_running_the_task_again_for_the_same_change_sends_nothing_more(
    submitted, staff, run_on_commit, mailoutbox
):
    # Given a decision whose email was sent
    run_on_commit(decide_application, application=submitted, decision="accept", by=staff)
    transition = Transition.objects.get(application=submitted)
    assert len(mailoutbox) == 1

    # When the task runs again for the same change (a retry, or a second worker)
    send_application_email_task.enqueue(transition.pk)
    send_application_email_task.enqueue(transition.pk)

    # Then no second email is sent, and the one sent is recorded once
    assert len(mailoutbox) == 1
    sent = SentEmail.objects.get()
    assert sent.key == f"transition:{transition.pk}:applicant"
    assert (sent.to, sent.subject) == (submitted.applicant.email, mailoutbox[0].subject)


def test_running_the_task_again_for_a_new_application_emails_neither_person_again(
    offering, teacher, run_on_commit, mailoutbox
):
    application = run_on_commit(apply, offering=offering, teacher=teacher)
    assert len(mailoutbox) == 2

    send_application_email_task.enqueue(application.history.get().pk)

    assert len(mailoutbox) == 2
    assert SentEmail.objects.count() == 2


def test_an_email_that_failed_to_send_is_sent_when_the_task_is_retried(
    submitted, staff, django_capture_on_commit_callbacks, mailoutbox
):
    # Given a decision, and the mail server refusing the first attempt
    with django_capture_on_commit_callbacks(execute=False):
        decide_application(application=submitted, decision="accept", by=staff)
    transition = Transition.objects.get(application=submitted)
    refused = smtplib.SMTPServerDisconnected("Connection lost")
    with (
        mock.patch("cpdnet.notifications.services.EmailMessage.send", side_effect=refused),
        pytest.raises(smtplib.SMTPServerDisconnected),
    ):
        send_application_emails(transition=transition)
    assert not SentEmail.objects.exists()

    # When the task is retried, then the email goes
    assert send_application_emails(transition=transition) == 1
    assert len(mailoutbox) == 1


def test_emails_contain_no_other_applicants_data(offering, teacher, run_on_commit, mailoutbox):
    # Given another teacher, at another school, who applied for the same offering
    other = TeacherFactory(
        email="grace@bramley.example.org",
        full_name="Grace Hopper",
        school=SchoolFactory(name="Bramley Secondary Academy", phase=""),
    )
    VerifiedDomainFactory(domain="bramley.example.org", school=other.school)
    run_on_commit(
        apply,
        offering=offering,
        teacher=other,
        approver="head@bramley.example.org",
        statement="Grace's private reasons",
    )
    mailoutbox.clear()

    # When the teacher applies, and their application moves on
    application = run_on_commit(
        apply, offering=offering, teacher=teacher, statement="Ada's own reasons"
    )
    run_on_commit(
        record_school_decision, application=application, release=True, approver_email=HEAD
    )

    # Then none of the emails about them mentions the other teacher
    assert len(mailoutbox) == 3
    for email in mailoutbox:
        text = f"{email.subject}\n{email.body}\n{email.to}"
        for detail in (
            "Grace",
            "Hopper",
            "grace@bramley.example.org",
            "head@bramley.example.org",
            "Bramley",
            "private reasons",
        ):
            assert detail not in text


def test_a_name_stored_with_a_line_break_still_reaches_the_approver_on_one_subject_line(
    offering, run_on_commit, mailoutbox
):
    # Given a teacher whose name was stored with a line break (before names were checked)
    teacher = TeacherFactory(
        email="ada@ashfield.example.org",
        full_name="Ada\r\nBcc: everyone@example.org",
        school=SchoolFactory(name="Ashfield Primary School"),
    )
    VerifiedDomainFactory(domain="ashfield.example.org", school=teacher.school)

    # When they apply, then the approver is still asked, on one subject line
    run_on_commit(apply, offering=offering, teacher=teacher)

    (email,) = to(mailoutbox, "head@ashfield.example.org")
    assert email.subject == ("Please release Ada Bcc: everyone@example.org for Mastery Specialists")
    assert email.message()["Bcc"] is None


def test_the_approval_request_names_the_teacher_and_gives_every_session_in_uk_time(
    offering, teacher, run_on_commit, mailoutbox
):
    # Given an offering with a session in British Summer Time and one in winter, one cancelled
    london = datetime.timezone(datetime.timedelta(hours=1))
    SessionFactory(
        offering=offering,
        starts_at=datetime.datetime(2027, 3, 1, 16, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2027, 3, 1, 18, 0, tzinfo=datetime.UTC),
    )
    SessionFactory(
        offering=offering,
        starts_at=datetime.datetime(2027, 5, 10, 15, 30, tzinfo=london),
        ends_at=datetime.datetime(2027, 5, 10, 17, 0, tzinfo=london),
        venue="Leeds Central Library",
    )
    SessionFactory(offering=offering, cancelled_at=timezone.now())

    # When the teacher applies
    application = run_on_commit(apply, offering=offering, teacher=teacher)

    # Then the head is told who applied, with the reference and each session's UK times
    (email,) = to(mailoutbox, HEAD)
    assert "Ada Lovelace (ada@ashfield.example.org), class or subject teacher at Ashfield" in (
        email.body
    )
    assert f"Reference: {application.reference}" in email.body
    assert "- Monday 1 March 2027, 16:00 to 18:00 (UK time)\n" in email.body
    assert "- Monday 10 May 2027, 15:30 to 17:00 (UK time), Leeds Central Library" in email.body
    # And not the cancelled one
    assert [line for line in email.body.splitlines() if line.startswith("- ")] == [
        "- Monday 1 March 2027, 16:00 to 18:00 (UK time)",
        "- Monday 10 May 2027, 15:30 to 17:00 (UK time), Leeds Central Library",
    ]


def test_a_place_comes_with_the_session_times_and_a_calendar_file(
    offering, teacher, staff, run_on_commit, mailoutbox
):
    # Given an application released by the school, for an offering with one session set
    start = datetime.datetime(2027, 1, 12, 9, 30, tzinfo=timezone.get_current_timezone())
    SessionFactory(offering=offering, starts_at=start, ends_at=start + datetime.timedelta(hours=3))
    application = ApplicationFactory(offering=offering, applicant=teacher, state="submitted")
    # When the hub accepts it
    run_on_commit(decide_application, application=application, decision="accept", by=staff)
    # Then the email lists the session in UK time and attaches it as .ics
    (email,) = to(mailoutbox, teacher.email)
    assert "Tuesday 12 January 2027, 09:30 to 12:30, online" in email.body
    assert [name for name, _content, _type in email.attachments] == ["sessions.ics"]


def test_the_release_request_gives_the_head_each_session_time(
    offering, teacher, run_on_commit, mailoutbox
):
    start = datetime.datetime(2027, 2, 2, 13, 0, tzinfo=timezone.get_current_timezone())
    SessionFactory(offering=offering, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    run_on_commit(apply, offering=offering, teacher=teacher)
    (email,) = to(mailoutbox, "head@ashfield.example.org")
    assert "Tuesday 2 February 2027, 13:00 to 15:00" in email.body
    assert not email.attachments
