"""Applying for a place, the teacher's applications, and schools releasing their staff."""

import datetime
import re
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from cpdnet.applications.models import Affiliation, Application, State
from cpdnet.applications.services import approval_token
from cpdnet.programmes.models import Provider, ProviderKind
from tests.factories import (
    ApplicationFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    VerifiedDomainFactory,
)

from .conftest import count_queries

APPROVER = "head@stmarys.example.org"
MY_APPLICATIONS = "/account/applications/"
SCHOOL_APPROVALS = "/school/approvals/"


@pytest.fixture(autouse=True)
def _emails_sent_at_once(settings):
    # The root conftest's CPDNET_TASKS_BACKEND comes after pytest-django loaded the settings,
    # which left tasks queued in the database: run them at once so emails reach the outbox.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }


def _text(response) -> str:
    return response.content.decode()


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def offering(hubs):
    """An open primary maths offering by the hub serving Leeds, for Leeds schools only."""
    return OfferingFactory(
        hub=hubs["maths"],
        programme=ProgrammeFactory(network=hubs["maths"].network, title="Primary Mastery"),
    )


@pytest.fixture
def teacher(leeds_school):
    return TeacherFactory(
        email="jo@stmarys.example.org", full_name="Jo Teacher", school=leeds_school
    )


def _apply_url(offering) -> str:
    return f"/programmes/offerings/{offering.pk}/apply/"


def _approval_path(email) -> str:
    return re.search(r"https?://[^/\s]+(/approvals/\S+/)", email.body).group(1)


class TestApplyForm:
    def test_a_visitor_is_asked_to_sign_in_first(self, client, offering):
        response = client.get(_apply_url(offering))

        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/?next=/programmes/offerings/")

    def test_the_first_step_knows_the_name_school_and_job_role(self, offering, teacher):
        text = _text(_signed_in(teacher).get(_apply_url(offering)))

        assert '<h1 class="govuk-heading-xl">Your details</h1>' in text
        assert 'name="full_name" value="Jo Teacher"' in text
        assert 'name="school" value="St Mary&#x27;s Catholic Primary School"' in text
        assert 'type="hidden" name="urn" value="107999"' in text
        assert 'type="radio" value="class_teacher" checked' in text
        assert "Continue" in text

    def test_without_a_school_the_school_is_asked_for(self, offering, leeds_school):
        teacher = UserFactory(school=None, job_role="", full_name="")

        text = _text(_signed_in(teacher).get(_apply_url(offering)))

        assert re.search(r'<input type="text" name="school" (?!value)', text)
        assert 'type="radio" value="class_teacher" checked' not in text

    def test_an_unknown_offering_is_not_found(self, teacher):
        assert _signed_in(teacher).get("/programmes/offerings/999999/apply/").status_code == 404
        assert (
            _signed_in(teacher).get("/programmes/offerings/999999/apply/check/").status_code == 404
        )


