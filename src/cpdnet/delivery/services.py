"""Writes for running an offering: registers, completion, resources, gap tasks, submissions,
reflections and cascade records. Each function owns its transaction and audit entry."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cpdnet.applications.models import PARTICIPATING, Application, State
from cpdnet.applications.services import record_completion
from cpdnet.audit.services import record
from cpdnet.programmes.models import Offering, Session

from . import selectors
from .models import (
    Attendance,
    AttendanceChange,
    AttendanceStatus,
    Cascade,
    CompletionConfirmation,
    DocumentKind,
    GapTask,
    Material,
    ProgrammeDocument,
    Reflection,
    Resource,
    Submission,
)
from .uploads import CheckedUpload, delete_stored, store


class DeliveryError(Exception):
    """A request that cannot be carried out, with a reason for the person who asked."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _delete_files_on_commit(names: list[str]) -> None:
    # Files go only once the rows pointing at them are gone for good.
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [delete_stored(name) for name in names])


def _session_of(offering: Offering, session: Session | None) -> Session | None:
    if session is not None and session.offering_id != offering.pk:
        raise DeliveryError("That session is not one of this offering's.")
    return session


# Attendance


@dataclass(frozen=True)
class Mark:
    status: str
    reason: str = ""


@dataclass(frozen=True)
class RegisterSaved:
    marked: int  # participants marked for the first time
    corrected: int  # marks changed
    unchanged: int


def _check_marks(session: Session, marks: Mapping[int, Mark]) -> None:
    if session.is_cancelled:
        raise DeliveryError("This session was cancelled, so it has no register.")
    participants = set(
        Application.objects.filter(
            offering_id=session.offering_id, state__in=PARTICIPATING
        ).values_list("pk", flat=True)
    )
    if not set(marks) <= participants:
        raise DeliveryError("The register names someone who is not a participant.")
    for mark in marks.values():
        if mark.status not in AttendanceStatus.values:
            raise DeliveryError("Mark each participant attended, absent or excused.")
        if mark.status == AttendanceStatus.EXCUSED and not mark.reason.strip():
            raise DeliveryError("Give the reason for each excused absence.")


def save_register(*, session: Session, marks: Mapping[int, Mark], by) -> RegisterSaved:
    """Save a session's register in one go; a changed mark keeps its history and is audited."""
    with transaction.atomic():
        session = (
            Session.objects.select_for_update(of=("self",))
            .select_related("offering__hub")
            .get(pk=session.pk)
        )
        _check_marks(session, marks)
        existing = {
            mark.application_id: mark
            for mark in Attendance.objects.select_for_update().filter(session=session)
        }
        marked = corrected = unchanged = 0
        for application_id, mark in marks.items():
            reason = mark.reason.strip()[:300] if mark.status != AttendanceStatus.ATTENDED else ""
            attendance = existing.get(application_id)
            if attendance is None:
                attendance = Attendance.objects.create(
                    session=session,
                    application_id=application_id,
                    status=mark.status,
                    reason=reason,
                    recorded_by=by,
                )
                AttendanceChange.objects.create(
                    attendance=attendance, to_status=mark.status, reason=reason, by=by
                )
                marked += 1
            elif (attendance.status, attendance.reason) != (mark.status, reason):
                _correct(attendance, mark.status, reason, by=by, session=session)
                corrected += 1
            else:
                unchanged += 1
        record(
            actor=by,
            action="delivery.register.saved",
            obj=session,
            hub=session.offering.hub,
            summary=f"Register of {session}: {marked} marked, {corrected} corrected",
            data={"marked": marked, "corrected": corrected},
        )
    return RegisterSaved(marked=marked, corrected=corrected, unchanged=unchanged)


def _correct(attendance: Attendance, status: str, reason: str, *, by, session: Session) -> None:
    AttendanceChange.objects.create(
        attendance=attendance,
        from_status=attendance.status,
        to_status=status,
        reason=reason,
        by=by,
    )
    record(
        actor=by,
        action="delivery.attendance.corrected",
        obj=attendance,
        hub=session.offering.hub,
        summary=f"Mark changed from {attendance.status} to {status} at {session}",
        data={"from": attendance.status, "to": status, "reason": reason},
    )
    attendance.status = status
    attendance.reason = reason
    attendance.recorded_by = by
    attendance.save(update_fields=["status", "reason", "recorded_by", "updated_at"])


