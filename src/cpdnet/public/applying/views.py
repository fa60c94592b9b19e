"""Applying for a place, a teacher's own applications, and schools releasing their staff."""

import contextlib

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpdnet.accounts.permissions import Access, declare
from cpdnet.accounts.selectors import list_approved_school_urns
from cpdnet.applications import eligibility, services
from cpdnet.applications import selectors as application_selectors
from cpdnet.applications.models import ACTIVE, Application, State, Transition
from cpdnet.events.selectors import is_webinar
from cpdnet.programmes.models import Offering
from cpdnet.programmes.selectors import get_offering
from cpdnet.schools.models import School

from .forms import ApplicationForm, SchoolDecisionForm, WithdrawForm

APPLICATIONS_PER_PAGE = 20


def _offering_or_404(offering_id: int) -> Offering:
    try:
        return get_offering(offering_id)
    except Offering.DoesNotExist:
        raise Http404("No offering has this number") from None


def _refusal_before_form(offering: Offering, user) -> eligibility.Refusal | None:
    """Check what can be checked before the form is filled in; the service checks it all."""
    return eligibility.check_person(offering=offering, person=user)


@declare(Access.SIGNED_IN)
def apply(request, offering_id: int):
    offering = _offering_or_404(offering_id)
    user = request.user
    context = {"offering": offering, "programme": offering.programme}
    if is_webinar(offering):
        refusal = eligibility.Refusal(
            "register_instead", _("Webinars take registrations, not applications.")
        )
        return render(request, "public/applying/refused.html", {**context, "refusal": refusal})
    existing = (
        Application.objects.filter(applicant=user, offering=offering, state__in=ACTIVE)
        .only("pk", "state")
        .first()
    )
    if existing is not None:
        return render(
            request, "public/applying/already_applied.html", {**context, "application": existing}
        )
    refusal = _refusal_before_form(offering, user)
    if refusal is not None:
        return render(request, "public/applying/refused.html", {**context, "refusal": refusal})
    form = ApplicationForm(
        request.POST or None,
        applicant=user,
        needs_school=user.school is None,
        needs_approver=offering.requires_school_approval,
        initial={"job_role": user.job_role},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.submit_application(
                offering=offering,
                applicant=user,
                school=data.get("urn") or user.school,
                job_role=data["job_role"],
                approver_email=data.get("approver_email", ""),
                statement=data["statement"],
            )
        except services.ApplicationError as error:
            form.add_error(None, error.reason)
        else:
            return render(
                request,
                "public/applying/applied.html",
                {**context, "application": application, "days": settings.SCHOOL_APPROVAL_DAYS},
            )
    return render(request, "public/applying/apply.html", {**context, "form": form})


def _own_application(user, application_id: int) -> Application:
    """Return one of the person's own applications; 404 alike for missing and others'."""
    try:
        return application_selectors.get_own_application(user, application_id)
    except Application.DoesNotExist:
        raise Http404("You have no application with this number") from None


@declare(Access.SIGNED_IN)
def my_applications(request):
    applications = (
        Application.objects.filter(applicant=request.user)
        .select_related("offering__programme", "offering__hub", "school")
        .prefetch_related(Prefetch("history", queryset=Transition.objects.order_by("created_at")))
    )
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/applying/my_applications.html",
        {
            "page": page,
            "applications": page.object_list,
            "can_withdraw": {
                application.pk
                for application in page.object_list
                if application.can_move_to(State.WITHDRAWN)
            },
        },
    )


@declare(Access.SIGNED_IN)
def withdraw_application(request, application_id: int):
    application = _own_application(request.user, application_id)
    if not application.can_move_to(State.WITHDRAWN):
        messages.error(request, _("This application can no longer be withdrawn."))
        return redirect("public:my-applications")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_application(
                application=application, by=request.user, reason=form.cleaned_data["reason"]
            )
        except services.ApplicationError as error:
            messages.error(request, error.reason)
        else:
            messages.success(
                request,
                _("You have withdrawn your application for %(programme)s.")
                % {"programme": application.offering.programme.title},
            )
        return redirect("public:my-applications")
    return render(
        request,
        "public/applying/withdraw.html",
        {"application": application, "offering": application.offering, "form": form},
    )


