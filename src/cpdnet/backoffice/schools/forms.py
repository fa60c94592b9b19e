from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.backoffice.forms import GovukForm


class SchoolSearchForm(GovukForm):
    q = forms.CharField(
        label=_("School name or URN"),
        max_length=200,
        error_messages={"required": _("Enter a school's name or URN")},
    )


class VerifiedDomainForm(GovukForm):
    domain = forms.CharField(
        label=_("Email domain"),
        max_length=253,
        help_text=_(
            "The part after the @ in the school's addresses, like stmarys.leeds.sch.uk. Add it "
            "only once you have checked with the school that it is theirs."
        ),
        error_messages={"required": _("Enter the email domain")},
    )
    for_trust = forms.BooleanField(required=False)

    def __init__(self, *args, trust_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        if trust_name:
            self.fields["for_trust"].label = _(
                "Verify it for every school of %(trust)s, not only this one"
            ) % {"trust": trust_name}
        else:
            del self.fields["for_trust"]


class AffiliationDecisionForm(GovukForm):
    decision = forms.ChoiceField(
        choices=[("confirm", _("Confirm")), ("reject", _("Does not work here"))],
        error_messages={
            "required": _("Choose whether they work at the school"),
            "invalid_choice": _("Choose whether they work at the school"),
        },
    )
    reason = forms.CharField(required=False, max_length=300)

    @property
    def confirms(self) -> bool:
        return self.cleaned_data["decision"] == "confirm"
