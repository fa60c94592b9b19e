from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.delivery.certificates import normalise_code
from cpdnet.public.catalogue.forms import GovukFormMixin


class VerifyForm(GovukFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        help_text=_(
            "12 letters and numbers, printed at the foot of the certificate, like ABCD-EFGH-JKLM"
        ),
        max_length=40,
        error_messages={
            "required": _("Enter the verification code"),
            "max_length": _("Enter the 12 letters and numbers of the code, like ABCD-EFGH-JKLM"),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(
                _("Enter the 12 letters and numbers of the code, like ABCD-EFGH-JKLM")
            )
        return code
