"""Personal data in notifications: the record of emails sent, and newsletter subscriptions."""

from cpdnet.privacy.registry import Person, PersonalData, RetentionRun, register

from .models import SentEmail
from .newsletters import erase_newsletters, export_newsletters


@register
class EmailsAndNewsletters(PersonalData):
    key = "notifications.emails_and_newsletters"
    label = "The record of emails sent, and newsletter subscriptions"
    fields = (
        "notifications.SentEmail.to",
        "notifications.SentEmail.subject",
        "notifications.Subscriber.email",
    )
    retention_period = "sent_emails"
    kept_anonymised = (
        "Which event each email was for, and when it went (so no email is sent twice); "
        "subscriptions last until the person unsubscribes."
    )

    def export(self, person: Person) -> dict:
        return export_newsletters(person.email)

    def erase(self, person: Person) -> dict[str, int]:
        # An approver's email names the teacher it asks about ("Please release ..."); a short
        # name would match other people's subjects by chance.
        blanked = 0
        if len(person.full_name) >= 5:
            named = SentEmail.objects.filter(subject__contains=person.full_name)
            blanked = named.update(subject="")
        return {
            "newsletter_subscriptions_deleted": erase_newsletters(person.email),
            "sent_email_subjects_blanked": blanked,
        }

    def apply_retention(self, run: RetentionRun) -> int:
        old = SentEmail.objects.filter(sent_at__lt=run.cutoff("sent_emails")).exclude(
            to="", subject=""
        )
        return run.in_batches(old, lambda batch: batch.update(to="", subject=""))