class TestRefusedBeforeTheForm:
    def _refusal(self, response) -> str:
        text = _text(response)
        assert response.status_code == 200
        assert "You cannot apply for Primary Mastery" in text
        assert "Your details</h1>" not in text
        return text

    def test_a_school_outside_the_hub_area_is_refused_on_a_local_only_offering(
        self, offering, hubs
    ):
        # Given a teacher at a school in Lancashire, served by another maths hub
        teacher = TeacherFactory(
            school=SchoolFactory(la_code="888", la_name="Lancashire", district_code="E07000123")
        )

        text = self._refusal(_signed_in(teacher).get(_apply_url(offering)))

        assert "your school is served by another hub" in text
        assert f"/programmes/?near={teacher.school.urn}&amp;subject=maths" in text

    def test_a_school_outside_the_hub_area_may_apply_when_the_offering_is_open_to_all(
        self, offering, hubs
    ):
        offering.local_only = False
        offering.save()
        teacher = TeacherFactory(school=SchoolFactory(la_code="888", district_code="E07000123"))

        text = _text(_signed_in(teacher).get(_apply_url(offering)))
        assert "Your details</h1>" in text
        assert "You cannot apply" not in text

    def test_a_school_of_the_wrong_phase_is_refused(self, offering, teacher):
        offering.programme.phase = "secondary"
        offering.programme.save()

        text = self._refusal(_signed_in(teacher).get(_apply_url(offering)))

        assert "This programme is for secondary schools, and your school is not one." in text

    def test_a_closed_window_is_refused(self, offering, teacher):
        offering.applications_open_at = timezone.now() - datetime.timedelta(days=30)
        offering.applications_close_at = timezone.now() - datetime.timedelta(days=2)
        offering.save()

        text = self._refusal(_signed_in(teacher).get(_apply_url(offering)))

        assert "Applications closed on" in text
        assert "/programmes/?open_only=on" in text

    def test_a_closed_window_is_refused_before_knowing_the_school(self, offering, db):
        offering.applications_open_at = timezone.now() + datetime.timedelta(days=2)
        offering.applications_close_at = timezone.now() + datetime.timedelta(days=20)
        offering.save()
        teacher = UserFactory(school=None)

        text = self._refusal(_signed_in(teacher).get(_apply_url(offering)))

        assert "Applications open on" in text

    def test_a_role_the_programme_is_not_for_is_refused(self, offering, teacher):
        teacher.job_role = "teaching_assistant"
        teacher.save()

        text = self._refusal(_signed_in(teacher).get(_apply_url(offering)))

        assert "This programme is for:" in text

    def test_a_second_application_is_pointed_to_the_first(self, offering, teacher):
        ApplicationFactory(offering=offering, applicant=teacher, state="submitted")

        text = _text(_signed_in(teacher).get(_apply_url(offering)))

        assert "You have already applied for Primary Mastery" in text
        assert "Your details</h1>" not in text


def _approver_url(offering) -> str:
    return f"/programmes/offerings/{offering.pk}/apply/approver/"


def _check_url(offering) -> str:
    return f"/programmes/offerings/{offering.pk}/apply/check/"


DETAILS = {
    "full_name": "Jo  Teacher-Smith",
    "school": "St Mary's Catholic Primary School",
    "urn": "107999",
    "job_role": "subject_lead",
    "statement": "To lead maths.",
}


@pytest.fixture
def head(leeds_school):
    """The school's registered approver."""
    head = UserFactory(email=APPROVER, full_name="Pat Head")
    RoleAssignmentFactory(user=head, role="school_approver", school=leeds_school)
    return head


