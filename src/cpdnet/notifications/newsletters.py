"""Newsletters: double opt-in subscription, preferences and one-click unsubscribe from signed
links, and issues sent through the task queue in batches, each recipient once.

Nothing is stored about a person until they use the link in the confirmation email: the link
itself carries the address and the audiences they chose. Sending an issue plans one delivery
row per confirmed subscriber (unique per issue and subscriber) and enqueues one task per batch;
a batch task claims each delivery before sending its email, so a batch run twice, or two
workers on the same batch, send each email once.
"""

import datetime
import hashlib
import logging
from email.utils import formataddr
from smtplib import SMTPException

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cpdnet.audit.services import record

from .models import Audience, NewsletterDelivery, NewsletterIssue, SentEmail, Subscriber
from .outbox import owe_email
from .services import one_line, send_once

logger = logging.getLogger(__name__)

CONFIRM_SALT = "cpdnet.newsletters.confirm"
PREFERENCES_SALT = "cpdnet.newsletters.preferences"
UNSUBSCRIBE_SALT = "cpdnet.newsletters.unsubscribe"
CONFIRM_DAYS = 7


class NewsletterError(Exception):
    """A newsletter action that cannot be carried out, with a reason for the person."""

    def __init__(self, reason: str, *, code: str = "not_allowed"):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _url(name: str, token: str) -> str:
    return settings.SITE_URL + reverse(name, kwargs={"token": token})


# --- reads -------------------------------------------------------------------------------------


def list_active_audiences() -> QuerySet[Audience]:
    return Audience.objects.filter(is_active=True)


def list_audiences_with_counts() -> QuerySet[Audience]:
    """Every audience with its number of subscribers, counted in the database."""
    return Audience.objects.annotate(subscriber_count=Count("subscribers"))


def list_issues() -> QuerySet[NewsletterIssue]:
    return NewsletterIssue.objects.select_related("audience", "created_by", "sent_by")


def get_subscriber_by_email(email: str) -> Subscriber | None:
    return (
        Subscriber.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower=email.strip().lower())
        .first()
    )


# --- subscribing -------------------------------------------------------------------------------


def request_subscription(*, email: str, audiences: list[Audience]) -> None:
    """Email a link that confirms the subscription; nothing is stored until it is used.

    Sent here, not by a task or the outbox, so that the address of someone who never confirms
    does not rest in a table (docs/privacy.md); no state changes, so no email is owed."""
    audience_ids = sorted(audience.pk for audience in audiences)
    try:
        send_subscription_confirmation(email=email.strip(), audience_ids=audience_ids)
    except (SMTPException, OSError):
        # The page says the same either way; the person can ask again.
        logger.exception("Could not send a newsletter confirmation email")


def send_subscription_confirmation(*, email: str, audience_ids: list[int]) -> bool:
    """Send the confirmation link; at most once a day per address and choice of audiences, so
    that the form cannot be used to flood someone's inbox."""
    audiences = list(Audience.objects.filter(pk__in=audience_ids, is_active=True))
    if not audiences:
        return False
    token = signing.dumps(
        {"email": email, "audiences": [audience.pk for audience in audiences]}, salt=CONFIRM_SALT
    )
    digest = hashlib.sha256(email.lower().encode()).hexdigest()[:24]
    chosen = "-".join(str(audience.pk) for audience in audiences)[:40]
    return send_once(
        key=f"newsletter-confirm:{digest}:{timezone.localdate():%Y%m%d}:{chosen}",
        to=email,
        subject=_("Confirm your newsletter subscription"),
        body=render_to_string(
            "notifications/newsletter_confirm.txt",
            {
                "audiences": audiences,
                "confirm_url": _url("public:newsletter-confirm", token),
                "days": CONFIRM_DAYS,
            },
        ),
    )


def read_confirmation_token(token: str) -> tuple[str, list[Audience]]:
    """Return the address and audiences a confirmation link is for, or raise NewsletterError."""
    try:
        payload = signing.loads(
            token, salt=CONFIRM_SALT, max_age=datetime.timedelta(days=CONFIRM_DAYS)
        )
        email, audience_ids = payload["email"], list(payload["audiences"])
    except signing.SignatureExpired:
        raise NewsletterError(
            _("This link has expired. Subscribe again to get a new one."), code="link_expired"
        ) from None
    except (signing.BadSignature, KeyError, TypeError):
        raise NewsletterError(_("This link is not valid."), code="link_invalid") from None
    return email, list(list_active_audiences().filter(pk__in=audience_ids))


