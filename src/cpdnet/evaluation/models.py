from django.db import models
from django.utils.translation import gettext_lazy as _

from cpdnet.applications.models import Application
from cpdnet.programmes.models import Programme, Session


class SurveyKind(models.TextChoices):
    START = "start", _("Start of the offering")
    END = "end", _("End of the offering")


class QuestionCategory(models.TextChoices):
    CONFIDENCE = "confidence", _("Confidence")
    PRACTICE = "practice", _("Practice")
    OPEN = "open", _("Free text")


class Question(models.Model):
    """A survey question asked the same way at the start and the end, so change is measured.

    Scale questions are answered 1 (strongly disagree) to 5 (strongly agree); open questions
    take free text. A question without a programme is asked on every offering.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="questions"
    )
    key = models.SlugField(max_length=60)
    text = models.CharField(max_length=300)
    category = models.CharField(max_length=12, choices=QuestionCategory.choices)
    display_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["display_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "key"], name="question_key_per_programme"),
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(programme__isnull=True),
                name="national_question_key",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_scale(self) -> bool:
        return self.category != QuestionCategory.OPEN


class SurveyResponse(models.Model):
    """A participant's start or end survey for their place on an offering."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="survey_responses"
    )
    kind = models.CharField(max_length=5, choices=SurveyKind.choices)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind"], name="one_survey_per_application_and_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} survey of application {self.application_id}"


class Answer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="one_answer_per_question"
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="score_on_the_scale",
            ),
        ]
        indexes = [models.Index(fields=["question", "response"])]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.score if self.score is not None else self.text[:20]}"


class SessionFeedback(models.Model):
    """A participant's rating of one session, with an optional comment."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="feedback")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="session_feedback"
    )
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "application"], name="one_feedback_per_session"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="rating_on_the_scale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 for session {self.session_id}"


class PageFeedback(models.Model):
    """'Is this page useful?' and 'Was this written in plain English?' from any public page."""

    path = models.CharField(max_length=300, db_index=True)
    is_useful = models.BooleanField(null=True)
    is_plain_english = models.BooleanField(null=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"feedback on {self.path}"
