"""Personal data in delivery: what participants wrote and handed in, reasons on their
attendance marks, and their certificates."""

from cpdnet.privacy.registry import Person, PersonalData, RetentionRun, register

from .certificates import export_person_certificates, withdraw_certificates
from .models import Attendance, AttendanceChange, Cascade, Certificate, Reflection, Submission
from .selectors import export_participant_work
from .services import blank_submissions, erase_participant_work


@register
class ParticipantWork(PersonalData):
    key = "delivery.participant_work"
    label = "Gap-task answers and files, reflections, cascade notes and attendance reasons"
    fields = (
        "delivery.Submission.text",
        "delivery.Submission.original_name",
        "delivery.Submission.stored_name",
        "delivery.Reflection.text",
        "delivery.Cascade.notes",
        "delivery.Cascade.year_groups",
        "delivery.Attendance.reason",
        "delivery.AttendanceChange.reason",
    )
    retention_period = "applications"
    kept_anonymised = (
        "Attendance marks, that a task was handed in or a reflection written, and cascade "
        "numbers (colleagues and classes reached), for completion and impact."
    )

    def export(self, person: Person) -> dict:
        return export_participant_work(person.user)

    def erase(self, person: Person) -> dict[str, int]:
        return erase_participant_work(applicant=person.user)

    def apply_retention(self, run: RetentionRun) -> int:
        before = run.cutoff("applications").date()
        ended = {"application__offering__ends_on__lt": before}
        return (
            run.in_batches(
                Submission.objects.filter(**ended).exclude(text="", stored_name=""),
                blank_submissions,
            )
            + run.in_batches(
                Reflection.objects.filter(**ended).exclude(text=""),
                lambda batch: batch.update(text=""),
            )
            + run.in_batches(
                Cascade.objects.filter(**ended).exclude(notes=""),
                lambda batch: batch.update(notes=""),
            )
            + run.in_batches(
                Attendance.objects.filter(**ended).exclude(reason=""),
                lambda batch: batch.update(reason=""),
            )
            + run.in_batches(
                AttendanceChange.objects.filter(
                    attendance__application__offering__ends_on__lt=before
                ).exclude(reason=""),
                lambda batch: batch.update(reason=""),
            )
        )


@register
class Certificates(PersonalData):
    key = "delivery.certificates"
    label = "Certificates of completion"
    fields = ("delivery.Certificate.application", "delivery.Certificate.withdrawn_reason")
    kept_anonymised = (
        "The certificate row and its hours, so national counts stay right; checking its code "
        "then says it was withdrawn at the holder's request."
    )
    # Before the account is anonymised: the withdrawal is recorded against the holder.
    erase_order = 30

    def export(self, person: Person) -> dict:
        return {"certificates": export_person_certificates(person.user)}

    def erase(self, person: Person) -> dict[str, int]:
        withdrawn = withdraw_certificates(user=person.user)
        Certificate.objects.filter(application__applicant=person.user).update(withdrawn_reason="")
        return {"certificates_withdrawn": withdrawn}
