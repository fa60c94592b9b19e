"""Personal data in events: the name and address given when registering for a webinar."""

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from cpdnet.privacy.registry import Person, PersonalData, RetentionRun, register

from .models import Registration
from .selectors import export_registrations
from .services import erase_registrations


@register
class Registrations(PersonalData):
    key = "events.registrations"
    label = "Webinar and event registrations"
    fields = (
        "events.Registration.name",
        "events.Registration.email",
        "events.Registration.organisation_name",
    )
    retention_period = "registrations"
    kept_anonymised = (
        "Each registration's event, school, kind of organisation, job role, status and attendance."
    )
    erase_order = 10

    def export(self, person: Person) -> dict:
        return {"event_registrations": export_registrations(person.email)}

    def erase(self, person: Person) -> dict[str, int]:
        # Cancelled without an email; a freed place goes to the waiting list.
        return {"event_registrations_erased": erase_registrations(email=person.email)}

    def apply_retention(self, run: RetentionRun) -> int:
        old = Registration.objects.filter(
            offering__ends_on__lt=run.cutoff("registrations").date()
        ).exclude(email__endswith="@invalid")
        anonymous_address = Concat(
            Value("erased-"), Cast("pk", CharField()), Value("@invalid"), output_field=CharField()
        )
        return run.in_batches(
            old,
            lambda batch: batch.update(name="", email=anonymous_address, organisation_name=""),
        )
