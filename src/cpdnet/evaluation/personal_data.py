"""Personal data in evaluation: survey answers, session feedback, and page feedback comments."""

from cpdnet.privacy.registry import Person, PersonalData, RetentionRun, register

from .models import Answer, PageFeedback, SessionFeedback
from .selectors import export_person_evaluation
from .services import erase_person_evaluation


@register
class SurveysAndFeedback(PersonalData):
    key = "evaluation.surveys_and_feedback"
    label = "Start and end survey answers and session feedback"
    fields = (
        "evaluation.SurveyResponse.application",
        "evaluation.Answer.text",
        "evaluation.SessionFeedback.comment",
    )
    retention_period = "applications"
    kept_anonymised = "Scores and ratings, so changes in confidence and practice still add up."

    def export(self, person: Person) -> dict:
        return export_person_evaluation(person.user)

    def erase(self, person: Person) -> dict[str, int]:
        return erase_person_evaluation(user=person.user)

    def apply_retention(self, run: RetentionRun) -> int:
        before = run.cutoff("applications").date()
        answers = Answer.objects.filter(
            response__application__offering__ends_on__lt=before
        ).exclude(text="")
        comments = SessionFeedback.objects.filter(
            application__offering__ends_on__lt=before
        ).exclude(comment="")
        return run.in_batches(answers, lambda batch: batch.update(text="")) + run.in_batches(
            comments, lambda batch: batch.update(comment="")
        )


@register
class PageFeedbackComments(PersonalData):
    key = "evaluation.page_feedback"
    label = 'Comments left in "Is this page useful?"'
    fields = ("evaluation.PageFeedback.comment",)
    # Anonymous when given (no account, no address), so there is nothing to export or erase
    # for one person; a comment may still name someone, so it does not stay for ever.
    retention_period = "page_feedback"
    kept_anonymised = "The yes and no answers for each page."

    def apply_retention(self, run: RetentionRun) -> int:
        old = PageFeedback.objects.filter(created_at__lt=run.cutoff("page_feedback")).exclude(
            comment=""
        )
        return run.in_batches(old, lambda batch: batch.update(comment=""))