class TestApplying:
    def test_a_teacher_applies_in_three_steps_and_the_head_releases_them_by_the_link(
        self, offering, teacher, head, mailoutbox, django_capture_on_commit_callbacks
    ):
        client = _signed_in(teacher)

        # When the teacher gives their details
        response = client.post(_apply_url(offering), DETAILS)
        assert response["Location"] == _approver_url(offering)

        # Then they are offered the school's registered approver, masked
        page = _text(client.get(_approver_url(offering)))
        assert "Pat Head (h***@stmarys.example.org)" in page
        assert APPROVER not in page

        # When they choose the approver
        response = client.post(_approver_url(offering), {"approver": str(head.pk)})
        assert response["Location"] == _check_url(offering)

        # Then they check their answers, each with a Change link
        check = _text(client.get(_check_url(offering)))
        assert "Check your answers before sending your application" in check
        assert "Jo Teacher-Smith" in check
        assert "St Mary&#x27;s Catholic Primary School (URN 107999)" in check
        assert "Subject lead or head of department" in check
        assert "To lead maths." in check
        assert "Pat Head (h***@stmarys.example.org)" in check
        assert check.count(">Change<span") == 5
        assert not Application.objects.exists()

        # When they send it
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_check_url(offering))

        # Then they see the reference and what happens next
        application = Application.objects.get(applicant=teacher)
        text = _text(response)
        assert "Application sent" in text
        assert f"<strong>{application.reference}</strong>" in text
        assert re.fullmatch(r"CPD-[2-9A-Z]{3}-[2-9A-Z]{3}", application.reference)
        assert "We have emailed Pat Head (h***@stmarys.example.org)" in text
        assert application.state == State.AWAITING_SCHOOL_APPROVAL
        assert (application.job_role, application.statement) == ("subject_lead", "To lead maths.")
        assert application.approver_email == APPROVER
        # and their name, school and role are kept for next time
        teacher.refresh_from_db()
        assert (teacher.full_name, teacher.school_id, teacher.job_role) == (
            "Jo Teacher-Smith",
            107999,
            "subject_lead",
        )
        # and the head is emailed, naming the teacher
        to_head = next(email for email in mailoutbox if email.to == [APPROVER])
        assert "Jo Teacher-Smith (jo@stmarys.example.org), subject lead" in to_head.body

        # When the head, not signed in, follows the link and releases the teacher
        approver = Client()
        path = _approval_path(to_head)
        page = approver.get(path)
        assert "Will you release Jo Teacher-Smith for Primary Mastery?" in _text(page)
        with django_capture_on_commit_callbacks(execute=True):
            released = approver.post(path, {"decision": "release"}, follow=True)

        # Then the application goes to the hub, released by the head's address
        application.refresh_from_db()
        assert application.state == State.SUBMITTED
        assert application.history.last().by_label == APPROVER
        assert application.school_confirmed is True
        assert "Jo Teacher-Smith is released" in _text(released)

    def test_a_change_from_the_check_page_comes_back_to_it(self, offering, teacher, head):
        client = _signed_in(teacher)
        client.post(_apply_url(offering), DETAILS)
        client.post(_approver_url(offering), {"approver": str(head.pk)})

        response = client.post(
            _apply_url(offering) + "?check=1", {**DETAILS, "job_role": "class_teacher"}
        )

        assert response["Location"] == _check_url(offering)
        assert "Class or subject teacher" in _text(client.get(_check_url(offering)))

    def test_the_school_is_found_by_part_of_its_name_without_javascript(
        self, offering, leeds_school, head
    ):
        teacher = UserFactory(school=None, job_role="", full_name="")
        client = _signed_in(teacher)

        response = client.post(
            _apply_url(offering), {**DETAILS, "school": "mary catholic", "urn": ""}
        )

        assert response["Location"] == _approver_url(offering)
        assert "Registered approvers of St Mary&#x27;s Catholic Primary School" in _text(
            client.get(_approver_url(offering))
        )

    def test_several_matching_schools_are_offered_to_choose_from(
        self, offering, leeds_school, head
    ):
        SchoolFactory(urn=108000, name="St Mary's Church of England Primary School")
        teacher = UserFactory(school=None, job_role="", full_name="")
        client = _signed_in(teacher)

        # When the name matches two schools
        response = client.post(_apply_url(offering), {**DETAILS, "school": "St Mary", "urn": ""})

        # Then both are offered, with an error saying to choose
        text = _text(response)
        assert "Several schools match. Choose yours from the list" in text
        assert 'name="urn" type="radio" value="107999"' in text
        assert 'name="urn" type="radio" value="108000"' in text

        # When the teacher chooses one
        response = client.post(
            _apply_url(offering),
            {**DETAILS, "school": "St Mary", "urn": "107999", "urn_chosen": "yes"},
        )

        # Then it is their school
        assert response["Location"] == _approver_url(offering)
        assert "Pat Head" in _text(client.get(_approver_url(offering)))

    def test_a_urn_left_from_before_does_not_override_a_new_name(self, offering, teacher, hubs):
        SchoolFactory(urn=300001, name="Lancaster Royal Grammar", la_code="888")

        response = _signed_in(teacher).post(
            _apply_url(offering), {**DETAILS, "school": "Lancaster Royal", "urn": "107999"}
        )

        assert "your school is served by another hub" in _text(response)

    def test_an_unknown_school_is_explained(self, offering, teacher):
        response = _signed_in(teacher).post(
            _apply_url(offering), {**DETAILS, "school": "Hogwarts", "urn": ""}
        )

        assert "We could not find a school called Hogwarts" in _text(response)

    def test_a_urn_outside_the_hub_area_is_refused_with_the_reason(self, offering, hubs):
        SchoolFactory(urn=300001, la_code="888", district_code="E07000123")
        teacher = UserFactory(school=None)

        response = _signed_in(teacher).post(
            _apply_url(offering), {**DETAILS, "school": "300001", "urn": ""}
        )

        text = _text(response)
        assert "There is a problem" in text
        assert "your school is served by another hub" in text
        assert not Application.objects.exists()

    def test_an_offering_without_school_release_skips_the_approver(self, offering, teacher):
        offering.requires_school_approval = False
        offering.save()
        client = _signed_in(teacher)

        response = client.post(_apply_url(offering), DETAILS)
        assert response["Location"] == _check_url(offering)
        assert "Who will release you" not in _text(client.get(_check_url(offering)))
        response = client.post(_check_url(offering))

        assert "decides whether to offer you a place" in _text(response)
        assert Application.objects.get(applicant=teacher).state == State.SUBMITTED

    def test_the_check_page_without_answers_goes_back_to_the_first_step(self, offering, teacher):
        response = _signed_in(teacher).get(_check_url(offering))

        assert response["Location"] == _apply_url(offering)

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"full_name": " "}, "id_full_name", "Enter your full name"),
            ({"full_name": "Jo\x07Teacher"}, "id_full_name", "Enter your name using letters"),
            ({"school": ""}, "id_school", "Enter your school&#x27;s name or URN"),
            ({"job_role": ""}, "id_job_role", "Choose your job role"),
        ],
        ids=["no-name", "name-with-control-character", "no-school", "no-role"],
    )
    def test_mistakes_in_the_details_are_listed_and_linked_to_their_fields(
        self, offering, teacher, data, field, message
    ):
        response = _signed_in(teacher).post(_apply_url(offering), {**DETAILS, **data})

        text = _text(response)
        assert "<title>Error: Your details: apply for Primary Mastery – cpdnet</title>" in text
        assert f'<li><a href="#{field}">{message}' in text
        assert f'id="{field}"' in text


