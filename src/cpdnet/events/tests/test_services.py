"""Registering for a webinar: places, the waiting list, cancelling, duplicates, attendance."""

import datetime
import re

import pytest
from django.utils import timezone

from cpdnet.audit.models import AuditEntry
from cpdnet.events import services
from cpdnet.events.models import Registration, RegistrationStatus
from cpdnet.events.tests.factories import RegistrationFactory, WebinarFactory
from tests.factories import OfferingFactory, SchoolFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

CONFIRMED, WAITLISTED, CANCELLED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED,
)


def _register(offering, email: str, **fields) -> Registration:
    return services.register(
        offering=offering,
        name=fields.get("name", "Ada Lovelace"),
        email=email,
        job_role=fields.get("job_role", "class_teacher"),
        school=fields.get("school"),
    )


def _manage_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/events/registrations/[^/\s]+/)", message.body).group(1)


def test_registrations_are_confirmed_while_places_last_then_waitlisted(mailoutbox):
    # Given a webinar with 2 places
    webinar = WebinarFactory(capacity=2)

    # When three people register
    statuses = [_register(webinar, f"p{n}@example.org").status for n in range(3)]

    # Then two have places and the third waits, and each was emailed once
    assert statuses == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert [message.to for message in mailoutbox] == [[f"p{n}@example.org"] for n in range(3)]
    assert mailoutbox[0].subject.startswith("You are registered")
    assert mailoutbox[2].subject.startswith("You are on the waiting list")
    assert "/events/registrations/" in mailoutbox[0].body


def test_a_school_is_optional_and_kept_when_given():
    webinar = WebinarFactory()
    school = SchoolFactory()

    with_school = _register(webinar, "a@example.org", school=school)
    without = _register(webinar, "b@example.org")

    assert with_school.school == school
    assert without.school is None


def test_a_second_registration_with_the_same_email_in_any_case_is_refused(mailoutbox):
    webinar = WebinarFactory()
    _register(webinar, "Ada@Example.org")

    with pytest.raises(services.AlreadyRegistered) as refused:
        _register(webinar, "ada@EXAMPLE.ORG")

    assert refused.value.code == "already_registered"
    assert Registration.objects.filter(offering=webinar).count() == 1
    assert len(mailoutbox) == 1


def test_the_unique_index_refuses_a_duplicate_the_check_missed(monkeypatch, mailoutbox):
    # Given a registration, and the check under the lock blinded (as a writer that does not
    # take the lock would be)
    webinar = WebinarFactory()
    _register(webinar, "ada@example.org")
    monkeypatch.setattr(services, "_same_email", lambda *args: Registration.objects.none())

    # When the same address registers again, then the index refuses it and nothing is kept
    with pytest.raises(services.AlreadyRegistered):
        _register(webinar, "ADA@example.org")
    assert Registration.objects.filter(offering=webinar).count() == 1
    assert len(mailoutbox) == 1


def test_the_same_email_may_register_for_two_different_webinars():
    first, second = WebinarFactory(), WebinarFactory()

    _register(first, "ada@example.org")
    _register(second, "ada@example.org")

    assert Registration.objects.filter(email="ada@example.org").count() == 2


def test_an_offering_that_takes_applications_refuses_registration():
    work_group = OfferingFactory()

    with pytest.raises(services.RegistrationError) as refused:
        _register(work_group, "ada@example.org")

    assert refused.value.code == "not_a_webinar"
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("opens", "closes", "code"),
    [(1, 10, "not_open_yet"), (-10, -1, "closed")],
)
def test_registration_outside_its_window_is_refused(opens, closes, code):
    now = timezone.now()
    webinar = WebinarFactory(
        applications_open_at=now + datetime.timedelta(days=opens),
        applications_close_at=now + datetime.timedelta(days=closes),
    )

    with pytest.raises(services.RegistrationError) as refused:
        _register(webinar, "ada@example.org")

    assert refused.value.code == code


def test_cancelling_a_place_gives_it_to_the_longest_waiting_person(mailoutbox):
    # Given a full webinar of 1 place and two people waiting
    webinar = WebinarFactory(capacity=1)
    holder = _register(webinar, "holder@example.org")
    first_waiting = _register(webinar, "first@example.org")
    second_waiting = _register(webinar, "second@example.org")
    mailoutbox.clear()

    # When the holder cancels
    promoted = services.cancel_registration(registration=holder)

    # Then the first to wait has the place and is told; the second still waits
    assert promoted == first_waiting
    states = dict(Registration.objects.values_list("email", "status"))
    assert states == {
        "holder@example.org": CANCELLED,
        "first@example.org": CONFIRMED,
        "second@example.org": WAITLISTED,
    }
    assert second_waiting.pk != promoted.pk
    assert sorted((m.to[0], m.subject.split(":")[0]) for m in mailoutbox) == [
        ("first@example.org", "A place has come free"),
        ("holder@example.org", "You have cancelled your registration"),
    ]


def test_cancelling_from_the_waiting_list_promotes_nobody():
    webinar = WebinarFactory(capacity=1)
    _register(webinar, "holder@example.org")
    waiting = _register(webinar, "waiting@example.org")

    assert services.cancel_registration(registration=waiting) is None
    assert Registration.objects.filter(status=CONFIRMED).count() == 1


def test_cancelling_twice_is_refused():
    registration = RegistrationFactory(status=CANCELLED)

    with pytest.raises(services.RegistrationError) as refused:
        services.cancel_registration(registration=registration)

    assert refused.value.code == "already_cancelled"


