from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cpdnet.backoffice.forms import GovukForm


class AttendanceFileForm(GovukForm):
    file = forms.FileField(
        label=_("Attendance report (CSV)"),
        help_text=_(
            "The participants or attendance report downloaded from the meeting service, such as "
            "Zoom or Teams, as a CSV file with a column headed Email."
        ),
        error_messages={
            "required": _("Choose the attendance report to upload"),
            "empty": _("The file you chose is empty"),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.UPLOAD_MAX_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file must be smaller than %(mb)d MB") % {"mb": settings.UPLOAD_MAX_MB}
            )
        return upload
