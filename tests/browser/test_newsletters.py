"""Newsletters in a real browser: subscribe, confirm from the email, choose, unsubscribe; staff
write and send an issue. axe-core checks every page."""

import re

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from cpdnet.notifications.models import Subscriber
from cpdnet.notifications.tests.factories import AudienceFactory, SubscriberFactory
from tests.factories import RoleAssignmentFactory

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def audiences(transactional_db):
    return [
        AudienceFactory(
            name="Primary and early years round-up",
            description="For teachers from nursery to Year 6.",
        ),
        AudienceFactory(name="Secondary round-up"),
    ]


def _link(message, kind: str) -> str:
    return re.search(rf"https?://[^/\s]+(/newsletters/{kind}/[^/\s]+/)", message.body).group(1)


def test_a_subscriber_confirms_from_the_email_and_unsubscribes(page, live_server, audiences):
    # Subscribe from the footer's link
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Subscribe to our newsletters").click()
    assert_accessible(page)
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose at least one newsletter")
    assert_accessible(page)
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Primary and early years round-up").check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)
    assert not Subscriber.objects.exists()

    # Confirm from the emailed link
    page.goto(live_server.url + _link(mail.outbox[-1], "confirm"))
    assert_accessible(page)
    page.get_by_role("button", name="Confirm subscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    assert_accessible(page)
    subscriber = Subscriber.objects.get(email="ada@example.org")

    # Choose audiences from the preferences page
    page.get_by_role("link", name="Choose which newsletters you receive").click()
    assert_accessible(page)
    page.get_by_label("Secondary round-up").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("alert")).to_contain_text("Your choices are saved")
    assert subscriber.audiences.count() == 2

    # Unsubscribe from one newsletter's link
    from cpdnet.notifications.newsletters import unsubscribe_url

    page.goto(unsubscribe_url(subscriber, audiences[0]).replace(settings.SITE_URL, live_server.url))
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have unsubscribed")
    assert_accessible(page)
    assert list(subscriber.audiences.all()) == [audiences[1]]


def test_national_staff_write_preview_and_send_a_newsletter(page, live_server, audiences):
    SubscriberFactory(email="reader@example.org", audiences=[audiences[1]])
    sign_in(page, live_server, RoleAssignmentFactory(role="national_staff").user)

    page.goto(live_server.url + "/backoffice/newsletters/")
    assert_accessible(page)
    page.get_by_role("button", name="Write a newsletter").click()
    page.get_by_label("Send to").select_option(label="Secondary round-up")
    page.get_by_label("Subject").fill("Spring round-up")
    page.get_by_label("Newsletter text").fill("New Work Groups are open.")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring round-up")
    assert_accessible(page)
    page.get_by_role("button", name="Send to 1 subscriber").click()
    expect(page.get_by_role("alert")).to_contain_text("Sending to 1 subscribers in 1 batches")
    expect(page.get_by_role("cell", name="reader@example.org")).to_be_visible()
    assert_accessible(page)
    assert [message.to for message in mail.outbox] == [["reader@example.org"]]
