from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import gettext_lazy as _

from cpdnet.schools.models import School

from .models import JobRole
from .names import validate_person_name

EMAIL_ERRORS = {
    "required": _("Enter your email address"),
    "invalid": _("Enter an email address in the correct format, like name@school.org.uk"),
}


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254, error_messages=EMAIL_ERRORS)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Sign-in code"),
        max_length=20,
        error_messages={"required": _("Enter the 6-digit code from the email")},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError(_("Enter the 6 digits of the code, like 123456"))
        return code


class PasswordSignInForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254, error_messages=EMAIL_ERRORS)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput,
        error_messages={"required": _("Enter your password")},
    )


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        validators=[validate_person_name],
        error_messages={"required": _("Enter your full name")},
    )
    school_urn = forms.CharField(
        label=_("Your school's URN"),
        help_text=_("The 6-digit unique reference number of the school you work at."),
        max_length=8,
        required=False,
    )
    job_role = forms.ChoiceField(
        label=_("Your job role"),
        choices=[("", _("Choose your job role")), *JobRole.choices],
        required=False,
    )

    def clean_school_urn(self) -> School | None:
        text = self.cleaned_data["school_urn"].strip()
        if not text:
            return None
        if not text.isdigit():
            raise forms.ValidationError(_("Enter the URN in numbers only, like 107999"))
        school = School.objects.select_related("successor").filter(urn=int(text)).first()
        if school is None:
            raise forms.ValidationError(_("No school has this URN. Check the number"))
        if school.is_closed:
            successor = school.current_successor()
            if successor:
                raise forms.ValidationError(
                    _(
                        "%(name)s is closed. Its work carries on at %(successor)s "
                        "(URN %(urn)s): enter that URN if you work there"
                    )
                    % {"name": school.name, "successor": successor.name, "urn": successor.urn}
                )
            raise forms.ValidationError(
                _("%(name)s is closed. Enter the URN of the school you work at now")
                % {"name": school.name}
            )
        return school


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput,
        error_messages={"required": _("Enter a new password")},
    )
    password_again = forms.CharField(
        label=_("Type the new password again"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput,
        error_messages={"required": _("Type the new password again")},
    )

    @staticmethod
    def rules() -> list[str]:
        return password_validators_help_texts()

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("password")
            and cleaned.get("password_again")
            and cleaned["password"] != cleaned["password_again"]
        ):
            self.add_error("password_again", _("The passwords do not match"))
        return cleaned
