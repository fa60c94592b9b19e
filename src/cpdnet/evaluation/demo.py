"""Demo surveys and feedback: start surveys for every demo participant, end surveys for most
of those who finished, ratings of sessions that have started, some page feedback, and the
demo teacher's certificate. Safe to run again: nothing is added twice."""

import random

from django.db import transaction
from django.utils import timezone

from cpdnet.applications.models import PARTICIPATING, Application, State
from cpdnet.delivery.certificates import issue_certificate
from cpdnet.programmes.models import Session

from .models import Answer, PageFeedback, Question, SessionFeedback, SurveyKind, SurveyResponse

FINISHED = (State.COMPLETED, State.NOT_COMPLETED)
START_TEXTS = (
    "Explaining why methods work, not only how.",
    "Planning small steps for pupils who fall behind.",
    "Using representations such as bar models with confidence.",
    "",
)
END_TEXTS = (
    "I now plan with my year group partner every week.",
    "I ask pupils to explain their reasoning far more often.",
    "",
)
SESSION_COMMENTS = (
    "The examples from real classrooms were the most useful part.",
    "A little rushed at the end; more time to plan together would help.",
    "",
    "",
)
PAGE_FEEDBACK = (
    ("/programmes/", True, True, ""),
    ("/programmes/", True, False, "I was not sure what a Work Group is."),
    ("/find-your-hub/", True, True, ""),
    ("/find-your-hub/", False, True, "My school's old name did not come up."),
    ("/hubs/", True, True, ""),
    ("/", None, True, "Clear and short, thank you."),
)


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(map(str, parts)))  # noqa: S311 - demo data, not secrets


def load_demo_evaluation(*, seed: int = 2026) -> dict[str, int]:
    """Add the demo's surveys, session feedback, page feedback and the teacher's certificate."""
    with transaction.atomic():
        participants = list(
            Application.objects.filter(state__in=PARTICIPATING).select_related("offering")
        )
        surveys = _add_surveys(participants, seed=seed)
        feedback = _add_session_feedback(participants, seed=seed)
        pages = _add_page_feedback()
    certificates = 0
    for application in Application.objects.filter(
        applicant__email="teacher@example.org", state=State.COMPLETED
    ):
        issue_certificate(application=application)
        certificates += 1
    return {
        "surveys": surveys,
        "session_feedback": feedback,
        "page_feedback": pages,
        "certificates": certificates,
    }


def _questions_by_programme(programme_ids: set[int]) -> dict[int, list[Question]]:
    questions = list(Question.objects.filter(is_active=True))
    return {
        programme_id: [q for q in questions if q.programme_id in (None, programme_id)]
        for programme_id in programme_ids
    }


def _add_surveys(participants: list[Application], *, seed: int) -> int:
    done = set(
        SurveyResponse.objects.filter(application__in=participants).values_list(
            "application_id", "kind"
        )
    )
    questions = _questions_by_programme({a.offering.programme_id for a in participants})
    added = 0
    for application in participants:
        kinds = [SurveyKind.START]
        if application.state in FINISHED and _rng(seed, "end", application.pk).random() < 0.8:
            kinds.append(SurveyKind.END)
        for kind in kinds:
            if (application.pk, kind) in done:
                continue
            response = SurveyResponse.objects.create(application=application, kind=kind)
            Answer.objects.bulk_create(
                _demo_answers(response, questions[application.offering.programme_id], seed=seed)
            )
            added += 1
    return added


def _demo_answers(response: SurveyResponse, questions: list[Question], *, seed: int):
    """Answers that stay the same however often the demo is loaded, a little higher at the end."""
    at_start = response.kind == SurveyKind.START
    for question in questions:
        rng = _rng(seed, "answer", response.application_id, question.pk)
        start = rng.choice((2, 2, 3, 3, 3, 4))
        rise = rng.choice((0, 1, 1, 2))
        text = rng.choice(START_TEXTS if at_start else END_TEXTS)
        if question.is_scale:
            yield Answer(
                response=response,
                question=question,
                score=start if at_start else min(5, start + rise),
            )
        elif text:
            yield Answer(response=response, question=question, text=text)


def _add_session_feedback(participants: list[Application], *, seed: int) -> int:
    by_offering: dict[int, list[Application]] = {}
    for application in participants:
        by_offering.setdefault(application.offering_id, []).append(application)
    sessions = Session.objects.filter(
        offering_id__in=by_offering, cancelled_at__isnull=True, starts_at__lte=timezone.now()
    )
    given = set(
        SessionFeedback.objects.filter(session__in=sessions).values_list(
            "session_id", "application_id"
        )
    )
    new = []
    for session in sessions:
        for application in by_offering[session.offering_id]:
            rng = _rng(seed, "session", session.pk, application.pk)
            if (session.pk, application.pk) in given or rng.random() > 0.6:
                continue
            new.append(
                SessionFeedback(
                    session=session,
                    application=application,
                    rating=rng.choice((3, 4, 4, 5, 5)),
                    comment=rng.choice(SESSION_COMMENTS),
                )
            )
    SessionFeedback.objects.bulk_create(new)
    return len(new)


def _add_page_feedback() -> int:
    if PageFeedback.objects.exists():
        return 0
    PageFeedback.objects.bulk_create(
        PageFeedback(path=path, is_useful=useful, is_plain_english=plain, comment=comment)
        for path, useful, plain, comment in PAGE_FEEDBACK
    )
    return len(PAGE_FEEDBACK)
