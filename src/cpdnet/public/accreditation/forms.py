"""A candidate's forms: writing a section, attaching a file, citing the offerings they lead,
submitting, appealing, renewing and choosing whether to be listed on the public register."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.accreditation.models import EVIDENCE_SECTIONS
from cpdnet.delivery.uploads import UploadField
from cpdnet.programmes.models import Offering
from cpdnet.public.catalogue.forms import GovukFormMixin

# Far above any section's word guidance (about 7 characters a word): a limit against abuse only.
SECTION_TEXT_LIMIT = 30_000
LONG_TEXT_LIMIT = 10_000


class ConfirmForm(forms.Form):
    """A button and nothing to fill in (submitting, joining the PG Cert route): it carries a
    refusal's reason to the error summary."""


class SectionForm(GovukFormMixin, forms.Form):
    text = forms.CharField(
        required=False,
        max_length=SECTION_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 18}),
        error_messages={"max_length": _("Write no more than 30,000 characters in one section")},
    )


class EvidenceFileForm(GovukFormMixin, forms.Form):
    title = forms.CharField(
        label=_("What the file shows"),
        max_length=200,
        help_text=_("For example: session 2 slides, or the feedback summary from cohort 1"),
        error_messages={"required": _("Say what the file shows")},
    )
    section = forms.ChoiceField(
        label=_("Section it supports"),
        required=False,
        choices=[("", _("The whole document"))]
        + [(key, h) for key, h, *_rest in EVIDENCE_SECTIONS],
    )
    file = UploadField(label=_("File"), error_messages={"required": _("Choose a file to attach")})


class LedOfferingsForm(forms.Form):
    offerings = forms.ModelMultipleChoiceField(
        label=_("Offerings you lead"),
        queryset=Offering.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, offerings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offerings"].queryset = offerings


class AppealForm(GovukFormMixin, forms.Form):
    grounds = forms.CharField(
        label=_("Why the decision should be looked at again"),
        help_text=_(
            "Say what you think went wrong: the evidence that was missed, or how the process "
            "was not followed."
        ),
        max_length=LONG_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Write the grounds for your appeal"),
            "max_length": _("Write no more than 10,000 characters"),
        },
    )


class RenewalForm(GovukFormMixin, forms.Form):
    evidence = forms.CharField(
        label=_("Your PD leadership since you were accredited"),
        help_text=_("The professional development you have led, for whom, and what changed."),
        max_length=LONG_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={
            "required": _("Describe the PD you have led since you were accredited"),
            "max_length": _("Write no more than 10,000 characters"),
        },
    )
    offerings = forms.ModelMultipleChoiceField(
        label=_("Offerings you led (optional)"),
        queryset=Offering.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, offerings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offerings"].queryset = offerings


class RegisterListingForm(forms.Form):
    listed = forms.TypedChoiceField(
        label=_("Do you want to be listed on the public register of accredited PD Leads?"),
        help_text=_(
            "The public register shows your name, phase, hub and the dates of your "
            "accreditation. National and hub staff always see it."
        ),
        choices=[("yes", _("Yes, list me")), ("no", _("No, do not list me"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to be listed")},
    )
