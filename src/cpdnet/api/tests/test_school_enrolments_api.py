"""API v1: the schools enrolled in offerings, for the staff who run them."""

import pytest

from cpdnet.accounts.services import create_api_token
from cpdnet.applications.services import enrol_school
from tests.factories import (
    HubAreaFactory,
    HubFactory,
    OfferingFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/school-enrolments"


def _enrolled(offering, name: str):
    school = SchoolFactory(name=name)
    approver = RoleAssignmentFactory(role="school_approver", school=school, hub=None).user
    return enrol_school(
        offering=offering,
        school=school,
        by=approver,
        senior_leader_name="Helen Head",
        senior_leader_role="Headteacher",
        releases_for_sessions=True,
        gives_gap_task_time=True,
        leads=[("Ada Lead", f"ada@{school.urn}.example.org")],
    )


def test_hub_staff_read_their_offerings_enrolments_only(client, django_assert_max_num_queries):
    offering = OfferingFactory(school_capacity=5)
    HubAreaFactory(hub=offering.hub)
    for number in range(3):
        _enrolled(offering, f"Ours {number}")
    staff = RoleAssignmentFactory(role="hub_staff", hub=offering.hub).user
    headers = {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(user=staff)}"}

    with django_assert_max_num_queries(8):
        response = client.get(URL, {"offering": offering.pk}, **headers)

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 3
    item = body["items"][0]
    assert item["senior_leader_role"] == "Headteacher"
    assert item["leads"] == [
        {
            "name": "Ada Lead",
            "email": item["leads"][0]["email"],
            "application": None,
            "application_state": None,
        }
    ]
    stranger = RoleAssignmentFactory(role="hub_staff", hub=HubFactory()).user
    other = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {create_api_token(user=stranger)}")
    assert other.json()["count"] == 0
    teacher = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {create_api_token(user=UserFactory())}")
    assert teacher.json()["count"] == 0