class TestChoosingWhoReleases:
    """The self-release attack, and what a teacher is told when their head's address is not
    one the school authorised."""

    @pytest.fixture
    def client(self, offering, teacher):
        client = _signed_in(teacher)
        client.post(_apply_url(offering), DETAILS)
        return client

    def _refused(self, client, offering, email) -> str:
        response = client.post(
            _approver_url(offering), {"approver": "someone_else", "approver_email": email}
        )
        assert response.status_code == 200
        return _text(response)

    def test_a_teacher_cannot_send_the_release_to_their_own_personal_address(
        self, client, offering, head
    ):
        text = self._refused(client, offering, "jo.teacher@gmail.com")

        assert "A personal email address cannot release you" in text
        assert "Ask your headteacher to register as an approver, or ask West Yorkshire" in text
        assert "hello@west-yorkshire-maths-hub.example.org" in text
        # and nothing goes any further: the check page still wants an approver
        assert client.get(_check_url(offering))["Location"] == _approver_url(offering)
        assert client.post(_check_url(offering))["Location"] == _approver_url(offering)
        assert not Application.objects.exists()

    def test_an_address_on_a_domain_the_school_has_not_verified_is_refused(self, client, offering):
        text = self._refused(client, offering, "head@stmarys.example.org")

        assert "St Mary&#x27;s Catholic Primary School has not verified stmarys.example.org" in text
        assert "ask West Yorkshire Maths Hub" in text

    def test_a_national_offering_points_to_the_schools_own_hub(self, hubs, teacher):
        # A national centre's offering belongs to no hub: the hub that verifies the school's
        # domain is the one serving the school in the programme's network.
        centre = Provider.objects.create(
            kind=ProviderKind.NATIONAL_CENTRE, name="National STEM Learning Centre", slug="centre"
        )
        national = OfferingFactory(
            hub=None,
            provider=centre,
            programme=ProgrammeFactory(network=hubs["maths"].network, title="Residential"),
        )
        client = _signed_in(teacher)
        client.post(_apply_url(national), DETAILS)

        text = self._refused(client, national, "head@stmarys.example.org")

        assert "has not verified stmarys.example.org" in text
        assert "ask West Yorkshire Maths Hub" in text

    def test_an_address_on_a_verified_domain_is_accepted(self, client, offering, leeds_school):
        VerifiedDomainFactory(domain="stmarys.example.org", school=leeds_school)

        response = client.post(
            _approver_url(offering),
            {"approver": "someone_else", "approver_email": "Deputy@StMarys.example.org"},
        )

        assert response["Location"] == _check_url(offering)
        assert "deputy@stmarys.example.org" in _text(client.get(_check_url(offering)))

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"approver": "someone_else"}, "Enter the email address of your headteacher"),
            ({"approver": "someone_else", "approver_email": "head"}, "Enter an email address in"),
            (
                {"approver": "someone_else", "approver_email": "Jo@StMarys.example.org"},
                "Enter the email address of your headteacher or CPD lead, not your own",
            ),
        ],
        ids=["no-email", "bad-email", "own-email"],
    )
    def test_mistakes_are_listed_and_linked(self, client, offering, head, data, message):
        text = _text(client.post(_approver_url(offering), data))

        assert '<li><a href="#id_approver_email">' + message in text

    def test_someone_must_be_chosen(self, client, offering, head):
        text = _text(client.post(_approver_url(offering), {}))

        assert '<li><a href="#id_approver">Choose who will release you' in text


