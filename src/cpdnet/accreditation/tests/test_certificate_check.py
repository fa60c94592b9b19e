"""Accreditation codes are checked on the existing certificates page."""

import datetime

import pytest
from django.utils import timezone

from cpdnet.accreditation import services
from cpdnet.accreditation.models import Accreditation

pytestmark = pytest.mark.django_db


@pytest.fixture
def accreditation(candidate, leeds_hub):
    return Accreditation.objects.create(
        holder=candidate,
        phase="secondary",
        hub=leeds_hub,
        code=services.new_accreditation_code(),
        accredited_on=datetime.date(2026, 7, 1),
        valid_until=timezone.localdate() + datetime.timedelta(days=400),
    )


def test_a_typed_code_is_tidied_and_shows_the_holder(client, accreditation):
    typed = accreditation.code.lower().replace("-", " ")

    response = client.get("/certificates/", {"code": typed}, follow=True)

    assert response.redirect_chain[-1][0] == f"/certificates/{accreditation.code}/"
    body = response.content.decode()
    assert "This is a valid PD Lead accreditation" in body
    assert "Cara Candidate" in body and "Secondary" in body and "Leeds Maths Hub" in body


def test_a_lapsed_accreditation_says_so(client, accreditation):
    accreditation.lapsed_at = timezone.now()
    accreditation.save()
    body = client.get(f"/certificates/{accreditation.code}/").content.decode()
    assert "This accreditation has lapsed" in body


def test_a_withdrawn_accreditation_names_no_one(client, accreditation):
    accreditation.withdrawn_at = timezone.now()
    accreditation.save()
    body = client.get(f"/certificates/{accreditation.code}/").content.decode()
    assert "This accreditation was withdrawn" in body and "Cara Candidate" not in body


def test_an_unknown_accreditation_code_is_a_404(client):
    response = client.get("/certificates/PDL-ABCD-EFGH-JKLM/")
    assert response.status_code == 404
