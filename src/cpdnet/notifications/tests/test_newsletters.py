"""Newsletters: double opt-in, preferences, one-click unsubscribe, batched sending once."""

import datetime
import re
import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from cpdnet.audit.models import AuditEntry
from cpdnet.events.tests.conftest import _on_commit_at_once  # noqa: F401 - autouse fixture
from cpdnet.notifications import newsletters
from cpdnet.notifications.models import NewsletterDelivery, Subscriber
from cpdnet.notifications.tasks import send_newsletter_batch_task
from cpdnet.notifications.tests.factories import AudienceFactory, IssueFactory, SubscriberFactory
from tests.factories import HubFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _link(message, kind: str) -> str:
    return re.search(rf"https?://[^/\s]+(/newsletters/{kind}/[^/\s]+/)", message.body).group(1)


@pytest.fixture
def audiences():
    return {
        "primary": AudienceFactory(name="Primary and early years round-up"),
        "secondary": AudienceFactory(name="Secondary round-up"),
    }


# --- double opt-in ----------------------------------------------------------------------------


def test_subscribing_emails_a_link_and_stores_nothing_until_it_is_used(
    client, audiences, mailoutbox
):
    response = client.post(
        reverse("public:newsletters"),
        {"email": "ada@example.org", "audiences": [audiences["primary"].pk]},
    )

    assert "Check your email" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert mailoutbox[0].to == ["ada@example.org"]
    assert "Primary and early years round-up" in mailoutbox[0].body


def test_someone_who_has_not_confirmed_receives_no_newsletter(client, audiences, mailoutbox):
    client.post(
        reverse("public:newsletters"),
        {"email": "ada@example.org", "audiences": [audiences["primary"].pk]},
    )
    mailoutbox.clear()

    newsletters.send_issue(issue=IssueFactory(audience=audiences["primary"]), by=UserFactory())

    assert mailoutbox == []
    assert not NewsletterDelivery.objects.exists()


def test_the_confirmation_link_asks_first_then_subscribes(client, audiences, mailoutbox):
    newsletters.request_subscription(
        email="Ada@Example.org", audiences=[audiences["primary"], audiences["secondary"]]
    )
    link = _link(mailoutbox[0], "confirm")

    page = client.get(link)
    assert "Confirm subscription" in page.content.decode()
    assert not Subscriber.objects.exists()  # a mail scanner opening the link subscribes nobody

    response = client.post(link)

    assert "You are subscribed" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Ada@Example.org"
    assert set(subscriber.audiences.all()) == set(audiences.values())


def test_confirming_again_adds_audiences_to_the_same_subscriber(audiences, mailoutbox):
    SubscriberFactory(email="ada@example.org", audiences=[audiences["primary"]])
    newsletters.request_subscription(email="ADA@example.org", audiences=[audiences["secondary"]])
    token = _link(mailoutbox[0], "confirm").split("/")[-2]

    newsletters.confirm_subscription(token=token)

    subscriber = Subscriber.objects.get()
    assert set(subscriber.audiences.all()) == set(audiences.values())


def test_an_expired_confirmation_link_subscribes_nobody(client, audiences, mailoutbox, monkeypatch):
    newsletters.request_subscription(email="ada@example.org", audiences=[audiences["primary"]])
    link = _link(mailoutbox[0], "confirm")
    later = time.time() + datetime.timedelta(days=newsletters.CONFIRM_DAYS + 1).total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = client.post(link)

    assert response.status_code == 404
    assert "expired" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_the_form_cannot_flood_an_inbox(audiences, mailoutbox):
    for _ in range(3):
        newsletters.request_subscription(email="ada@example.org", audiences=[audiences["primary"]])

    assert len(mailoutbox) == 1


def test_the_form_needs_an_email_and_a_newsletter(client, audiences):
    response = client.post(reverse("public:newsletters"), {"email": "nope"})

    text = response.content.decode()
    assert "There is a problem" in text
    assert "Enter an email address in the correct format" in text
    assert "Choose at least one newsletter" in text


# --- sending ---------------------------------------------------------------------------------