class TestApprovalLink:
    @pytest.fixture
    def waiting(self, offering, teacher, head):
        return ApplicationFactory(
            offering=offering,
            applicant=teacher,
            state=State.AWAITING_SCHOOL_APPROVAL,
            approver_email=APPROVER,
        )

    def test_the_school_may_decline_with_a_reason(self, client, waiting):
        path = f"/approvals/{approval_token(waiting)}/"

        response = client.post(path, {"decision": "decline", "reason": "Ofsted week"}, follow=True)

        waiting.refresh_from_db()
        assert waiting.state == State.DECLINED
        assert waiting.state_reason == "Ofsted week"
        assert "The school did not release Jo Teacher" in _text(response)
        assert "Reason given: Ofsted week" in _text(response)

    def test_an_approver_removed_since_the_email_cannot_release_by_the_link(
        self, client, waiting, head
    ):
        # Given the head stopped being an approver after the email was sent
        head.roles.all().delete()

        # When the link is used
        response = client.post(f"/approvals/{approval_token(waiting)}/", {"decision": "release"})

        # Then the release is refused with the reason, and nothing changes
        assert response.status_code == 200
        assert "head@stmarys.example.org cannot release staff of St Mary" in _text(response)
        waiting.refresh_from_db()
        assert waiting.state == State.AWAITING_SCHOOL_APPROVAL

    def test_a_second_answer_changes_nothing(self, client, waiting):
        path = f"/approvals/{approval_token(waiting)}/"
        client.post(path, {"decision": "release"})

        response = client.post(path, {"decision": "decline"}, follow=True)

        waiting.refresh_from_db()
        assert waiting.state == State.SUBMITTED
        assert "Jo Teacher is released" in _text(response)

    def test_an_answer_without_a_decision_is_an_error(self, client, waiting):
        response = client.post(f"/approvals/{approval_token(waiting)}/", {"reason": "hmm"})

        assert "Choose whether to release the teacher" in _text(response)
        waiting.refresh_from_db()
        assert waiting.state == State.AWAITING_SCHOOL_APPROVAL

    def test_a_tampered_link_gives_a_clear_page(self, client, waiting):
        token = approval_token(waiting)
        tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

        response = client.get(f"/approvals/{tampered}/")

        assert response.status_code == 404
        assert "This link does not work" in _text(response)
        assert client.post(f"/approvals/{tampered}/", {"decision": "release"}).status_code == 404
        waiting.refresh_from_db()
        assert waiting.state == State.AWAITING_SCHOOL_APPROVAL

    def test_an_expired_link_says_so(self, client, waiting):
        made_at = timezone.now().timestamp() - 11 * 24 * 3600
        with mock.patch("django.core.signing.time.time", return_value=made_at):
            token = approval_token(waiting)

        response = client.get(f"/approvals/{token}/")

        assert response.status_code == 404
        assert "This link has expired" in _text(response)


