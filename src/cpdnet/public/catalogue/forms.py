"""The catalogue's filters: one GET form, every field optional."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.hubs import selectors as hub_selectors
from cpdnet.hubs.models import Hub, Network
from cpdnet.programmes.academic_years import current_academic_year
from cpdnet.programmes.models import Kind, Mode, Phase
from cpdnet.programmes.selectors import OfferingFilters
from cpdnet.schools import selectors as school_selectors
from cpdnet.schools.models import School

KEY_STAGES = [
    ("EYFS", _("Early years foundation stage (EYFS)")),
    ("KS1", _("Key stage 1")),
    ("KS2", _("Key stage 2")),
    ("KS3", _("Key stage 3")),
    ("KS4", _("Key stage 4")),
    ("KS5", _("Key stage 5 (post-16)")),
]
WIDGET_CLASSES = {
    forms.Select: "govuk-select",
    forms.TextInput: "govuk-input",
    forms.EmailInput: "govuk-input",
    forms.NumberInput: "govuk-input",
    forms.Textarea: "govuk-textarea",
}


class GovukFormMixin:
    """Render widgets with govuk-frontend classes; link hints and errors to their fields.

    Radios and checkboxes are written out in templates; other widgets render themselves.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = WIDGET_CLASSES.get(type(field.widget))
            if css:
                field.widget.attrs["class"] = " ".join(
                    filter(None, [css, field.widget.attrs.get("class", "")])
                )
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            css = WIDGET_CLASSES.get(type(widget))
            if css:
                widget.attrs["class"] += f" {css}--error"
            described = [widget.attrs.get("aria-describedby", ""), f"{self[name].auto_id}-error"]
            widget.attrs["aria-describedby"] = " ".join(filter(None, described))


@dataclass(frozen=True)
class NearBy:
    """What a "near me" search found, and the hubs that serve it (one per network)."""

    label: str
    hubs: list[Hub]


def _any(label) -> list[tuple[str, str]]:
    return [("", label)]


class CatalogueFilterForm(GovukFormMixin, forms.Form):
    subject = forms.ChoiceField(label=_("Subject"), required=False)
    phase = forms.ChoiceField(
        label=_("Phase"),
        required=False,
        choices=_any(_("Any phase")) + [c for c in Phase.choices if c[0] != Phase.ALL],
    )
    key_stage = forms.ChoiceField(
        label=_("Key stage"), required=False, choices=_any(_("Any key stage")) + KEY_STAGES
    )
    kind = forms.ChoiceField(
        label=_("Type of programme"), required=False, choices=_any(_("Any type")) + Kind.choices
    )
    mode = forms.ChoiceField(
        label=_("How it is delivered"), required=False, choices=_any(_("Any way")) + Mode.choices
    )
    hub = forms.ChoiceField(label=_("Hub"), required=False)
    year = forms.TypedChoiceField(
        label=_("Academic year"), required=False, coerce=int, empty_value=None
    )
    open_only = forms.BooleanField(
        label=_("Only show offerings open for applications"), required=False
    )
    include_closed = forms.BooleanField(
        label=_("Include offerings closed for applications"), required=False
    )
    near = forms.CharField(
        label=_("Near me"),
        help_text=_("Your school's URN or your postcode, for example 107999 or LS1 4AP"),
        required=False,
        max_length=100,
        error_messages={"max_length": _("Enter no more than 100 characters")},
    )

    def __init__(self, *args, hubs: list[Hub], networks: list[Network], **kwargs):
        super().__init__(*args, **kwargs)
        self.near_by: NearBy | None = None
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = _(
                    "Choose one of the options for “%(label)s”"
                ) % {"label": field.label}
        self.fields["subject"].choices = _any(_("Any subject")) + [
            (network.subject, network.subject.capitalize()) for network in networks
        ]
        self.fields["hub"].choices = _any(_("Any hub")) + [
            (network.name, [(hub.slug, hub.name) for hub in hubs if hub.network_id == network.pk])
            for network in networks
        ]
        year = current_academic_year()
        self.fields["year"].choices = _any(_("Any year")) + [
            (str(first), f"{first}/{(first + 1) % 100:02d}") for first in range(year - 2, year + 3)
        ]

    def clean_near(self) -> str:
        text = " ".join(self.cleaned_data["near"].split())
        if not text:
            return ""
        query = school_selectors.classify_query(text)
        if query.kind == "urn":
            try:
                school = school_selectors.get_school(int(query.text))
            except School.DoesNotExist:
                raise forms.ValidationError(
                    _(
                        "We could not find a school with URN %(urn)s. Check it, or enter a "
                        "postcode."
                    ),
                    params={"urn": query.text},
                ) from None
            resolved = hub_selectors.resolve_hubs_for_schools([school])[school.urn]
            label = f"{school.name} (URN {school.urn})"
        elif query.kind in {"postcode", "outcode"}:
            place = school_selectors.locate(query)
            if place is None:
                raise forms.ValidationError(
                    _(
                        "We could not find the postcode %(postcode)s in England. Check it, or "
                        "enter your school's URN."
                    ),
                    params={"postcode": text.upper()},
                )
            district = hub_selectors.get_district(place.district_code)
            resolved = (
                hub_selectors.resolve_hubs_for_place(district.local_authority_id, district.code)
                if district
                else {}
            )
            label = place.label
        else:
            raise forms.ValidationError(
                _("Enter your school's URN or a postcode, like 107999 or LS1 4AP")
            )
        self.near_by = NearBy(
            label=label,
            hubs=sorted(resolved.values(), key=lambda hub: hub.network.display_order),
        )
        return text

    def filters(self) -> OfferingFilters:
        """The selector's filters for a valid form."""
        data = self.cleaned_data
        return OfferingFilters(
            hub=data["hub"],
            subject=data["subject"],
            phase=data["phase"],
            key_stage=data["key_stage"],
            kind=data["kind"],
            mode=data["mode"],
            year=data["year"],
            open_only=data["open_only"],
            include_closed=data["include_closed"],
            hub_ids=tuple(hub.pk for hub in self.near_by.hubs) if self.near_by else None,
        )
