"""Participants' session pages, .ics downloads and calendar feeds: the join link only inside
the release window and only to participants; outsiders get 404; feeds can be revoked."""

import datetime

import icalendar
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cpdnet.programmes.models import CalendarFeed, Session
from cpdnet.programmes.tests.session_world import make_session_world
from tests.factories import ApplicationFactory, SessionFactory, TeacherFactory

SECRET = "https://meet.example.org/secret-room"
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def world(db, settings):
    settings.JOIN_LINK_RELEASE_MINUTES = 60
    return make_session_world()


def session_url(session) -> str:
    return reverse("public:session", kwargs={"session_id": session.pk})


def start_in(session: Session, delta: datetime.timedelta) -> None:
    start = (timezone.now() + delta).replace(microsecond=0)
    Session.objects.filter(pk=session.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )


class TestSessionPage:
    def test_a_participant_sees_the_time_in_london_and_where_the_link_will_appear(
        self, client, world
    ):
        client.force_login(world.participant)

        response = client.get(session_url(world.session))

        assert response.status_code == 200
        body = response.content.decode()
        opens = timezone.localtime(world.session.starts_at - 60 * MINUTE)
        assert f"The link will appear here from {opens:%H:%M} on" in body
        assert SECRET not in body

    def test_inside_the_release_window_the_participant_sees_the_link(self, client, world):
        start_in(world.session, 30 * MINUTE)
        client.force_login(world.participant)

        response = client.get(session_url(world.session))

        assert SECRET in response.content.decode()

    def test_a_registrant_who_signs_in_sees_the_link_in_the_window(self, client, world):
        from tests.factories import UserFactory

        start_in(world.session, 30 * MINUTE)
        client.force_login(UserFactory(email="rita@school.example.org"))

        response = client.get(session_url(world.session))

        assert SECRET in response.content.decode()

    def test_a_cancelled_session_shows_why_and_no_link(self, client, world):
        start_in(world.session, 30 * MINUTE)
        Session.objects.filter(pk=world.session.pk).update(
            cancelled_at=timezone.now(), cancellation_reason="Snow closed the roads"
        )
        client.force_login(world.participant)

        body = client.get(session_url(world.session)).content.decode()

        assert "Snow closed the roads" in body
        assert SECRET not in body

    def test_after_the_session_the_recording_is_shown_and_the_link_is_not(self, client, world):
        start_in(world.session, -3 * 60 * MINUTE)
        Session.objects.filter(pk=world.session.pk).update(
            recording_url="https://video.example.org/recording"
        )
        client.force_login(world.participant)

        body = client.get(session_url(world.session)).content.decode()

        assert "https://video.example.org/recording" in body
        assert SECRET not in body

    def test_the_recording_is_not_shown_before_the_session_ends(self, client, world):
        start_in(world.session, -30 * MINUTE)
        Session.objects.filter(pk=world.session.pk).update(
            recording_url="https://video.example.org/recording"
        )
        client.force_login(world.participant)

        body = client.get(session_url(world.session)).content.decode()

        assert "https://video.example.org/recording" not in body

    @pytest.mark.parametrize("who", ["other_teacher", "withdrawn", "waitlisted", "hub_staff"])
    def test_people_outside_the_offering_get_404_even_inside_the_window(self, client, world, who):
        start_in(world.session, 30 * MINUTE)
        client.force_login(getattr(world, who))

        response = client.get(session_url(world.session))

        assert response.status_code == 404
        assert SECRET not in response.content.decode()

    def test_a_signed_out_visitor_is_sent_to_sign_in(self, client, world):
        start_in(world.session, 30 * MINUTE)

        response = client.get(session_url(world.session))

        assert response.status_code == 302
        assert reverse("accounts:sign-in") in response["Location"]

    def test_a_missing_session_is_404(self, client, world):
        client.force_login(world.participant)

        assert (
            client.get(reverse("public:session", kwargs={"session_id": 999999})).status_code == 404
        )


