"""People's names are one line of printable text wherever they are entered, because they go
into email subjects: a line break there once stopped the approver's email being sent."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cpdnet.accounts.names import clean_person_name, validate_person_name
from cpdnet.events.models import Registration
from cpdnet.events.tests.factories import WebinarFactory
from cpdnet.hubs.models import HubChangeRequest
from tests.factories import HubAreaFactory, HubFactory, SchoolFactory, TeacherFactory

MESSAGE = "Enter your name on one line, without tabs or other special characters"
BAD_NAMES = [
    "Ada\nLovelace",
    "Ada\r\nBcc: everyone@example.org",
    "Ada\tLovelace",
    "Ada\x00",
    "Ada\u2028Lovelace",  # line separator
    "\u202eecalevoL adA",  # right-to-left override
]
GOOD_NAMES = ["Ada Lovelace", "Siobhán Ní Bhriain", "Jean-Luc O'Neill", "محمد\u200cرضا", "李小龍"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_name_with_a_line_break_or_control_character_is_refused(name):
    with pytest.raises(ValidationError) as refused:
        validate_person_name(name)

    assert refused.value.messages == [MESSAGE]


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_names_in_any_script_with_accents_hyphens_and_apostrophes_are_accepted(name):
    validate_person_name(name)


def test_a_name_from_a_sign_in_provider_is_put_on_one_line():
    assert clean_person_name(" Ada\r\nBcc: x@example.org\t ") == "Ada Bcc: x@example.org"


@pytest.mark.django_db
def test_the_account_page_refuses_a_name_with_a_line_break(client):
    teacher = TeacherFactory(full_name="Ada Lovelace")
    client.force_login(teacher)

    response = client.post(
        reverse("accounts:account"),
        {"full_name": "Ada\r\nLovelace", "school_urn": "", "job_role": ""},
    )

    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.full_name == "Ada Lovelace"


@pytest.mark.django_db
def test_webinar_registration_refuses_a_name_with_a_line_break(client):
    webinar = WebinarFactory()

    response = client.post(
        reverse("public:event-register", kwargs={"offering_id": webinar.pk}),
        {"name": "Ada\nLovelace", "email": "ada@example.org", "job_role": "class_teacher"},
    )

    assert "There is a problem" in response.content.decode()
    assert MESSAGE in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_the_registration_api_refuses_a_name_with_a_line_break_with_422(client):
    webinar = WebinarFactory()

    response = client.post(
        f"/api/v1/events/{webinar.pk}/registrations",
        {"name": "Ada\r\nBcc: x@example.org", "email": "ada@example.org", "role": "class_teacher"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "reason": MESSAGE}]
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_the_different_hub_form_refuses_a_contact_name_with_a_line_break(client):
    school = SchoolFactory()
    hub = HubFactory()
    HubAreaFactory(hub=hub, local_authority_id=school.la_code)

    response = client.post(
        reverse("public:hub-change-request", kwargs={"urn": school.urn}),
        {
            "requested_hub": hub.pk,
            "contact_name": "Ada\nLovelace",
            "contact_email": "ada@example.org",
            "reason": "We work with them",
        },
    )

    assert MESSAGE in response.content.decode()
    assert not HubChangeRequest.objects.exists()
