"""Personal data in notifications: the record of emails sent, and newsletter subscriptions."""

from cpdnet.privacy.registry import Person, PersonalData, RetentionRun, register

from .models import MessageRecipient, ParticipantMessage, SentEmail
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


@register
class ParticipantMessages(PersonalData):
    key = "notifications.participant_messages"
    label = "Messages the people running an offering sent its participants"
    fields = (
        "notifications.ParticipantMessage.subject",
        "notifications.ParticipantMessage.body",
        "notifications.ParticipantMessage.sender",
        "notifications.MessageRecipient.application",
    )
    kept_anonymised = (
        "A message sent to a group stays for the others who received it, without its "
        "sender's name once the sender is erased; a participant's own copy is deleted."
    )

    def export(self, person: Person) -> dict:
        def shown(message) -> dict:
            return {
                "programme": message.offering.programme.title,
                "subject": message.subject,
                "message": message.body,
                "sent_at": message.created_at.isoformat(),
            }

        received = ParticipantMessage.objects.filter(
            recipients__application__applicant=person.user
        ).select_related("offering__programme")
        sent = ParticipantMessage.objects.filter(sender=person.user).select_related(
            "offering__programme"
        )
        return {
            "messages_received": [shown(m) for m in received.order_by("created_at", "id")],
            "messages_sent": [
                {**shown(m), "recipients": m.recipient_count}
                for m in sent.order_by("created_at", "id")
            ],
        }

    def erase(self, person: Person) -> dict[str, int]:
        copies, _ = MessageRecipient.objects.filter(application__applicant=person.user).delete()
        unsigned = ParticipantMessage.objects.filter(sender=person.user).update(sender=None)
        return {"message_copies_deleted": copies, "messages_sent_unsigned": unsigned}