# Completion


@dataclass(frozen=True)
class CompletionConfirmed:
    completed: int
    not_completed: int
    confirmation: CompletionConfirmation | None = None


def confirm_completion(
    *, offering: Offering, by, now: datetime.datetime | None = None
) -> CompletionConfirmed:
    """Move every accepted participant to completed or not completed by the programme's rule,
    and issue a certificate to each who completed. Only once the last session has ended."""
    from cpdnet.delivery.certificates import issue_certificate

    now = now or timezone.now()
    running = selectors.list_running_sessions(offering)
    if not running.exists():
        raise DeliveryError("The offering has no sessions yet, so no one can complete it.")
    if running.filter(ends_at__gt=now).exists():
        raise DeliveryError("Completion can be confirmed once the last session has ended.")
    completed = not_completed = 0
    with transaction.atomic():
        # Serialises two confirmations of the same offering (a double click).
        offering = Offering.objects.select_for_update().get(pk=offering.pk)
        progress = selectors.get_offering_progress(offering)
        if not progress.ready_to_confirm:
            return CompletionConfirmed(completed=0, not_completed=0)
        confirmation = CompletionConfirmation.objects.create(
            offering=offering, confirmed_by=by, confirmed_at=now
        )
        confirmation.applications.set(progress.ready_to_confirm)
        for participant in progress.ready_to_confirm:
            check = participant.completion
            application = record_completion(
                application=participant,
                completed=check.meets_rule,
                by=by,
                reason="Met the completion rule" if check.meets_rule else " ".join(check.reasons),
            )
            if application.state == State.COMPLETED:
                issue_certificate(application=application)
                completed += 1
            else:
                not_completed += 1
        confirmation.completed, confirmation.not_completed = completed, not_completed
        confirmation.save(update_fields=["completed", "not_completed"])
        record(
            actor=by,
            action="delivery.completion.confirmed",
            obj=confirmation,
            hub=offering.hub,
            summary=f"Completion confirmed for {offering}: {completed} completed, "
            f"{not_completed} did not complete",
            data={"completed": completed, "not_completed": not_completed},
        )
    return CompletionConfirmed(
        completed=completed, not_completed=not_completed, confirmation=confirmation
    )


def undo_deadline(confirmation: CompletionConfirmation) -> datetime.datetime:
    """Until when staff may undo this confirmation."""
    return confirmation.confirmed_at + datetime.timedelta(hours=settings.COMPLETION_UNDO_HOURS)


def undo_refusal(confirmation: CompletionConfirmation, now: datetime.datetime | None = None) -> str:
    """Why this confirmation can no longer be undone, or "" when it can."""
    if confirmation.is_undone:
        return "This completion was already undone."
    if (now or timezone.now()) > undo_deadline(confirmation):
        return (
            f"Completion can be undone only within {settings.COMPLETION_UNDO_HOURS} hours of "
            "confirming it, and that time has passed. Ask national staff to correct a record."
        )
    return ""


@dataclass(frozen=True)
class CompletionUndone:
    reopened: int  # places back to accepted
    certificates_withdrawn: int


