"""A participant's stay at a residential: room, needs and travel."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.public.catalogue.forms import GovukFormMixin


def _short_text(label: str, hint: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=False,
        max_length=300,
        error_messages={"max_length": _("Write no more than 300 characters")},
    )


class StayForm(GovukFormMixin, forms.Form):
    needs_room = forms.ChoiceField(
        label=_("Do you need a bedroom?"),
        choices=[("yes", _("Yes, I am staying overnight")), ("no", _("No, I travel in each day"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether you need a bedroom")},
    )
    dietary_needs = _short_text(
        _("Dietary needs (optional)"), _("For example vegetarian, halal, or a food allergy.")
    )
    access_needs = _short_text(
        _("Access needs (optional)"),
        _("Anything that helps you take part: a ground-floor room, a hearing loop."),
    )
    travel_arrangements = _short_text(
        _("How you will travel (optional)"), _("For example by train, arriving at 11am.")
    )
