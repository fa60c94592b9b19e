"""API v1: the public register, and submissions scoped to the token's person, with no other
assessor's marks before moderation ends."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cpdnet.accounts.services import create_api_token
from cpdnet.accreditation import services
from cpdnet.accreditation.models import Accreditation, AssessmentRole
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    RoleAssignmentFactory,
    TeacherFactory,
    UserFactory,
)

from .conftest import all_met, write_every_section

pytestmark = pytest.mark.django_db
API = "/api/v1/accreditation"


def _bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(user=user)}"}


def _lead(name: str, *, hub, phase="secondary", listed=True, days_left=500):
    today = timezone.localdate()
    return Accreditation.objects.create(
        holder=UserFactory(full_name=name),
        phase=phase,
        hub=hub,
        code=services.new_accreditation_code(),
        accredited_on=today - datetime.timedelta(days=30),
        valid_until=today + datetime.timedelta(days=days_left),
        on_public_register=listed,
    )


def test_the_register_is_public_paginated_and_filtered(client, leeds_hub):
    for n in range(3):
        _lead(f"Ada {n}", hub=leeds_hub)
    _lead("Hidden", hub=leeds_hub, listed=False)
    _lead("Ended", hub=leeds_hub, days_left=-1)
    _lead("Primary", hub=HubFactory(slug="york"), phase="primary")

    page = client.get(f"{API}/register", {"page_size": 2, "page": 2}).json()
    assert page["count"] == 4 and [i["name"] for i in page["items"]] == ["Ada 2", "Primary"]

    leeds = client.get(f"{API}/register", {"hub": "leeds", "phase": "secondary"}).json()
    assert [i["name"] for i in leeds["items"]] == ["Ada 0", "Ada 1", "Ada 2"]
    assert set(leeds["items"][0]) == {
        "name",
        "phase",
        "hub",
        "accredited_on",
        "valid_until",
        "code",
    }
    assert client.get(f"{API}/register", {"network": "maths"}).json()["count"] == 4
    assert client.get(f"{API}/register", {"phase": "nonsense"}).status_code == 422


def test_register_queries_do_not_grow_with_rows(client, leeds_hub):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{API}/register", {"page_size": 100}).status_code == 200
        return len(captured)

    _lead("One", hub=leeds_hub)
    few = queries()
    for n in range(40):
        _lead(f"Lead {n}", hub=HubFactory())
    assert queries() == few


def test_a_register_page_is_served_from_the_cache_until_the_register_changes(client, leeds_hub):
    lead = _lead("Ada Cached", hub=leeds_hub)
    assert client.get(f"{API}/register").json()["count"] == 1

    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"{API}/register").json()["count"] == 1
    assert len(captured) == 0

    # Opting out, a new name and a new lead are each seen on the next request
    lead.on_public_register = False
    lead.save()
    assert client.get(f"{API}/register").json()["count"] == 0
    lead.on_public_register = True
    lead.save()
    lead.holder.full_name = "Ada Renamed"
    lead.holder.save()
    assert [i["name"] for i in client.get(f"{API}/register").json()["items"]] == ["Ada Renamed"]
    _lead("Ben New", hub=leeds_hub)
    assert client.get(f"{API}/register").json()["count"] == 2


def test_submissions_need_a_token_and_a_role(client, submitted):
    assert client.get(f"{API}/submissions").status_code == 401
    response = client.get(f"{API}/submissions", **_bearer(TeacherFactory()))
    assert response.status_code == 403
    assert "Only assessors" in response.json()["detail"]


def test_submissions_are_scoped_to_the_person(
    client, submitted, national, assessor, make_assessor, leeds_hub
):
    services.assign_assessor(submitted, assessor, by=national)
    leeds_staff = RoleAssignmentFactory(role="hub_staff", hub=leeds_hub).user
    york_staff = RoleAssignmentFactory(role="hub_staff", hub=HubFactory()).user
    idle_assessor = make_assessor("idle@example.org")

    def ids(user):
        return [
            item["id"] for item in client.get(f"{API}/submissions", **_bearer(user)).json()["items"]
        ]

    candidacy_id = submitted.candidacy_id
    assert ids(national) == [candidacy_id]
    assert ids(assessor) == [candidacy_id]
    assert ids(leeds_staff) == [candidacy_id]
    assert ids(york_staff) == []
    assert ids(idle_assessor) == []


def test_no_one_sees_another_assessors_marks_before_moderation_ends(
    client, submitted, national, assessor, moderator, settings
):
    settings.ACCREDITATION_MODERATION_SHARE = 1.0
    first = services.assign_assessor(submitted, assessor, by=national)
    services.save_marks(first, marks=all_met(), by=assessor)
    services.recommend(first, recommendation="accredit", summary="Strong", by=assessor)
    second = services.assign_assessor(
        submitted, moderator, by=national, role=AssessmentRole.MODERATION
    )
    services.save_marks(second, marks={"rationale": (False, "Thin")}, by=moderator)

    def seen_by(user):
        [item] = client.get(f"{API}/submissions", **_bearer(user)).json()["items"]
        return {a["role"]: a for a in item["versions"][0]["assessments"]}

    as_moderator = seen_by(moderator)
    assert as_moderator["first"]["marks"] is None
    assert as_moderator["first"]["recommendation"] == ""
    assert as_moderator["moderation"]["marks"][0]["feedback"] in {"Thin", ""}
    assert seen_by(assessor)["moderation"]["marks"] is None
    assert seen_by(national)["first"]["marks"] is None

    services.save_marks(second, marks=all_met(), by=moderator)
    services.recommend(second, recommendation="accredit", summary="Agree", by=moderator)
    assert seen_by(moderator)["first"]["marks"][0]["met"] is True
    assert seen_by(national)["moderation"]["recommendation"] == "accredit"


def test_submissions_pages_do_not_grow_in_queries(
    client, submitted, national, cohort, make_assessor
):
    headers = _bearer(national)
    services.assign_assessor(submitted, make_assessor("first@example.org"), by=national)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{API}/submissions", **headers).status_code == 200
        return len(captured)

    queries()  # the token's first use of the day is recorded once
    few = queries()
    for _ in range(4):
        application = ApplicationFactory(offering=cohort, state="accepted")
        other = services.open_candidacy(application)
        write_every_section(other, application.applicant)
        version = services.submit_evidence(other, by=application.applicant)
        services.assign_assessor(version, make_assessor(f"{other.pk}@example.org"), by=national)
    assert queries() == few
