from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.funding.models import Eligibility, Fund
from cpdnet.funding.money import MoneyError, parse_pounds
from cpdnet.public.catalogue.forms import GovukFormMixin

MAX_STATEMENT_BYTES = 5 * 1024 * 1024


class MoneyField(forms.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return parse_pounds(value)
        except MoneyError as error:
            raise forms.ValidationError(str(error)) from None


class FundForm(GovukFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    funder = forms.CharField(label=_("Funder"), max_length=200, help_text=_("Who gives the money"))
    academic_year = forms.IntegerField(
        label=_("Academic year"),
        min_value=2000,
        max_value=2100,
        help_text=_("The year it starts: 2025 for 2025 to 2026"),
    )
    budget = MoneyField(label=_("Budget (£)"), help_text=_("For example 250000.00"))
    eligibility = forms.ChoiceField(
        label=_("Who it pays for"), choices=Eligibility.choices, widget=forms.RadioSelect
    )


class PaymentRunForm(GovukFormMixin, forms.Form):
    fund = forms.ModelChoiceField(label=_("Fund"), queryset=Fund.objects.none())
    up_to = forms.DateField(
        label=_("Claims approved up to and including"),
        help_text=_("For example 2026-03-31"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, funds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds


class ReasonForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class PaymentReceivedForm(GovukFormMixin, forms.Form):
    amount = MoneyField(label=_("Amount received (£)"))
    reference = forms.CharField(
        label=_("Reference"), max_length=100, help_text=_("As shown on the bank statement")
    )


class BankStatementForm(GovukFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Bank statement (CSV)"),
        help_text=_(
            "Columns Date, Description and Amount (or Credit). Lines are matched only when the "
            "description has an invoice number and the amount is what is still owed on it."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB: split it by month"))
        return upload