def undo_completion(
    *,
    confirmation: CompletionConfirmation,
    by,
    reason: str,
    now: datetime.datetime | None = None,
) -> CompletionUndone:
    """Take back a completion confirmed by mistake, within the window: each place it settled
    goes back to accepted (history, audit, an email to the participant) and the certificates
    it issued are withdrawn. Places changed since (withdrawn, say) are left alone."""
    from cpdnet.applications.services import reopen_completion
    from cpdnet.delivery.certificates import withdraw_certificate

    reason = reason.strip()
    if not reason:
        raise DeliveryError("Say why the completion is undone: participants are told.")
    now = now or timezone.now()
    reopened = withdrawn = 0
    with transaction.atomic():
        Offering.objects.select_for_update().get(pk=confirmation.offering_id)
        confirmation = (
            CompletionConfirmation.objects.select_for_update(of=("self",))
            .select_related("offering__hub")
            .get(pk=confirmation.pk)
        )
        refusal = undo_refusal(confirmation, now)
        if refusal:
            raise DeliveryError(refusal)
        settled = confirmation.applications.filter(
            state__in=(State.COMPLETED, State.NOT_COMPLETED)
        ).order_by("pk")
        for application in settled:
            certificate = withdraw_certificate(application=application, by=by, reason=reason)
            withdrawn += certificate is not None
            reopen_completion(application=application, by=by, reason=reason)
            reopened += 1
        confirmation.undone_at, confirmation.undone_by = now, by
        confirmation.save(update_fields=["undone_at", "undone_by"])
        record(
            actor=by,
            action="delivery.completion.undone",
            obj=confirmation,
            hub=confirmation.offering.hub,
            summary=f"Completion undone for {confirmation.offering}: {reopened} places back to "
            f"accepted, {withdrawn} certificates withdrawn",
            data={"reason": reason, "reopened": reopened, "certificates_withdrawn": withdrawn},
        )
    return CompletionUndone(reopened=reopened, certificates_withdrawn=withdrawn)


# Resources


def add_resource(
    *,
    offering: Offering,
    by,
    title: str,
    session: Session | None = None,
    url: str = "",
    upload: CheckedUpload | None = None,
    is_public: bool = False,
) -> Resource:
    """Share a link or a checked file with the offering's participants (or everyone)."""
    if bool(url) == (upload is not None):
        raise DeliveryError("Give either a link or a file.")
    with transaction.atomic():
        resource = Resource(
            offering=offering,
            session=_session_of(offering, session),
            title=title.strip(),
            url=url,
            is_public=is_public,
            added_by=by,
        )
        if upload is not None:
            _keep_file(resource, upload)
        resource.save()
        record(
            actor=by,
            action="delivery.resource.added",
            obj=resource,
            hub=offering.hub,
            summary=f"Resource added to {offering}: {resource.title}",
            data={"is_public": is_public, "file": resource.original_name, "url": url},
        )
    return resource


def add_library_resource(
    *, offering: Offering, by, material: Material, session: Session | None = None
) -> Resource:
    """Reuse a library material in an offering: the resource points at the material, so a
    change to the material reaches every offering that uses it."""
    with transaction.atomic():
        # Locked so that the material cannot leave the library meanwhile (remove_material).
        material = Material.objects.select_for_update().get(pk=material.pk)
        resource = Resource.objects.create(
            offering=offering,
            session=_session_of(offering, session),
            material=material,
            added_by=by,
        )
        record(
            actor=by,
            action="delivery.resource.added_from_library",
            obj=resource,
            hub=offering.hub,
            summary=f"Library material reused in {offering}: {material.title}",
            data={"material": material.pk},
        )
    return resource


def _keep_file(owner, upload: CheckedUpload) -> None:
    # Stored before the row is written; a failed write leaves an orphan file, never a row
    # pointing at nothing.
    owner.stored_name = store(upload)
    owner.original_name = upload.original_name
    owner.content_type = upload.content_type
    owner.size_bytes = upload.size_bytes


def delete_resource(*, resource: Resource, by) -> None:
    """Take a resource away, and its file from storage."""
    with transaction.atomic():
        record(
            actor=by,
            action="delivery.resource.deleted",
            obj=resource,
            hub=resource.offering.hub,
            summary=f"Resource removed from {resource.offering}: {resource.content.title}",
        )
        resource.delete()
        # A reused library material stays in the library; only the offering's own file goes.
        _delete_files_on_commit([resource.stored_name])


# Programme documents (national staff)


def add_programme_document(
    *, programme, by, kind: str, title: str, upload: CheckedUpload
) -> ProgrammeDocument:
    """Publish a document on a programme's page; a programme has one information sheet."""
    if kind not in DocumentKind.values:
        raise DeliveryError("Choose what kind of document this is.")
    with transaction.atomic():
        if (
            kind == DocumentKind.INFORMATION_SHEET
            and ProgrammeDocument.objects.select_for_update()
            .filter(programme=programme, kind=kind)
            .exists()
        ):
            raise DeliveryError(
                "This programme already has an information sheet. Replace that one instead."
            )
        document = ProgrammeDocument(
            programme=programme, kind=kind, title=title.strip(), added_by=by
        )
        _keep_file(document, upload)
        document.save()
        record(
            actor=by,
            action="delivery.programme_document.added",
            obj=document,
            summary=f"{document.get_kind_display()} added to {programme}: {document.title}",
            data={"kind": kind, "file": document.original_name},
        )
    return document


