"""The person's own account: details, moving school, password, their data, erasure."""

import json

import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from cpdnet.accounts.models import ApiToken, SignInCode
from cpdnet.accounts.services import create_api_token, request_sign_in
from cpdnet.applications.models import Transition
from cpdnet.audit.models import AuditEntry
from cpdnet.schools.models import SchoolStatus
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ACCOUNT_PAGES = ["account", "account-password", "account-data", "account-delete"]


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "signed-out"])
def test_account_pages_are_for_the_signed_in_person_only(client, name, signed_in):
    if signed_in:
        client.force_login(UserFactory())
    url = reverse(f"accounts:{name}")

    response = client.get(url)

    if signed_in:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.url == f"/sign-in/?next={url}"


def test_account_shows_details_and_roles(client):
    teacher = TeacherFactory(full_name="Ada Lovelace", school__name="Quarry Mount Primary")
    RoleAssignmentFactory(user=teacher, role="hub_staff", hub=HubFactory(name="Pennine Hub"))
    client.force_login(teacher)

    content = client.get(reverse("accounts:account")).content.decode()

    assert "Ada Lovelace" in content
    assert f"Quarry Mount Primary (URN {teacher.school.urn})" in content
    assert "Hub staff: Pennine Hub" in content


def test_moving_school_and_changing_job_role(client):
    teacher = TeacherFactory()
    new_school = SchoolFactory()
    client.force_login(teacher)

    response = client.post(
        reverse("accounts:account"),
        {
            "full_name": "Grace Hopper",
            "school_urn": str(new_school.urn),
            "job_role": "subject_lead",
        },
    )

    assert response.status_code == 302
    teacher.refresh_from_db()
    assert (teacher.full_name, teacher.school, teacher.job_role) == (
        "Grace Hopper",
        new_school,
        "subject_lead",
    )
    assert "Your details have been saved" in client.get(response.url).content.decode()


def test_closed_school_is_refused_with_its_successor(client):
    teacher = TeacherFactory()
    successor = SchoolFactory(name="New Academy")
    closed = SchoolFactory(name="Old School", status=SchoolStatus.CLOSED, successor=successor)
    client.force_login(teacher)

    response = client.post(
        reverse("accounts:account"),
        {"full_name": "Grace Hopper", "school_urn": str(closed.urn), "job_role": ""},
    )

    content = response.content.decode()
    assert "<title>Error: Your account" in content
    assert f"Its work carries on at New Academy (URN {successor.urn})" in content
    teacher.refresh_from_db()
    assert teacher.school != closed


def test_unknown_urn_is_refused(client):
    client.force_login(TeacherFactory())

    response = client.post(
        reverse("accounts:account"), {"full_name": "Grace", "school_urn": "1", "job_role": ""}
    )

    assert "No school has this URN" in response.content.decode()


def test_setting_a_password_lets_the_person_sign_in_with_it_and_tells_them(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    person = UserFactory(email="teacher@school.example.org")
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:account-password"),
            {
                "password": "a long and unusual phrase",
                "password_again": "a long and unusual phrase",
            },
        )

    assert response.status_code == 302
    assert get_user(client) == person  # still signed in
    person.refresh_from_db()
    assert person.check_password("a long and unusual phrase")
    assert [message.subject for message in mailoutbox] == ["You set a password for cpdnet"]


def test_weak_or_mismatched_password_is_refused(client):
    person = UserFactory()
    client.force_login(person)
    url = reverse("accounts:account-password")

    weak = client.post(url, {"password": "password", "password_again": "password"})
    mismatched = client.post(
        url, {"password": "a long and unusual phrase", "password_again": "another phrase"}
    )

    assert "This password is too common" in weak.content.decode()
    assert "The passwords do not match" in mismatched.content.decode()
    person.refresh_from_db()
    assert not person.check_password("password")
    assert not person.check_password("a long and unusual phrase")


