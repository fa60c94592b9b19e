"""Reads for running an offering: registers, progress against the completion rule, resources,
gap tasks and what participants handed in, each scoped to who may see it."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from cpdnet.accounts.selectors import is_national_staff
from cpdnet.applications.models import PARTICIPATING, Application, State
from cpdnet.applications.selectors import list_participants
from cpdnet.programmes.models import Offering, Session
from cpdnet.programmes.selectors import access_runnable_offering, list_runnable_offerings

from .models import (
    Attendance,
    AttendanceStatus,
    DocumentKind,
    GapTask,
    Material,
    ProgrammeDocument,
    Reflection,
    Resource,
    Submission,
)


@dataclass(frozen=True)
class CompletionRule:
    """What a participant of one offering must do to complete it."""

    sessions_running: int  # sessions not cancelled
    sessions_required: int
    requires_final_reflection: bool

    def check(self, *, attended: int, has_final_reflection: bool) -> "CompletionCheck":
        reasons = []
        if attended < self.sessions_required:
            reasons.append(
                f"Attended {attended} of the {self.sessions_required} sessions required."
            )
        if self.requires_final_reflection and not has_final_reflection:
            reasons.append("No final reflection yet.")
        return CompletionCheck(meets_rule=not reasons, reasons=tuple(reasons))


@dataclass(frozen=True)
class CompletionCheck:
    meets_rule: bool
    reasons: tuple[str, ...]


def list_running_sessions(offering: Offering) -> QuerySet[Session]:
    """The offering's sessions that were not cancelled."""
    return offering.sessions.filter(cancelled_at__isnull=True)


def get_completion_rule(offering: Offering) -> CompletionRule:
    """The programme's rule applied to this offering's sessions.

    A programme asking for more sessions than the offering ran (some were cancelled) asks for
    every session that ran: a cancellation must not stop participants from completing.
    """
    running = list_running_sessions(offering).count()
    minimum = offering.programme.min_sessions_attended
    return CompletionRule(
        sessions_running=running,
        sessions_required=running if minimum is None else min(minimum, running),
        requires_final_reflection=offering.programme.requires_final_reflection,
    )