def replace_programme_document(
    *, document: ProgrammeDocument, by, title: str, upload: CheckedUpload | None
) -> ProgrammeDocument:
    """Change a document's title, or its file (the old file goes once the change is saved)."""
    old_name = ""
    with transaction.atomic():
        document.title = title.strip()
        if upload is not None:
            old_name = document.stored_name
            _keep_file(document, upload)
        document.save()
        record(
            actor=by,
            action="delivery.programme_document.replaced",
            obj=document,
            summary=f"{document.get_kind_display()} of {document.programme} changed: "
            f"{document.title}",
            data={"file": document.original_name, "new_file": upload is not None},
        )
        _delete_files_on_commit([old_name])
    return document


def remove_programme_document(*, document: ProgrammeDocument, by) -> None:
    """Take a document off the programme's page, and its file from storage."""
    with transaction.atomic():
        record(
            actor=by,
            action="delivery.programme_document.removed",
            obj=document,
            summary=f"{document.get_kind_display()} removed from {document.programme}: "
            f"{document.title}",
        )
        document.delete()
        _delete_files_on_commit([document.stored_name])


# The national materials library


@dataclass(frozen=True)
class MaterialDetails:
    title: str
    description: str = ""
    phase: str = ""
    programmes: tuple = ()
    url: str = ""
    is_public: bool = False


def save_material(
    *,
    by,
    details: MaterialDetails,
    upload: CheckedUpload | None = None,
    material: Material | None = None,
) -> Material:
    """Add a material to the library, or change one: every offering reusing it sees the
    change. A new file or link replaces the old one; neither keeps the file it has."""
    is_new = material is None
    material = material or Material(added_by=by)
    if details.url and upload is not None:
        raise DeliveryError("Give either a link or a file.")
    if not details.url and upload is None and not material.has_file:
        raise DeliveryError("Give a link or a file.")
    old_name = ""
    with transaction.atomic():
        material.title = details.title.strip()
        material.description = details.description.strip()
        material.phase = details.phase
        material.is_public = details.is_public
        if upload is not None:
            old_name = material.stored_name
            _keep_file(material, upload)
            material.url = ""
        elif details.url:
            old_name = material.stored_name
            material.url = details.url
            material.stored_name = material.original_name = material.content_type = ""
            material.size_bytes = 0
        material.save()
        material.programmes.set(details.programmes)
        record(
            actor=by,
            action="delivery.material.added" if is_new else "delivery.material.changed",
            obj=material,
            summary=f"Library material {'added' if is_new else 'changed'}: {material.title}",
            data={"file": material.original_name, "url": material.url, "public": details.is_public},
        )
        _delete_files_on_commit([old_name])
    return material


def remove_material(*, material: Material, by) -> None:
    """Take a material out of the library, unless an offering still uses it."""
    with transaction.atomic():
        material = Material.objects.select_for_update().get(pk=material.pk)
        used = material.resources.count()
        if used:
            raise DeliveryError(
                f"{used} offering resource{'s' if used != 1 else ''} still reuse this material. "
                "Remove them from their offerings first, or change the material instead."
            )
        record(
            actor=by,
            action="delivery.material.removed",
            obj=material,
            summary=f"Library material removed: {material.title}",
        )
        material.delete()
        _delete_files_on_commit([material.stored_name])


# Gap tasks and submissions


def set_gap_task(
    *,
    offering: Offering,
    by,
    title: str,
    instructions: str,
    due_on: datetime.date,
    session: Session | None = None,
) -> GapTask:
    """Set participants a task to do between sessions."""
    with transaction.atomic():
        task = GapTask.objects.create(
            offering=offering,
            session=_session_of(offering, session),
            title=title.strip(),
            instructions=instructions.strip(),
            due_on=due_on,
            set_by=by,
        )
        record(
            actor=by,
            action="delivery.gap_task.set",
            obj=task,
            hub=offering.hub,
            summary=f"Gap task set on {offering}: {task.title}",
            data={"due_on": due_on.isoformat()},
        )
    return task


