from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.accreditation.selectors import normalise_accreditation_code
from cpdnet.delivery.certificates import normalise_code
from cpdnet.public.catalogue.forms import GovukFormMixin


class VerifyForm(GovukFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        help_text=_(
            "12 letters and numbers, printed at the foot of the certificate, like ABCD-EFGH-JKLM; "
            "an accredited PD Lead's code starts with PDL-"
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
        typed = self.cleaned_data["code"]
        code = normalise_accreditation_code(typed) or normalise_code(typed)
        if not code:
            raise forms.ValidationError(
                _("Enter the 12 letters and numbers of the code, like ABCD-EFGH-JKLM")
            )
        return code
