"""Hub staff withdraw a school enrolled in their offering, saying why, after a check page;
other hubs' staff get 404, people without a staff role 403."""

import pytest

from cpdnet.applications.models import EnrolmentState
from cpdnet.applications.services import enrol_school, withdraw_school_enrolment
from tests.factories import (
    HubAreaFactory,
    HubFactory,
    OfferingFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolment():
    """Hillside Primary enrolled in a hub's Work Group, with Ada named as its lead."""
    offering = OfferingFactory(capacity=10, school_capacity=4)
    HubAreaFactory(hub=offering.hub)
    school = SchoolFactory(name="Hillside Primary")
    approver = UserFactory(email="head@hillside.example.org")
    RoleAssignmentFactory(user=approver, role="school_approver", school=school, hub=None)
    return enrol_school(
        offering=offering,
        school=school,
        by=approver,
        senior_leader_name="Helen Head",
        senior_leader_role="Headteacher",
        releases_for_sessions=True,
        gives_gap_task_time=True,
        leads=[("Ada Lead", "ada@hillside.example.org")],
    )


def _url(enrolment, offering=None) -> str:
    offering_id = (offering or enrolment.offering).pk
    return f"/backoffice/hub/offerings/{offering_id}/schools/{enrolment.pk}/withdraw/"


def _hub_staff(hub):
    return RoleAssignmentFactory(role="hub_staff", hub=hub).user


def test_hub_staff_withdraw_a_school_after_checking(
    client, enrolment, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(_hub_staff(enrolment.offering.hub))
    schools = f"/backoffice/hub/offerings/{enrolment.offering.pk}/schools/"
    assert _url(enrolment) in client.get(schools).content.decode()

    form = client.get(_url(enrolment)).content.decode()
    assert '<label class="govuk-label" for="id_reason">Why is the school withdrawn?</label>' in form
    missing = client.post(_url(enrolment), {"reason": ""})
    assert missing.status_code == 400
    assert "There is a problem" in missing.content.decode()
    assert "Say why the school is withdrawn" in missing.content.decode()
    check = client.post(_url(enrolment), {"reason": "Stopped taking part"}).content.decode()
    assert "Check before you withdraw Hillside Primary" in check
    assert "Ada Lead (ada@hillside.example.org)" in check and "Stopped taking part" in check
    change = client.post(_url(enrolment), {"reason": "Stopped taking part", "step": "change"})
    assert change.status_code == 200 and "Stopped taking part</textarea>" in change.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.ENROLLED
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(enrolment), {"reason": "Stopped taking part", "step": "confirm"}
        )

    assert response.status_code == 302 and response["Location"] == schools
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.WITHDRAWN
    assert sorted(email.to[0] for email in mailoutbox) == [
        "ada@hillside.example.org",
        "head@hillside.example.org",
    ]
    page = client.get(schools).content.decode()
    assert "Hillside Primary has been withdrawn" in page
    assert _url(enrolment) not in page


def test_a_school_already_withdrawn_shows_no_form_and_is_refused(client, enrolment):
    withdraw_school_enrolment(enrolment=enrolment, by=enrolment.enrolled_by)
    client.force_login(_hub_staff(enrolment.offering.hub))

    page = client.get(_url(enrolment)).content.decode()
    assert "already withdrawn" in page and 'name="reason"' not in page
    response = client.post(_url(enrolment), {"reason": "Again", "step": "confirm"})

    assert response.status_code == 400
    assert "An enrolment that is withdrawn cannot become withdrawn." in response.content.decode()


def test_another_hubs_staff_get_404_and_others_403(client, enrolment):
    answers = {"reason": "Stopped taking part", "step": "confirm"}
    client.force_login(_hub_staff(HubFactory()))
    assert client.get(_url(enrolment)).status_code == 404
    assert client.post(_url(enrolment), answers).status_code == 404
    # Nor through an offering of their own hub
    own = OfferingFactory(school_capacity=2)
    client.force_login(_hub_staff(own.hub))
    assert client.post(_url(enrolment, offering=own), answers).status_code == 404
    for person in (enrolment.enrolled_by, UserFactory()):  # the school's approver, a teacher
        client.force_login(person)
        assert client.post(_url(enrolment), answers).status_code == 403

    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.ENROLLED