def confirm_subscription(*, token: str) -> Subscriber:
    """Subscribe the address in a confirmation link to its audiences (added to any it has)."""
    email, audiences = read_confirmation_token(token)
    if not audiences:
        raise NewsletterError(
            _("The newsletters in this link are no longer sent."), code="no_audiences"
        )
    with transaction.atomic():
        subscriber = get_subscriber_by_email(email)
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(email=email, confirmed_at=timezone.now())
            except IntegrityError:  # confirmed twice at once: the other request made it
                subscriber = get_subscriber_by_email(email)
        subscriber.audiences.add(*audiences)
    return subscriber


def preferences_token(subscriber: Subscriber) -> str:
    return signing.dumps({"subscriber": subscriber.pk}, salt=PREFERENCES_SALT)


def unsubscribe_token(subscriber: Subscriber, audience: Audience) -> str:
    return signing.dumps(
        {"subscriber": subscriber.pk, "audience": audience.pk}, salt=UNSUBSCRIBE_SALT
    )


def preferences_url(subscriber: Subscriber) -> str:
    return _url("public:newsletter-preferences", preferences_token(subscriber))


def unsubscribe_url(subscriber: Subscriber, audience: Audience) -> str:
    return _url("public:newsletter-unsubscribe", unsubscribe_token(subscriber, audience))


def _gone() -> NewsletterError:
    return NewsletterError(
        _("This link is not valid, or you have already unsubscribed from everything."),
        code="link_invalid",
    )


def subscriber_for_preferences_token(token: str) -> Subscriber:
    try:
        payload = signing.loads(token, salt=PREFERENCES_SALT)
        return Subscriber.objects.get(pk=payload["subscriber"])
    except (signing.BadSignature, KeyError, TypeError, Subscriber.DoesNotExist):
        raise _gone() from None


def read_unsubscribe_token(token: str) -> tuple[Subscriber, Audience]:
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return (
            Subscriber.objects.get(pk=payload["subscriber"]),
            Audience.objects.get(pk=payload["audience"]),
        )
    except (
        signing.BadSignature,
        KeyError,
        TypeError,
        Subscriber.DoesNotExist,
        Audience.DoesNotExist,
    ):
        raise _gone() from None


def _forget_if_unsubscribed(subscriber: Subscriber) -> bool:
    # A subscriber with no audiences left is deleted: we keep no address we do not use.
    if subscriber.audiences.exists():
        return False
    subscriber.delete()
    return True


def update_preferences(*, subscriber: Subscriber, audiences: list[Audience]) -> bool:
    """Set the audiences a subscriber receives; return True when none is left (deleted)."""
    with transaction.atomic():
        subscriber.audiences.set(audiences)
        return _forget_if_unsubscribed(subscriber)


def unsubscribe(*, subscriber: Subscriber, audience: Audience) -> bool:
    """Stop one audience's newsletter for a subscriber; return True when none is left."""
    with transaction.atomic():
        subscriber.audiences.remove(audience)
        return _forget_if_unsubscribed(subscriber)


# --- staff: audiences and issues ----------------------------------------------------------------


def save_audience(*, audience: Audience, by) -> Audience:
    """Create or change an audience."""
    created = audience.pk is None
    with transaction.atomic():
        audience.full_clean()
        audience.save()
        record(
            actor=by,
            action=f"notifications.audience.{'created' if created else 'changed'}",
            obj=audience,
            summary=f"Newsletter audience {'added' if created else 'changed'}: {audience.name}",
        )
    return audience


def save_issue(*, issue: NewsletterIssue, by) -> NewsletterIssue:
    """Create or change a newsletter issue that has not been sent."""
    with transaction.atomic():
        if issue.pk is not None:
            locked = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
            if locked.is_sent:
                raise NewsletterError(_("This issue has been sent: it cannot change."), code="sent")
        else:
            issue.created_by = by if getattr(by, "pk", None) else None
        issue.full_clean(exclude=["created_by", "sent_by"])
        issue.save()
        record(
            actor=by,
            action="notifications.issue.saved",
            obj=issue,
            summary=f"Newsletter issue saved: {issue.subject}",
        )
    return issue


