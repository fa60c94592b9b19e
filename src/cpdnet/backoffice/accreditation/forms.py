"""Back-office accreditation forms: marking, recommending, assigning and unassigning, deadlines,
extensions and the decisions of moderation, appeals and renewals."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.accounts.models import Role, User
from cpdnet.accreditation.models import EVIDENCE_SECTIONS, AssessmentRole, Recommendation

from ..forms import GovukForm

TEXT_LIMIT = 10_000
MET_CHOICES = [("met", _("Met")), ("not_met", _("Not yet met"))]


def _text(label, *, required=True, missing="", help_text="", rows=5) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": missing,
            "max_length": _("Write no more than 10,000 characters"),
        },
    )


class MarkingForm(GovukForm):
    """Met or not yet met, with feedback, for every section. A section may stay unmarked while
    the assessor works; the recommendation needs them all."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, heading, *_rest in EVIDENCE_SECTIONS:
            self.fields[f"met_{key}"] = forms.ChoiceField(
                label=_("Is this criterion met? %(heading)s") % {"heading": heading},
                choices=MET_CHOICES,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"feedback_{key}"] = _text(
                _("Feedback: %(heading)s") % {"heading": heading},
                required=False,
                help_text=_("The candidate reads this after the awarding decision."),
            )
            self.style_field(f"met_{key}")
            self.style_field(f"feedback_{key}")

    def marks(self) -> dict[str, tuple[bool | None, str]]:
        data = self.cleaned_data
        return {
            key: (
                {"met": True, "not_met": False}.get(data[f"met_{key}"]),
                data[f"feedback_{key}"],
            )
            for key in (section[0] for section in EVIDENCE_SECTIONS)
        }

    def sections(self):
        """(heading, met field, feedback field) per section, for the template."""
        return [
            (heading, self[f"met_{key}"], self[f"feedback_{key}"])
            for key, heading, *_rest in EVIDENCE_SECTIONS
        ]


class RecommendationForm(GovukForm):
    recommendation = forms.ChoiceField(
        label=_("Your recommendation"),
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a recommendation")},
    )
    summary = _text(
        _("Summary for the candidate and the awarding panel"),
        missing=_("Write a summary of your judgement"),
        rows=8,
    )


class AssessorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return f"{user.full_name or user.email} ({user.email})"


class AssignForm(GovukForm):
    assessor = AssessorChoiceField(
        label=_("Assessor"),
        queryset=User.objects.none(),
        empty_label=_("Choose an assessor"),
        error_messages={"required": _("Choose an assessor")},
    )
    role = forms.ChoiceField(
        label=_("Marking"),
        choices=AssessmentRole.choices,
        initial=AssessmentRole.FIRST,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = (
            User.objects.filter(roles__role__in=[Role.ASSESSOR, Role.MODERATOR], is_active=True)
            .distinct()
            .order_by("full_name", "email")
        )


class DeadlineForm(GovukForm):
    submit_by = forms.DateTimeField(
        label=_("Evidence due by"),
        help_text=_("The date and time, in UK time."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Enter when the evidence is due"),
            "invalid": _("Enter the date and time like 2027-03-31 17:00"),
        },
    )
    resubmission_window_days = forms.IntegerField(
        label=_("Days allowed for a resubmission"),
        min_value=7,
        max_value=180,
        initial=42,
        error_messages={
            "required": _("Enter the days allowed for a resubmission"),
            "invalid": _("Enter the days as a whole number, like 42"),
            "min_value": _("Allow at least 7 days for a resubmission"),
            "max_value": _("Allow no more than 180 days for a resubmission"),
        },
    )


class ExtensionForm(GovukForm):
    until = forms.DateTimeField(
        label=_("Extended until"),
        help_text=_("The date and time, in UK time."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Enter the date the extension runs to"),
            "invalid": _("Enter the date and time like 2027-04-30 17:00"),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        error_messages={
            "required": _("Give the reason for the extension"),
            "max_length": _("Write the reason in 300 characters or fewer"),
        },
    )


class ModerationDecisionForm(GovukForm):
    recommendation = forms.ChoiceField(
        label=_("Decision"),
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the recommendation that stands")},
    )
    reason = _text(_("Reason"), missing=_("Give the reason for the decision"))


class DecisionForm(GovukForm):
    """Upheld or not (appeals), renewed or returned (renewals), with the reason."""

    decision = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision")},
    )
    reason = _text(_("Reason"), missing=_("Give the reason"))

    def __init__(self, *args, yes: str, no: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [("yes", yes), ("no", no)]


class WithdrawForm(GovukForm):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=300,
        error_messages={
            "required": _("Give the reason for withdrawing"),
            "max_length": _("Write the reason in 300 characters or fewer"),
        },
    )


class UnassignForm(GovukForm):
    reason = forms.CharField(
        label=_("Reason for unassigning"),
        help_text=_("Kept with the record of this change; the assessor's email leaves it out."),
        max_length=300,
        error_messages={
            "required": _("Give the reason for unassigning the assessor"),
            "max_length": _("Write the reason in 300 characters or fewer"),
        },
    )