def test_export_holds_the_person_applications_with_history_and_nobody_elses(client):
    teacher = TeacherFactory(email="teacher@school.example.org")
    mine = ApplicationFactory(applicant=teacher, statement="I want to learn about mastery")
    Transition.objects.create(application=mine, from_state="", to_state="submitted", by=teacher)
    ApplicationFactory(statement="Someone else's words")
    RoleAssignmentFactory(user=teacher, role="facilitator", hub=mine.offering.hub)
    create_api_token(user=teacher)
    client.force_login(teacher)

    response = client.get(reverse("accounts:account-data"))

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="cpdnet-your-data-')
    data = json.loads(response.content)
    assert data["person"]["email"] == "teacher@school.example.org"
    assert data["person"]["school"]["urn"] == teacher.school.urn
    assert [application["id"] for application in data["applications"]] == [mine.pk]
    assert data["applications"][0]["statement"] == "I want to learn about mastery"
    assert data["applications"][0]["history"][0]["by"] == "you"
    assert [role["role"] for role in data["roles"]] == ["facilitator"]
    assert len(data["api_tokens"]) == 1
    assert "Someone else's words" not in response.content.decode()


def test_export_takes_the_same_number_of_queries_however_many_applications(
    client, django_assert_max_num_queries
):
    teacher = TeacherFactory()
    client.force_login(teacher)
    ApplicationFactory(applicant=teacher)
    # A ceiling that grows by a query or two with each app's personal data declarations; the
    # point of the test is the second assertion, that it does not grow with the rows.
    with django_assert_max_num_queries(36) as one:
        client.get(reverse("accounts:account-data"))
    for application in ApplicationFactory.create_batch(3, applicant=teacher):
        Transition.objects.create(application=application, to_state="submitted", by=teacher)

    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("accounts:account-data"))


def test_erasure_anonymises_withdraws_keeps_applications_and_writes_audit(client, mailoutbox):
    teacher = TeacherFactory(email="teacher@school.example.org", full_name="Ada Lovelace")
    application = ApplicationFactory(applicant=teacher, statement="About me")
    RoleAssignmentFactory(user=teacher, role="hub_staff", hub=application.offering.hub)
    create_api_token(user=teacher)
    request_sign_in(email=teacher.email)
    client.force_login(teacher)
    assert "cannot undo" in client.get(reverse("accounts:account-delete")).content.decode()

    response = client.post(reverse("accounts:account-delete"))

    assert "Your account has been deleted" in response.content.decode()
    assert not get_user(client).is_authenticated
    teacher.refresh_from_db()
    assert teacher.email == f"erased-{teacher.pk}@invalid"
    assert (teacher.full_name, teacher.school, teacher.is_active) == ("", None, False)
    assert not teacher.has_usable_password()
    application.refresh_from_db()
    assert (application.statement, application.approver_email) == ("", "")
    # DESIGN.md: an erased person's active applications are withdrawn, telling nobody.
    assert (application.state, application.state_reason) == (
        "withdrawn",
        "Account erased",
    )
    assert not [email for email in mailoutbox if "You have withdrawn" in email.subject]
    assert not SignInCode.objects.exists()
    assert not ApiToken.objects.exists()
    assert not teacher.roles.exists()
    entry = AuditEntry.objects.get(action="accounts.person.erased")
    assert (entry.actor, entry.object_id) == (teacher, str(teacher.pk))
    assert "teacher@school.example.org" not in entry.summary + json.dumps(entry.data)
    assert (entry.data["applications_kept"], entry.data["applications_withdrawn"]) == (1, 1)


def test_erased_person_can_no_longer_sign_in_with_a_password(client):
    person = UserFactory(email="teacher@school.example.org")
    person.set_password("a long and unusual phrase")
    person.save()
    client.force_login(person)
    client.post(reverse("accounts:account-delete"))

    client.post(
        reverse("accounts:sign-in-password"),
        {"email": "teacher@school.example.org", "password": "a long and unusual phrase"},
    )

    assert not get_user(client).is_authenticated
