"""A school's leaders see their teachers' places: cascade and completion, per school and per
teacher. Only for the schools the person releases staff for (school approver)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpdnet.accounts.permissions import Access, declare
from cpdnet.accounts.selectors import list_approved_school_urns
from cpdnet.applications.models import Application
from cpdnet.applications.selectors import (
    access_school_lead_participant,
    list_school_enrolments,
    list_swap_candidates,
)
from cpdnet.applications.services import ApplicationError, swap_lead_participant
from cpdnet.delivery import selectors
from cpdnet.programmes.academic_years import requested_academic_year
from cpdnet.public.catalogue.forms import GovukFormMixin


@declare(Access.SCHOOL_APPROVER)
def school_participation(request):
    urns = list_approved_school_urns(request.user)
    year = requested_academic_year(request.GET)
    participations = list(selectors.list_school_participations(urns, year))
    summaries = selectors.summarise_school_participations(urns, year)
    return render(
        request,
        "public/schools/participation.html",
        {
            "year": year,
            "year_label": f"{year}/{(year + 1) % 100:02d}",
            "years": [
                (value, f"{value}/{(value + 1) % 100:02d}") for value in range(year - 2, year + 2)
            ],
            "by_school": [
                (
                    summary,
                    [place for place in participations if place.school_id == summary.urn],
                )
                for summary in summaries
            ],
            "enrolments": list_school_enrolments(urns, year),
        },
    )


class SwapForm(GovukFormMixin, forms.Form):
    joining = forms.ModelChoiceField(
        queryset=Application.objects.none(),
        label=gettext_lazy("Colleague who takes the place"),
        empty_label=gettext_lazy("Choose a colleague"),
        error_messages={
            "required": gettext_lazy("Choose the colleague who takes the place"),
            "invalid_choice": gettext_lazy("Choose one of the colleagues in the list"),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        max_length=300,
        required=False,
        error_messages={"max_length": gettext_lazy("Write no more than 300 characters")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["joining"].queryset = candidates
        self.fields["joining"].label_from_instance = lambda application: (
            f"{application.applicant.get_full_name()} ({application.applicant.email})"
        )


@declare(Access.SCHOOL_APPROVER)
def lead_participant_swap(request, application_id: int):
    try:
        leaving = access_school_lead_participant(request.user, application_id)
    except Application.DoesNotExist:
        raise Http404("No place of your school's teachers has this number") from None
    form = SwapForm(
        request.POST if request.method == "POST" else None,
        candidates=list_swap_candidates(leaving),
    )
    if request.method == "POST" and form.is_valid():
        try:
            swap_lead_participant(
                leaving=leaving,
                joining=form.cleaned_data["joining"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            form.add_error("joining", error.reason)
        else:
            messages.success(
                request,
                _("%(name)s now has the place.")
                % {"name": form.cleaned_data["joining"].applicant.get_full_name()},
            )
            return redirect("public:school-participation")
    return render(request, "public/schools/swap.html", {"form": form, "leaving": leaving})
