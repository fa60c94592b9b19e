"""Reads of surveys and feedback: which questions an offering asks, when its surveys are open,
paired start and end scores, and page feedback for national staff."""

import datetime

from django.db.models import Avg, Count, F, Max, Q, QuerySet
from django.utils import timezone

from cpdnet.applications.models import Application
from cpdnet.applications.selectors import get_participation
from cpdnet.programmes.models import Offering, Programme, Session

from .models import Answer, PageFeedback, Question, SessionFeedback, SurveyKind, SurveyResponse


def list_questions(offering: Offering) -> QuerySet[Question]:
    """The active questions of an offering: the national set, then its programme's own."""
    return Question.objects.filter(
        Q(programme__isnull=True) | Q(programme_id=offering.programme_id), is_active=True
    ).order_by(F("programme_id").asc(nulls_first=True), "display_order", "id")


def end_survey_opens_at(offering: Offering) -> datetime.datetime:
    """When the end survey opens: the start of the offering's last session that takes place,
    or, for an offering without sessions, the morning of its last day (London time)."""
    last = (
        Session.objects.filter(offering=offering, cancelled_at__isnull=True)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    if last is not None:
        return last
    return datetime.datetime.combine(
        offering.ends_on, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )


def survey_is_open(offering: Offering, kind: str, *, now: datetime.datetime | None = None) -> bool:
    """Start survey: from getting a place until the end survey opens. End survey: from then on.

    Closing the start survey when the end one opens keeps "start" answers from the start.
    """
    now = now or timezone.now()
    end_opens = end_survey_opens_at(offering)
    return now < end_opens if kind == SurveyKind.START else now >= end_opens


def get_survey_response(application: Application, kind: str) -> SurveyResponse | None:
    return SurveyResponse.objects.filter(application=application, kind=kind).first()


def access_feedback_session(user, session_id: int) -> tuple[Session, Application]:
    """Return a session and the person's place on its offering, or raise Session.DoesNotExist
    alike for a missing session and one whose offering they take no part in."""
    session = Session.objects.select_related("offering__programme", "offering__hub").get(
        pk=session_id, cancelled_at__isnull=True
    )
    try:
        application = get_participation(user, session.offering_id)
    except Application.DoesNotExist:
        raise Session.DoesNotExist from None
    return session, application


def get_session_feedback(session: Session, application: Application) -> SessionFeedback | None:
    return SessionFeedback.objects.filter(session=session, application=application).first()


# From an end answer through its place to the start answers of the same place.
_START = "response__application__survey_responses__"


def list_paired_scores() -> QuerySet:
    """Per application and scale question, its start and its end score, where both exist.

    The one definition of a "paired" answer, shared with the insights app: the same person's
    answers to the same question on the same place, at the start and at the end.
    """
    # One join to the start answer; the conditions sit in one filter() call so that they
    # constrain the same joined row.
    return (
        Answer.objects.filter(
            response__kind=SurveyKind.END,
            score__isnull=False,
            **{
                f"{_START}kind": SurveyKind.START,
                f"{_START}answers__question": F("question"),
                f"{_START}answers__score__isnull": False,
            },
        )
        .order_by()
        .values(
            "question_id",
            application_id=F("response__application_id"),
            offering_id=F("response__application__offering_id"),
            programme_id=F("response__application__offering__programme_id"),
            hub_id=F("response__application__offering__hub_id"),
            start_score=F(f"{_START}answers__score"),
            end_score=F("score"),
        )
    )


def latest_survey_response_id() -> int:
    """Changes whenever a survey is answered: a version for cached results."""
    return SurveyResponse.objects.aggregate(latest=Max("id"))["latest"] or 0


def list_survey_results(*, offering_id: int | None = None) -> list[dict]:
    """Per programme and question: paired answers and the mean start and end scores (of one
    offering if given), by programme title and question order."""
    pairs = list_paired_scores()
    if offering_id is not None:
        pairs = pairs.filter(response__application__offering_id=offering_id)
    # Grouped by ids alone (cheaper than by titles); the titles are looked up after.
    rows = list(
        pairs.values("programme_id", "question_id").annotate(
            pairs=Count("id"), start_mean=Avg("start_score"), end_mean=Avg("end_score")
        )
    )
    programmes = Programme.objects.in_bulk({row["programme_id"] for row in rows})
    questions = Question.objects.in_bulk({row["question_id"] for row in rows})
    for row in rows:
        row["programme_title"] = programmes[row["programme_id"]].title
        row["question_text"] = questions[row["question_id"]].text
    return sorted(
        rows,
        key=lambda row: (
            row["programme_title"],
            row["programme_id"],
            questions[row["question_id"]].display_order,
            row["question_id"],
        ),
    )


def list_session_ratings(offering: Offering) -> QuerySet[Session]:
    """An offering's sessions with how many rated each and the mean rating."""
    return (
        Session.objects.filter(offering=offering)
        .annotate(ratings=Count("feedback"), mean_rating=Avg("feedback__rating"))
        .order_by("starts_at", "id")
    )


def list_session_comments(offering: Offering) -> QuerySet[SessionFeedback]:
    """Comments on an offering's sessions, without who wrote them."""
    return (
        SessionFeedback.objects.filter(session__offering=offering)
        .exclude(comment="")
        .select_related("session")
        .only("rating", "comment", "created_at", "session__starts_at", "session__title")
        .order_by("session__starts_at", "session_id", "created_at", "id")
    )


def count_survey_responses(offering: Offering) -> dict[str, int]:
    """How many of an offering's participants answered each survey."""
    counts = dict(
        SurveyResponse.objects.filter(application__offering=offering)
        .order_by()
        .values_list("kind")
        .annotate(count=Count("id"))
    )
    return {kind: counts.get(kind, 0) for kind in SurveyKind.values}


def list_page_feedback(*, path: str = "") -> QuerySet[PageFeedback]:
    feedback = PageFeedback.objects.order_by("-created_at", "-id")
    return feedback.filter(path=path) if path else feedback


def list_page_feedback_counts() -> QuerySet:
    """Per page: answers counted in the database, the most answered first."""
    return (
        PageFeedback.objects.order_by()
        .values("path")
        .annotate(
            total=Count("id"),
            useful_yes=Count("id", filter=Q(is_useful=True)),
            useful_no=Count("id", filter=Q(is_useful=False)),
            plain_yes=Count("id", filter=Q(is_plain_english=True)),
            plain_no=Count("id", filter=Q(is_plain_english=False)),
            comments=Count("id", filter=~Q(comment="")),
        )
        .order_by("-total", "path")
    )


def export_person_evaluation(user) -> dict:
    """A person's survey answers and session feedback, for their data export."""
    responses = (
        SurveyResponse.objects.filter(application__applicant=user)
        .select_related("application__offering__programme")
        .prefetch_related("answers__question")
        .order_by("submitted_at", "id")
    )
    feedback = (
        SessionFeedback.objects.filter(application__applicant=user)
        .select_related("session__offering__programme")
        .order_by("created_at", "id")
    )
    return {
        "surveys": [
            {
                "application": response.application_id,
                "programme": response.application.offering.programme.title,
                "kind": response.kind,
                "submitted_at": response.submitted_at.isoformat(),
                "answers": [
                    {
                        "question": answer.question.text,
                        "score": answer.score,
                        "text": answer.text,
                    }
                    for answer in response.answers.all()
                ],
            }
            for response in responses
        ],
        "session_feedback": [
            {
                "application": item.application_id,
                "programme": item.session.offering.programme.title,
                "session_starts_at": item.session.starts_at.isoformat(),
                "rating": item.rating,
                "comment": item.comment,
                "created_at": item.created_at.isoformat(),
            }
            for item in feedback
        ],
    }
