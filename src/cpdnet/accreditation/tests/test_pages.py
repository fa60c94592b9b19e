"""The pages of applying to an accreditation programme, the hub's endorsement queue, and who
may decide places."""

from html import unescape

import pytest
from django.urls import reverse

from cpdnet.accreditation.applying import endorse, submit_accreditation_application
from cpdnet.accreditation.models import Endorsement, PDLeadershipEvidence
from cpdnet.applications.models import Application, State
from cpdnet.audit.models import AuditEntry
from tests.factories import TeacherFactory

from .applying_world import add_information_sheet


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def _apply(world, teacher=None):
    teacher = teacher or world.teacher
    return submit_accreditation_application(
        offering=world.offering,
        applicant=teacher,
        school=teacher.school,
        job_role="subject_lead",
        approver_email="",
        pd_roles=["work_group_lead"],
        pd_led="A Work Group for six schools.",
        led_for="Twelve teachers.",
        beyond_own_school=True,
        information_sheet_acknowledged=True,
    )


@pytest.fixture
def no_release(world):
    world.offering.requires_school_approval = False
    world.offering.save()


# --- The apply journey -----------------------------------------------------------------------


def _details(client, world):
    return client.post(
        reverse("public:apply", kwargs={"offering_id": world.offering.pk}),
        {
            "full_name": "Sam Subjectlead",
            "school": world.school_a.name,
            "urn": world.school_a.urn,
            "job_role": "subject_lead",
            "statement": "To lead PD well.",
        },
    )