def test_someone_who_cancelled_may_register_again_at_the_back_of_the_queue(mailoutbox):
    webinar = WebinarFactory(capacity=1)
    first = _register(webinar, "ada@example.org")
    services.cancel_registration(registration=first)
    _register(webinar, "grace@example.org")

    again = _register(webinar, "ADA@example.org")

    assert again.pk == first.pk
    assert again.status == WAITLISTED
    assert mailoutbox[-1].subject.startswith("You are on the waiting list")


def test_the_manage_link_finds_the_registration_and_a_forged_one_does_not(mailoutbox):
    registration = _register(WebinarFactory(), "ada@example.org")
    token = _manage_path(mailoutbox[0]).split("/")[-2]

    assert services.registration_for_token(token) == registration
    with pytest.raises(services.RegistrationError):
        services.registration_for_token(token[:-2] + "xx")


def test_emails_are_sent_once_when_the_task_runs_again(mailoutbox):
    from cpdnet.events.tasks import send_registration_email_task

    registration = _register(WebinarFactory(), "ada@example.org")

    send_registration_email_task.call(registration.pk, "confirmed")

    assert len(mailoutbox) == 1


# --- attendance ------------------------------------------------------------------------------


def test_the_register_marks_ticked_people_attended_and_the_rest_shown_absent():
    webinar = WebinarFactory()
    ada, grace, alan = (RegistrationFactory(offering=webinar) for _ in range(3))
    staff = UserFactory()

    services.record_attendance(
        offering=webinar, shown_ids={ada.pk, grace.pk}, attended_ids={ada.pk}, by=staff
    )

    attended = dict(Registration.objects.values_list("pk", "attended"))
    assert attended == {ada.pk: True, grace.pk: False, alan.pk: None}
    assert AuditEntry.objects.filter(action="events.attendance.recorded").count() == 1


ZOOM_REPORT = (
    "Meeting ID,Topic,Start Time\r\n"
    "812 3456 7890,Reasoning with fractions,12/01/2026 16:00\r\n"
    "\r\n"
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\r\n"
    "Ada Lovelace,ADA@example.org,12/01/2026 16:01,12/01/2026 17:00,59\r\n"
    "Ada Lovelace,ada@example.org,12/01/2026 17:02,12/01/2026 17:10,8\r\n"
    "Guest,,12/01/2026 16:05,12/01/2026 16:30,25\r\n"
    "Stranger,stranger@example.org,12/01/2026 16:05,12/01/2026 16:30,25\r\n"
)


def test_an_attendance_report_marks_the_registered_people_in_it_by_email():
    # Given three registrations and a Zoom report with a preamble and odd capitals
    webinar = WebinarFactory()
    ada = RegistrationFactory(offering=webinar, email="ada@example.org")
    grace = RegistrationFactory(offering=webinar, email="grace@example.org", attended=False)
    cancelled = RegistrationFactory(
        offering=webinar, email="stranger@example.org", status=CANCELLED
    )

    # When the report is uploaded
    result = services.import_attendance(
        offering=webinar, data=ZOOM_REPORT.encode(), by=UserFactory()
    )

    # Then Ada is attended, Grace unchanged, and the cancelled registration not matched
    assert (result.matched, result.unmatched, result.rows) == (1, 1, 4)
    attended = dict(Registration.objects.values_list("pk", "attended"))
    assert attended == {ada.pk: True, grace.pk: False, cancelled.pk: None}


def test_a_teams_report_in_windows_1252_is_read():
    webinar = WebinarFactory()
    zoe = RegistrationFactory(offering=webinar, email="zoe@example.org")
    report = "Full Name\tUser Action\n".replace("\t", ",")
    report += "Full Name,Email,Role\nZoë Brontë,zoe@example.org,Attendee\n"

    result = services.import_attendance(
        offering=webinar, data=report.encode("cp1252"), by=UserFactory()
    )

    assert result.matched == 1
    zoe.refresh_from_db()
    assert zoe.attended is True


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Name,Joined\nAda,16:00\n", "column headed"),
        (b"Name,Email\nAda,ada@example.org\nGrace,not an email\n", "Line 3"),
        (b"\x00\x01\x02PK binary", "not a CSV file"),
        (b"", "empty"),
    ],
    ids=["no email column", "bad email names its line", "binary", "empty"],
)
def test_a_bad_attendance_file_is_refused_naming_the_problem_and_changes_nothing(content, message):
    webinar = WebinarFactory()
    ada = RegistrationFactory(offering=webinar, email="ada@example.org")

    with pytest.raises(services.AttendanceFileError) as refused:
        services.import_attendance(offering=webinar, data=content, by=UserFactory())

    assert message in refused.value.reason
    ada.refresh_from_db()
    assert ada.attended is None
    assert not AuditEntry.objects.filter(action="events.attendance.imported").exists()


def test_a_confirmed_registration_email_gives_times_and_a_calendar_file(mailoutbox):
    # Given a webinar with a session at 4pm UK time, and someone without an account
    webinar = WebinarFactory(capacity=1)
    start = datetime.datetime(2027, 3, 3, 16, 0, tzinfo=timezone.get_current_timezone())
    session = SessionFactory(
        offering=webinar, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )
    # When they register and then a second person waits
    _register(webinar, "guest@example.org")
    _register(webinar, "late@example.org")
    confirmed, waiting = mailoutbox
    # Then the confirmation gives the day and times, and attaches the session as .ics
    assert "Wednesday 3 March 2027, 16:00 to 17:00, online" in confirmed.body
    ((filename, content, mimetype),) = confirmed.attachments
    assert filename == "sessions.ics" and mimetype.startswith("text/calendar")
    assert f"UID:{session.uid}@cpdnet" in content
    assert "DTSTART:20270303T160000Z" in content
    # And the waiting-list email has the times but no calendar file
    assert "16:00 to 17:00" in waiting.body and not waiting.attachments
