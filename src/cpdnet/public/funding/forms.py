import re

from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.funding.money import MoneyError, parse_pounds
from cpdnet.public.catalogue.forms import GovukFormMixin


class ClaimForm(GovukFormMixin, forms.Form):
    travel_cost = forms.CharField(
        label=_("Travel cost (£)"),
        initial="0.00",
        max_length=20,
        help_text=_("What the journey to and from the course cost, up to the cap. 0 if none."),
    )
    has_receipt = forms.BooleanField(
        label=_("I have a receipt or ticket for the travel cost and will keep it for 6 years"),
        required=False,
    )

    def clean_travel_cost(self):
        try:
            return parse_pounds(self.cleaned_data["travel_cost"])
        except MoneyError as error:
            raise forms.ValidationError(str(error)) from None


class BankDetailsForm(GovukFormMixin, forms.Form):
    account_name = forms.CharField(
        label=_("Name on the account"),
        max_length=18,
        help_text=_("As the bank has it; up to 18 characters, as bank payment files allow."),
    )
    sort_code = forms.CharField(
        label=_("Sort code"), max_length=12, help_text=_("6 digits, for example 30-94-57")
    )
    account_number = forms.CharField(
        label=_("Account number"), max_length=12, help_text=_("8 digits, for example 00733445")
    )

    def clean_account_name(self):
        name = " ".join(self.cleaned_data["account_name"].split())
        if not re.fullmatch(r"[A-Za-z0-9 &'.,/-]+", name):
            raise forms.ValidationError(
                _("Use only letters, numbers, spaces and & ' . , / - in the account name")
            )
        return name.upper()

    def clean_sort_code(self):
        digits = re.sub(r"[\s-]", "", self.cleaned_data["sort_code"])
        if not re.fullmatch(r"\d{6}", digits):
            raise forms.ValidationError(_("Enter a valid sort code like 309457"))
        return digits

    def clean_account_number(self):
        digits = re.sub(r"\s", "", self.cleaned_data["account_number"])
        if not re.fullmatch(r"\d{6,8}", digits):
            raise forms.ValidationError(_("Enter a valid account number like 00733445"))
        return digits.zfill(8)
