from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.accounts.models import JobRole
from cpdnet.public.catalogue.forms import GovukFormMixin
from cpdnet.schools import selectors as school_selectors
from cpdnet.schools.models import School

URN_ERROR = _("Enter the URN as a number, like 107999")


def urn_field(*, label: str, help_text: str, required: bool = True) -> forms.IntegerField:
    """A school's URN typed as a number; the form's clean_urn turns it into the school."""
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=1,
        max_value=9_999_999,
        error_messages={
            "required": _("Enter your school's URN"),
            "invalid": URN_ERROR,
            "min_value": URN_ERROR,
            "max_value": URN_ERROR,
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )


def job_role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Your job role"),
        choices=JobRole.choices,
        error_messages={
            "required": _("Choose your job role"),
            "invalid_choice": _("Choose your job role"),
        },
    )


class ApplicationForm(GovukFormMixin, forms.Form):
    """A teacher's application; the URN only when we do not know their school."""

    urn = urn_field(
        label=_("Your school's URN"),
        help_text=_(
            "The 6-digit unique reference number of your school. Find it by searching for your "
            "school in Find your hub."
        ),
    )
    job_role = job_role_field()
    approver_email = forms.EmailField(
        label=_("Email address of your headteacher or CPD lead"),
        help_text=_("We will ask them to release you to take part. They do not need an account."),
        error_messages={
            "required": _("Enter the email address of your headteacher or CPD lead"),
            "invalid": _("Enter an email address in the correct format, like head@school.org.uk"),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    statement = forms.CharField(
        label=_("Why do you want to take part? (optional)"),
        required=False,
        max_length=2000,
        error_messages={"max_length": _("Write no more than 2,000 characters")},
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, applicant, needs_school: bool, needs_approver: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.applicant = applicant
        if not needs_school:
            del self.fields["urn"]
        if not needs_approver:
            del self.fields["approver_email"]

    def clean_urn(self) -> School:
        try:
            return school_selectors.get_school(self.cleaned_data["urn"])
        except School.DoesNotExist:
            raise forms.ValidationError(
                _("We could not find a school with this URN. Check it and try again.")
            ) from None

    def clean_approver_email(self) -> str:
        email = self.cleaned_data["approver_email"].strip().lower()
        if email == self.applicant.email.lower():
            # A teacher may not release themself.
            raise forms.ValidationError(
                _("Enter the email address of your headteacher or CPD lead, not your own")
            )
        return email


class WithdrawForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        required=False,
        max_length=300,
        error_messages={"max_length": _("Write no more than 300 characters")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SchoolDecisionForm(GovukFormMixin, forms.Form):
    """A school's answer: which button was pressed, and an optional reason."""

    decision = forms.ChoiceField(
        choices=[("release", _("Release")), ("decline", _("Do not release"))],
        error_messages={
            "required": _("Choose whether to release the teacher"),
            "invalid_choice": _("Choose whether to release the teacher"),
        },
    )
    reason = forms.CharField(
        label=_("If you do not release them, tell them why (optional)"),
        required=False,
        max_length=300,
        error_messages={"max_length": _("Write no more than 300 characters")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @property
    def releases(self) -> bool:
        return self.cleaned_data["decision"] == "release"
