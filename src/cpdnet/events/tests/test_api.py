"""POST /api/v1/events/{id}/registrations: public, 201 / 409 / 422 / 404 with reasons."""

import pytest

from cpdnet.events.models import Registration
from cpdnet.events.tests.factories import RegistrationFactory, WebinarFactory
from tests.factories import OfferingFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def _post(client, offering_id, **body):
    payload = {"name": "Ada Lovelace", "email": "ada@example.org", "role": "class_teacher"}
    payload.update(body)
    return client.post(
        f"/api/v1/events/{offering_id}/registrations", payload, content_type="application/json"
    )


def test_registering_answers_201_confirmed_then_waitlisted(client, mailoutbox):
    webinar = WebinarFactory(capacity=1)
    school = SchoolFactory()

    first = _post(client, webinar.pk, urn=school.urn)
    second = _post(client, webinar.pk, email="grace@example.org", urn=None)

    assert (first.status_code, first.json()) == (201, {"status": "confirmed"})
    assert (second.status_code, second.json()) == (201, {"status": "waitlisted"})
    assert Registration.objects.get(email="ada@example.org").school == school
    assert len(mailoutbox) == 2


def test_a_second_registration_of_the_same_email_answers_409(client):
    webinar = WebinarFactory()
    RegistrationFactory(offering=webinar, email="ada@example.org")

    response = _post(client, webinar.pk, email="Ada@Example.ORG")

    assert response.status_code == 409
    assert response.json()["code"] == "already_registered"
    assert "already registered" in response.json()["detail"]
    assert Registration.objects.count() == 1


def test_bad_fields_answer_422_with_a_reason_for_each(client):
    webinar = WebinarFactory()

    response = _post(client, webinar.pk, name="  ", email="nope", role="astronaut", urn=999999)

    assert response.status_code == 422
    reasons = {error["field"]: error["reason"] for error in response.json()["errors"]}
    assert set(reasons) == {"name", "email", "role", "urn"}
    assert "999999" in reasons["urn"]
    assert "class_teacher" in reasons["role"]
    assert response.json()["detail"]
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    "body", [{"email": None}, {"urn": "abc"}, {"urn": 10**12}], ids=["null", "text", "huge"]
)
def test_malformed_json_answers_422_with_a_detail(client, body):
    response = _post(client, WebinarFactory().pk, **body)

    assert response.status_code == 422
    assert response.json()["detail"]


def test_an_unknown_or_non_webinar_offering_answers_404(client):
    unknown = _post(client, 999_999)
    work_group = _post(client, OfferingFactory().pk)

    assert unknown.status_code == work_group.status_code == 404
    assert "No webinar" in unknown.json()["detail"]
    assert not Registration.objects.exists()


def test_a_closed_webinar_answers_409_closed(client):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    webinar = WebinarFactory(
        applications_open_at=now - datetime.timedelta(days=9),
        applications_close_at=now - datetime.timedelta(days=1),
    )

    response = _post(client, webinar.pk)

    assert (response.status_code, response.json()["code"]) == (409, "closed")
