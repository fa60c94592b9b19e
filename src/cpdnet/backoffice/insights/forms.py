"""Forms of the insights pages: which network, year and breakdown, and the drill-down filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.backoffice.forms import GovukForm
from cpdnet.insights.selectors import DIMENSIONS, NOT_KNOWN, QUINTILE_NAMES, SIZE_BANDS
from cpdnet.programmes.academic_years import current_academic_year

YEARS_SHOWN = 5


def year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def year_choices() -> list[tuple[int, str]]:
    current = current_academic_year()
    return [(year, year_label(year)) for year in range(current + 1, current - YEARS_SHOWN - 1, -1)]


class ReachForm(GovukForm):
    """Network, academic year and breakdown; a bad value shows an error and the default."""

    network = forms.ChoiceField(label=_("Network"), required=False)
    year = forms.TypedChoiceField(
        label=_("Academic year"), coerce=int, required=False, empty_value=None
    )
    by = forms.ChoiceField(
        label=_("Break down by"), choices=list(DIMENSIONS.items()), required=False
    )

    def __init__(self, data, *, networks, default_by: str = "phase", **kwargs):
        kwargs.setdefault("auto_id", "filter-%s")
        # The selects must show the year and breakdown the page shows: an unchosen select
        # would show its first option (next year), and sending the form again would jump to it.
        self.default_by = default_by
        defaults = {"year": str(current_academic_year()), "by": default_by}
        if networks:
            defaults["network"] = networks[0].slug
        if data is None:
            kwargs["initial"] = {**defaults, **kwargs.get("initial", {})}
        else:
            data = data.copy()
            for name, value in defaults.items():
                if not data.get(name):
                    data[name] = value
        super().__init__(data, **kwargs)
        self.fields["network"].choices = [(network.slug, network.name) for network in networks]
        self.fields["year"].choices = year_choices()
        self.fields["network"].error_messages["invalid_choice"] = _(
            "Choose a network from the list"
        )
        self.fields["year"].error_messages["invalid_choice"] = _("Choose a year from the list")
        self.fields["by"].error_messages["invalid_choice"] = _("Choose a breakdown from the list")
        self.networks = {network.slug: network for network in networks}

    def values(self) -> tuple:
        """Return (network, year, breakdown): what was chosen, or the defaults where invalid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        network = self.networks.get(data.get("network")) or next(iter(self.networks.values()))
        return (
            network,
            data.get("year") or current_academic_year(),
            data.get("by") or self.default_by,
        )


def _choices(pairs) -> list[tuple[str, str]]:
    return [("", _("Any")), *pairs]


class SchoolFilterForm(ReachForm):
    """The filters of the schools behind a figure, as the breakdown links write them."""

    hub = forms.CharField(label=_("Hub"), required=False, max_length=80)
    local_authority = forms.CharField(label=_("Local authority code"), required=False, max_length=3)
    district = forms.CharField(label=_("District code"), required=False, max_length=9)
    region = forms.CharField(label=_("Region"), required=False, max_length=60)
    phase = forms.CharField(label=_("Phase"), required=False, max_length=40)
    fsm_quintile = forms.ChoiceField(
        label=_("Free school meals quintile"),
        required=False,
        choices=_choices([*QUINTILE_NAMES.items(), (NOT_KNOWN, _("Not known"))]),
    )
    urban_rural = forms.CharField(label=_("Urban or rural"), required=False, max_length=80)
    trust = forms.ChoiceField(
        label=_("Trust or standalone"),
        required=False,
        choices=_choices([("trust", _("In a trust")), ("standalone", _("Standalone"))]),
    )
    size_band = forms.ChoiceField(
        label=_("Size"),
        required=False,
        choices=_choices(
            [*((key, label) for key, label, *_ in SIZE_BANDS), (NOT_KNOWN, _("Not known"))]
        ),
    )
    engaged = forms.ChoiceField(
        label=_("Engagement"),
        required=False,
        choices=_choices(
            [("yes", _("Engaged")), ("no", _("Not engaged")), ("completed", _("Completed"))]
        ),
    )


class HubPageForm(ReachForm):
    never = forms.IntegerField(
        label=_("Never engaged in the last (years)"),
        min_value=1,
        max_value=10,
        required=False,
        error_messages={
            "min_value": _("Enter a number of years from 1 to 10"),
            "max_value": _("Enter a number of years from 1 to 10"),
            "invalid": _("Enter a number of years from 1 to 10"),
        },
    )

    def never_years(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("never"):
            return self.cleaned_data["never"]
        return 3


class ExtractForm(GovukForm):
    year = forms.TypedChoiceField(label=_("Academic year"), coerce=int)

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["year"].choices = year_choices()