class TestSchoolApprovals:
    """Approvers see and answer only their own schools' applications."""

    @pytest.fixture
    def world(self, offering, teacher):
        other_school = SchoolFactory(name="Other Primary")
        mine = ApplicationFactory(
            offering=offering,
            applicant=teacher,
            state=State.AWAITING_SCHOOL_APPROVAL,
            school_confirmed=False,
        )
        theirs = ApplicationFactory(
            offering=offering,
            applicant=TeacherFactory(full_name="Sam Elsewhere", school=other_school),
            state=State.AWAITING_SCHOOL_APPROVAL,
        )
        ApplicationFactory(applicant=TeacherFactory(school=teacher.school), state="accepted")
        head = UserFactory(email="head@stmarys.example.org")
        RoleAssignmentFactory(user=head, role="school_approver", school=teacher.school)
        other_head = UserFactory(email="head@other.example.org")
        RoleAssignmentFactory(user=other_head, role="school_approver", school=other_school)
        return {"mine": mine, "theirs": theirs, "head": head, "other_head": other_head}

    def test_lists_only_the_approvers_schools_applications_with_engagement(self, world):
        text = _text(_signed_in(world["head"]).get(SCHOOL_APPROVALS))

        assert "Jo Teacher: Primary Mastery" in text
        assert "Sam Elsewhere" not in text
        assert "St Mary&#x27;s Catholic Primary School: 2 applications" in text
        assert "Waiting for the school to release</th>" in text
        assert "Accepted</th>" in text

    def test_the_approver_releases_their_teacher(self, world):
        response = _signed_in(world["head"]).post(
            SCHOOL_APPROVALS, {"application": world["mine"].pk, "decision": "release"}, follow=True
        )

        world["mine"].refresh_from_db()
        assert world["mine"].state == State.SUBMITTED
        assert world["mine"].history.last().by == world["head"]
        assert "You released Jo Teacher for Primary Mastery." in _text(response)

    def test_the_approver_confirms_who_works_at_their_school(self, world, teacher):
        # Given the teacher's claim to work at the school, and someone's at another school
        mine = Affiliation.objects.create(person=teacher, school=teacher.school)
        theirs = Affiliation.objects.create(
            person=world["theirs"].applicant, school=world["theirs"].school
        )
        client = _signed_in(world["head"])
        page = _text(client.get(SCHOOL_APPROVALS))
        assert "jo@stmarys.example.org says they work at St Mary" in page
        assert "Sam Elsewhere" not in page

        # When the approver confirms the teacher
        response = client.post(f"/school/people/{mine.pk}/", {"decision": "confirm"}, follow=True)

        # Then the teacher's applications count for the school
        assert "You confirmed that Jo Teacher works at St Mary" in _text(response)
        world["mine"].refresh_from_db()
        assert world["mine"].school_confirmed is True
        # and the other school's person cannot be reached
        other = client.post(f"/school/people/{theirs.pk}/", {"decision": "reject"})
        assert other.status_code == 404
        theirs.refresh_from_db()
        assert theirs.state == "claimed"

    def test_another_schools_approver_cannot_release_the_teacher(self, world):
        response = _signed_in(world["other_head"]).post(
            SCHOOL_APPROVALS, {"application": world["mine"].pk, "decision": "release"}
        )

        assert response.status_code == 404
        world["mine"].refresh_from_db()
        assert world["mine"].state == State.AWAITING_SCHOOL_APPROVAL

    @pytest.mark.parametrize("application", ["", "abc", "99999999999999999999999"])
    def test_a_malformed_application_number_is_not_found(self, world, application):
        response = _signed_in(world["head"]).post(
            SCHOOL_APPROVALS, {"application": application, "decision": "release"}
        )

        assert response.status_code == 404

    def test_a_teacher_without_the_role_is_forbidden(self, world, teacher):
        assert _signed_in(teacher).get(SCHOOL_APPROVALS).status_code == 403

    def test_takes_the_same_queries_for_3_or_30_applications(
        self, world, offering, teacher, django_assert_max_num_queries
    ):
        client = _signed_in(world["head"])

        def add(count):
            for _ in range(count):
                ApplicationFactory(
                    offering=offering,
                    applicant=TeacherFactory(school=teacher.school),
                    state=State.AWAITING_SCHOOL_APPROVAL,
                )

        add(2)
        few = count_queries(client, SCHOOL_APPROVALS)
        add(27)

        with django_assert_max_num_queries(few):
            response = client.get(SCHOOL_APPROVALS)
        assert "31 applications" in _text(response)


