"""The hub lead's endorsement queue: applications to accreditation programmes from the schools
a hub serves, waiting for the hub to endorse them (or not, saying why) before national staff
select. Only staff of the applicant's hub see an application here; others get 404."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpdnet.accounts.models import Role, RoleAssignment
from cpdnet.accounts.permissions import Access, declare
from cpdnet.accreditation.applying import (
    AccreditationApplicationError,
    access_pending_endorsement,
    endorse,
    pd_role_labels,
    pending_endorsements,
)
from cpdnet.backoffice.forms import GovukForm
from cpdnet.hubs.models import Hub

PER_PAGE = 50


class EndorsementForm(GovukForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("Do you endorse this application?"),
        choices=[
            ("endorse", gettext_lazy("Yes, endorse it")),
            ("not_endorse", gettext_lazy("No, do not endorse it")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose whether you endorse the application"),
            "invalid_choice": gettext_lazy("Choose whether you endorse the application"),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Needed if you do not endorse it: the applicant sees it."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": gettext_lazy("Write no more than 1,000 characters")},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "not_endorse" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why you do not endorse this application"))
        return cleaned


def _staffed_hubs(user) -> list[Hub]:
    hub_ids = RoleAssignment.objects.filter(user=user, role=Role.HUB_STAFF).values("hub_id")
    return list(Hub.objects.filter(pk__in=hub_ids).select_related("network").order_by("name"))


@declare(Access.HUB_STAFF)
def endorsements(request):
    queues = []
    for hub in _staffed_hubs(request.user):
        page = Paginator(pending_endorsements(hub), PER_PAGE).get_page(
            request.GET.get(f"page-{hub.slug}")
        )
        queues.append((hub, page))
    return render(request, "backoffice/hub/endorsements.html", {"queues": queues})


@declare(Access.HUB_STAFF)
def endorsement_decide(request, application_id: int):
    application = access_pending_endorsement(request.user, application_id)
    if application is None:
        raise Http404("No application waiting for your hub's endorsement has this number")
    form = EndorsementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        endorsed = form.cleaned_data["decision"] == "endorse"
        try:
            endorse(
                application,
                endorsed=endorsed,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except AccreditationApplicationError as error:
            form.add_error(None, error.reason)
        else:
            person = application.applicant.get_full_name() or application.applicant.email
            messages.success(
                request,
                (
                    _("You endorsed %(person)s.")
                    if endorsed
                    else _("You did not endorse %(person)s.")
                )
                % {"person": person},
            )
            return redirect("backoffice:endorsements")
    evidence = getattr(application, "pd_leadership", None)
    return render(
        request,
        "backoffice/hub/endorsement.html",
        {
            "application": application,
            "offering": application.offering,
            "evidence": evidence,
            "pd_roles": pd_role_labels(evidence) if evidence else [],
            "form": form,
        },
        status=400 if form.errors else 200,
    )