def _count_per_application(queryset: QuerySet) -> Coalesce:
    counted = (
        queryset.filter(application=OuterRef("pk"))
        .order_by()
        .values("application")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _marks(status: str) -> Coalesce:
    return _count_per_application(
        Attendance.objects.filter(status=status, session__cancelled_at__isnull=True)
    )


def with_progress(applications: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate attendance, tasks, reflections and the final reflection, one query in all."""
    return applications.select_related("cascade").annotate(
        attended=_marks(AttendanceStatus.ATTENDED),
        absent=_marks(AttendanceStatus.ABSENT),
        excused=_marks(AttendanceStatus.EXCUSED),
        tasks_submitted=_count_per_application(Submission.objects.all()),
        session_reflections=_count_per_application(Reflection.objects.filter(is_final=False)),
        has_final_reflection=Exists(
            Reflection.objects.filter(application=OuterRef("pk"), is_final=True)
        ),
    )


@dataclass(frozen=True)
class Progress:
    rule: CompletionRule
    participants: list[Application]  # each with `completion`, a CompletionCheck

    @property
    def ready_to_confirm(self) -> list[Application]:
        return [p for p in self.participants if p.state == State.ACCEPTED]


def get_offering_progress(offering: Offering) -> Progress:
    """Every participant's progress and whether they meet the completion rule, in two queries."""
    rule = get_completion_rule(offering)
    participants = list(with_progress(list_participants(offering.pk)))
    for participant in participants:
        participant.completion = rule.check(
            attended=participant.attended, has_final_reflection=participant.has_final_reflection
        )
    return Progress(rule=rule, participants=participants)


def list_sessions_with_register_counts(offering: Offering) -> QuerySet[Session]:
    """The offering's sessions with how many marks of each kind their register holds."""
    return offering.sessions.annotate(
        marked=Count("attendance"),
        attended_count=Count("attendance", filter=Q(attendance__status=AttendanceStatus.ATTENDED)),
    ).order_by("starts_at", "id")


def list_register(session: Session) -> list[Application]:
    """The session's participants, each with `mark` (their Attendance or None)."""
    marks = {mark.application_id: mark for mark in session.attendance.all()}
    participants = list(list_participants(session.offering_id))
    for participant in participants:
        participant.mark = marks.get(participant.pk)
    return participants


def list_attendance_history(session: Session):
    """Every mark and correction of the session's register, newest first."""
    from .models import AttendanceChange

    return (
        AttendanceChange.objects.filter(attendance__session=session)
        .select_related("attendance__application__applicant", "by")
        .order_by("-created_at", "-id")
    )


# Resources


def list_resources(offering: Offering) -> QuerySet[Resource]:
    return offering.resources.select_related("session", "material")


# A library material's own setting decides for the resources that reuse it.
PUBLIC_RESOURCE = Q(material__isnull=True, is_public=True) | Q(material__is_public=True)


def access_resource(user, resource_id: int) -> Resource:
    """A resource the person may download: public ones for anyone, others for the offering's
    participants and the people who run it; Resource.DoesNotExist alike for the rest."""
    resources = Resource.objects.select_related("offering", "material")
    allowed = PUBLIC_RESOURCE
    if user.is_authenticated:
        participant = Application.objects.filter(
            offering=OuterRef("offering"), applicant=user, state__in=PARTICIPATING
        )
        allowed |= Q(Exists(participant)) | Q(offering__in=list_runnable_offerings(user))
    return resources.filter(allowed).get(pk=resource_id)


# Gap tasks and submissions


def list_gap_tasks(offering: Offering) -> QuerySet[GapTask]:
    """The offering's tasks with how many participants handed in."""
    return offering.gap_tasks.select_related("session").annotate(
        submitted_count=Count("submissions")
    )


def access_gap_task(offering: Offering, task_id: int) -> GapTask:
    return offering.gap_tasks.select_related("session").get(pk=task_id)


def list_submissions(task: GapTask) -> QuerySet[Submission]:
    return task.submissions.select_related("application__applicant").order_by(
        "application__applicant__full_name", "id"
    )


def access_runnable_submission(user, offering_id: int, submission_id: int) -> Submission:
    """A submission to an offering the person may run, or Submission.DoesNotExist."""
    offering = access_runnable_offering(user, offering_id)
    return Submission.objects.get(pk=submission_id, task__offering=offering)


def list_tasks_for(application: Application) -> QuerySet[GapTask]:
    """The offering's tasks, each with `mine`: a list holding the person's submission, if any."""
    return application.offering.gap_tasks.select_related("session").prefetch_related(
        Prefetch(
            "submissions",
            queryset=Submission.objects.filter(application=application),
            to_attr="mine",
        )
    )


def can_submit(task: GapTask, now: datetime.datetime | None = None) -> bool:
    """Submissions are taken until the end of the due date, London time."""
    today = timezone.localdate(now or timezone.now())
    return today <= task.due_on


# A participant's own offering


def list_sessions_for(application: Application) -> list[Session]:
    """The offering's sessions, each with `mark` (the person's attendance) and `reflection`."""
    sessions = list(application.offering.sessions.order_by("starts_at", "id"))
    marks = {mark.session_id: mark for mark in application.attendance.all()}
    reflections = {
        reflection.session_id: reflection
        for reflection in application.reflections.filter(is_final=False)
    }
    for session in sessions:
        session.mark = marks.get(session.pk)
        session.reflection = reflections.get(session.pk)
    return sessions


def get_final_reflection(application: Application) -> Reflection | None:
    return application.reflections.filter(is_final=True).first()


def get_participant_progress(application: Application) -> CompletionCheck:
    """Whether the person meets the completion rule so far, and why not."""
    progress = with_progress(Application.objects.filter(pk=application.pk)).get()
    return get_completion_rule(application.offering).check(
        attended=progress.attended, has_final_reflection=progress.has_final_reflection
    )


# Data rights


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_participant_work(user) -> dict:
    """A person's attendance, gap task answers, reflections and cascade records, for their
    data download (files are named; the person downloads them from their offering page)."""
    from .models import Cascade

    applications = {"application__applicant": user}
    return {
        "attendance": [
            {
                "application": mark.application_id,
                "session": mark.session.title or str(mark.session.offering.programme),
                "session_starts_at": _iso(mark.session.starts_at),
                "status": mark.status,
                "reason": mark.reason,
            }
            for mark in Attendance.objects.filter(**applications).select_related(
                "session__offering__programme"
            )
        ],
        "gap_task_answers": [
            {
                "application": submission.application_id,
                "task": submission.task.title,
                "text": submission.text,
                "file_name": submission.original_name,
                "submitted_at": _iso(submission.submitted_at),
            }
            for submission in Submission.objects.filter(**applications).select_related("task")
        ],
        "reflections": [
            {
                "application": reflection.application_id,
                "session_starts_at": _iso(reflection.session.starts_at)
                if reflection.session_id
                else None,
                "is_final": reflection.is_final,
                "text": reflection.text,
                "updated_at": _iso(reflection.updated_at),
            }
            for reflection in Reflection.objects.filter(**applications).select_related("session")
        ],
        "cascade": [
            {
                "application": cascade.application_id,
                "colleagues_involved": cascade.colleagues_involved,
                "classes_reached": cascade.classes_reached,
                "year_groups": cascade.year_groups,
                "notes": cascade.notes,
                "updated_at": _iso(cascade.updated_at),
            }
            for cascade in Cascade.objects.filter(**applications).order_by("pk")
        ],
    }


def access_runnable_participant(user, offering_id: int, application_id: int) -> Application:
    """A participant of an offering the person may run, or Application.DoesNotExist alike for
    a missing one, someone without a place and another offering's."""
    offering = access_runnable_offering(user, offering_id)
    participant = list_participants(offering.pk).get(pk=application_id)
    participant.offering = offering
    return participant


@dataclass(frozen=True)
class SchoolSummary:
    urn: int
    name: str
    participants: int
    completed: int
    colleagues_reached: int
    classes_reached: int


def list_school_participations(urns: list[int], year: int) -> QuerySet[Application]:
    """The places held by these schools' teachers in a year, with each one's progress and
    cascade, by school and teacher (for the school's leaders)."""
    return with_progress(
        Application.objects.filter(
            school_id__in=urns, offering__academic_year=year, state__in=PARTICIPATING
        ).select_related(
            "school", "applicant", "offering__programme", "offering__hub", "offering__provider"
        )
    ).order_by("school__name", "applicant__full_name", "offering__programme__title", "pk")


def summarise_school_participations(urns: list[int], year: int) -> list[SchoolSummary]:
    """Per school: teachers taking part, places completed and colleagues and classes reached
    by their cascade, counted in the database."""
    rows = (
        Application.objects.filter(
            school_id__in=urns, offering__academic_year=year, state__in=PARTICIPATING
        )
        .values("school_id", "school__name")
        .annotate(
            participants=Count("applicant", distinct=True),
            completed=Count("pk", filter=Q(state=State.COMPLETED)),
            colleagues=Coalesce(Sum("cascade__colleagues_involved"), 0),
            classes=Coalesce(Sum("cascade__classes_reached"), 0),
        )
        .order_by("school__name")
    )
    return [
        SchoolSummary(
            urn=row["school_id"],
            name=row["school__name"],
            participants=row["participants"],
            completed=row["completed"],
            colleagues_reached=row["colleagues"],
            classes_reached=row["classes"],
        )
        for row in rows
    ]


def list_programme_documents(programme) -> QuerySet[ProgrammeDocument]:
    """A programme's published documents, the information sheet first."""
    return ProgrammeDocument.objects.filter(programme=programme).order_by(
        Case(When(kind=DocumentKind.INFORMATION_SHEET, then=0), default=1), "kind", "title", "id"
    )


def get_programme_document(programme_id: int, document_id: int) -> ProgrammeDocument:
    """A published document (they are public); ProgrammeDocument.DoesNotExist otherwise."""
    return ProgrammeDocument.objects.select_related("programme").get(
        pk=document_id, programme_id=programme_id
    )


def list_materials(*, query: str = "") -> QuerySet[Material]:
    """The national materials library, with how many offering resources reuse each item."""
    materials = Material.objects.prefetch_related("programmes").annotate(uses=Count("resources"))
    if query:
        materials = materials.filter(Q(title__icontains=query) | Q(description__icontains=query))
    return materials.order_by("title", "id")


def list_materials_for_offering(offering: Offering) -> QuerySet[Material]:
    """Library materials a runner may pick for an offering: those for its programme first."""
    for_programme = Material.programmes.through.objects.filter(
        material=OuterRef("pk"), programme_id=offering.programme_id
    )
    return Material.objects.annotate(is_for_programme=Exists(for_programme)).order_by(
        "-is_for_programme", "title", "id"
    )


def access_material(user, material_id: int) -> Material:
    """A library material the person may download: public ones for anyone; others for national
    staff, people who run an offering, and participants of an offering reusing it.
    Material.DoesNotExist alike for the rest."""
    allowed = Q(is_public=True)
    if user.is_authenticated:
        if is_national_staff(user) or list_runnable_offerings(user).exists():
            return Material.objects.get(pk=material_id)
        participant = Application.objects.filter(
            offering__resources__material=OuterRef("pk"),
            applicant=user,
            state__in=PARTICIPATING,
        )
        allowed |= Q(Exists(participant))
    return Material.objects.filter(allowed).get(pk=material_id)


def information_sheet(programme) -> ProgrammeDocument | None:
    """The information sheet applicants must read before applying, if the programme has one."""
    return ProgrammeDocument.objects.filter(
        programme=programme, kind=DocumentKind.INFORMATION_SHEET
    ).first()


def get_latest_completion_confirmation(offering: Offering):
    """The offering's most recent confirmation of completion, or None."""
    from .models import CompletionConfirmation

    return (
        CompletionConfirmation.objects.filter(offering=offering)
        .select_related("confirmed_by", "undone_by")
        .order_by("-confirmed_at", "-id")
        .first()
    )


def access_completion_confirmation(user, offering_id: int, confirmation_id: int):
    """A confirmation of an offering the person runs; DoesNotExist alike for none and others'."""
    from .models import CompletionConfirmation

    offering = access_runnable_offering(user, offering_id)
    return CompletionConfirmation.objects.select_related("offering__programme", "confirmed_by").get(
        pk=confirmation_id, offering=offering
    )


def list_confirmed_places(confirmation) -> QuerySet[Application]:
    """The places a confirmation settled, with their state now, by name."""
    return confirmation.applications.select_related("applicant", "school").order_by(
        "applicant__full_name", "pk"
    )


def get_last_session(offering: Offering, now: datetime.datetime | None = None) -> Session | None:
    """The offering's most recent session that has started and was not cancelled."""
    return (
        list_running_sessions(offering)
        .filter(starts_at__lte=now or timezone.now())
        .order_by("-starts_at", "-id")
        .first()
    )


def list_participants_who_have_not_handed_in(task: GapTask) -> QuerySet[Application]:
    """The offering's participants with no answer to the task."""
    return list_participants(task.offering_id).exclude(
        Exists(Submission.objects.filter(task=task, application=OuterRef("pk")))
    )


def list_participants_who_missed(session: Session) -> QuerySet[Application]:
    """The offering's participants not marked as attending the session (absent, excused or
    not marked)."""
    return list_participants(session.offering_id).exclude(
        Exists(
            Attendance.objects.filter(
                session=session, application=OuterRef("pk"), status=AttendanceStatus.ATTENDED
            )
        )
    )
