"""Schools in the back office: who may release a school's staff (verified email domains and
registered approvers) and who works there (affiliations to confirm).

For hub staff of a hub serving the school, and national staff; any other school answers 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpdnet.accounts.permissions import Access, declare
from cpdnet.applications import selectors as application_selectors
from cpdnet.applications.models import Affiliation
from cpdnet.applications.permissions import can_look_after_school
from cpdnet.applications.services import (
    ApplicationError,
    add_verified_domain,
    decide_affiliation,
    remove_verified_domain,
)
from cpdnet.schools.models import School
from cpdnet.schools.selectors import list_schools_matching

from .forms import AffiliationDecisionForm, SchoolSearchForm, VerifiedDomainForm
from .selectors import list_affiliations_to_confirm

PER_PAGE = 50
SEARCH_RESULTS = 20


def _school_or_404(user, urn: int) -> School:
    """A school the person looks after; 404 alike for a missing one and another hub's."""
    school = School.objects.filter(urn=urn).first()
    if school is None or not can_look_after_school(user, school):
        raise Http404("No school of your hubs has this URN")
    return school


@declare(Access.HUB_STAFF)
def schools(request):
    form = SchoolSearchForm(request.GET if "q" in request.GET else None)
    found = []
    if form.is_bound and form.is_valid():
        found = [
            school
            for school in list_schools_matching(form.cleaned_data["q"])[:SEARCH_RESULTS]
            if can_look_after_school(request.user, school)
        ]
    waiting = Paginator(list_affiliations_to_confirm(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/schools/schools.html",
        {
            "form": form,
            "found": found,
            "waiting": waiting,
            "decision_form": AffiliationDecisionForm(),
        },
    )


@declare(Access.HUB_STAFF)
def school(request, urn: int, domain_form: VerifiedDomainForm | None = None):
    school = _school_or_404(request.user, urn)
    people = Paginator(application_selectors.list_school_affiliations(school), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/schools/school.html",
        {
            "school": school,
            "domains": application_selectors.list_verified_domains(school),
            "approvers": application_selectors.list_school_approvers(school),
            "people": people,
            "domain_form": domain_form or VerifiedDomainForm(trust_name=school.trust_name),
        },
    )


@declare(Access.HUB_STAFF)
@require_POST
def domain_add(request, urn: int):
    school_obj = _school_or_404(request.user, urn)
    form = VerifiedDomainForm(request.POST, trust_name=school_obj.trust_name)
    if form.is_valid():
        try:
            verified = add_verified_domain(
                school=school_obj,
                domain=form.cleaned_data["domain"],
                for_trust=form.cleaned_data.get("for_trust", False),
                by=request.user,
            )
        except ApplicationError as error:
            form.add_error("domain", error.reason)
        else:
            messages.success(
                request,
                _("Addresses on %(domain)s can now release staff of %(place)s.")
                % {"domain": verified.domain, "place": verified.trust_name or school_obj.name},
            )
            return redirect("backoffice:school", urn=school_obj.urn)
    return school(request, urn, domain_form=form)


@declare(Access.HUB_STAFF)
@require_POST
def domain_remove(request, urn: int, domain_id: int):
    school_obj = _school_or_404(request.user, urn)
    verified = application_selectors.list_verified_domains(school_obj).filter(pk=domain_id).first()
    if verified is None:
        raise Http404("This school has no such verified domain")
    remove_verified_domain(verified=verified, school=school_obj, by=request.user)
    messages.success(
        request,
        _(
            "Addresses on %(domain)s can no longer release staff, unless their owner is a "
            "registered approver."
        )
        % {"domain": verified.domain},
    )
    return redirect("backoffice:school", urn=school_obj.urn)


@declare(Access.HUB_STAFF)
@require_POST
def affiliation_decide(request, affiliation_id: int):
    affiliation = (
        Affiliation.objects.select_related("person", "school").filter(pk=affiliation_id).first()
    )
    if affiliation is None or not can_look_after_school(request.user, affiliation.school):
        raise Http404("No one at a school of your hubs has this number")
    form = AffiliationDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
    else:
        try:
            decide_affiliation(
                affiliation=affiliation,
                confirm=form.confirms,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except (ApplicationError, PermissionDenied) as error:
            messages.error(request, getattr(error, "reason", _("You cannot do this.")))
        else:
            text = (
                _("%(name)s works at %(school)s: confirmed.")
                if form.confirms
                else _(
                    "%(name)s does not work at %(school)s: their applications no longer count "
                    "for it."
                )
            )
            messages.success(
                request,
                text
                % {"name": affiliation.person.get_full_name(), "school": affiliation.school.name},
            )
    back = request.POST.get("back", "")
    if back == "school":
        return redirect("backoffice:school", urn=affiliation.school_id)
    return redirect("backoffice:schools")
