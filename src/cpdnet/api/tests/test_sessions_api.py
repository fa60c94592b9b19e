"""API v1: an offering's sessions, public, with UK times and an .ics per session, and never
the join link."""

import datetime

import pytest
from django.urls import reverse

from cpdnet.programmes.calendar import london_time
from cpdnet.programmes.tests.session_world import make_session_world
from tests.factories import SessionFactory

API = "/api/v1"


@pytest.fixture
def world(db):
    return make_session_world()


def test_an_offering_s_sessions_are_listed_first_first_with_offsets(client, world):
    SessionFactory(
        offering=world.offering,
        starts_at=london_time(datetime.date(2026, 10, 23), datetime.time(16)),
        ends_at=london_time(datetime.date(2026, 10, 23), datetime.time(18)),
    )
    SessionFactory(
        offering=world.offering,
        starts_at=london_time(datetime.date(2026, 10, 26), datetime.time(16)),
        ends_at=london_time(datetime.date(2026, 10, 26), datetime.time(18)),
    )

    response = client.get(f"{API}/offerings/{world.offering.pk}/sessions")

    assert response.status_code == 200
    items = response.json()
    assert [item["starts_at"] for item in items[:2]] == [
        "2026-10-23T16:00:00+01:00",
        "2026-10-26T16:00:00+00:00",
    ]
    assert items[0]["ends_at"] == "2026-10-23T18:00:00+01:00"
    assert set(items[0]) >= {"id", "starts_at", "ends_at", "mode", "ics_url"}
    assert items[0]["ics_url"] == "http://testserver" + reverse(
        "public:session-ics", kwargs={"session_id": items[0]["id"]}
    )


def test_the_join_link_and_the_recording_are_never_in_the_answer(client, world):
    world.session.recording_url = "https://video.example.org/recording"
    world.session.save()

    response = client.get(f"{API}/offerings/{world.offering.pk}/sessions")

    assert "secret-room" not in response.content.decode()
    assert "video.example.org" not in response.content.decode()
    assert "join_url" not in response.json()[0]


def test_an_unknown_offering_is_404_with_a_reason(client, world):
    response = client.get(f"{API}/offerings/999999/sessions")

    assert response.status_code == 404
    assert response.json()["detail"] == "No offering has the id 999999."


def test_a_bad_offering_id_is_422(client, world):
    response = client.get(f"{API}/offerings/0/sessions")

    assert response.status_code == 422
    assert "detail" in response.json()


def test_the_ics_url_works_without_signing_in(client, world):
    (item,) = client.get(f"{API}/offerings/{world.offering.pk}/sessions").json()

    response = client.get(item["ics_url"])

    assert response.status_code == 200
    assert b"BEGIN:VEVENT" in response.content
