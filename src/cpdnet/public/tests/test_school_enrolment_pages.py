"""A school's senior leader enrols the school and sees its enrolments; a named lead completes
their application; hub staff see the schools enrolled. Scoped, and asking few queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpdnet.applications.models import EnrolmentState, SchoolEnrolment, State
from cpdnet.applications.services import complete_lead_application, enrol_school
from tests.factories import (
    HubAreaFactory,
    HubFactory,
    OfferingFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FORM = {
    "senior_leader_name": "Helen Head",
    "senior_leader_role": "Headteacher",
    "releases_for_sessions": "on",
    "gives_gap_task_time": "on",
    "lead_1_name": "Ada Lead",
    "lead_1_email": "ada@hillside.example.org",
    "lead_2_name": "Bea Lead",
    "lead_2_email": "bea@hillside.example.org",
}


@pytest.fixture
def offering():
    offering = OfferingFactory(capacity=10, school_capacity=4, academic_year=2026)
    HubAreaFactory(hub=offering.hub)
    return offering


def _approver_of(*schools):
    approver = UserFactory()
    for school in schools:
        RoleAssignmentFactory(user=approver, role="school_approver", school=school, hub=None)
    return approver


def _enrol(offering, school, approver, leads=(("Ada Lead", "ada@hillside.example.org"),)):
    return enrol_school(
        offering=offering,
        school=school,
        by=approver,
        senior_leader_name="Helen Head",
        senior_leader_role="Headteacher",
        releases_for_sessions=True,
        gives_gap_task_time=True,
        leads=list(leads),
    )


def test_the_approver_enrols_the_school_and_sees_it_on_the_schools_page(client, offering):
    school = SchoolFactory(name="Hillside Primary")
    client.force_login(_approver_of(school))
    url = f"/programmes/offerings/{offering.pk}/enrol-school/"

    assert client.get(url).status_code == 200
    check = client.post(url, {**FORM, "school": school.urn})
    assert "Check your answers" in check.content.decode()
    assert not SchoolEnrolment.objects.exists()
    change = client.post(url, {**FORM, "school": school.urn, "step": "change"})
    assert change.status_code == 200 and 'value="Bea Lead"' in change.content.decode()
    response = client.post(url, {**FORM, "school": school.urn, "step": "confirm"})

    assert response.status_code == 302
    enrolment = SchoolEnrolment.objects.get()
    assert (enrolment.school, enrolment.senior_leader_name) == (school, "Helen Head")
    page = client.get(response["Location"]).content.decode()
    assert "Hillside Primary is enrolled" in page
    assert "Ada Lead" in page and "Bea Lead" in page
    assert "application not completed yet" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"releases_for_sessions": ""}, "Confirm the school will release its leads"),
        ({"lead_1_email": "not an address"}, "Enter an email address like"),
        ({"lead_2_email": "ada@hillside.example.org"}, "their own address"),
        ({"lead_2_name": ""}, "Enter the second lead participant&#x27;s name"),
        ({"school": "12"}, "Select a valid choice"),
    ],
)
def test_a_wrong_answer_shows_the_form_again_with_the_error(client, offering, change, message):
    school = SchoolFactory()
    client.force_login(_approver_of(school))

    response = client.post(
        f"/programmes/offerings/{offering.pk}/enrol-school/",
        {**FORM, "school": school.urn, **change},
    )

    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert message in response.content.decode()
    assert not SchoolEnrolment.objects.exists()


def test_a_refusal_from_the_service_is_shown_on_the_form(client, offering):
    offering.school_capacity = 1
    offering.save(update_fields=["school_capacity"])
    first = SchoolFactory()
    _enrol(offering, first, _approver_of(first))
    school = SchoolFactory()
    client.force_login(_approver_of(school))

    response = client.post(
        f"/programmes/offerings/{offering.pk}/enrol-school/",
        {**FORM, "school": school.urn, "step": "confirm"},
    )

    assert response.status_code == 400
    assert "Every school place on this offering is taken" in response.content.decode()


def test_an_offering_without_school_places_has_no_enrol_page(client):
    client.force_login(_approver_of(SchoolFactory()))

    response = client.get(
        f"/programmes/offerings/{OfferingFactory(school_capacity=None).pk}/enrol-school/"
    )

    assert response.status_code == 404


def test_a_teacher_cannot_enrol_a_school(client, offering):
    client.force_login(UserFactory())

    assert client.get(f"/programmes/offerings/{offering.pk}/enrol-school/").status_code == 403


def test_another_schools_approver_cannot_see_or_withdraw_an_enrolment(client, offering):
    school = SchoolFactory()
    enrolment = _enrol(offering, school, _approver_of(school))
    client.force_login(_approver_of(SchoolFactory()))

    assert client.get(f"/school/enrolments/{enrolment.pk}/withdraw/").status_code == 404
    assert client.post(f"/school/enrolments/{enrolment.pk}/withdraw/").status_code == 404
    assert client.get(f"/school/enrolments/{enrolment.pk}/colleagues/").status_code == 404
    page = client.get("/my/school/participation/?year=2026").content.decode()
    assert school.name not in page


def test_the_approver_withdraws_the_school_and_records_colleagues(client, offering):
    school = SchoolFactory()
    approver = _approver_of(school)
    enrolment = _enrol(offering, school, approver)
    client.force_login(approver)

    bad = client.post(
        f"/school/enrolments/{enrolment.pk}/colleagues/", {"colleagues_reached": "-1"}
    )
    assert bad.status_code == 400 and "Enter 0 or more" in bad.content.decode()
    client.post(f"/school/enrolments/{enrolment.pk}/colleagues/", {"colleagues_reached": "6"})
    response = client.post(f"/school/enrolments/{enrolment.pk}/withdraw/", {"reason": "Ofsted"})

    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.state, enrolment.colleagues_reached) == (EnrolmentState.WITHDRAWN, 6)


def test_the_schools_page_asks_the_same_queries_however_many_enrolments(client):
    schools = [SchoolFactory() for _ in range(6)]
    approver = _approver_of(*schools)
    client.force_login(approver)
    hub = HubAreaFactory().hub
    offerings = [
        OfferingFactory(
            hub=hub, programme__network=hub.network, school_capacity=6, academic_year=2026
        )
        for _ in range(6)
    ]
    _enrol(offerings[0], schools[0], approver)
    url = "/my/school/participation/?year=2026"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(1, 6):
        _enrol(
            offerings[number],
            schools[number],
            approver,
            [("A", f"a{number}@s.example.org"), ("B", f"b{number}@s.example.org")],
        )

    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(response.context["enrolments"]) == 6
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_named_lead_completes_their_application(client, offering):
    school = SchoolFactory()
    lead = _enrol(offering, school, _approver_of(school)).leads.get()
    url = f"/account/school-places/{lead.pk}/"
    client.force_login(UserFactory(email="someone.else@hillside.example.org"))
    assert client.get(url).status_code == 404

    client.force_login(UserFactory(email="ADA@hillside.example.org"))
    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"job_role": "class_teacher"})

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.application.state == State.ACCEPTED
    # Taken: the link no longer offers a place
    assert client.get(url).status_code == 404


def test_hub_staff_see_the_schools_enrolled_with_the_commitment(
    client, offering, django_assert_max_num_queries
):
    for number in range(3):
        school = SchoolFactory(name=f"Enrolled School {number}")
        _enrol(offering, school, _approver_of(school), [("Lead", f"l{number}@s.example.org")])
    staff = RoleAssignmentFactory(role="hub_staff", hub=offering.hub).user
    client.force_login(staff)

    with django_assert_max_num_queries(12):
        response = client.get(f"/backoffice/hub/offerings/{offering.pk}/schools/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Enrolled School 2" in page and "Helen Head, Headteacher" in page
    other_hub_staff = RoleAssignmentFactory(role="hub_staff", hub=HubFactory()).user
    client.force_login(other_hub_staff)
    assert client.get(f"/backoffice/hub/offerings/{offering.pk}/schools/").status_code == 404


TWO_LEADS = (("Ada Lead", "ada@hillside.example.org"), ("Bea Lead", "bea@hillside.example.org"))


def _replace_url(enrolment, lead):
    return f"/school/enrolments/{enrolment.pk}/leads/{lead.pk}/replace/"


def test_the_approver_replaces_a_lead_after_checking_the_answers(
    client, offering, mailoutbox, django_capture_on_commit_callbacks
):
    school = SchoolFactory(name="Hillside Primary")
    approver = _approver_of(school)
    enrolment = _enrol(offering, school, approver, TWO_LEADS)
    ada = enrolment.leads.get(email="ada@hillside.example.org")
    client.force_login(approver)
    participation = client.get("/my/school/participation/?year=2026").content.decode()
    assert _replace_url(enrolment, ada) in participation
    url = _replace_url(enrolment, ada)
    answers = {"full_name": "Cy Lead", "email": "cy@hillside.example.org"}

    form = client.get(url).content.decode()
    assert '<label class="govuk-label" for="id_full_name">Full name</label>' in form
    check = client.post(url, answers).content.decode()
    assert "Check your answers before replacing a lead participant" in check
    assert "cy@hillside.example.org" in check and "ada@hillside.example.org" in check
    change = client.post(url, {**answers, "step": "change"})
    assert change.status_code == 200 and 'value="Cy Lead"' in change.content.decode()
    assert not enrolment.leads.filter(replaced_at__isnull=False).exists()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**answers, "step": "confirm"})

    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.replaced_by.email == "cy@hillside.example.org"
    page = client.get(response["Location"]).content.decode()
    assert "Cy Lead is now a lead participant in place of Ada Lead" in page
    assert "Ada Lead:" not in page and "Cy Lead: place held" in page
    assert sorted(email.to[0] for email in mailoutbox) == [
        "ada@hillside.example.org",
        "cy@hillside.example.org",
    ]
    # The lead replaced has no page any more
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"full_name": "", "email": ""}, "Enter the new lead participant&#x27;s full name"),
        ({"full_name": "Cy", "email": "not an address"}, "Enter an email address like"),
        (
            {"full_name": "Bea", "email": "bea@hillside.example.org", "step": "confirm"},
            "is already named as a lead participant",
        ),
    ],
)
def test_a_wrong_or_refused_replacement_is_shown_in_the_error_summary(
    client, offering, answers, message
):
    school = SchoolFactory()
    approver = _approver_of(school)
    enrolment = _enrol(offering, school, approver, TWO_LEADS)
    client.force_login(approver)

    response = client.post(
        _replace_url(enrolment, enrolment.leads.get(email="ada@hillside.example.org")), answers
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in page and "There is a problem" in page
    assert message in page
    assert not enrolment.leads.filter(replaced_at__isnull=False).exists()


def test_a_lead_who_completed_is_pointed_to_the_swap(client, offering):
    school = SchoolFactory()
    approver = _approver_of(school)
    enrolment = _enrol(offering, school, approver)
    lead = enrolment.leads.get()
    complete_lead_application(
        lead=lead, person=UserFactory(email=lead.email), job_role="class_teacher"
    )
    client.force_login(approver)

    page = client.get(_replace_url(enrolment, lead)).content.decode()

    assert "Swap for a colleague" in page and 'name="full_name"' not in page
    participation = client.get("/my/school/participation/?year=2026").content.decode()
    assert _replace_url(enrolment, lead) not in participation


def test_only_the_schools_approver_may_replace_its_lead(client, offering):
    school = SchoolFactory()
    enrolment = _enrol(offering, school, _approver_of(school))
    lead = enrolment.leads.get()
    url = _replace_url(enrolment, lead)
    answers = {"full_name": "Cy", "email": "cy@x.example.org", "step": "confirm"}

    client.force_login(_approver_of(SchoolFactory()))
    assert client.get(url).status_code == 404
    assert client.post(url, answers).status_code == 404
    client.force_login(UserFactory(email=lead.email))  # the lead themself
    assert client.post(url, answers).status_code == 403
    elsewhere = SchoolFactory()
    other = _enrol(offering, elsewhere, _approver_of(elsewhere), [("Di", "di@x.example.org")])
    client.force_login(_approver_of(school))
    # A lead of another enrolment, through this enrolment's address
    assert client.get(_replace_url(enrolment, other.leads.get())).status_code == 404
    lead.refresh_from_db()
    assert not lead.is_replaced
