"""Forms for national staff: programme documents and the national materials library."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cpdnet.backoffice.forms import GovukForm
from cpdnet.delivery.models import DocumentKind
from cpdnet.delivery.services import MaterialDetails
from cpdnet.delivery.uploads import UploadField
from cpdnet.programmes.models import Phase, Programme


def _title_field() -> forms.CharField:
    return forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={
            "required": _("Enter a title"),
            "max_length": _("Write the title in 200 characters or fewer"),
        },
    )


class ProgrammeDocumentForm(GovukForm):
    kind = forms.ChoiceField(
        label=_("What kind of document is it?"),
        choices=DocumentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of document it is")},
    )
    title = _title_field()
    file = UploadField(label=_("File"), error_messages={"required": _("Choose a file to upload")})


class ProgrammeDocumentReplaceForm(GovukForm):
    title = _title_field()
    file = UploadField(
        label=_("A new file (optional)"),
        required=False,
    )


class MaterialForm(GovukForm):
    title = _title_field()
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What it is and how runners might use it."),
        error_messages={"max_length": _("Write the description in 2,000 characters or fewer")},
    )
    phase = forms.ChoiceField(
        label=_("Phase"),
        required=False,
        choices=[("", _("Any phase")), *Phase.choices],
    )
    programmes = forms.ModelMultipleChoiceField(
        label=_("Programmes it is for"),
        required=False,
        queryset=Programme.objects.order_by("title"),
        widget=forms.SelectMultiple(attrs={"class": "govuk-select", "size": 6}),
        help_text=_("Runners of these programmes see it first. Hold Ctrl or Cmd to choose more."),
        error_messages={"invalid_choice": _("Choose programmes from the list")},
    )
    url = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("A web address. Leave blank to upload a file."),
        error_messages={"invalid": _("Enter a web address, like https://www.example.org/")},
    )
    file = UploadField(label=_("Or a file"), required=False)
    is_public = forms.BooleanField(
        label=_("Anyone may see and download it, not only the people taking part"),
        required=False,
    )

    def __init__(self, *args, has_file: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_file = has_file
        if has_file:
            self.fields["file"].label = _("Or a new file (leave blank to keep the current one)")

    def clean(self):
        cleaned = super().clean()
        if "url" in cleaned and "file" in cleaned:
            if cleaned["url"] and cleaned["file"]:
                self.add_error("url", _("Give a link or a file, not both"))
            elif not cleaned["url"] and not cleaned["file"] and not self.has_file:
                self.add_error("url", _("Enter a link or choose a file to upload"))
        return cleaned

    def details(self) -> MaterialDetails:
        data = self.cleaned_data
        return MaterialDetails(
            title=data["title"],
            description=data["description"],
            phase=data["phase"],
            programmes=tuple(data["programmes"]),
            url=data["url"],
            is_public=data["is_public"],
        )
