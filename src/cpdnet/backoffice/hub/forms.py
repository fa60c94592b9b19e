"""Forms of the hub back office: offerings, decisions and filters, with plain English errors."""

from django import forms
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cpdnet.accounts.models import OrganisationKind, User
from cpdnet.applications.models import State
from cpdnet.backoffice.forms import GovukForm, hub_field
from cpdnet.programmes.models import Mode, Offering, Programme

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DECISIONS = [
    ("accept", _("Accept: give a place")),
    ("waitlist", _("Put on the waiting list")),
    ("decline", _("Decline")),
]
DECISION_STATES = {
    "accept": State.ACCEPTED,
    "waitlist": State.WAITLISTED,
    "decline": State.DECLINED,
}


def _whole_number(*, what: str, minimum: int = 1, maximum: int = 10_000, **kwargs):
    """An integer field; `what` names the number in the error messages ("places")."""
    return forms.IntegerField(
        min_value=minimum,
        max_value=maximum,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": format_lazy(_("Enter the number of {}"), what),
            "invalid": format_lazy(_("Enter the number of {} as a whole number, like 30"), what),
            "min_value": format_lazy(_("The number of {} must be %(limit_value)s or more"), what),
            "max_value": format_lazy(_("The number of {} must be %(limit_value)s or fewer"), what),
        },
        **kwargs,
    )


def _date(label: str, what: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": format_lazy(_("Enter the {}"), what),
            "invalid": format_lazy(_("Enter the {} as a real date, like 15/01/2027"), what),
        },
        **kwargs,
    )