def submit_gap_task(
    *,
    task: GapTask,
    application: Application,
    text: str,
    upload: CheckedUpload | None = None,
    now: datetime.datetime | None = None,
) -> Submission:
    """Hand in (or hand in again, replacing) a task before the end of its due date."""
    now = now or timezone.now()
    if application.offering_id != task.offering_id or application.state not in PARTICIPATING:
        raise DeliveryError("Only the offering's participants can hand in its tasks.")
    if not selectors.can_submit(task, now):
        raise DeliveryError("The due date has passed, so the task can no longer be handed in.")
    if not text.strip() and upload is None:
        raise DeliveryError("Write your answer or attach a file.")
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update().filter(task=task, application=application)
        ).first() or Submission(task=task, application=application)
        replaced = submission.stored_name if upload is not None else ""
        submission.text = text.strip()
        submission.submitted_at = now
        if upload is not None:
            _keep_file(submission, upload)
        submission.save()
        _delete_files_on_commit([replaced])
    return submission


# Reflections and cascade


def save_reflection(
    *,
    application: Application,
    text: str,
    session: Session | None = None,
    now: datetime.datetime | None = None,
) -> Reflection:
    """Write or rewrite the reflection on a session (after it started), or the final one."""
    now = now or timezone.now()
    if not text.strip():
        raise DeliveryError("Write your reflection.")
    if session is not None:
        _session_of(application.offering, session)
        if session.is_cancelled:
            raise DeliveryError("This session was cancelled.")
        if session.starts_at > now:
            raise DeliveryError("You can reflect on a session once it has started.")
    with transaction.atomic():
        reflection, _created = Reflection.objects.update_or_create(
            application=application,
            session=session,
            is_final=session is None,
            defaults={"text": text.strip()},
        )
    return reflection


def save_cascade(
    *,
    application: Application,
    colleagues_involved: int,
    classes_reached: int,
    year_groups: str = "",
    notes: str = "",
) -> Cascade:
    """Record how the work reached the participant's department (one record, kept up to date)."""
    with transaction.atomic():
        cascade, _created = Cascade.objects.update_or_create(
            application=application,
            defaults={
                "colleagues_involved": colleagues_involved,
                "classes_reached": classes_reached,
                "year_groups": year_groups.strip(),
                "notes": notes.strip(),
            },
        )
    return cascade


# Data rights


def erase_participant_work(*, applicant) -> dict[str, int]:
    """Delete a person's gap-task answers and reflections, and their files, and blank the
    words on their cascade records and attendance marks; call inside the erasure's
    transaction. Marks and cascade numbers stay: completion and impact are counted from them."""
    submissions = Submission.objects.filter(application__applicant=applicant)
    names = list(submissions.exclude(stored_name="").values_list("stored_name", flat=True))
    submissions_deleted, _ = submissions.delete()
    reflections_deleted, _ = Reflection.objects.filter(application__applicant=applicant).delete()
    cascades_blanked = Cascade.objects.filter(application__applicant=applicant).update(notes="")
    marks = Attendance.objects.filter(application__applicant=applicant)
    reasons_blanked = marks.exclude(reason="").update(reason="")
    AttendanceChange.objects.filter(attendance__in=marks).update(reason="")
    _delete_files_on_commit(names)
    return {
        "submissions_deleted": submissions_deleted,
        "reflections_deleted": reflections_deleted,
        "cascade_notes_blanked": cascades_blanked,
        "attendance_reasons_blanked": reasons_blanked,
    }


def blank_submissions(submissions) -> None:
    """Blank gap-task answers and delete their files, keeping that they were handed in."""
    names = list(submissions.exclude(stored_name="").values_list("stored_name", flat=True))
    submissions.update(text="", stored_name="", original_name="", content_type="", size_bytes=0)
    _delete_files_on_commit(names)