def test_a_teacher_applies_reading_the_sheet_and_giving_pd_leadership(world, no_release, signed_in):
    sheet = add_information_sheet(world.programme)
    client = signed_in(world.teacher)
    offering_id = world.offering.pk

    # After their details they are asked to read the information sheet
    response = _details(client, world)
    sheet_url = reverse("public:apply-information-sheet", kwargs={"offering_id": offering_id})
    assert response.url == sheet_url
    page = client.get(sheet_url)
    assert sheet.title in page.text
    download = client.get(
        reverse("public:apply-information-sheet-download", kwargs={"offering_id": offering_id})
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    # Continuing without ticking the box says what to do
    refused = client.post(sheet_url, {})
    assert "Confirm that you have read the information sheet" in refused.text
    response = client.post(sheet_url, {"acknowledged": "on"})
    pd_url = reverse("public:apply-pd-leadership", kwargs={"offering_id": offering_id})
    assert response.url == pd_url

    # Then the PD they lead; the check page shows every answer
    response = client.post(
        pd_url,
        {
            "pd_roles": ["work_group_lead", "mastery_specialist"],
            "pd_led": "A secondary mastery Work Group.",
            "led_for": "Teachers from six schools.",
            "beyond_own_school": "yes",
        },
    )
    check_url = reverse("public:apply-check", kwargs={"offering_id": offering_id})
    assert response.url == check_url
    check = client.get(check_url)
    for text in ("You have read", "Work Group Lead", "Mastery Specialist", "six schools"):
        assert text in check.text

    # And the application is sent with its evidence
    sent = client.post(check_url)
    assert "Your hub lead reads the professional development you lead" in sent.text
    application = Application.objects.get(applicant=world.teacher)
    assert application.information_sheet_acknowledged_at is not None
    assert PDLeadershipEvidence.objects.get(application=application).pd_roles == (
        "work_group_lead,mastery_specialist"
    )


def test_leading_pd_only_in_ones_school_is_refused_on_the_page(world, no_release, signed_in):
    client = signed_in(world.teacher)
    _details(client, world)
    pd_url = reverse("public:apply-pd-leadership", kwargs={"offering_id": world.offering.pk})

    response = client.post(
        pd_url,
        {
            "pd_roles": ["other_pd_role"],
            "pd_led": "Department meetings.",
            "led_for": "My department.",
            "beyond_own_school": "no",
        },
    )

    assert response.status_code == 200
    assert "already design and lead professional development" in response.text
    assert "There is a problem" in response.text


def test_the_pd_step_asks_for_every_answer(world, no_release, signed_in):
    client = signed_in(world.teacher)
    _details(client, world)

    response = client.post(
        reverse("public:apply-pd-leadership", kwargs={"offering_id": world.offering.pk}), {}
    )

    for error in (
        "Select the professional development roles you hold now",
        "Say what professional development you lead",
        "Say whether you lead professional development beyond your school",
    ):
        assert error in response.text


def test_the_check_page_sends_back_to_a_missing_step(world, no_release, signed_in):
    client = signed_in(world.teacher)
    _details(client, world)

    response = client.get(reverse("public:apply-check", kwargs={"offering_id": world.offering.pk}))

    assert response.url == reverse(
        "public:apply-pd-leadership", kwargs={"offering_id": world.offering.pk}
    )


def test_work_groups_have_no_accreditation_steps(world, signed_in):
    world.programme.kind = "work_group"
    world.programme.save()
    client = signed_in(world.teacher)

    response = _details(client, world)

    assert response.url == reverse(
        "public:apply-approver", kwargs={"offering_id": world.offering.pk}
    )
    pd = client.get(
        reverse("public:apply-pd-leadership", kwargs={"offering_id": world.offering.pk})
    )
    assert pd.url == reverse("public:apply", kwargs={"offering_id": world.offering.pk})


def _statuses(client) -> tuple[str, str]:
    """The teacher's applications page and home page, as read."""
    return (
        unescape(client.get(reverse("public:my-applications")).text),
        unescape(client.get(reverse("public:my-home")).text),
    )


def test_the_teacher_sees_whose_step_their_application_waits_for(world, no_release, signed_in):
    application = _apply(world)
    client = signed_in(world.teacher)

    for page in _statuses(client):
        assert "Waiting for your hub lead's endorsement" in page
        assert "Submitted: waiting for the hub" not in page

    endorse(application, endorsed=True, reason="", by=world.lead_a)
    for page in _statuses(client):
        assert "Endorsed: waiting for national selection" in page


def test_the_teacher_sees_they_were_not_endorsed_and_why(world, no_release, signed_in):
    application = _apply(world)
    endorse(application, endorsed=False, reason="Lead a Work Group first.", by=world.lead_a)
    client = signed_in(world.teacher)

    applications, home = _statuses(client)

    assert "Not endorsed" in applications
    assert "Your hub lead's reason: Lead a Work Group first." in applications
    assert "Not endorsed" in home


# --- The endorsement queue --------------------------------------------------------------------


def test_the_hub_lead_sees_their_queue_and_endorses(world, no_release, signed_in):
    application = _apply(world)
    client = signed_in(world.lead_a)

    queue = client.get(reverse("backoffice:endorsements"))
    assert world.teacher.full_name in queue.text
    assert "Waiting for your endorsement" in queue.text
    assert "Submitted: waiting for the hub" not in queue.text

    url = reverse("backoffice:endorsement", kwargs={"application_id": application.pk})
    page = client.get(url)
    assert "A Work Group for six schools." in page.text
    assert "Waiting for your endorsement" in page.text
    response = client.post(url, {"decision": "endorse", "reason": ""})

    assert response.url == reverse("backoffice:endorsements")
    assert Endorsement.objects.get(application=application).decision == "endorsed"
    after = client.get(reverse("backoffice:endorsements"))
    assert "You endorsed Sam Subjectlead." in after.text
    assert "No applications are waiting for Abacus Maths Hub" in after.text


def test_not_endorsing_without_a_reason_re_renders_with_the_error(world, no_release, signed_in):
    application = _apply(world)
    client = signed_in(world.lead_a)

    response = client.post(
        reverse("backoffice:endorsement", kwargs={"application_id": application.pk}),
        {"decision": "not_endorse", "reason": ""},
    )

    assert response.status_code == 400
    assert "Say why you do not endorse this application" in response.text
    assert not Endorsement.objects.exists()


def test_another_hubs_staff_get_404(world, no_release, signed_in):
    application = _apply(world)
    client = signed_in(world.lead_b)

    url = reverse("backoffice:endorsement", kwargs={"application_id": application.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "endorse"}).status_code == 404
    assert world.teacher.full_name not in client.get(reverse("backoffice:endorsements")).text


def test_teachers_may_not_see_the_queue(world, signed_in):
    client = signed_in(world.teacher)

    assert client.get(reverse("backoffice:endorsements")).status_code == 403


def test_the_queue_takes_the_same_queries_however_many_wait(
    world, no_release, signed_in, django_assert_max_num_queries
):
    client = signed_in(world.lead_a)
    _apply(world)
    client.get(reverse("backoffice:endorsements"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("backoffice:endorsements"))
    for _ in range(10):
        _apply(world, teacher=TeacherFactory(school=world.school_a))

    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("backoffice:endorsements"))
    assert "11 waiting" in response.text


# --- Deciding places ---------------------------------------------------------------------------


def test_hub_staff_see_no_decision_form_on_accreditation_applications(world, no_release, signed_in):
    application = _apply(world)
    endorse(application, endorsed=True, reason="", by=world.lead_a)
    url = reverse("backoffice:application", kwargs={"application_id": application.pk})

    hub_page = signed_in(world.lead_a).get(url)
    assert "Save decision" not in hub_page.text
    assert "Endorsed: waiting for national selection" in hub_page.text
    assert "National staff select participants" in hub_page.text
    assert "Endorsed by Abacus Maths Hub" in hub_page.text

    national_page = signed_in(world.national).get(url)
    assert "Save decision" in national_page.text


def test_hub_staff_see_no_bulk_decision_on_an_accreditation_offering(world, no_release, signed_in):
    application = _apply(world)
    url = reverse(
        "backoffice:offering-applications", kwargs={"offering_id": application.offering_id}
    )

    hub_page = signed_in(world.lead_a).get(url)
    assert "Decide the selected applications" not in hub_page.text
    assert "National staff select the participants of this programme" in hub_page.text

    national_page = signed_in(world.national).get(url)
    assert "Decide the selected applications" in national_page.text


def test_a_hub_staff_decision_posted_anyway_is_refused(world, no_release, signed_in):
    application = _apply(world)
    endorse(application, endorsed=True, reason="", by=world.lead_a)
    client = signed_in(world.lead_a)

    response = client.post(
        reverse("backoffice:application-decide", kwargs={"application_id": application.pk}),
        {"decision": "accept", "reason": ""},
        follow=True,
    )

    assert "decided by national staff" in response.text
    application.refresh_from_db()
    assert application.state == State.SUBMITTED


def test_national_staff_accepting_without_endorsement_see_the_reason(world, no_release, signed_in):
    application = _apply(world)

    response = signed_in(world.national).post(
        reverse("backoffice:application-decide", kwargs={"application_id": application.pk}),
        {"decision": "accept", "reason": ""},
        follow=True,
    )

    assert "has not endorsed this application yet" in response.text


def test_the_dashboard_and_insights_show_capacity_and_endorsements(world, no_release, signed_in):
    _apply(world)
    client = signed_in(world.lead_a)

    dashboard = client.get(reverse("backoffice:hub"))
    assert "PD leadership capacity: Abacus Maths Hub" in dashboard.text
    assert "1 application to accreditation programmes waiting" in dashboard.text
    insights = client.get(reverse("backoffice:insights-hub", kwargs={"slug": "hub-a"}))
    assert "PD leadership capacity" in insights.text
    national = signed_in(world.national).get(reverse("backoffice:insights") + "?show=hubs")
    assert "PD leadership capacity by hub" in national.text


# --- Who may lead each programme -------------------------------------------------------------


def test_national_staff_set_who_may_lead_a_programme(world, signed_in):
    client = signed_in(world.national)
    assert world.programme.title in client.get(reverse("backoffice:facilitator-requirements")).text
    url = reverse("backoffice:facilitator-requirement", kwargs={"programme_id": world.programme.pk})

    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"rule": "accredited"})

    assert response.url == reverse("backoffice:facilitator-requirements")
    assert world.programme.facilitator_requirement.rule == "accredited"
    assert AuditEntry.objects.filter(action="accreditation.facilitator_requirement.set").exists()


def test_hub_staff_may_not_set_who_may_lead(world, signed_in):
    client = signed_in(world.lead_a)
    url = reverse("backoffice:facilitator-requirement", kwargs={"programme_id": world.programme.pk})

    assert client.get(reverse("backoffice:facilitator-requirements")).status_code == 403
    assert client.post(url, {"rule": "anyone"}).status_code == 403