def _datetime(label: str, what: str, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        help_text=_("Date and time, UK time."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        error_messages={
            "required": format_lazy(_("Enter the date and time {}"), what),
            "invalid": format_lazy(_("Enter the date and time {}, like 15/01/2027 09:00"), what),
        },
        **kwargs,
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person: User) -> str:
        return f"{person.full_name} ({person.email})" if person.full_name else person.email


DEFAULT_OPEN_TO = "school,college"


class OrganisationKindsField(forms.MultipleChoiceField):
    """Kinds of organisation, kept as the offering's comma-separated list."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", OrganisationKind.choices)
        kwargs.setdefault(
            "widget", forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes__input"})
        )
        kwargs.setdefault("initial", DEFAULT_OPEN_TO)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "error_messages", {"invalid_choice": _("Choose kinds of organisation from the list")}
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return [kind for kind in value.split(",") if kind] if isinstance(value, str) else value

    def clean(self, value) -> str:
        # None ticked: schools and colleges, as for every offering before events opened up.
        return ",".join(super().clean(value)) or DEFAULT_OPEN_TO


class OfferingForm(GovukForm):
    """An offering's details; `hubs` to choose from when creating a hub's offering, none when
    editing or creating a national provider's (`national`: no hub area to limit it to)."""

    hub = forms.Field(required=False)  # replaced in __init__ when creating
    programme = forms.ModelChoiceField(
        queryset=Programme.objects.none(),
        label=_("Programme"),
        empty_label=_("Choose a programme"),
        error_messages={
            "required": _("Choose a programme"),
            "invalid_choice": _("Choose one of the programmes in the list"),
        },
    )
    academic_year = forms.TypedChoiceField(
        coerce=int,
        label=_("Academic year"),
        error_messages={
            "required": _("Choose the academic year"),
            "invalid_choice": _("Choose one of the academic years in the list"),
        },
    )
    cohort_name = forms.CharField(
        label=_("Cohort name (optional)"),
        help_text=_("To tell apart two runs in one year, for example Cohort 2 or Leeds North."),
        max_length=100,
        required=False,
        error_messages={"max_length": _("Enter a cohort name of no more than 100 characters")},
    )
    facilitator = PersonChoiceField(
        queryset=User.objects.none(),
        label=_("Facilitator (optional)"),
        empty_label=_("No facilitator yet"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the facilitators in the list")},
    )
    capacity = _whole_number(what=_("places"), label=_("Places"), help_text=_("How many teachers."))
    school_capacity = _whole_number(
        what=_("schools"),
        label=_("Schools (optional)"),
        help_text=_("The most schools that can take part, where the programme counts schools."),
        required=False,
    )
    mode = forms.ChoiceField(
        choices=Mode.choices,
        label=_("How is it delivered?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the offering is delivered")},
    )
    venue = forms.CharField(
        label=_("Venue (optional)"),
        help_text=_("Where face-to-face sessions take place."),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Enter a venue of no more than 200 characters")},
    )
    planned_sessions = _whole_number(
        what=_("sessions"), maximum=100, label=_("Number of sessions"), initial=3
    )
    starts_on = _date(_("Start date"), _("start date"))
    ends_on = _date(_("End date"), _("end date"))
    applications_open_at = _datetime(_("Applications open"), _("applications open"))
    applications_close_at = _datetime(_("Applications close"), _("applications close"))
    local_only = forms.BooleanField(
        label=_("Only schools in the hub's area may apply"), required=False, initial=True
    )
    requires_school_approval = forms.BooleanField(
        label=_("The school must release the teacher before the hub decides"),
        required=False,
        initial=True,
    )

    chair = forms.CharField(
        label=_("Chair (optional)"),
        help_text=_("For an event or webinar: who chairs it."),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Enter a chair of no more than 200 characters")},
    )
    speakers = forms.CharField(
        label=_("Speakers (optional)"),
        help_text=_("One speaker a line, for example: Dr Ada Shah, University of Leeds."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Enter speakers in no more than 2,000 characters")},
    )

    open_to_organisations = OrganisationKindsField(
        label=_("Open to people from"),
        help_text=_(
            "Events and webinars may open to universities, teacher training, industry and "
            "policy people; they are counted apart from school reach. None ticked: schools "
            "and colleges."
        ),
    )

    def __init__(
        self,
        *args,
        hubs: QuerySet | None = None,
        offering: Offering | None = None,
        programmes: QuerySet[Programme],
        facilitators: QuerySet[User],
        years: list[int],
        places_taken: int = 0,
        national: bool = False,
        **kwargs,
    ):
        self.offering = offering
        self.places_taken = places_taken
        super().__init__(*args, **kwargs)
        if national:  # a national provider's offering is open to schools everywhere
            del self.fields["local_only"]
        if hubs is None:
            del self.fields["hub"]
        else:
            self.fields["hub"] = hub_field(hubs)
            self.style_field("hub")
            self.order_fields(["hub"])
        self.fields["programme"].queryset = programmes
        self.fields["facilitator"].queryset = facilitators
        self.fields["academic_year"].choices = [
            ("", _("Choose a year")),
            *((year, f"{year}/{(year + 1) % 100:02d}") for year in years),
        ]

    def clean(self):
        data = super().clean()
        opens, closes = data.get("applications_open_at"), data.get("applications_close_at")
        if opens and closes and closes <= opens:
            self.add_error("applications_close_at", _("Applications must close after they open"))
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date must be on or after the start date"))
        capacity = data.get("capacity")
        if capacity is not None and capacity < self.places_taken:
            self.add_error(
                "capacity",
                _("%(count)s places are already taken: enter at least %(count)s places")
                % {"count": self.places_taken},
            )
        return data


class DecisionForm(GovukForm):
    decision = forms.ChoiceField(
        choices=DECISIONS,
        label=_("Decision"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose accept, waiting list or decline"),
            "invalid_choice": _("Choose accept, waiting list or decline"),
        },
    )
    reason = forms.CharField(
        label=_("Reason (optional)"),
        help_text=_("When you decline, the applicant sees this in their email."),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Enter a reason of no more than 300 characters")},
    )

    def __init__(self, *args, allowed: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["decision"].choices = [
                (value, label) for value, label in DECISIONS if value in allowed
            ]


class WithdrawSchoolForm(GovukForm):
    reason = forms.CharField(
        label=_("Why is the school withdrawn?"),
        help_text=_(
            "For example, the school has stopped taking part. The school's approvers and its "
            "lead participants are emailed this reason."
        ),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Say why the school is withdrawn"),
            "max_length": _("Enter a reason of no more than 300 characters"),
        },
    )


class OfferByHandForm(GovukForm):
    reason = forms.CharField(
        label=_("Why this person, before those waiting longer"),
        help_text=_("Kept in the application's history and the audit trail."),
        max_length=300,
        error_messages={
            "required": _("Say why this person is offered the place"),
            "max_length": _("Enter a reason of no more than 300 characters"),
        },
    )


class MoveOnWaitingListForm(GovukForm):
    """Move one person: one up, one down or to a position, with the reason. The buttons carry
    the direction, so it works as a plain form."""

    direction = forms.ChoiceField(
        choices=[("up", _("Up one")), ("down", _("Down one")), ("to", _("To a position"))],
        error_messages={
            "required": _("Choose how to move them"),
            "invalid_choice": _("Choose how to move them"),
        },
    )
    position = forms.IntegerField(
        label=_("New position"),
        required=False,
        min_value=1,
        error_messages={
            "invalid": _("Enter the new position as a number, such as 1"),
            "min_value": _("Enter a position of 1 or more"),
        },
    )
    reason = forms.CharField(
        label=_("Why move them"),
        help_text=_("Kept in the history and the audit trail."),
        max_length=300,
        error_messages={
            "required": _("Say why this person moves on the waiting list"),
            "max_length": _("Enter a reason of no more than 300 characters"),
        },
    )

    def target(self, current: int) -> int:
        """The position asked for, from the person's current one."""
        direction = self.cleaned_data["direction"]
        if direction == "up":
            return current - 1
        if direction == "down":
            return current + 1
        return self.cleaned_data["position"]

    def clean(self):
        cleaned = super().clean()
        wants_position = cleaned.get("direction") == "to" and "position" not in self.errors
        if wants_position and cleaned.get("position") is None:
            self.add_error("position", _("Enter the new position"))
        return cleaned


class BulkDecisionForm(DecisionForm):
    applications = forms.ModelMultipleChoiceField(
        queryset=None,
        error_messages={
            "required": _("Select at least one application"),
            "invalid_choice": _("Select applications from the list"),
            "invalid_pk_value": _("Select applications from the list"),
        },
    )

    def __init__(self, *args, applications: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = applications


class ApplicationFilterForm(GovukForm):
    state = forms.ChoiceField(
        choices=[("", _("All states")), *State.choices], label=_("State"), required=False
    )
    school = forms.CharField(label=_("School name"), max_length=100, required=False)
    email = forms.CharField(label=_("Applicant email"), max_length=254, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
