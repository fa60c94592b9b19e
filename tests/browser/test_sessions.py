"""A participant sees a session's join link only inside its release window; the session,
calendar and planning pages pass axe-core."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cpdnet.programmes.models import Session
from cpdnet.programmes.tests.session_world import make_session_world
from cpdnet.schools.services import load_local_authorities
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOON_LINK = "https://meet.example.org/secret-room"
LATER_LINK = "https://meet.example.org/later-room"


@pytest.fixture(autouse=True)
def _no_emails(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
    }


@pytest.fixture
def world(transactional_db, settings):
    """One session starting in 30 minutes (inside the hour's window), one in three days."""
    settings.JOIN_LINK_RELEASE_MINUTES = 60
    load_local_authorities()  # transactional tests empty the tables the migration filled
    start = (timezone.now() + datetime.timedelta(minutes=30)).replace(second=0, microsecond=0)
    world = make_session_world(starts_at=start)
    later = start + datetime.timedelta(days=3)
    world.later = SessionFactory(
        offering=world.offering,
        title="Session 2",
        starts_at=later,
        ends_at=later + datetime.timedelta(hours=2),
        join_url=LATER_LINK,
    )
    return world


def test_a_participant_sees_the_link_only_inside_the_release_window(page, live_server, world):
    sign_in(page, live_server, world.participant)

    page.goto(f"{live_server.url}/account/")
    page.locator("#main-content").get_by_role("link", name="Your sessions", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your sessions")
    expect(page.get_by_text("Link to join ready")).to_have_count(1)
    assert SOON_LINK not in page.content()
    assert_accessible(page)

    # The session starting soon shows its link
    page.get_by_role("link", name="Session 1").click()
    expect(page.get_by_role("link", name="Join the session")).to_have_attribute("href", SOON_LINK)
    assert_accessible(page)

    # The later one says when the link will appear, and does not show it
    page.goto(f"{live_server.url}/my/sessions/")
    page.get_by_role("link", name="Session 2").click()
    opens = timezone.localtime(world.later.starts_at - datetime.timedelta(hours=1))
    expect(page.locator("#join-link")).to_contain_text(
        f"The link will appear here from {opens:%H:%M} on"
    )
    expect(page.get_by_role("link", name="Join the session")).to_have_count(0)
    assert LATER_LINK not in page.content()
    assert_accessible(page)

    # and the participant makes a calendar address
    page.get_by_role("link", name="Get all your sessions in your calendar").click()
    assert_accessible(page)
    page.get_by_role("button", name="Make your calendar address").click()
    feed_url = page.get_by_label("Calendar address").input_value()
    assert "/calendar/" in feed_url
    assert_accessible(page)


def test_someone_outside_the_offering_never_sees_the_link(page, live_server, world):
    sign_in(page, live_server, world.withdrawn)

    response = page.goto(f"{live_server.url}/my/sessions/{world.session.pk}/")

    assert response.status == 404
    assert SOON_LINK not in page.content()
    page.goto(f"{live_server.url}/my/sessions/")
    expect(page.get_by_text("You have no sessions to come.")).to_be_visible()


def test_the_facilitator_plans_a_session_with_plain_english_errors(page, live_server, world):
    sign_in(page, live_server, world.facilitator)

    page.goto(f"{live_server.url}/backoffice/offerings/{world.offering.pk}/sessions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sessions")
    assert_accessible(page)
    page.get_by_role("link", name="Add a session").click()
    page.get_by_label("Date").fill("2026-10-26")
    page.get_by_label("Start time").fill("16:00")
    page.get_by_label("End time").fill("15:00")
    page.get_by_role("button", name="Add session").click()
    expect(page.get_by_text("The end time must be after the start time").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("End time").fill("18:00")
    page.get_by_role("button", name="Add session").click()
    expect(page.get_by_text("Session added on 26 October 2026.")).to_be_visible()
    added = Session.objects.get(starts_at=datetime.datetime(2026, 10, 26, 16, tzinfo=datetime.UTC))
    assert added.offering == world.offering
    assert_accessible(page)

    page.get_by_role(
        "link", name=f"Cancel the session on {timezone.localtime(world.later.starts_at):%-d %B %Y}"
    ).click()
    assert_accessible(page)