def send_issue(*, issue: NewsletterIssue, by, batch_size: int | None = None) -> NewsletterIssue:
    """Send an issue to its audience's subscribers: plan one delivery per subscriber, in
    batches, and enqueue a task per batch once this is committed."""
    from .tasks import send_newsletter_batch_task

    batch_size = batch_size or settings.NEWSLETTER_BATCH_SIZE
    with transaction.atomic():
        issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
        if issue.is_sent:
            raise NewsletterError(_("This issue has already been sent."), code="already_sent")
        subscriber_ids = (
            Subscriber.objects.filter(audiences=issue.audience)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        planned, batch, count = [], 0, 0
        for subscriber_id in subscriber_ids.iterator(chunk_size=batch_size):
            planned.append(
                NewsletterDelivery(issue=issue, subscriber_id=subscriber_id, batch=batch)
            )
            count += 1
            if len(planned) == batch_size:
                NewsletterDelivery.objects.bulk_create(planned)
                planned, batch = [], batch + 1
        if planned:
            NewsletterDelivery.objects.bulk_create(planned)
            batch += 1
        issue.sent_at = timezone.now()
        issue.sent_by = by if getattr(by, "pk", None) else None
        issue.recipient_count, issue.batch_count = count, batch
        issue.save(
            update_fields=["sent_at", "sent_by", "recipient_count", "batch_count", "updated_at"]
        )
        record(
            actor=by,
            action="notifications.issue.sent",
            obj=issue,
            summary=f"Newsletter sent to {count} subscribers: {issue.subject}",
            data={"recipients": count, "batches": batch},
        )
        for number in range(batch):
            owe_email(send_newsletter_batch_task, issue.pk, number)
    return issue


def newsletter_message(issue: NewsletterIssue, subscriber: Subscriber) -> EmailMessage:
    """One subscriber's email of an issue, with the RFC 8058 one-click unsubscribe headers."""
    unsubscribe = unsubscribe_url(subscriber, issue.audience)
    body = render_to_string(
        "notifications/newsletter_issue.txt",
        {
            "issue": issue,
            "unsubscribe_url": unsubscribe,
            "preferences_url": preferences_url(subscriber),
        },
    )
    return EmailMessage(
        subject=one_line(issue.subject),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # formataddr quotes the staff-typed name where the header syntax needs it.
            "List-Id": formataddr(
                (one_line(issue.audience.name), f"{issue.audience.slug}.newsletters.cpdnet")
            ),
        },
    )


def send_newsletter_batch(*, issue_id: int, batch: int) -> int:
    """Send one batch of an issue; return how many emails went now (0 when run again)."""
    issue = NewsletterIssue.objects.select_related("audience").get(pk=issue_id)
    pending = (
        NewsletterDelivery.objects.filter(issue=issue, batch=batch, sent_at__isnull=True)
        .select_related("subscriber")
        .order_by("pk")
    )
    sent = 0
    with get_connection() as connection:
        for delivery in pending:
            # Claim before sending: a second run of this batch finds it claimed and skips it.
            claimed = NewsletterDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True)
            if not claimed.update(sent_at=timezone.now()):
                continue
            try:
                message = newsletter_message(issue, delivery.subscriber)
                message.connection = connection
                message.send()
            except Exception:
                # Unclaim, so that the retried task sends it.
                NewsletterDelivery.objects.filter(pk=delivery.pk).update(sent_at=None)
                raise
            sent += 1
    return sent


def list_deliveries(issue: NewsletterIssue) -> QuerySet[NewsletterDelivery]:
    """Who an issue was sent to, and when: the record of who was sent what."""
    return issue.deliveries.select_related("subscriber").order_by("batch", "id")


def count_deliveries(issue: NewsletterIssue) -> dict[str, int]:
    return NewsletterDelivery.objects.filter(issue=issue).aggregate(
        planned=Count("pk"), sent=Count("pk", filter=Q(sent_at__isnull=False))
    )


# --- data rights -------------------------------------------------------------------------------


def export_newsletters(email: str) -> dict:
    """A person's subscription and the emails we sent them, for their data download."""
    subscriber = get_subscriber_by_email(email)
    subscription = None
    if subscriber is not None:
        subscription = {
            "email": subscriber.email,
            "confirmed_at": subscriber.confirmed_at.isoformat(),
            "audiences": list(subscriber.audiences.values_list("name", flat=True)),
            "newsletters_received": [
                {"subject": subject, "sent_at": sent_at.isoformat()}
                for subject, sent_at in subscriber.deliveries.filter(sent_at__isnull=False)
                .order_by("sent_at")
                .values_list("issue__subject", "sent_at")
            ],
        }
    return {
        "newsletter_subscription": subscription,
        "emails_sent": [
            {"subject": subject, "sent_at": sent_at.isoformat()}
            for subject, sent_at in SentEmail.objects.filter(to__iexact=email)
            .order_by("sent_at")
            .values_list("subject", "sent_at")
        ],
    }


def erase_newsletters(email: str) -> int:
    """Delete a person's subscription (and its delivery records) and blank their address on
    the record of emails sent; return how many subscriptions were deleted."""
    SentEmail.objects.filter(to__iexact=email).update(to="")
    subscriber = get_subscriber_by_email(email)
    if subscriber is None:
        return 0
    subscriber.delete()
    return 1
