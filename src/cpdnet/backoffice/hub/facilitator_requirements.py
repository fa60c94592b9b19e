"""Who may lead what: national staff set each programme's facilitator requirement (accredited PD
Lead for the programme's phase, or in training with a named accredited mentor, or anyone).
Assigning a facilitator anywhere obeys it (`accreditation.facilitators`)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpdnet.accounts.permissions import Access, declare
from cpdnet.accreditation.facilitators import requirement_for, set_facilitator_requirement
from cpdnet.accreditation.models import FacilitatorRule
from cpdnet.backoffice.forms import GovukForm
from cpdnet.programmes.models import Programme


class FacilitatorRequirementForm(GovukForm):
    rule = forms.ChoiceField(
        label=gettext_lazy("Who may lead this programme's offerings?"),
        choices=FacilitatorRule.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose who may lead this programme's offerings"),
            "invalid_choice": gettext_lazy("Choose who may lead this programme's offerings"),
        },
    )


@declare(Access.NATIONAL_STAFF)
def facilitator_requirements(request):
    programmes = (
        Programme.objects.filter(is_active=True)
        .select_related("network", "facilitator_requirement")
        .order_by("network__display_order", "title")
    )
    rows = [
        (
            programme,
            FacilitatorRule(
                getattr(getattr(programme, "facilitator_requirement", None), "rule", "")
                or FacilitatorRule.ANYONE
            ).label,
        )
        for programme in programmes
    ]
    return render(request, "backoffice/hub/facilitator_requirements.html", {"rows": rows})


@declare(Access.NATIONAL_STAFF)
def facilitator_requirement_edit(request, programme_id: int):
    programme = Programme.objects.select_related("network").filter(pk=programme_id).first()
    if programme is None:
        raise Http404("No programme has this number")
    form = FacilitatorRequirementForm(
        request.POST if request.method == "POST" else None,
        initial={"rule": requirement_for(programme)},
    )
    if request.method == "POST" and form.is_valid():
        rule = set_facilitator_requirement(
            programme=programme, rule=form.cleaned_data["rule"], by=request.user
        )
        messages.success(
            request,
            _("Who may lead %(programme)s: %(rule)s.")
            % {"programme": programme.title, "rule": FacilitatorRule(rule).label.lower()},
        )
        return redirect("backoffice:facilitator-requirements")
    return render(
        request,
        "backoffice/hub/facilitator_requirement.html",
        {"programme": programme, "form": form},
        status=400 if form.errors else 200,
    )