class TestMyApplications:
    def test_shows_only_the_persons_own_applications_with_their_history(self, offering, teacher):
        # Given the teacher's application, released by the school, and someone else's
        mine = ApplicationFactory(
            offering=offering, applicant=teacher, state=State.AWAITING_SCHOOL_APPROVAL
        )
        from cpdnet.applications.services import record_school_decision

        VerifiedDomainFactory(domain="stmarys.example.org", school=teacher.school)
        record_school_decision(application=mine, release=True, approver_email=APPROVER)
        ApplicationFactory(
            offering=OfferingFactory(
                programme=ProgrammeFactory(title="Someone Else's"), hub=offering.hub
            )
        )

        text = _text(_signed_in(teacher).get(MY_APPLICATIONS))

        assert "Primary Mastery" in text
        assert "Someone Else" not in text
        assert "<strong>Submitted: waiting for the hub</strong><br>Released by the school" in text
        assert "Released by the school</td>" in text
        assert f'href="/account/applications/{mine.pk}/withdraw/"' in text
        assert f'<dd class="govuk-summary-list__value">{mine.reference}</dd>' in text

    def test_a_visitor_is_asked_to_sign_in(self, client, db):
        assert client.get(MY_APPLICATIONS).status_code == 302

    def test_takes_the_same_queries_for_3_or_30_applications(
        self, teacher, hubs, django_assert_max_num_queries
    ):
        client = _signed_in(teacher)

        def add(count):
            for _ in range(count):
                application = ApplicationFactory(
                    applicant=teacher,
                    offering=OfferingFactory(
                        hub=hubs["maths"], programme=ProgrammeFactory(network=hubs["maths"].network)
                    ),
                    state="waitlisted",
                )
                application.history.create(from_state="", to_state="submitted")
                application.history.create(from_state="submitted", to_state="waitlisted")

        add(3)
        few = count_queries(client, MY_APPLICATIONS)
        add(27)

        with django_assert_max_num_queries(few):
            response = client.get(MY_APPLICATIONS)
        assert _text(response).count("On the waiting list</td>") == 20


