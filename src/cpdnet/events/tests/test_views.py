"""Pages for webinars: the public registration form and emailed link, the catalogue's button,
and the registrants page of the people who run the webinar (and nobody else)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cpdnet.events.models import Registration, RegistrationStatus
from cpdnet.events.services import manage_token
from cpdnet.events.tests.factories import RegistrationFactory, WebinarFactory
from tests.factories import (
    HubFactory,
    OfferingFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    SessionFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _form(**changes) -> dict:
    return {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "job_role": "class_teacher",
        "organisation_kind": "school",
        "urn": "",
        **changes,
    }


# --- public ----------------------------------------------------------------------------------


def test_a_visitor_registers_without_an_account_and_is_emailed(client, mailoutbox):
    webinar = WebinarFactory()
    school = SchoolFactory()
    url = reverse("public:event-register", kwargs={"offering_id": webinar.pk})

    assert client.get(url).status_code == 200
    response = client.post(url, _form(urn=str(school.urn)))

    assert response.status_code == 200
    assert "You are registered" in response.content.decode()
    registration = Registration.objects.get()
    assert (registration.school, registration.status) == (school, RegistrationStatus.CONFIRMED)
    assert mailoutbox[0].to == ["ada@example.org"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": " "}, "Enter your full name"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"job_role": "astronaut"}, "Choose your job role"),
        ({"urn": "999999"}, "We could not find a school with this URN"),
        ({"urn": "abc"}, "Enter the URN as a number"),
    ],
)
def test_bad_input_shows_an_error_and_registers_nobody(client, changes, message):
    webinar = WebinarFactory()

    response = client.post(
        reverse("public:event-register", kwargs={"offering_id": webinar.pk}), _form(**changes)
    )

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert message in response.content.decode()
    assert not Registration.objects.exists()


def test_registering_the_same_email_twice_says_so_on_the_email_field(client):
    webinar = WebinarFactory()
    RegistrationFactory(offering=webinar, email="ada@example.org")

    response = client.post(
        reverse("public:event-register", kwargs={"offering_id": webinar.pk}),
        _form(email="ADA@example.org"),
    )

    assert "already registered for this event" in response.content.decode()
    assert Registration.objects.count() == 1


def test_the_registration_page_of_an_offering_that_takes_applications_is_not_found(client):
    work_group = OfferingFactory()

    response = client.get(reverse("public:event-register", kwargs={"offering_id": work_group.pk}))

    assert response.status_code == 404


def test_the_catalogue_offers_register_for_a_webinar_and_apply_for_a_work_group(client):
    webinar, work_group = WebinarFactory(), OfferingFactory()

    webinar_page = client.get(reverse("public:offering", kwargs={"offering_id": webinar.pk}))
    work_group_page = client.get(reverse("public:offering", kwargs={"offering_id": work_group.pk}))

    register = reverse("public:event-register", kwargs={"offering_id": webinar.pk})
    assert register in webinar_page.content.decode()
    assert "Apply for a place" not in webinar_page.content.decode()
    assert "Apply for a place" in work_group_page.content.decode()


def test_the_apply_flow_refuses_a_webinar_and_points_to_registration(client):
    webinar = WebinarFactory()
    client.force_login(TeacherFactory())

    response = client.get(reverse("public:apply", kwargs={"offering_id": webinar.pk}))

    assert "Webinars take registrations, not applications" in response.content.decode()
    assert reverse("public:event-register", kwargs={"offering_id": webinar.pk}) in (
        response.content.decode()
    )


def test_the_emailed_link_cancels_and_gives_the_place_to_the_next_person(client, mailoutbox):
    webinar = WebinarFactory(capacity=1)
    holder = RegistrationFactory(offering=webinar, email="holder@example.org")
    waiting = RegistrationFactory(
        offering=webinar, email="waiting@example.org", status=RegistrationStatus.WAITLISTED
    )
    url = reverse("public:event-registration", kwargs={"token": manage_token(holder)})

    assert "Cancel my registration" in client.get(url).content.decode()
    response = client.post(url)

    assert response.status_code == 302
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert (holder.status, waiting.status) == ("cancelled", "confirmed")
    assert "Register again" in client.get(url).content.decode()
    assert {message.to[0] for message in mailoutbox} == {
        "holder@example.org",
        "waiting@example.org",
    }


def test_a_forged_manage_link_shows_a_problem_and_changes_nothing(client):
    registration = RegistrationFactory()
    token = manage_token(registration)
    forged = re.sub(r".$", lambda m: "A" if m.group(0) != "A" else "B", token)

    response = client.post(reverse("public:event-registration", kwargs={"token": forged}))

    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


# --- back office -----------------------------------------------------------------------------


@pytest.fixture
def runners():
    """A webinar at one hub, the people who may run it and people who may not."""
    hub, other_hub = HubFactory(), HubFactory()
    facilitator = UserFactory()
    webinar = WebinarFactory(hub=hub, programme__network=hub.network, facilitator=facilitator)
    return {
        "webinar": webinar,
        "facilitator": facilitator,
        "hub_staff": RoleAssignmentFactory(role="hub_staff", hub=hub).user,
        "national": RoleAssignmentFactory(role="national_staff").user,
        "other_hub_staff": RoleAssignmentFactory(role="hub_staff", hub=other_hub).user,
        "other_facilitator": RoleAssignmentFactory(role="facilitator", hub=other_hub).user,
        "teacher": TeacherFactory(),
    }


def _registrants_url(offering, name="backoffice:event-registrations") -> str:
    return reverse(name, kwargs={"offering_id": offering.pk})


@pytest.mark.parametrize("who", ["facilitator", "hub_staff", "national"])
def test_the_people_who_run_a_webinar_see_its_registrants(client, runners, who):
    RegistrationFactory(offering=runners["webinar"], name="Ada Lovelace")
    client.force_login(runners[who])

    response = client.get(_registrants_url(runners["webinar"]))

    assert response.status_code == 200
    assert "Ada Lovelace" in response.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "backoffice:event-registrations",
        "backoffice:event-registrations-csv",
        "backoffice:event-attendance-file",
    ],
)
@pytest.mark.parametrize("who", ["other_hub_staff", "other_facilitator", "teacher"])
def test_nobody_else_reaches_a_webinars_registrants(client, runners, who, name):
    RegistrationFactory(offering=runners["webinar"], name="Ada Lovelace")
    client.force_login(runners[who])

    response = client.get(_registrants_url(runners["webinar"], name))

    assert response.status_code == 404
    assert b"Ada Lovelace" not in response.content


def test_another_hubs_staff_cannot_mark_attendance(client, runners):
    registration = RegistrationFactory(offering=runners["webinar"])
    client.force_login(runners["other_hub_staff"])

    response = client.post(
        _registrants_url(runners["webinar"], "backoffice:event-attendance"),
        {"shown": [registration.pk], "attended": [registration.pk]},
    )

    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.attended is None


def test_a_visitor_is_sent_to_sign_in(client, runners):
    response = client.get(_registrants_url(runners["webinar"]))

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_a_work_groups_number_is_not_a_registrants_page(client, runners):
    client.force_login(runners["national"])

    response = client.get(_registrants_url(OfferingFactory()))

    assert response.status_code == 404


@pytest.mark.parametrize("rows", [3, 30])
def test_the_registrants_page_costs_the_same_queries_for_3_or_30_rows(
    client, runners, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        RegistrationFactory(offering=runners["webinar"], school=SchoolFactory())
    client.force_login(runners["hub_staff"])

    with django_assert_max_num_queries(14):
        response = client.get(_registrants_url(runners["webinar"]))

    assert response.status_code == 200


def test_the_csv_export_streams_every_registration(client, runners):
    webinar = runners["webinar"]
    RegistrationFactory(offering=webinar, name="Ada Lovelace", email="ada@example.org")
    RegistrationFactory(offering=webinar, name="=HYPERLINK()", status="waitlisted")
    client.force_login(runners["facilitator"])

    response = client.get(_registrants_url(webinar, "backoffice:event-registrations-csv"))

    assert response.streaming
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("name,email,job_role")
    assert lines[1].startswith("Ada Lovelace,ada@example.org,Class or subject teacher,")
    assert ",Confirmed," in lines[1] and ",On the waiting list," in lines[2]
    assert lines[2].startswith("'=HYPERLINK()")


def test_ticking_the_register_marks_attendance(client, runners):
    webinar = runners["webinar"]
    ada, grace = RegistrationFactory(offering=webinar), RegistrationFactory(offering=webinar)
    client.force_login(runners["facilitator"])

    response = client.post(
        _registrants_url(webinar, "backoffice:event-attendance"),
        {"shown": [ada.pk, grace.pk], "attended": [ada.pk], "page": "1"},
    )

    assert response.status_code == 302
    ada.refresh_from_db()
    grace.refresh_from_db()
    assert (ada.attended, grace.attended) == (True, False)


def test_uploading_an_attendance_report_reports_matched_and_unmatched(client, runners):
    from django.core.files.uploadedfile import SimpleUploadedFile

    webinar = runners["webinar"]
    ada = RegistrationFactory(offering=webinar, email="ada@example.org")
    client.force_login(runners["hub_staff"])
    report = b"Name,Email\nAda,ADA@example.org\nSomeone,someone@example.org\n"

    response = client.post(
        _registrants_url(webinar, "backoffice:event-attendance-file"),
        {"file": SimpleUploadedFile("report.csv", report, "text/csv")},
        follow=True,
    )

    assert "1 registered people marked as attended; 1 addresses" in response.content.decode()
    ada.refresh_from_db()
    assert ada.attended is True


def test_a_bad_attendance_report_shows_the_line_and_changes_nothing(client, runners):
    from django.core.files.uploadedfile import SimpleUploadedFile

    webinar = runners["webinar"]
    ada = RegistrationFactory(offering=webinar, email="ada@example.org")
    client.force_login(runners["hub_staff"])
    report = b"Name,Email\nAda,ada@example.org\nBob,bob-at-example\n"

    response = client.post(
        _registrants_url(webinar, "backoffice:event-attendance-file"),
        {"file": SimpleUploadedFile("report.csv", report, "text/csv")},
    )

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "Line 3" in response.content.decode()
    ada.refresh_from_db()
    assert ada.attended is None


def test_the_confirmation_page_gives_each_session_time_and_a_calendar_file(client):
    # Given a webinar at 4pm UK time in summer
    webinar = WebinarFactory()
    start = datetime.datetime(2027, 6, 9, 16, 0, tzinfo=timezone.get_current_timezone())
    session = SessionFactory(
        offering=webinar, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )
    url = reverse("public:event-register", kwargs={"offering_id": webinar.pk})
    # When a visitor without an account registers
    text = client.post(url, _form()).content.decode()
    # Then the confirmation shows the day and UK times, with the session's .ics
    assert "Wednesday 9 June 2027, 16:00 to 17:00" in text
    assert f'href="/sessions/{session.pk}.ics"' in text
    assert client.get(f"/sessions/{session.pk}.ics").status_code == 200