def test_sending_emails_each_subscriber_of_the_audience_once_with_unsubscribe_headers(
    audiences, mailoutbox
):
    # Given two primary subscribers and one secondary
    readers = [SubscriberFactory(audiences=[audiences["primary"]]) for _ in range(2)]
    SubscriberFactory(audiences=[audiences["secondary"]])
    issue = IssueFactory(audience=audiences["primary"])

    # When the issue is sent
    newsletters.send_issue(issue=issue, by=UserFactory())

    # Then each primary subscriber got it once, with the RFC 8058 headers and a footer link
    assert sorted(message.to[0] for message in mailoutbox) == sorted(r.email for r in readers)
    message = mailoutbox[0]
    assert message.subject == "Spring round-up"
    assert re.fullmatch(
        r"<https?://\S+/newsletters/unsubscribe/\S+/>", message.extra_headers["List-Unsubscribe"]
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _link(message, "unsubscribe") in message.extra_headers["List-Unsubscribe"]
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in message.message().as_string()
    assert NewsletterDelivery.objects.filter(sent_at__isnull=False).count() == 2
    assert AuditEntry.objects.filter(action="notifications.issue.sent").count() == 1


def test_batches_run_twice_send_each_subscriber_once(audiences, mailoutbox, settings):
    # Given 5 subscribers and batches of 2
    settings.NEWSLETTER_BATCH_SIZE = 2
    readers = [SubscriberFactory(audiences=[audiences["primary"]]) for _ in range(5)]
    issue = newsletters.send_issue(issue=IssueFactory(audience=audiences["primary"]), by=None)
    assert (issue.recipient_count, issue.batch_count) == (5, 3)

    # When every batch task runs again (a retry, or a second worker)
    for batch in range(3):
        send_newsletter_batch_task.call(issue.pk, batch)

    # Then each subscriber still got exactly one email
    assert sorted(message.to[0] for message in mailoutbox) == sorted(r.email for r in readers)
    batches = NewsletterDelivery.objects.values_list("batch", flat=True).order_by("batch")
    assert list(batches) == [0, 0, 1, 1, 2]


def test_a_failed_email_is_left_for_the_retry(audiences, mailoutbox, monkeypatch):
    readers = [SubscriberFactory(audiences=[audiences["primary"]]) for _ in range(2)]
    issue = IssueFactory(audience=audiences["primary"])
    issue = newsletters.send_issue(issue=issue, by=None, batch_size=10)
    NewsletterDelivery.objects.update(sent_at=None)
    mailoutbox.clear()
    calls = []

    def failing_send(self, fail_silently=False):
        calls.append(self.to[0])
        if len(calls) == 2:
            raise OSError("SMTP server went away")
        return original(self, fail_silently)

    from django.core.mail import EmailMessage

    original = EmailMessage.send
    monkeypatch.setattr(EmailMessage, "send", failing_send)
    with pytest.raises(OSError):
        newsletters.send_newsletter_batch(issue_id=issue.pk, batch=0)
    monkeypatch.setattr(EmailMessage, "send", original)
    newsletters.send_newsletter_batch(issue_id=issue.pk, batch=0)

    assert sorted(message.to[0] for message in mailoutbox) == sorted(r.email for r in readers)


def test_an_issue_is_sent_only_once(audiences):
    issue = IssueFactory(audience=audiences["primary"])
    newsletters.send_issue(issue=issue, by=None)

    with pytest.raises(newsletters.NewsletterError) as refused:
        newsletters.send_issue(issue=issue, by=None)

    assert refused.value.code == "already_sent"


# --- leaving ---------------------------------------------------------------------------------


def _sent_to(subscriber, audience, mailoutbox):
    newsletters.send_issue(issue=IssueFactory(audience=audience), by=None)
    return next(message for message in mailoutbox if message.to == [subscriber.email])


def test_the_unsubscribe_link_shows_a_page_then_unsubscribes_on_post(client, audiences, mailoutbox):
    reader = SubscriberFactory(audiences=[audiences["primary"], audiences["secondary"]])
    link = _link(_sent_to(reader, audiences["primary"], mailoutbox), "unsubscribe")

    page = client.get(link)
    assert "Unsubscribe from Primary and early years round-up" in page.content.decode()
    assert reader.audiences.count() == 2

    response = client.post(link)

    assert "You will receive no more Primary and early years round-up" in response.content.decode()
    assert list(reader.audiences.all()) == [audiences["secondary"]]


def test_one_click_unsubscribe_works_without_a_csrf_token_and_forgets_the_address(
    audiences, mailoutbox
):
    reader = SubscriberFactory(audiences=[audiences["primary"]])
    message = _sent_to(reader, audiences["primary"], mailoutbox)
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert not Subscriber.objects.filter(pk=reader.pk).exists()
    assert not NewsletterDelivery.objects.filter(subscriber_id=reader.pk).exists()


def test_a_forged_unsubscribe_link_changes_nothing(client, audiences, mailoutbox):
    reader = SubscriberFactory(audiences=[audiences["primary"]])
    other = SubscriberFactory(audiences=[audiences["primary"]])
    link = _link(_sent_to(reader, audiences["primary"], mailoutbox), "unsubscribe")
    token = link.split("/")[-2]
    payload, signature = token.rsplit(":", 1)
    forged_token = newsletters.unsubscribe_token(other, audiences["primary"]).rsplit(":", 1)[0]

    response = client.post(
        reverse("public:newsletter-unsubscribe", kwargs={"token": f"{forged_token}:{signature}"})
    )

    assert response.status_code == 404
    assert other.audiences.count() == 1 and reader.audiences.count() == 1


def test_the_preferences_page_changes_audiences_and_none_left_deletes(
    client, audiences, mailoutbox
):
    reader = SubscriberFactory(audiences=[audiences["primary"]])
    message = _sent_to(reader, audiences["primary"], mailoutbox)
    link = _link(message, "preferences")

    assert "Your newsletters" in client.get(link).content.decode()
    client.post(link, {"audiences": [audiences["secondary"].pk]})
    assert list(reader.audiences.all()) == [audiences["secondary"]]

    response = client.post(link, {})

    assert "we have deleted your address" in response.content.decode()
    assert not Subscriber.objects.filter(pk=reader.pk).exists()


# --- staff -----------------------------------------------------------------------------------


def test_national_staff_write_preview_and_send_an_issue(client, audiences, mailoutbox):
    reader = SubscriberFactory(audiences=[audiences["secondary"]])
    client.force_login(RoleAssignmentFactory(role="national_staff").user)

    response = client.post(
        reverse("backoffice:newsletter-issue-new"),
        {"audience": audiences["secondary"].pk, "subject": "News", "body": "Hello\r\n\r\nBye"},
    )
    preview = client.get(response["Location"])
    assert (
        "Hello" in preview.content.decode() and "Send to 1 subscriber" in preview.content.decode()
    )
    issue_id = int(response["Location"].rstrip("/").split("/")[-1])
    client.post(reverse("backoffice:newsletter-issue-send", kwargs={"issue_id": issue_id}))

    assert [message.to for message in mailoutbox] == [[reader.email]]
    assert mailoutbox[0].body.startswith("Hello\n\nBye")


def test_national_staff_add_an_audience_and_a_duplicate_slug_is_refused(client):
    client.force_login(RoleAssignmentFactory(role="national_staff").user)
    form = {
        "name": "Secondary round-up",
        "slug": "secondary",
        "display_order": "1",
        "is_active": "on",
    }

    client.post(reverse("backoffice:newsletter-audience-new"), form)
    again = client.post(reverse("backoffice:newsletter-audience-new"), form)

    assert "There is a problem" in again.content.decode()
    assert Subscriber.objects.count() == 0
    from cpdnet.notifications.models import Audience

    assert Audience.objects.filter(slug="secondary").count() == 1


@pytest.mark.parametrize("name", ["backoffice:newsletters", "backoffice:newsletter-issue-new"])
def test_hub_staff_and_teachers_cannot_reach_the_newsletters_back_office(client, name):
    client.force_login(RoleAssignmentFactory(role="hub_staff", hub=HubFactory()).user)

    assert client.get(reverse(name)).status_code == 403


def test_a_visitor_is_sent_to_sign_in_from_the_newsletters_back_office(client):
    response = client.get(reverse("backoffice:newsletters"))

    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_the_newsletters_back_office_costs_the_same_queries_for_3_or_30_issues(
    client, django_assert_max_num_queries
):
    client.force_login(RoleAssignmentFactory(role="national_staff").user)
    for count in (3, 30):
        audience = AudienceFactory()
        for _ in range(count):
            IssueFactory(audience=audience)
        with django_assert_max_num_queries(8):
            assert client.get(reverse("backoffice:newsletters")).status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_a_sent_issue_lists_its_recipients_in_the_same_queries_for_3_or_30(
    client, audiences, count, django_assert_max_num_queries
):
    readers = [SubscriberFactory(audiences=[audiences["primary"]]) for _ in range(count)]
    issue = newsletters.send_issue(issue=IssueFactory(audience=audiences["primary"]), by=None)
    client.force_login(RoleAssignmentFactory(role="national_staff").user)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("backoffice:newsletter-issue", kwargs={"issue_id": issue.pk}))

    text = response.content.decode()
    assert all(reader.email in text for reader in readers)
    assert f"{count} of {count} emails gone" in text