class TestWithdrawing:
    @pytest.fixture
    def full(self, offering, teacher):
        """A one-place offering: the teacher holds the place, another teacher waits."""
        offering.capacity = 1
        offering.save()
        placed = ApplicationFactory(offering=offering, applicant=teacher, state=State.ACCEPTED)
        waiting = ApplicationFactory(
            offering=offering,
            applicant=TeacherFactory(full_name="Wai Ting"),
            state=State.WAITLISTED,
            waitlisted_at=timezone.now() - datetime.timedelta(days=3),
        )
        return {"placed": placed, "waiting": waiting}

    def test_the_confirm_page_warns_that_the_place_is_lost(self, full, teacher):
        response = _signed_in(teacher).get(f"/account/applications/{full['placed'].pk}/withdraw/")

        assert "You will lose your place" in _text(response)
        assert "Withdraw application" in _text(response)

    def test_withdrawing_frees_the_place_for_the_waiting_list_who_can_take_it_up(
        self, full, teacher, django_capture_on_commit_callbacks, mailoutbox
    ):
        # When the teacher withdraws
        with django_capture_on_commit_callbacks(execute=True):
            response = _signed_in(teacher).post(
                f"/account/applications/{full['placed'].pk}/withdraw/",
                {"reason": "Moving school"},
                follow=True,
            )

        # Then their application is withdrawn and the head of the waiting list is offered it
        assert "You have withdrawn your application for Primary Mastery." in _text(response)
        full["placed"].refresh_from_db()
        assert full["placed"].state == State.WITHDRAWN
        waiting = full["waiting"]
        waiting.refresh_from_db()
        assert waiting.state == State.PLACE_OFFERED
        assert any(email.to == [waiting.applicant.email] for email in mailoutbox)

        # When the waiting teacher opens their applications and takes the place up
        client = _signed_in(waiting.applicant)
        page = _text(client.get(MY_APPLICATIONS))
        assert "<strong>Place offered from the waiting list</strong>" in page
        assert "Take up the place by" in page
        taken = client.post(f"/account/applications/{waiting.pk}/take-up/", follow=True)

        # Then they have the place
        waiting.refresh_from_db()
        assert waiting.state == State.ACCEPTED
        assert "You have a place on Primary Mastery." in _text(taken)

    def test_nobody_can_withdraw_anothers_application(self, full):
        client = _signed_in(full["waiting"].applicant)

        response = client.post(f"/account/applications/{full['placed'].pk}/withdraw/")

        assert response.status_code == 404
        full["placed"].refresh_from_db()
        assert full["placed"].state == State.ACCEPTED

    def test_nobody_can_take_up_anothers_place(self, full, teacher):
        full["waiting"].state = State.PLACE_OFFERED
        full["waiting"].save()

        response = _signed_in(teacher).post(f"/account/applications/{full['waiting'].pk}/take-up/")

        assert response.status_code == 404
        full["waiting"].refresh_from_db()
        assert full["waiting"].state == State.PLACE_OFFERED

    def test_taking_up_without_an_offer_is_explained(self, full):
        client = _signed_in(full["waiting"].applicant)

        response = client.post(f"/account/applications/{full['waiting'].pk}/take-up/", follow=True)

        assert "There is no place waiting for you on this offering." in _text(response)
        full["waiting"].refresh_from_db()
        assert full["waiting"].state == State.WAITLISTED

    def test_a_finished_application_cannot_be_withdrawn(self, full, teacher):
        full["placed"].state = State.COMPLETED
        full["placed"].save()

        response = _signed_in(teacher).post(
            f"/account/applications/{full['placed'].pk}/withdraw/", follow=True
        )

        assert "This application can no longer be withdrawn." in _text(response)
        full["placed"].refresh_from_db()
        assert full["placed"].state == State.COMPLETED
