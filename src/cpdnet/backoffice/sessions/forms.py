"""Forms for planning sessions: date and times are entered in UK time and checked across the
clock changes."""

import datetime
import re

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cpdnet.backoffice.forms import GovukForm
from cpdnet.programmes.calendar import LONDON, london_time
from cpdnet.programmes.models import Mode, Session
from cpdnet.programmes.services import SESSION_FIELDS

# A time as people type it: "16:00", "16.00", "1600", "4pm", "4 pm", "4.30pm", "4:30 p.m.",
# "noon". A bare hour ("4") is refused: it could be morning or afternoon.
_TIME = re.compile(
    r"^(?P<hour>\d{1,2})(?:[:.]?(?P<minute>\d{2}))?\s*(?P<half>am|pm|a\.m\.?|p\.m\.?)?$"
)
_WORDS = {"noon": datetime.time(12), "midday": datetime.time(12)}


def parse_time(text: str) -> datetime.time | None:
    """The clock time a person typed, or None when it is not one."""
    text = " ".join(text.strip().lower().split())
    if text in _WORDS:
        return _WORDS[text]
    match = _TIME.match(text)
    if match is None or (match["minute"] is None and match["half"] is None):
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if match["half"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["half"].startswith("p") else 0)
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


class ClockTimeField(forms.TimeField):
    def to_python(self, value):
        if isinstance(value, datetime.time) or value in self.empty_values:
            return super().to_python(value)
        parsed = parse_time(str(value))
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


def _time(label: str, what: str, example: str) -> forms.TimeField:
    return ClockTimeField(
        label=label,
        help_text=format_lazy(_("UK time, for example {}"), example),
        widget=forms.TimeInput(format="%H:%M", attrs={"class": "govuk-input govuk-input--width-5"}),
        error_messages={
            "required": format_lazy(_("Enter the {}"), what),
            "invalid": format_lazy(_("Enter the {} as a time, like 4pm, 4.30pm or 16:00"), what),
        },
    )


def _https_link(label: str, help_text: str) -> forms.URLField:
    return forms.URLField(
        label=label,
        help_text=help_text,
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "govuk-input", "spellcheck": "false"}),
        error_messages={
            "invalid": _("Enter a full web address, like https://meet.example.org/abc"),
            "max_length": _("Enter a web address of no more than 500 characters"),
        },
    )


class SessionForm(GovukForm):
    title = forms.CharField(
        label=_("Title (optional)"),
        help_text=_("For example: Session 2, Representations. Without one, the programme name."),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Enter a title of no more than 200 characters")},
    )
    day = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date of the session"),
            "invalid": _("Enter the date as a real date, like 26/10/2026"),
        },
    )
    starts = _time(_("Start time"), _("start time"), "4pm or 16:00")
    ends = _time(_("End time"), _("end time"), "6pm or 18:00")
    mode = forms.ChoiceField(
        choices=Mode.choices,
        label=_("How is it delivered?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the session is delivered")},
    )
    venue = forms.CharField(
        label=_("Venue"),
        help_text=_("Needed for face-to-face and blended sessions: the place and its address."),
        max_length=300,
        required=False,
        error_messages={"max_length": _("Enter a venue of no more than 300 characters")},
    )
    join_url = _https_link(
        _("Online meeting link (optional until the session)"),
        _("Participants see it and are emailed it only shortly before the start."),
    )
    recording_url = _https_link(
        _("Recording link (optional)"),
        _("Participants see it and are emailed it once the session has ended."),
    )

    def __init__(self, *args, session: Session | None = None, **kwargs):
        if session is not None:
            start = session.starts_at.astimezone(LONDON)
            kwargs.setdefault(
                "initial",
                {
                    "title": session.title,
                    "day": start.date(),
                    "starts": start.time(),
                    "ends": session.ends_at.astimezone(LONDON).time(),
                    "mode": session.mode,
                    "venue": session.venue,
                    "join_url": session.join_url,
                    "recording_url": session.recording_url,
                },
            )
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        day, starts, ends = data.get("day"), data.get("starts"), data.get("ends")
        if day and starts:
            data["starts_at"] = london_time(day, starts)
            if data["starts_at"] is None:
                self.add_error("starts", _("The clocks change at this time: choose another"))
        if day and ends:
            data["ends_at"] = london_time(day, ends)
            if data["ends_at"] is None:
                self.add_error("ends", _("The clocks change at this time: choose another"))
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends", _("The end time must be after the start time"))
        if data.get("mode") in (Mode.FACE_TO_FACE, Mode.BLENDED) and not data.get("venue"):
            self.add_error("venue", _("Enter the venue of a face-to-face or blended session"))
        for name in ("join_url", "recording_url"):
            if data.get(name, "").startswith("http://"):
                self.add_error(name, _("Enter a secure web address, starting https://"))
        return data

    def session_fields(self) -> dict:
        """The cleaned values, named as the session services take them."""
        return {name: self.cleaned_data[name] for name in SESSION_FIELDS}


class CancelSessionForm(GovukForm):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        help_text=_("Participants see this in their email and on their session page."),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Enter why the session is cancelled"),
            "max_length": _("Enter a reason of no more than 300 characters"),
        },
    )
