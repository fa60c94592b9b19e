from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.accounts.names import validate_person_name
from cpdnet.hubs.models import Hub


class FindHubForm(forms.Form):
    q = forms.CharField(
        label=_("School name, URN or postcode"),
        max_length=100,
        error_messages={
            "required": _("Enter a school name, URN or postcode"),
            "max_length": _("Enter no more than 100 characters"),
        },
    )

    def __init__(self, *args, **kwargs):
        # The input's id is "q", which the error summary links to and the script enhances.
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    def clean_q(self) -> str:
        text = " ".join(self.cleaned_data["q"].split())
        if len(text.replace(" ", "")) < 2:
            raise forms.ValidationError(_("Enter at least 2 letters or numbers"))
        return text


class HubChangeRequestForm(forms.Form):
    requested_hub = forms.ModelChoiceField(
        queryset=Hub.objects.none(),
        label=_("Which hub does your school work with?"),
        empty_label=_("Choose a hub"),
        error_messages={"required": _("Choose the hub your school works with")},
    )
    contact_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        validators=[validate_person_name],
        error_messages={"required": _("Enter your full name")},
    )
    contact_email = forms.EmailField(
        label=_("Your school email address"),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@school.org.uk"),
        },
    )
    contact_role = forms.CharField(label=_("Your role (optional)"), max_length=100, required=False)
    reason = forms.CharField(
        label=_("Why does your school work with this hub? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, hubs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_hub"].queryset = hubs
        self.fields["requested_hub"].label_from_instance = lambda hub: (
            f"{hub.name} ({hub.network.name})"
        )
