"""Planning sessions in the back office: who may, UK times across the clock change, plain
English errors, changes and cancellations emailed and audited."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from cpdnet.audit.models import AuditEntry
from cpdnet.backoffice.sessions.forms import parse_time
from cpdnet.programmes.models import Session
from cpdnet.programmes.tests.session_world import make_session_world

SECRET = "https://meet.example.org/secret-room"
UTC = datetime.UTC


@pytest.fixture
def world(db):
    return make_session_world()


def sessions_url(world) -> str:
    return reverse("backoffice:offering-sessions", kwargs={"offering_id": world.offering.pk})


def new_url(world) -> str:
    return reverse("backoffice:session-new", kwargs={"offering_id": world.offering.pk})


def edit_url(world, name: str = "session-edit") -> str:
    return reverse(
        f"backoffice:{name}",
        kwargs={"offering_id": world.offering.pk, "session_id": world.session.pk},
    )


def form(**changes) -> dict:
    return {
        "title": "Session 2",
        "day": "2026-10-26",
        "starts": "16:00",
        "ends": "18:00",
        "mode": "online",
        "venue": "",
        "join_url": "https://meet.example.org/room-2",
        "recording_url": "",
        **changes,
    }


class TestWhoMayPlan:
    @pytest.mark.parametrize("who", ["facilitator", "hub_staff", "national"])
    def test_whoever_runs_the_offering_sees_its_sessions_with_the_link(self, client, world, who):
        client.force_login(getattr(world, who))

        response = client.get(sessions_url(world))

        assert response.status_code == 200
        assert SECRET in response.content.decode()

    @pytest.mark.parametrize("who", ["other_hub_staff", "participant", "other_teacher"])
    def test_anyone_else_gets_404_on_every_page(self, client, world, who):
        client.force_login(getattr(world, who))

        for url in (
            sessions_url(world),
            new_url(world),
            edit_url(world),
            edit_url(world, "session-cancel"),
        ):
            assert client.get(url).status_code == 404
        assert client.post(edit_url(world, "session-cancel"), {"reason": "x"}).status_code == 404
        world.session.refresh_from_db()
        assert not world.session.is_cancelled

    def test_a_signed_out_visitor_is_sent_to_sign_in(self, client, world):
        response = client.get(sessions_url(world))

        assert response.status_code == 302

    def test_a_session_of_another_offering_is_404_under_this_one(self, client, world):
        from tests.factories import SessionFactory

        other = SessionFactory(offering=world.other_offering)
        client.force_login(world.facilitator)

        url = reverse(
            "backoffice:session-edit",
            kwargs={"offering_id": world.offering.pk, "session_id": other.pk},
        )
        assert client.get(url).status_code == 404


class TestAdd:
    def test_times_are_read_as_uk_time_after_the_clock_change(self, client, world):
        client.force_login(world.facilitator)

        response = client.post(new_url(world), form())

        assert response.status_code == 302
        session = Session.objects.get(title="Session 2")
        assert session.starts_at == datetime.datetime(2026, 10, 26, 16, 0, tzinfo=UTC)
        assert session.ends_at == datetime.datetime(2026, 10, 26, 18, 0, tzinfo=UTC)
        assert AuditEntry.objects.filter(
            action="programmes.session.created", actor=world.facilitator
        ).exists()

    @pytest.mark.parametrize("typed", ["4pm", "4 PM", "16:00", "16.00", "1600", "4.00 p.m."])
    def test_times_are_accepted_as_people_type_them(self, client, world, typed):
        client.force_login(world.hub_staff)

        client.post(new_url(world), form(starts=typed, ends="6.30pm"))

        session = Session.objects.get(title="Session 2")
        assert session.starts_at == datetime.datetime(2026, 10, 26, 16, 0, tzinfo=UTC)
        assert session.ends_at == datetime.datetime(2026, 10, 26, 18, 30, tzinfo=UTC)

    def test_times_are_read_as_uk_summer_time_before_the_clock_change(self, client, world):
        client.force_login(world.hub_staff)

        client.post(new_url(world), form(day="2026-10-23"))

        session = Session.objects.get(title="Session 2")
        assert session.starts_at == datetime.datetime(2026, 10, 23, 15, 0, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"day": ""}, "Enter the date of the session"),
            ({"starts": "4"}, "Enter the start time as a time, like 4pm, 4.30pm or 16:00"),
            ({"starts": "13pm"}, "Enter the start time as a time, like 4pm, 4.30pm or 16:00"),
            ({"ends": "15:00"}, "The end time must be after the start time"),
            ({"mode": "face_to_face"}, "Enter the venue of a face-to-face or blended session"),
            ({"join_url": "http://meet.example.org/x"}, "Enter a secure web address"),
            ({"join_url": "not a link at all"}, "Enter a full web address"),
            ({"day": "2026-10-25", "starts": "01:30"}, "The clocks change at this time"),
        ],
    )
    def test_bad_input_is_explained_and_changes_nothing(self, client, world, changes, message):
        client.force_login(world.facilitator)

        response = client.post(new_url(world), form(**changes))

        assert response.status_code == 200
        body = response.content.decode()
        assert "There is a problem" in body
        assert message in body
        assert not Session.objects.filter(title="Session 2").exists()


class TestChangeAndCancel:
    def test_a_change_of_time_is_saved_and_emailed(
        self, client, world, django_capture_on_commit_callbacks
    ):
        client.force_login(world.hub_staff)
        start = world.session.starts_at.astimezone(datetime.UTC)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                edit_url(world),
                form(
                    title="Session 1",
                    day=f"{start + datetime.timedelta(days=1):%Y-%m-%d}",
                    starts="10:00",
                    ends="12:00",
                    join_url=SECRET,
                ),
            )

        assert response.status_code == 302
        world.session.refresh_from_db()
        assert world.session.sequence == 1
        assert {message.to[0] for message in mail.outbox} == world.participant_emails

    def test_cancelling_asks_for_a_reason(self, client, world):
        client.force_login(world.facilitator)

        response = client.post(edit_url(world, "session-cancel"), {"reason": ""})

        assert "Enter why the session is cancelled" in response.content.decode()
        world.session.refresh_from_db()
        assert not world.session.is_cancelled

    def test_cancelling_marks_the_session_and_tells_participants(
        self, client, world, django_capture_on_commit_callbacks
    ):
        client.force_login(world.facilitator)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(edit_url(world, "session-cancel"), {"reason": "Snow"})

        assert response.status_code == 302
        world.session.refresh_from_db()
        assert world.session.is_cancelled
        assert {message.to[0] for message in mail.outbox} == world.participant_emails
        page = client.get(sessions_url(world)).content.decode()
        assert "Cancelled" in page

    def test_a_cancelled_session_cannot_be_edited(self, client, world):
        from django.utils import timezone

        Session.objects.filter(pk=world.session.pk).update(cancelled_at=timezone.now())
        client.force_login(world.facilitator)

        response = client.post(edit_url(world), form())

        assert response.status_code == 302
        assert not Session.objects.filter(title="Session 2").exists()

    def test_the_hub_dashboard_links_to_the_sessions(self, client, world):
        client.force_login(world.hub_staff)

        body = client.get(
            reverse("backoffice:hub"), {"year": world.offering.academic_year}
        ).content.decode()

        assert sessions_url(world) in body


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12pm", datetime.time(12)),
        ("12am", datetime.time(0)),
        ("noon", datetime.time(12)),
        ("9.15am", datetime.time(9, 15)),
        ("0930", datetime.time(9, 30)),
        ("24:00", None),
        ("4:75pm", None),
        ("four", None),
    ],
)
def test_parse_time_reads_the_clock_as_people_write_it(typed, expected):
    assert parse_time(typed) == expected
