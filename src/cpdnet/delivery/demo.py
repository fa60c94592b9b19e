"""Demo delivery for `cpdnet load-demo`: registers of the sessions that have ended, and for the
demo teacher's current place resources (a link, a text file and a PDF), gap tasks, an answer
and a reflection. Rows are made directly with the models, so loading sends no email and
writes no audit entry. Safe to run again: nothing is added twice."""

import datetime
import random

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from fpdf import FPDF

from cpdnet.accounts.models import User
from cpdnet.applications.models import PARTICIPATING, Application, State
from cpdnet.programmes.models import Session

from .models import (
    Attendance,
    AttendanceChange,
    AttendanceStatus,
    GapTask,
    Reflection,
    Resource,
    Submission,
)
from .uploads import keep

TEACHER = "teacher@example.org"
FACILITATOR = "facilitator@example.org"
EXCUSES = ("Ill", "School trip", "Parents' evening", "Covering a colleague")
GUIDE_TEXT = (
    "Planning a lesson with a bar model\n\n"
    "1. Start from a problem pupils can picture.\n"
    "2. Draw the whole, then split it into equal parts.\n"
    "3. Ask pupils to explain what each part stands for.\n"
)
TASKS = (
    (
        "Try a bar model with one class",
        "Teach one lesson using a bar model. Bring a photo of pupils' work (no faces) and two "
        "sentences on what surprised you.",
        1,  # after session 1
        -7,  # days from today
    ),
    (
        "Plan a lesson study with a colleague",
        "Choose a colleague and a lesson to study together. Write down the question you want "
        "the lesson to answer.",
        2,
        14,
    ),
)


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(map(str, parts)))  # noqa: S311 - demo data, not secrets


def load_demo_delivery(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Add registers for ended sessions and the demo teacher's resources, tasks and work."""
    now = now or timezone.now()
    with transaction.atomic():
        marks = _add_attendance(now=now)
        teacher_places = list(
            Application.objects.filter(
                applicant__email=TEACHER, state=State.ACCEPTED
            ).select_related("offering")
        )
        facilitator = User.objects.filter(email=FACILITATOR).first()
        resources = tasks = 0
        for place in teacher_places:
            sessions = list(place.offering.sessions.filter(cancelled_at__isnull=True))
            if not sessions:
                continue
            resources += _add_resources(place, facilitator)
            tasks += _add_tasks(place, sessions, facilitator)
            _add_teacher_work(place, sessions, now=now)
            _add_message(place, facilitator)
    return {"attendance": marks, "resources": resources, "gap_tasks": tasks}


def _add_message(place: Application, facilitator: User | None) -> None:
    """A message from the facilitator to every participant, as the teacher's page shows it
    (made directly: loading the demo sends no email)."""
    from cpdnet.notifications.models import MessageAudience, MessageRecipient, ParticipantMessage

    participants = list(
        Application.objects.filter(offering=place.offering, state__in=PARTICIPATING).values_list(
            "pk", flat=True
        )
    )
    message, created = ParticipantMessage.objects.get_or_create(
        offering=place.offering,
        idempotency_key="demo-welcome",
        defaults={
            "sender": facilitator,
            "audience": MessageAudience.ALL,
            "subject": "Before our next session",
            "body": "Thank you for a thoughtful first session. Please bring one piece of "
            "pupils' work that used a bar model, and the lesson plan that went with it.",
            "recipient_count": len(participants),
        },
    )
    if created:
        MessageRecipient.objects.bulk_create(
            MessageRecipient(message=message, application_id=pk) for pk in participants
        )


def _status_for(application: Application, session: Session) -> str:
    if application.state == State.COMPLETED or application.applicant.email == TEACHER:
        return AttendanceStatus.ATTENDED
    roll = _rng("attendance", application.pk, session.uid).random()
    if roll < 0.82:
        return AttendanceStatus.ATTENDED
    return AttendanceStatus.EXCUSED if roll < 0.9 else AttendanceStatus.ABSENT


def _add_attendance(*, now: datetime.datetime) -> int:
    """Mark every participant of every session that has ended, once."""
    ended = Session.objects.filter(cancelled_at__isnull=True, ends_at__lte=now)
    participants = Application.objects.filter(
        state__in=PARTICIPATING, offering__sessions__in=ended
    ).distinct()
    by_offering: dict[int, list[Application]] = {}
    for application in participants.select_related("applicant"):
        by_offering.setdefault(application.offering_id, []).append(application)
    marked = set(
        Attendance.objects.filter(session__in=ended).values_list("session_id", "application_id")
    )
    new = []
    for session in ended.filter(offering_id__in=by_offering).only("pk", "uid", "offering_id"):
        for application in by_offering[session.offering_id]:
            if (session.pk, application.pk) in marked:
                continue
            status = _status_for(application, session)
            reason = ""
            if status == AttendanceStatus.EXCUSED:
                reason = _rng("excuse", application.pk, session.uid).choice(EXCUSES)
            new.append(
                Attendance(session=session, application=application, status=status, reason=reason)
            )
    created = Attendance.objects.bulk_create(new, batch_size=500)
    AttendanceChange.objects.bulk_create(
        [
            AttendanceChange(attendance=mark, to_status=mark.status, reason=mark.reason)
            for mark in created
        ],
        batch_size=500,
    )
    return len(created)


def _guide_pdf() -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_compression(False)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=18)
    pdf.cell(0, 12, "Bar models: a one-page guide", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 7, GUIDE_TEXT)
    return bytes(pdf.output())


