from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.backoffice.forms import GovukForm


class AudienceForm(GovukForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        error_messages={
            "required": _("Enter a name"),
            "max_length": _("Write no more than 100 characters"),
        },
    )
    slug = forms.SlugField(
        label=_("Short name for links"),
        help_text=_("Lower-case letters, numbers and hyphens, like secondary-round-up"),
        max_length=60,
        error_messages={
            "required": _("Enter a short name"),
            "invalid": _("Use only lower-case letters, numbers and hyphens"),
            "max_length": _("Write no more than 60 characters"),
        },
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        help_text=_("Shown under the name on the subscription page"),
        max_length=300,
        required=False,
        error_messages={"max_length": _("Write no more than 300 characters")},
    )
    display_order = forms.IntegerField(
        label=_("Order on the page"),
        min_value=0,
        max_value=999,
        error_messages={
            "required": _("Enter a number"),
            "invalid": _("Enter a whole number"),
            "min_value": _("Enter a number from 0 to 999"),
            "max_value": _("Enter a number from 0 to 999"),
        },
    )
    is_active = forms.BooleanField(label=_("Offer it on the subscription page"), required=False)


class IssueForm(GovukForm):
    audience = forms.ModelChoiceField(
        label=_("Send to"),
        queryset=None,
        empty_label=_("Choose an audience"),
        error_messages={
            "required": _("Choose who to send it to"),
            "invalid_choice": _("Choose one of the audiences in the list"),
        },
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=150,
        error_messages={
            "required": _("Enter a subject"),
            "max_length": _("Write no more than 150 characters"),
        },
    )
    body = forms.CharField(
        label=_("Newsletter text"),
        help_text=_(
            "Plain text. Leave a blank line between paragraphs. The unsubscribe link is added "
            "at the end."
        ),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 18}),
        error_messages={
            "required": _("Write the newsletter"),
            "max_length": _("Write no more than 50,000 characters"),
        },
    )

    def __init__(self, *args, audiences, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].queryset = audiences
