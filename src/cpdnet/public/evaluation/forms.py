from urllib.parse import urlsplit

from django import forms
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from cpdnet.evaluation.models import Question
from cpdnet.public.catalogue.forms import GovukFormMixin

AGREEMENT = [
    ("1", _("Strongly disagree")),
    ("2", _("Disagree")),
    ("3", _("Neither agree nor disagree")),
    ("4", _("Agree")),
    ("5", _("Strongly agree")),
]
RATINGS = [
    ("5", _("5: very good")),
    ("4", _("4: good")),
    ("3", _("3: neither good nor poor")),
    ("2", _("2: poor")),
    ("1", _("1: very poor")),
]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
PATH_LIMIT = 300  # PageFeedback.path
PATH_LENGTH_LIMIT = 2000  # with its query


def local_path(path: str, host: str) -> str | None:
    """The path itself if it is an address on this site (never another site), else None."""
    if (
        len(path) > PATH_LENGTH_LIMIT
        or not path.startswith("/")
        or path.startswith("//")
        or "\\" in path
        or any(ord(char) < 32 for char in path)
        or not url_has_allowed_host_and_scheme(path, allowed_hosts={host})
    ):
        return None
    return path


def _text_field(label, limit: int, *, help_text="", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=limit,
        error_messages={
            "max_length": _("Write no more than %(limit)s characters") % {"limit": f"{limit:,}"}
        },
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _scale_field(question: Question) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=question.text,
        choices=AGREEMENT,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how much you agree with: %(question)s")
            % {"question": question.text},
            "invalid_choice": _("Choose one of the answers given"),
        },
    )


class SurveyForm(GovukFormMixin, forms.Form):
    """One field per question: radios on the agreement scale, or optional free text."""

    def __init__(self, *args, questions: list[Question], **kwargs):
        self.questions = {f"question_{question.pk}": question for question in questions}
        # An instance attribute: Form.__init__ copies its fields from base_fields.
        self.base_fields = {
            name: _scale_field(question)
            if question.is_scale
            else _text_field(_("%(question)s (optional)") % {"question": question.text}, 2000)
            for name, question in self.questions.items()
        }
        super().__init__(*args, **kwargs)

    @property
    def answers(self) -> dict[Question, int | str]:
        return {
            question: int(self.cleaned_data[name]) if question.is_scale else self.cleaned_data[name]
            for name, question in self.questions.items()
        }


class SessionFeedbackForm(GovukFormMixin, forms.Form):
    rating = forms.ChoiceField(
        label=_("How good was this session?"),
        choices=RATINGS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how good the session was"),
            "invalid_choice": _("Choose one of the answers given"),
        },
    )
    comment = _text_field(
        _("What worked well, and what could be better? (optional)"),
        2000,
        help_text=_(
            "The people who run the offering see your rating and comment, without your name."
        ),
    )


def _yes_no(label) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=YES_NO,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose yes or no")},
    )


class PageFeedbackForm(GovukFormMixin, forms.Form):
    """Two yes-or-no questions about a page, and an optional comment. No personal data."""

    # Checked in clean(): an error about it goes above the form, as the field is hidden.
    path = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    is_useful = _yes_no(_("Is this page useful?"))
    is_plain_english = _yes_no(_("Was this written in plain English?"))
    comment = _text_field(
        _("How could this page be better? (optional)"),
        1200,
        help_text=_("Do not include personal information, such as your name or email address."),
        rows=3,
    )

    def __init__(self, *args, host: str, **kwargs):
        kwargs.setdefault("auto_id", "page-feedback-%s")
        super().__init__(*args, **kwargs)
        self.host = host

    def clean(self):
        data = super().clean()
        path = local_path(data.get("path", ""), self.host)
        if path is None:
            raise forms.ValidationError(
                _("We could not tell which page this feedback is about."), code="path"
            )
        data["path"] = path
        if not (data.get("is_useful") or data.get("is_plain_english") or data.get("comment")):
            raise forms.ValidationError(
                _("Answer at least one question, or write a comment"), code="empty"
            )
        return data

    @property
    def page(self) -> str:
        """The page's path without its query, which may hold what a visitor searched for."""
        return urlsplit(self.cleaned_data["path"]).path[:PATH_LIMIT]

    def answer(self, name: str) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data[name])
