from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.accounts.models import JobRole
from cpdnet.accreditation.applying import PD_ROLES
from cpdnet.applications.selectors import (
    email_domain,
    is_public_webmail,
    mask_email,
    release_authority,
)
from cpdnet.public.catalogue.forms import GovukFormMixin
from cpdnet.schools import selectors as school_selectors
from cpdnet.schools.models import School

URN_ERROR = _("Enter the URN as a number, like 107999")


def urn_field(*, label: str, help_text: str, required: bool = True) -> forms.IntegerField:
    """A school's URN typed as a number; the form's clean_urn turns it into the school."""
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=1,
        max_value=9_999_999,
        error_messages={
            "required": _("Enter your school's URN"),
            "invalid": URN_ERROR,
            "min_value": URN_ERROR,
            "max_value": URN_ERROR,
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )


def job_role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Your job role"),
        choices=JobRole.choices,
        error_messages={
            "required": _("Choose your job role"),
            "invalid_choice": _("Choose your job role"),
        },
    )


SCHOOL_CHOICES_SHOWN = 10


class ApplicantForm(GovukFormMixin, forms.Form):
    """Who the teacher is: name, school (found by name, or by URN), job role, and why."""

    full_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        help_text=_("As you would like it on your certificate and in emails to your school."),
        error_messages={
            "required": _("Enter your full name"),
            "max_length": _("Write your name in no more than 200 characters"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    school = forms.CharField(
        label=_("Your school"),
        max_length=200,
        help_text=_("Start typing its name, or enter its URN if you know it."),
        error_messages={"required": _("Enter your school's name or URN")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    # Set by the suggestions as you type, or by choosing among several schools that match.
    urn = forms.IntegerField(required=False, widget=forms.HiddenInput)
    job_role = job_role_field()
    statement = forms.CharField(
        label=_("Why do you want to take part? (optional)"),
        required=False,
        max_length=2000,
        error_messages={"max_length": _("Write no more than 2,000 characters")},
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.school_choices: list[School] = []

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your full name"))
        if any(not character.isprintable() for character in name):
            raise forms.ValidationError(_("Enter your name using letters, spaces and punctuation"))
        return name

    def _chose_among(self) -> bool:
        """Whether the URN came from the list of matching schools (a radio, not hidden)."""
        return self.data.get("urn_chosen") == "yes"

    def clean(self):
        cleaned = super().clean()
        if "school" in cleaned:
            cleaned["school"] = self._find_school(cleaned["school"], cleaned.get("urn"))
        return cleaned

    def _find_school(self, text: str, urn: int | None) -> School | str:
        if urn is not None:
            chosen = School.objects.filter(urn=urn).first()
            # A URN left from an earlier choice counts only while the name typed is still its.
            if chosen is not None and (text.strip() == chosen.name or self._chose_among()):
                return chosen
        matches = list(school_selectors.list_schools_matching(text)[: SCHOOL_CHOICES_SHOWN + 1])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            self.add_error(
                "school",
                _(
                    "We could not find a school called %(text)s. Check the spelling, or enter "
                    "its URN (you can find it in Find your hub)."
                )
                % {"text": text},
            )
        elif len(matches) > SCHOOL_CHOICES_SHOWN:
            self.add_error(
                "school", _("Many schools match. Add the town, or more of the name, or the URN")
            )
        else:
            self.school_choices = matches
            self.add_error("school", _("Several schools match. Choose yours from the list"))
        return text


class ApproverForm(GovukFormMixin, forms.Form):
    """Who at the school releases the teacher: a registered approver, or someone with an
    address on a domain the school has verified."""

    SOMEONE_ELSE = "someone_else"

    approver = forms.ChoiceField(
        label=_("Who will release you?"),
        required=False,
        error_messages={"invalid_choice": _("Choose who will release you")},
    )
    approver_email = forms.EmailField(
        label=_("Their school email address"),
        required=False,
        max_length=254,
        help_text=_(
            "If you chose someone else: their address must be on an email domain your school "
            "has verified with its hub."
        ),
        error_messages={
            "invalid": _("Enter an email address in the correct format, like head@school.org.uk"),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, school: School, applicant, approvers, hub, **kwargs):
        super().__init__(*args, **kwargs)
        self.school, self.applicant, self.hub = school, applicant, hub
        self.approvers = {str(person.pk): person for person in approvers}
        self.fields["approver"].choices = [
            (key, f"{person.get_full_name()} ({mask_email(person.email)})")
            for key, person in self.approvers.items()
        ] + [(self.SOMEONE_ELSE, _("Someone else at the school"))]

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("approver") or ""
        if self.approvers and not choice:
            self.add_error("approver", _("Choose who will release you"))
            return cleaned
        if choice in self.approvers:
            cleaned["approver_email"] = self.approvers[choice].email
            return cleaned
        email = (cleaned.get("approver_email") or "").strip().lower()
        if "approver_email" in self.errors:
            return cleaned
        if not email:
            self.add_error(
                "approver_email", _("Enter the email address of your headteacher or CPD lead")
            )
        elif email == self.applicant.email.lower():
            self.add_error(
                "approver_email",
                _("Enter the email address of your headteacher or CPD lead, not your own"),
            )
        elif not release_authority(school=self.school, email=email):
            self.add_error("approver_email", self._not_authorised(email))
        cleaned["approver_email"] = email
        return cleaned

    def _not_authorised(self, email: str) -> str:
        domain = email_domain(email)
        values = {
            "school": self.school.name,
            "hub": self.hub.name if self.hub else _("the hub for your area"),
            "contact": (self.hub.email if self.hub else "") or _("the hub's contact on its page"),
        }
        if is_public_webmail(domain):
            reason = _(
                "A personal email address cannot release you. Give your headteacher's or CPD "
                "lead's school address."
            )
        else:
            reason = _(
                "%(school)s has not verified %(domain)s, so we cannot send the release there."
            ) % {"school": self.school.name, "domain": domain}
        return " ".join(
            [
                str(reason),
                _(
                    "Ask your headteacher to register as an approver, or ask %(hub)s "
                    "(%(contact)s) to verify your school's email domain."
                )
                % values,
            ]
        )


class WithdrawForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        required=False,
        max_length=300,
        error_messages={"max_length": _("Write no more than 300 characters")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SchoolDecisionForm(GovukFormMixin, forms.Form):
    """A school's answer: which button was pressed, and an optional reason."""

    decision = forms.ChoiceField(
        choices=[("release", _("Release")), ("decline", _("Do not release"))],
        error_messages={
            "required": _("Choose whether to release the teacher"),
            "invalid_choice": _("Choose whether to release the teacher"),
        },
    )
    reason = forms.CharField(
        label=_("If you do not release them, tell them why (optional)"),
        required=False,
        max_length=300,
        error_messages={"max_length": _("Write no more than 300 characters")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @property
    def releases(self) -> bool:
        return self.cleaned_data["decision"] == "release"


class InformationSheetForm(GovukFormMixin, forms.Form):
    """The applicant confirms they have read the programme's information sheet."""

    acknowledged = forms.BooleanField(
        label=_("I have read the information sheet"),
        error_messages={"required": _("Confirm that you have read the information sheet")},
    )


class PDLeadershipForm(GovukFormMixin, forms.Form):
    """Evidence of the professional development the applicant leads now (accreditation)."""

    pd_roles = forms.MultipleChoiceField(
        label=_("Which professional development roles do you hold now?"),
        help_text=_("Select all that apply."),
        choices=PD_ROLES,
        error_messages={
            "required": _("Select the professional development roles you hold now"),
            "invalid_choice": _("Select the professional development roles you hold now"),
        },
    )
    pd_led = forms.CharField(
        label=_("What professional development do you lead?"),
        help_text=_("For example the Work Groups, courses or networks you design and lead."),
        max_length=2000,
        error_messages={
            "required": _("Say what professional development you lead"),
            "max_length": _("Write no more than 2,000 characters"),
        },
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    led_for = forms.CharField(
        label=_("Who is it for?"),
        help_text=_("The teachers and schools who take part, and how many."),
        max_length=2000,
        error_messages={
            "required": _("Say who the professional development you lead is for"),
            "max_length": _("Write no more than 2,000 characters"),
        },
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    beyond_own_school = forms.ChoiceField(
        label=_("Do you lead professional development for teachers beyond your own school?"),
        choices=[
            ("yes", _("Yes, for teachers from other schools")),
            ("no", _("No, only in my own school")),
        ],
        error_messages={
            "required": _("Say whether you lead professional development beyond your school"),
            "invalid_choice": _("Say whether you lead professional development beyond your school"),
        },
    )
