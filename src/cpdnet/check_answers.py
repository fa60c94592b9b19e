"""Where a form with a "Check your answers" page stands, for the views that have one.

The answers travel in hidden fields (no session, no JavaScript): a valid form goes to the
check page, its "confirm" button does the change, its "change" link brings the form back filled
in. One definition, so every such journey moves the same way.
"""

from dataclasses import dataclass

from django import forms
from django.http import HttpRequest


@dataclass(frozen=True)
class CheckAnswersStep:
    step: str  # "", "change" or "confirm", as the POST said
    ready: bool  # valid answers that are not being changed: show the check page, or confirm

    @property
    def confirmed(self) -> bool:
        return self.ready and self.step == "confirm"

    def status(self, form: forms.Form) -> int:
        """The form page's status: 400 when it shows errors, except when brought back to change."""
        return 400 if self.step != "change" and form.errors else 200


def check_answers_step(request: HttpRequest, form: forms.Form) -> CheckAnswersStep:
    step = request.POST.get("step", "") if request.method == "POST" else ""
    ready = request.method == "POST" and step != "change" and form.is_valid()
    return CheckAnswersStep(step, ready)
