"""A participant's forms: handing in a gap task, reflecting, and recording the cascade."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.delivery.uploads import UploadField
from cpdnet.public.catalogue.forms import GovukFormMixin

TEXT_LIMIT = 10_000


def _long_text(label: str, *, required: bool, missing: str = "", **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": missing,
            "max_length": _("Write no more than 10,000 characters"),
        },
        **kwargs,
    )


class SubmissionForm(GovukFormMixin, forms.Form):
    text = _long_text(_("Your answer"), required=False)
    file = UploadField(label=_("Attach a file (optional)"), required=False)

    def __init__(self, *args, has_file: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if has_file:
            self.fields["file"].label = _("Replace your file (optional)")

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("text", "").strip() and not cleaned.get("file"):
            self.add_error("text", _("Write your answer or attach a file"))
        return cleaned


class ReflectionForm(GovukFormMixin, forms.Form):
    text = _long_text(
        _("Your reflection"),
        required=True,
        missing=_("Write your reflection"),
        help_text=_(
            "What did you try, what happened in your classroom, and what will you do next?"
        ),
    )


def _count(label: str, what: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=1000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        error_messages={
            "required": _("Enter the number of %(what)s, or 0") % {"what": what},
            "invalid": _("Enter the number of %(what)s as a whole number, like 3") % {"what": what},
            "min_value": _("The number of %(what)s cannot be below 0") % {"what": what},
            "max_value": _("The number of %(what)s must be 1,000 or fewer") % {"what": what},
        },
    )


class CascadeForm(GovukFormMixin, forms.Form):
    colleagues_involved = _count(_("Colleagues involved"), _("colleagues"))
    classes_reached = _count(_("Classes reached"), _("classes"))
    year_groups = forms.CharField(
        label=_("Year groups"),
        help_text=_("For example: Year 7, Year 8"),
        required=False,
        max_length=100,
        error_messages={"max_length": _("Write the year groups in 100 characters or fewer")},
    )
    notes = _long_text(_("What happened in your department (optional)"), required=False)
