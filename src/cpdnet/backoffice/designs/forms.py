from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.accounts.models import JobRole
from cpdnet.backoffice.forms import GovukForm, hub_field
from cpdnet.programmes.models import DesignKind, Phase


def _required(what: str) -> dict:
    return {"required": _("Enter %(what)s") % {"what": what}}


class LocalDesignForm(GovukForm):
    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=DesignKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a local Work Group or a network meeting")},
    )
    title = forms.CharField(label=_("Title"), max_length=200, error_messages=_required("a title"))
    aims = forms.CharField(
        label=_("Aims"),
        help_text=_("What participants will develop. The first line is the summary."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages=_required("the aims"),
    )
    audience = forms.MultipleChoiceField(
        label=_("Who is it for?"),
        choices=JobRole.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one job role it is for")},
    )
    phase = forms.ChoiceField(
        label=_("Phase"),
        choices=[("", _("Choose a phase")), *Phase.choices],
        error_messages={"required": _("Choose a phase")},
    )
    key_stages = forms.CharField(
        label=_("Key stages (optional)"),
        help_text=_("For example, KS2,KS3"),
        max_length=40,
        required=False,
    )
    planned_sessions = forms.IntegerField(
        label=_("Number of sessions"),
        min_value=1,
        max_value=20,
        error_messages={
            "required": _("Enter the number of sessions"),
            "invalid": _("Enter a whole number of sessions, like 4"),
            "min_value": _("Plan at least 1 session"),
            "max_value": _("Plan no more than 20 sessions"),
        },
    )
    sessions_outline = forms.CharField(
        label=_("Planned sessions"),
        help_text=_("One session a line: when, how long, what happens."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages=_required("the planned sessions"),
    )
    lead_name = forms.CharField(
        label=_("Who will lead it"), max_length=150, error_messages=_required("who will lead it")
    )
    local_need = forms.CharField(
        label=_("Why is it needed locally?"),
        help_text=_("The local need no national programme meets: evidence, schools, gaps."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages=_required("why it is needed locally"),
    )

    def __init__(self, *args, hubs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if hubs is not None:
            self.fields = {"hub": hub_field(hubs), **self.fields}
            self.style_field("hub")

    def design_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("hub", None)
        data["audience"] = ",".join(data["audience"])
        return data


class DesignDecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            ("approve", _("Approve: the hub can schedule it")),
            ("return", _("Return to the hub with comments")),
            ("decline", _("Decline")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose approve, return or decline")},
    )
    comments = forms.CharField(
        label=_("Comments for the hub"),
        help_text=_("Needed to return or decline: what to change, or why."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") in ("return", "decline") and not data.get("comments", "").strip():
            self.add_error(
                "comments",
                _("Say what the hub should change")
                if data["decision"] == "return"
                else _("Say why the design is declined"),
            )
        return data