def _add_resources(place: Application, facilitator: User | None) -> int:
    offering = place.offering
    have = set(offering.resources.values_list("title", flat=True))
    added = 0
    if "NCETM: bar modelling" not in have:
        Resource.objects.create(
            offering=offering,
            title="NCETM: bar modelling",
            url="https://www.ncetm.org.uk/",
            is_public=True,
            added_by=facilitator,
        )
        added += 1
    files = (
        ("Lesson plan notes", "lesson-plan-notes.txt", "text/plain", GUIDE_TEXT.encode()),
        ("Bar models: a one-page guide", "bar-models-guide.pdf", "application/pdf", None),
    )
    for title, name, content_type, content in files:
        if title in have:
            continue
        content = content if content is not None else _guide_pdf()
        stored = keep(ContentFile(content), extension=name.rsplit(".", 1)[1])
        Resource.objects.create(
            offering=offering,
            title=title,
            stored_name=stored,
            original_name=name,
            content_type=content_type,
            size_bytes=len(content),
            added_by=facilitator,
        )
        added += 1
    return added


def _add_tasks(place: Application, sessions: list[Session], facilitator: User | None) -> int:
    offering = place.offering
    have = set(offering.gap_tasks.values_list("title", flat=True))
    today = timezone.localdate()
    added = 0
    for title, instructions, after, days in TASKS:
        if title in have:
            continue
        GapTask.objects.create(
            offering=offering,
            session=sessions[min(after, len(sessions)) - 1],
            title=title,
            instructions=instructions,
            due_on=today + datetime.timedelta(days=days),
            set_by=facilitator,
        )
        added += 1
    return added


def _add_teacher_work(place: Application, sessions: list[Session], *, now) -> None:
    first = sessions[0]
    if first.starts_at <= now:
        Reflection.objects.get_or_create(
            application=place,
            session=first,
            defaults={
                "text": "Pupils explained their thinking far more with the bar model in front "
                "of them. Next time I will give them longer to draw it themselves."
            },
        )
    task = place.offering.gap_tasks.filter(title=TASKS[0][0]).first()
    if task is not None:
        Submission.objects.get_or_create(
            task=task,
            application=place,
            defaults={
                "text": "Year 5 used bar models for fractions of amounts. Two pupils who "
                "usually struggle explained their answers to the class.",
                "submitted_at": min(now, first.ends_at + datetime.timedelta(days=2)),
            },
        )
