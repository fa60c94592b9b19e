from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class SentEmail(models.Model):
    """One email per event: the key makes a retried task a no-op instead of a second email."""

    key = models.CharField(max_length=120, unique=True)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.key} to {self.to}"


class Audience(models.Model):
    """A newsletter list people subscribe to, such as the secondary round-up."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Only active audiences are offered on the subscription page."
    )
    display_order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self) -> str:
        return self.name


class Subscriber(models.Model):
    """A confirmed newsletter subscriber: the row exists only once the emailed link is used."""

    email = models.EmailField()
    audiences = models.ManyToManyField(Audience, related_name="subscribers", blank=True)
    confirmed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(Lower("email"), name="one_subscriber_per_email")]

    def __str__(self) -> str:
        return self.email


class NewsletterIssue(models.Model):
    """One newsletter written by staff for one audience; sent once, in batches."""

    audience = models.ForeignKey(Audience, on_delete=models.PROTECT, related_name="issues")
    subject = models.CharField(max_length=150)
    body = models.TextField(help_text="Plain text; a blank line starts a new paragraph.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    batch_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class NewsletterDelivery(models.Model):
    """Who an issue went to: planned when the issue is sent, stamped when its email goes."""

    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    batch = models.PositiveIntegerField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issue", "batch", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="one_delivery_per_issue_and_subscriber"
            )
        ]
        indexes = [models.Index(fields=["issue", "batch"])]

    def __str__(self) -> str:
        return f"issue {self.issue_id} to subscriber {self.subscriber_id}"


class OutboxEmail(models.Model):
    """An email owed by a state change, written in the change's transaction.

    The change enqueues its sending on commit; if the process dies before that, the row is
    still here with an empty `sent_at`, and the periodic sweep sends it (see `outbox.py`).
    """

    task_path = models.CharField(max_length=200)
    arguments = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A worker holds the row until this time while it sends, so two workers never both send.
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True),
                name="outbox_email_unsent_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_path}{tuple(self.arguments)}"

    @property
    def task_name(self) -> str:
        return self.task_path.rsplit(".", 1)[-1]


class MessageAudience(models.TextChoices):
    ALL = "all", _("Everyone with a place")
    TASK_NOT_SUBMITTED = "task_not_submitted", _("Those who have not handed in a gap task")
    MISSED_LAST_SESSION = "missed_last_session", _("Those who did not attend the last session")


class ParticipantMessage(models.Model):
    """A message the people running an offering sent its participants (all, or those who have
    not yet done something), by email and on the participants' offering page."""

    offering = models.ForeignKey(
        "programmes.Offering", on_delete=models.CASCADE, related_name="participant_messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    audience = models.CharField(max_length=30, choices=MessageAudience.choices)
    # The gap task of a "not handed in" message.
    task = models.ForeignKey(
        "delivery.GapTask", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=150)
    body = models.TextField()
    recipient_count = models.PositiveIntegerField(default=0)
    # From the preview form: a second press of "Send" finds the message already sent.
    idempotency_key = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "idempotency_key"], name="one_message_per_send"
            )
        ]
        indexes = [models.Index(fields=["offering", "created_at"])]

    def __str__(self) -> str:
        return self.subject


class MessageRecipient(models.Model):
    """One participant a message went to; the email is owed through the outbox, once."""

    message = models.ForeignKey(
        ParticipantMessage, on_delete=models.CASCADE, related_name="recipients"
    )
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="messages_received"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "application"], name="one_copy_per_participant"
            )
        ]

    def __str__(self) -> str:
        return f"message {self.message_id} to application {self.application_id}"
