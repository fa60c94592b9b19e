from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.accounts.models import SCHOOL_REACH_KINDS, OrganisationKind
from cpdnet.accounts.names import validate_person_name
from cpdnet.public.applying.forms import job_role_field, urn_field
from cpdnet.public.catalogue.forms import GovukFormMixin
from cpdnet.schools import selectors as school_selectors
from cpdnet.schools.models import School


class RegistrationForm(GovukFormMixin, forms.Form):
    """Open registration for a webinar: no account needed; the school is optional."""

    name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        validators=[validate_person_name],
        error_messages={
            "required": _("Enter your full name"),
            "max_length": _("Write no more than 200 characters"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We will send your confirmation and the link to join here."),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@school.org.uk"),
            "max_length": _("Enter an email address of no more than 254 characters"),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    job_role = job_role_field()
    organisation_kind = forms.ChoiceField(
        label=_("Which kind of organisation are you from?"),
        choices=OrganisationKind.choices,
        error_messages={
            "required": _("Choose which kind of organisation you are from"),
            "invalid_choice": _("Choose one of the kinds of organisation this event is open to"),
        },
    )
    organisation_name = forms.CharField(
        label=_("Name of your organisation"),
        help_text=_("Needed unless you are from a school. For example: University of Leeds."),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Write no more than 200 characters")},
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    urn = urn_field(
        label=_("Your school's URN (optional)"),
        help_text=_(
            "The 6-digit unique reference number of your school: find it by searching for your "
            "school in Find your hub. Leave it blank if you do not work at a school."
        ),
        required=False,
    )

    def __init__(self, *args, open_to: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(OrganisationKind.choices)
        self.fields["organisation_kind"].choices = [
            (kind, labels[kind]) for kind in open_to if kind in labels
        ]
        if len(open_to) == 1:
            self.fields["organisation_kind"].initial = open_to[0]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("organisation_kind")
        if kind and kind != OrganisationKind.SCHOOL and not cleaned.get("organisation_name"):
            self.add_error("organisation_name", _("Enter the name of your organisation"))
        if kind and kind not in SCHOOL_REACH_KINDS and cleaned.get("urn"):
            self.add_error(
                "urn", _("Leave the URN blank: it is only for people from a school or college")
            )
        return cleaned

    def clean_urn(self) -> School | None:
        urn = self.cleaned_data["urn"]
        if urn is None:
            return None
        try:
            return school_selectors.get_school(urn)
        except School.DoesNotExist:
            raise forms.ValidationError(
                _("We could not find a school with this URN. Check it, or leave it blank.")
            ) from None