class TestMySessions:
    def test_upcoming_and_past_sessions_are_listed_apart(self, client, world):
        past = SessionFactory(
            offering=world.offering,
            title="Session 0",
            starts_at=timezone.now() - datetime.timedelta(days=7),
            ends_at=timezone.now() - datetime.timedelta(days=7) + datetime.timedelta(hours=2),
        )
        SessionFactory(offering=world.other_offering, title="Not yours")
        client.force_login(world.participant)

        upcoming = client.get(reverse("public:my-sessions")).content.decode()
        earlier = client.get(reverse("public:my-sessions") + "?show=past").content.decode()

        assert "Session 1" in upcoming and past.title not in upcoming
        assert past.title in earlier and "Session 1" not in earlier
        assert "Not yours" not in upcoming + earlier
        assert SECRET not in upcoming + earlier

    def test_the_list_never_holds_a_join_link(self, client, world):
        start_in(world.session, 30 * MINUTE)
        client.force_login(world.participant)

        body = client.get(reverse("public:my-sessions")).content.decode()

        assert "Link to join ready" in body
        assert SECRET not in body

    def test_the_account_page_links_to_the_sessions(self, client, world):
        client.force_login(world.participant)

        body = client.get(reverse("accounts:account")).content.decode()

        assert reverse("public:my-sessions") in body
        assert reverse("public:calendar") in body

    @staticmethod
    def _queries(client, sessions: int, offerings: int) -> int:
        teacher = TeacherFactory()
        for _ in range(offerings):
            application = ApplicationFactory(applicant=teacher, state="accepted")
            for _ in range(sessions // offerings):
                SessionFactory(offering=application.offering)
        client.force_login(teacher)
        url = reverse("public:my-sessions")
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert len(response.context["sessions"]) == min(sessions, 20)
        return len(context.captured_queries)

    def test_the_number_of_queries_does_not_grow_with_the_sessions(self, client, world):
        few = self._queries(client, sessions=3, offerings=3)
        many = self._queries(client, sessions=30, offerings=10)

        assert few == many
        assert many <= 6


class TestIcsDownload:
    def test_anyone_may_download_a_session_and_it_holds_no_join_link(self, client, world):
        start_in(world.session, 30 * MINUTE)

        response = client.get(
            reverse("public:session-ics", kwargs={"session_id": world.session.pk})
        )

        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert "attachment" in response["Content-Disposition"]
        assert b"secret-room" not in response.content.replace(b"\r\n ", b"")
        (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
        assert event["UID"] == f"{world.session.uid}@cpdnet"

    def test_a_missing_session_is_404(self, client, world):
        response = client.get(reverse("public:session-ics", kwargs={"session_id": 999999}))

        assert response.status_code == 404


class TestCalendarFeed:
    def make_feed(self, client, user) -> str:
        client.force_login(user)
        response = client.post(reverse("public:calendar"))
        client.logout()
        feed_url = response.context["feed_url"]
        assert feed_url in response.content.decode()
        return feed_url.removeprefix(settings.SITE_URL)

    def test_a_feed_has_every_session_of_the_person_and_no_one_elses(self, client, world):
        second = SessionFactory(offering=world.offering, title="Session 2")
        SessionFactory(offering=world.other_offering, title="Not yours")
        start_in(world.session, 30 * MINUTE)
        url = self.make_feed(client, world.participant)

        response = client.get(url)

        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
        assert {event["SUMMARY"] for event in events} == {"Session 1", second.title}
        assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.content
        assert b"secret-room" not in response.content.replace(b"\r\n ", b"")

    def test_a_cancelled_session_stays_in_the_feed_marked_cancelled(self, client, world):
        Session.objects.filter(pk=world.session.pk).update(cancelled_at=timezone.now())
        url = self.make_feed(client, world.participant)

        (event,) = icalendar.Calendar.from_ical(client.get(url).content).walk("VEVENT")

        assert event["STATUS"] == "CANCELLED"

    def test_a_reset_address_stops_the_old_one(self, client, world):
        old = self.make_feed(client, world.participant)
        new = self.make_feed(client, world.participant)

        assert client.get(old).status_code == 404
        assert client.get(new).status_code == 200

    def test_turning_the_feed_off_stops_it(self, client, world):
        url = self.make_feed(client, world.participant)
        client.force_login(world.participant)

        client.post(reverse("public:calendar-stop"))
        page = client.get(reverse("public:calendar")).content.decode()

        assert client.get(url).status_code == 404
        assert "You have no calendar address in use" in page
        assert CalendarFeed.objects.get(user=world.participant).revoked_at is not None

    def test_a_withdrawn_applicant_s_feed_holds_none_of_the_offering(self, client, world):
        url = self.make_feed(client, world.withdrawn)

        assert icalendar.Calendar.from_ical(client.get(url).content).walk("VEVENT") == []

    def test_an_erased_person_s_feed_stops(self, client, world):
        from cpdnet.accounts.services import erase_person

        url = self.make_feed(client, world.participant)
        erase_person(user=world.participant)

        assert client.get(url).status_code == 404
        assert not CalendarFeed.objects.filter(user=world.participant).exists()

    def test_a_made_up_token_is_404(self, client, world):
        url = reverse("public:calendar-feed", kwargs={"token": "x" * 43})

        assert client.get(url).status_code == 404

    def test_the_address_is_shown_once(self, client, world):
        url = self.make_feed(client, world.participant)
        client.force_login(world.participant)

        page = client.get(reverse("public:calendar")).content.decode()

        assert url not in page
        assert "Reset your calendar address" in page

    def test_the_data_export_mentions_the_feed(self, client, world):
        from cpdnet.accounts.selectors import export_person

        self.make_feed(client, world.participant)

        assert export_person(world.participant)["calendar_feed"]["revoked_at"] is None


class TestCatalogue:
    def test_the_catalogue_page_of_the_offering_never_shows_the_join_link(self, client, world):
        start_in(world.session, 30 * MINUTE)
        client.force_login(world.participant)

        for url in (
            reverse("public:offering", kwargs={"offering_id": world.offering.pk}),
            reverse("public:catalogue"),
        ):
            response = client.get(url)
            assert response.status_code == 200
            assert SECRET not in response.content.decode()