@declare(Access.SIGNED_IN)
@require_POST
def take_up_place(request, application_id: int):
    application = _own_application(request.user, application_id)
    try:
        services.take_up_offered_place(application=application, by=request.user)
    except services.ApplicationError as error:
        messages.error(request, error.reason)
    else:
        messages.success(
            request,
            _("You have a place on %(programme)s.")
            % {"programme": application.offering.programme.title},
        )
    return redirect("public:my-applications")


def _school_answer(application: Application) -> Transition | None:
    return application.history.filter(from_state=State.AWAITING_SCHOOL_APPROVAL).first()


@declare(Access.PUBLIC)
def school_approval(request, token: str):
    try:
        application = services.application_for_approval_token(token)
    except services.ApplicationError as error:
        return render(
            request,
            "public/applying/approval_link_problem.html",
            {"error": error, "days": settings.SCHOOL_APPROVAL_DAYS},
            status=404,
        )
    context = {"application": application, "offering": application.offering}
    if application.state != State.AWAITING_SCHOOL_APPROVAL:
        return render(
            request,
            "public/applying/approval_answered.html",
            {**context, "answer": _school_answer(application)},
        )
    form = SchoolDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Answered meanwhile (another tab, the portal): the page it goes back to says how.
        with contextlib.suppress(services.ApplicationError):
            services.record_school_decision(
                application=application,
                release=form.releases,
                by=request.user if request.user.is_authenticated else None,
                by_label=application.approver_email,
                reason=form.cleaned_data["reason"],
            )
        return redirect("public:school-approval", token=token)
    return render(request, "public/applying/approval.html", {**context, "form": form})


def _engagement(urns: list[int]) -> list[dict]:
    """Each of the schools with its applications counted by state, in the database."""
    counts: dict[int, dict[str, int]] = {urn: {} for urn in urns}
    for row in (
        Application.objects.filter(school_id__in=urns)
        .order_by()
        .values("school_id", "state")
        .annotate(count=Count("pk"))
    ):
        counts[row["school_id"]][row["state"]] = row["count"]
    return [
        {
            "school": school,
            "total": sum(counts[school.urn].values()),
            "states": [
                (state.label, counts[school.urn][state.value])
                for state in State
                if counts[school.urn].get(state.value)
            ],
        }
        for school in School.objects.filter(urn__in=urns).order_by("name")
    ]


@declare(Access.SCHOOL_APPROVER)
def school_approvals(request):
    urns = list_approved_school_urns(request.user)
    scoped = Application.objects.filter(school_id__in=urns)
    if request.method == "POST":
        application_id = request.POST.get("application", "")
        application = (
            scoped.select_related("applicant", "offering__programme")
            .filter(pk=int(application_id))
            .first()
            if application_id.isdigit() and len(application_id) < 19
            else None
        )
        if application is None:
            raise Http404("No application of your schools has this number")
        form = SchoolDecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, next(iter(form.errors.values()))[0])
            return redirect("public:school-approvals")
        try:
            services.record_school_decision(
                application=application,
                release=form.releases,
                by=request.user,
                by_label=request.user.email,
                reason=form.cleaned_data["reason"],
            )
        except services.ApplicationError as error:
            messages.error(request, error.reason)
        else:
            text = (
                _("You released %(name)s for %(programme)s.")
                if form.releases
                else _("You did not release %(name)s for %(programme)s.")
            )
            messages.success(
                request,
                text
                % {
                    "name": application.applicant.get_full_name(),
                    "programme": application.offering.programme.title,
                },
            )
        return redirect("public:school-approvals")
    awaiting = (
        scoped.filter(state=State.AWAITING_SCHOOL_APPROVAL)
        .select_related("applicant", "school", "offering__programme", "offering__hub")
        .order_by("approval_due_at", "pk")
    )
    page = Paginator(awaiting, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/applying/school_approvals.html",
        {"page": page, "applications": page.object_list, "engagement": _engagement(urns)},
    )
