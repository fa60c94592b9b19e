"""Forms for running an offering: the register, resources and gap tasks."""

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from cpdnet.backoffice.forms import GovukForm
from cpdnet.delivery.models import AttendanceStatus
from cpdnet.delivery.services import Mark
from cpdnet.delivery.uploads import UploadField
from cpdnet.notifications.models import MessageAudience
from cpdnet.programmes.models import Session


def session_label(session: Session) -> str:
    when = formats.date_format(timezone.localtime(session.starts_at), "j M Y, H:i")
    return f"{session.title or _('Session')} ({when})"


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, session: Session) -> str:
        return session_label(session)


def _session_field(sessions, label: str) -> SessionChoiceField:
    return SessionChoiceField(
        queryset=sessions,
        required=False,
        label=label,
        empty_label=_("None: the whole offering"),
        error_messages={"invalid_choice": _("Choose one of the offering's sessions")},
    )


def _title_field() -> forms.CharField:
    return forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={
            "required": _("Enter a title"),
            "max_length": _("Write the title in 200 characters or fewer"),
        },
    )


def format_name(template, name: str) -> str:
    return str(template).format(name=name)


class RegisterForm(GovukForm):
    """One radio group and one reason box per participant; the whole register in one post."""

    def __init__(self, *args, participants, prefill: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = participants
        for participant in participants:
            name = participant.applicant.get_full_name()
            mark = participant.mark
            self.fields[f"status-{participant.pk}"] = forms.ChoiceField(
                label=format_name(_("Attendance of {name}"), name),
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect,
                initial=mark.status if mark else prefill or None,
                error_messages={
                    "required": format_name(_("Mark {name} attended, absent or excused"), name),
                    "invalid_choice": format_name(
                        _("Mark {name} attended, absent or excused"), name
                    ),
                },
            )
            self.fields[f"reason-{participant.pk}"] = forms.CharField(
                label=format_name(_("Reason for {name}"), name),
                required=False,
                max_length=300,
                initial=mark.reason if mark else "",
                error_messages={"max_length": _("Write the reason in 300 characters or fewer")},
            )
            self.style_field(f"status-{participant.pk}")
            self.style_field(f"reason-{participant.pk}")

    def rows(self):
        """(participant, status field, reason field) for each participant, for the template."""
        return [
            (participant, self[f"status-{participant.pk}"], self[f"reason-{participant.pk}"])
            for participant in self.participants
        ]

    def clean(self):
        cleaned = super().clean()
        for participant in self.participants:
            status = cleaned.get(f"status-{participant.pk}")
            reason = cleaned.get(f"reason-{participant.pk}", "").strip()
            if status == AttendanceStatus.EXCUSED and not reason:
                self.add_error(
                    f"reason-{participant.pk}",
                    format_name(
                        _("Give the reason {name} was excused"),
                        participant.applicant.get_full_name(),
                    ),
                )
        return cleaned

    def marks(self) -> dict[int, Mark]:
        return {
            participant.pk: Mark(
                status=self.cleaned_data[f"status-{participant.pk}"],
                reason=self.cleaned_data[f"reason-{participant.pk}"],
            )
            for participant in self.participants
        }


class ResourceForm(GovukForm):
    title = _title_field()
    url = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("A web address, like https://www.ncetm.org.uk/. Leave blank to upload a file."),
        error_messages={"invalid": _("Enter a web address, like https://www.example.org/")},
    )
    file = UploadField(label=_("Or a file"), required=False)
    session = forms.Field(required=False)  # replaced in __init__ with the offering's sessions
    is_public = forms.BooleanField(
        label=_("Anyone may see and download it, not only the participants"), required=False
    )

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"] = _session_field(sessions, _("For which session"))
        self.style_field("session")
        self.order_fields(["title", "url", "file", "session", "is_public"])

    def clean(self):
        cleaned = super().clean()
        if "url" in cleaned and "file" in cleaned:
            if cleaned["url"] and cleaned["file"]:
                self.add_error("url", _("Give a link or a file, not both"))
            elif not cleaned["url"] and not cleaned["file"]:
                self.add_error("url", _("Enter a link or choose a file to upload"))
        return cleaned


class MaterialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, material) -> str:
        if getattr(material, "is_for_programme", False):
            return _("%(title)s (for this programme)") % {"title": material.title}
        return material.title


class LibraryResourceForm(GovukForm):
    """Reuse a national library material: the offering points at it, nothing is copied."""

    material = forms.Field()  # replaced in __init__ with the library
    session = forms.Field(required=False)

    def __init__(self, *args, materials, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"] = MaterialChoiceField(
            queryset=materials,
            label=_("Library material"),
            empty_label=_("Choose a material"),
            help_text=_("Materials for this programme come first."),
            error_messages={
                "required": _("Choose a material from the library"),
                "invalid_choice": _("Choose a material from the library"),
            },
        )
        self.fields["session"] = _session_field(sessions, _("For which session"))
        self.style_field("material")
        self.style_field("session")


class GapTaskForm(GovukForm):
    title = _title_field()
    instructions = forms.CharField(
        label=_("Instructions"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Enter the instructions"),
            "max_length": _("Write the instructions in 5,000 characters or fewer"),
        },
    )
    due_on = forms.DateField(
        label=_("Due date"),
        help_text=_("Participants can hand the task in until the end of this day."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the due date"),
            "invalid": _("Enter the due date as a real date, like 15/01/2027"),
        },
    )
    session = forms.Field(required=False)

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"] = _session_field(sessions, _("Follows session"))
        self.style_field("session")

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date must be today or later"))
        return due_on


class UndoCompletionForm(GovukForm):
    reason = forms.CharField(
        label=_("Why is the completion undone?"),
        help_text=_(
            "Participants are told this reason; it is kept in each place's history and the "
            "audit trail."
        ),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Say why the completion is undone"),
            "max_length": _("Enter a reason of no more than 300 characters"),
        },
    )


class TaskChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, task) -> str:
        return f"{task.title} (due {formats.date_format(task.due_on, 'j M Y')})"


class ParticipantMessageForm(GovukForm):
    audience = forms.ChoiceField(
        label=_("Who is it for?"),
        choices=MessageAudience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who the message is for")},
    )
    task = forms.Field(required=False)  # replaced in __init__ with the offering's gap tasks
    subject = forms.CharField(
        label=_("Subject"),
        max_length=150,
        error_messages={
            "required": _("Enter a subject"),
            "max_length": _("Write the subject in 150 characters or fewer"),
        },
    )
    body = forms.CharField(
        label=_("Message"),
        help_text=_("Sent by email to each person, and shown on their page for the offering."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Write the message"),
            "max_length": _("Write the message in 5,000 characters or fewer"),
        },
    )

    def __init__(self, *args, tasks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"] = TaskChoiceField(
            queryset=tasks,
            required=False,
            label=_("Gap task (for those who have not handed one in)"),
            empty_label=_("Choose a gap task"),
            error_messages={"invalid_choice": _("Choose one of the offering's gap tasks")},
        )
        self.style_field("task")
        self.order_fields(["audience", "task", "subject", "body"])

    def clean(self):
        cleaned = super().clean()
        needs_task = cleaned.get("audience") == MessageAudience.TASK_NOT_SUBMITTED
        if needs_task and not cleaned.get("task") and "task" not in self.errors:
            self.add_error("task", _("Choose the gap task they have not handed in"))
        return cleaned
