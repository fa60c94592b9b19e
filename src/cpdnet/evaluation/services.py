"""Writes of surveys and feedback: a participant's start and end survey, their rating of a
session, and anyone's "Is this page useful?" answer."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpdnet.applications.models import PARTICIPATING, Application
from cpdnet.programmes.models import Session

from . import selectors
from .models import Answer, PageFeedback, Question, SessionFeedback, SurveyResponse


class EvaluationError(Exception):
    """A survey or feedback that cannot be taken; `reason` is shown to the person."""

    def __init__(self, reason: str, *, code: str):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _locked_participation(application: Application) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.state not in PARTICIPATING:
        raise EvaluationError(_("You no longer have a place on this offering."), code="no_place")
    return application


def submit_survey(
    *, application: Application, kind: str, answers: dict[Question, int | str]
) -> SurveyResponse:
    """Store a participant's start or end survey: once per place and kind.

    `answers` maps each question to a score (scale questions) or text (open questions); empty
    open answers are not stored.
    """
    with transaction.atomic():
        application = _locked_participation(application)
        if not selectors.survey_is_open(application.offering, kind):
            raise EvaluationError(_("This survey is not open."), code="not_open")
        try:
            with transaction.atomic():
                response = SurveyResponse.objects.create(application=application, kind=kind)
        except IntegrityError:
            raise EvaluationError(
                _("You have already answered this survey."), code="done"
            ) from None
        Answer.objects.bulk_create(
            [
                Answer(response=response, question=question, score=value)
                if question.is_scale
                else Answer(response=response, question=question, text=str(value).strip())
                for question, value in answers.items()
                if question.is_scale or str(value).strip()
            ]
        )
    return response


def give_session_feedback(
    *, application: Application, session: Session, rating: int, comment: str = ""
) -> SessionFeedback:
    """Store a participant's rating of a session they could attend, once it has started."""
    if session.offering_id != application.offering_id or session.is_cancelled:
        raise EvaluationError(_("This session is not part of your offering."), code="not_yours")
    if session.starts_at > timezone.now():
        raise EvaluationError(
            _("You can give feedback once the session has started."), code="not_started"
        )
    with transaction.atomic():
        application = _locked_participation(application)
        try:
            with transaction.atomic():
                return SessionFeedback.objects.create(
                    session=session, application=application, rating=rating, comment=comment.strip()
                )
        except IntegrityError:
            raise EvaluationError(
                _("You have already given feedback on this session."), code="done"
            ) from None


def record_page_feedback(
    *, path: str, is_useful: bool | None, is_plain_english: bool | None, comment: str = ""
) -> PageFeedback:
    """Store one visitor's answers about a page (anonymous: no person, no address kept)."""
    return PageFeedback.objects.create(
        path=path,
        is_useful=is_useful,
        is_plain_english=is_plain_english,
        comment=comment.strip(),
    )


def erase_person_evaluation(*, user) -> dict[str, int]:
    """Blank a person's free text in surveys and session feedback as their account is erased.

    Scores stay, tied to a place whose person is anonymised, so programme results still add up.
    """
    texts = (
        Answer.objects.filter(response__application__applicant=user)
        .exclude(text="")
        .update(text="")
    )
    comments = (
        SessionFeedback.objects.filter(application__applicant=user)
        .exclude(comment="")
        .update(comment="")
    )
    return {"survey_texts_blanked": texts, "feedback_comments_blanked": comments}
