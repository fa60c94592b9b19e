from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.public.catalogue.forms import GovukFormMixin


class AudienceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, audience) -> str:
        return audience.name


class PreferencesForm(GovukFormMixin, forms.Form):
    audiences = AudienceChoiceField(
        label=_("Which newsletters do you want?"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose from the newsletters in the list")},
    )

    def __init__(self, *args, audiences, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audiences"].queryset = audiences


class SubscribeForm(PreferencesForm):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@school.org.uk"),
            "max_length": _("Enter an email address of no more than 254 characters"),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    field_order = ["email", "audiences"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audiences"].required = True
        self.fields["audiences"].error_messages["required"] = _("Choose at least one newsletter")
