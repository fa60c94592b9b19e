"""Form helpers for the back office: GOV.UK classes on widgets, and error links for the summary."""

import re

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from cpdnet.hubs.models import Hub

# Keyed by BoundField.widget_type: the widget's class name without "Input" or "Widget".
WIDGET_CLASSES = {
    "text": "govuk-input",
    "email": "govuk-input",
    "number": "govuk-input govuk-input--width-5",
    "date": "govuk-input govuk-input--width-10",
    "datetime": "govuk-input govuk-input--width-20",
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "checkbox": "govuk-checkboxes__input",
    "radioselect": "govuk-radios__input",
}
ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-select": "govuk-select--error",
    "govuk-textarea": "govuk-textarea--error",
}


class GovukForm(forms.Form):
    """A form whose widgets carry GOV.UK classes, hints and, once checked, their errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.style_field(name)

    def _widget_type(self, name: str) -> str:
        # As BoundField.widget_type, without making (and caching) the bound field early.
        widget_class = self.fields[name].widget.__class__.__name__.lower()
        return re.sub(r"widget$|input$", "", widget_class)

    def _field_id(self, name: str) -> str:
        html_name = self.add_prefix(name)
        if self.auto_id and "%s" in str(self.auto_id):
            return str(self.auto_id) % html_name
        return html_name if self.auto_id else ""

    def style_field(self, name: str) -> None:
        """Give a field's widget its GOV.UK class and link it to its hint."""
        field = self.fields[name]
        widget_type = self._widget_type(name)
        css = WIDGET_CLASSES.get(widget_type, "")
        if css and css.split()[0] not in field.widget.attrs.get("class", ""):
            extra = field.widget.attrs.get("class", "")
            field.widget.attrs["class"] = f"{css} {extra}".strip()
        if field.help_text and widget_type != "radioselect":
            field.widget.attrs["aria-describedby"] = f"{self._field_id(name)}-hint"

    def full_clean(self) -> None:
        super().full_clean()
        self._mark_errors()

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names, or above the form."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, error)
        self._mark_errors()

    def _mark_errors(self) -> None:
        """Put the error class and the error message's id on each widget with an error."""
        for name in self.errors:
            if name == NON_FIELD_ERRORS or name not in self.fields:
                continue
            if self._widget_type(name) == "radioselect":
                continue  # the fieldset carries the error (see _field.html)
            widget = self.fields[name].widget
            classes = widget.attrs.get("class", "").split()
            for base, error_class in ERROR_CLASSES.items():
                if base in classes and error_class not in classes:
                    classes.append(error_class)
            widget.attrs["class"] = " ".join(classes)
            error_id = f"{self._field_id(name)}-error"
            described = widget.attrs.get("aria-describedby", "").split()
            if error_id not in described:
                widget.attrs["aria-describedby"] = " ".join([*described, error_id])


class HubChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, hub: Hub) -> str:
        return f"{hub.name} ({hub.network.name})"


def hub_field(hubs, **kwargs) -> HubChoiceField:
    return HubChoiceField(
        queryset=hubs,
        to_field_name="slug",
        label=kwargs.pop("label", _("Hub")),
        empty_label=kwargs.pop("empty_label", _("Choose a hub")),
        error_messages={
            "required": _("Choose a hub"),
            "invalid_choice": _("Choose one of the hubs in the list"),
        },
        **kwargs,
    )
