"""Applying for a place, a teacher's own applications, and schools releasing their staff."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpdnet import rate_limits
from cpdnet.accounts.models import JobRole
from cpdnet.accounts.permissions import Access, declare
from cpdnet.accounts.selectors import list_approved_school_urns
from cpdnet.accreditation.applying import (
    PD_ROLE_LABELS,
    is_accreditation_programme,
    submit_accreditation_application,
)
from cpdnet.applications import eligibility, services
from cpdnet.applications import selectors as application_selectors
from cpdnet.applications.models import ACTIVE, Application, State, Transition
from cpdnet.applications.selectors import mask_email
from cpdnet.delivery.selectors import information_sheet
from cpdnet.delivery.uploads import file_response
from cpdnet.events.selectors import is_webinar
from cpdnet.hubs.selectors import resolve_hubs_for_schools
from cpdnet.programmes.models import Offering
from cpdnet.programmes.selectors import get_offering, list_offering_sessions
from cpdnet.schools.models import School

from .forms import (
    ApplicantForm,
    ApproverForm,
    InformationSheetForm,
    PDLeadershipForm,
    SchoolDecisionForm,
    WithdrawForm,
)

APPLICATIONS_PER_PAGE = 20


def _offering_or_404(offering_id: int) -> Offering:
    try:
        return get_offering(offering_id)
    except Offering.DoesNotExist:
        raise Http404("No offering has this number") from None


def _refusal_before_form(offering: Offering, user) -> eligibility.Refusal | None:
    """Check what can be checked before the form is filled in; the service checks it all."""
    return eligibility.check_person(offering=offering, person=user)


def _apply_context(request, offering_id: int) -> tuple[Offering, dict, HttpResponse | None]:
    """The offering and page context, or the page that stops the teacher applying."""
    offering = _offering_or_404(offering_id)
    user = request.user
    context = {"offering": offering, "programme": offering.programme}
    if is_webinar(offering):
        refusal = eligibility.Refusal(
            "register_instead", _("Webinars take registrations, not applications.")
        )
        stop = render(request, "public/applying/refused.html", {**context, "refusal": refusal})
        return offering, context, stop
    existing = (
        Application.objects.filter(applicant=user, offering=offering, state__in=ACTIVE)
        .only("pk", "state")
        .first()
    )
    if existing is not None:
        stop = render(
            request, "public/applying/already_applied.html", {**context, "application": existing}
        )
        return offering, context, stop
    refusal = _refusal_before_form(offering, user)
    if refusal is not None:
        stop = render(request, "public/applying/refused.html", {**context, "refusal": refusal})
        return offering, context, stop
    return offering, context, None


def _draft_key(offering: Offering) -> str:
    return f"application-draft-{offering.pk}"


def _draft(request, offering: Offering) -> dict:
    """What the teacher has answered so far for this offering (kept in their session)."""
    return request.session.get(_draft_key(offering), {})


def _save_draft(request, offering: Offering, **answers) -> None:
    request.session[_draft_key(offering)] = {**_draft(request, offering), **answers}


def _draft_school(draft: dict) -> School | None:
    return School.objects.filter(urn=draft.get("urn") or 0).first()


def _release_hub(school: School, offering: Offering):
    """The hub that verifies the school's email domain: the school's own in the programme's
    network, else the offering's (None for a national offering to a school in no hub's area)."""
    hubs = resolve_hubs_for_schools([school])[school.urn]
    return hubs.get(offering.programme.network_id, offering.hub)


def _has_approver(draft: dict) -> bool:
    return "approver_id" in draft or "approver_email" in draft


def _next_step(offering: Offering, draft: dict, *, checking: bool) -> HttpResponse:
    """The first step still to answer: accreditation programmes ask for the information sheet
    to be read and for evidence of PD leadership, then the school's releaser, then the check."""
    if is_accreditation_programme(offering.programme):
        if information_sheet(offering.programme) and not draft.get("sheet_acknowledged"):
            return redirect("public:apply-information-sheet", offering_id=offering.pk)
        if "pd_roles" not in draft:
            return redirect("public:apply-pd-leadership", offering_id=offering.pk)
    if offering.requires_school_approval and not (checking and _has_approver(draft)):
        return redirect("public:apply-approver", offering_id=offering.pk)
    return redirect("public:apply-check", offering_id=offering.pk)


@declare(Access.SIGNED_IN)
def apply(request, offering_id: int):
    """Step 1: who the teacher is (name, school, job role) and why they want to take part."""
    offering, context, stop = _apply_context(request, offering_id)
    if stop is not None:
        return stop
    user = request.user
    draft = _draft(request, offering)
    school = _draft_school(draft) or user.school
    form = ApplicantForm(
        request.POST if request.method == "POST" else None,
        initial={
            "full_name": draft.get("full_name", user.full_name),
            "school": school.name if school else "",
            "urn": school.urn if school else None,
            "job_role": draft.get("job_role", user.job_role),
            "statement": draft.get("statement", ""),
        },
    )
    if request.method == "POST":
        # Counted per account whether or not the form is valid: guessing is also an attempt.
        rate_limits.hit("application", request=request, account=str(user.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        refusal = eligibility.check(
            eligibility.build_candidate(
                offering=offering, applicant=user, school=data["school"], job_role=data["job_role"]
            )
        )
        if refusal is not None:
            form.add_error(None, refusal.reason)
            return render(request, "public/applying/apply.html", {**context, "form": form})
        if data["school"].urn != draft.get("urn"):
            draft.pop("approver_id", None)  # a new school has other approvers
            draft.pop("approver_email", None)
            request.session[_draft_key(offering)] = draft
        _save_draft(
            request,
            offering,
            full_name=data["full_name"],
            urn=data["school"].urn,
            job_role=data["job_role"],
            statement=data["statement"],
        )
        return _next_step(offering, _draft(request, offering), checking="check" in request.GET)
    return render(request, "public/applying/apply.html", {**context, "form": form})


def _accreditation_step(request, offering_id: int):
    """The offering, context and draft of a step only accreditation programmes have, or the
    response that sends the applicant elsewhere."""
    offering, context, stop = _apply_context(request, offering_id)
    if stop is not None:
        return offering, context, {}, stop
    draft = _draft(request, offering)
    if not is_accreditation_programme(offering.programme) or _draft_school(draft) is None:
        return offering, context, draft, redirect("public:apply", offering_id=offering.pk)
    return offering, context, draft, None


@declare(Access.SIGNED_IN)
def apply_information_sheet(request, offering_id: int):
    """Accreditation programmes: read the programme's information sheet before applying."""
    offering, context, draft, stop = _accreditation_step(request, offering_id)
    if stop is not None:
        return stop
    sheet = information_sheet(offering.programme)
    if sheet is None:
        return _next_step(offering, draft, checking="check" in request.GET)
    form = InformationSheetForm(
        request.POST if request.method == "POST" else None,
        initial={"acknowledged": draft.get("sheet_acknowledged", False)},
    )
    if request.method == "POST" and form.is_valid():
        _save_draft(request, offering, sheet_acknowledged=True)
        return _next_step(offering, _draft(request, offering), checking="check" in request.GET)
    return render(
        request,
        "public/applying/apply_information_sheet.html",
        {**context, "form": form, "sheet": sheet},
    )


@declare(Access.SIGNED_IN)
def apply_information_sheet_download(request, offering_id: int):
    offering = _offering_or_404(offering_id)
    sheet = information_sheet(offering.programme)
    if sheet is None:
        raise Http404("This programme has no information sheet")
    return file_response(sheet)


@declare(Access.SIGNED_IN)
def apply_pd_leadership(request, offering_id: int):
    """Accreditation programmes: the professional development the applicant leads now."""
    offering, context, draft, stop = _accreditation_step(request, offering_id)
    if stop is not None:
        return stop
    form = PDLeadershipForm(
        request.POST if request.method == "POST" else None,
        initial={
            "pd_roles": draft.get("pd_roles", []),
            "pd_led": draft.get("pd_led", ""),
            "led_for": draft.get("led_for", ""),
            "beyond_own_school": draft.get("beyond_own_school", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        refusal = eligibility.check(
            eligibility.build_candidate(
                offering=offering,
                applicant=request.user,
                school=_draft_school(draft),
                job_role=draft.get("job_role", ""),
                leads_pd_beyond_own_school=data["beyond_own_school"] == "yes",
            )
        )
        if refusal is not None:
            form.add_error(None, refusal.reason)
        else:
            _save_draft(
                request,
                offering,
                pd_roles=data["pd_roles"],
                pd_led=data["pd_led"],
                led_for=data["led_for"],
                beyond_own_school=data["beyond_own_school"],
            )
            return _next_step(offering, _draft(request, offering), checking="check" in request.GET)
    return render(
        request,
        "public/applying/apply_pd_leadership.html",
        {**context, "form": form, "checked_roles": form["pd_roles"].value() or []},
    )


@declare(Access.SIGNED_IN)
def apply_approver(request, offering_id: int):
    """Step 2: who at the school releases the teacher."""
    offering, context, stop = _apply_context(request, offering_id)
    if stop is not None:
        return stop
    draft = _draft(request, offering)
    school = _draft_school(draft)
    if school is None or not offering.requires_school_approval:
        return redirect("public:apply", offering_id=offering.pk)
    hub = _release_hub(school, offering)
    approvers = list(
        application_selectors.list_school_approvers(school).exclude(pk=request.user.pk)
    )
    form = ApproverForm(
        request.POST if request.method == "POST" else None,
        school=school,
        applicant=request.user,
        approvers=approvers,
        hub=hub,
        initial={
            "approver": str(draft["approver_id"])
            if "approver_id" in draft
            else (ApproverForm.SOMEONE_ELSE if draft.get("approver_email") else ""),
            "approver_email": draft.get("approver_email", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data.get("approver") or ""
        draft.pop("approver_id", None)
        draft.pop("approver_email", None)
        request.session[_draft_key(offering)] = draft
        if choice in form.approvers:
            _save_draft(request, offering, approver_id=int(choice))
        else:
            _save_draft(request, offering, approver_email=form.cleaned_data["approver_email"])
        return _next_step(offering, _draft(request, offering), checking=True)
    return render(
        request,
        "public/applying/apply_approver.html",
        {**context, "form": form, "school": school, "hub": hub, "approvers": approvers},
    )


def _chosen_approver(draft: dict, school: School) -> tuple[str, str]:
    """The approver's address and how to show it to the applicant (masked for a registered
    approver, whose address the applicant never sees)."""
    if "approver_id" in draft:
        person = (
            application_selectors.list_school_approvers(school)
            .filter(pk=draft["approver_id"])
            .first()
        )
        if person is None:
            return "", ""
        return person.email, f"{person.get_full_name()} ({mask_email(person.email)})"
    email = draft.get("approver_email", "")
    return email, email


@declare(Access.SIGNED_IN)
def apply_check(request, offering_id: int):
    """Step 3: check your answers, then send the application."""
    offering, context, stop = _apply_context(request, offering_id)
    if stop is not None:
        return stop
    draft = _draft(request, offering)
    school = _draft_school(draft)
    if school is None or not draft.get("job_role"):
        return redirect("public:apply", offering_id=offering.pk)
    accreditation = is_accreditation_programme(offering.programme)
    sheet = information_sheet(offering.programme) if accreditation else None
    if accreditation and (
        (sheet is not None and not draft.get("sheet_acknowledged")) or "pd_roles" not in draft
    ):
        return _next_step(offering, draft, checking=True)
    approver_email, approver_label = "", ""
    if offering.requires_school_approval:
        approver_email, approver_label = _chosen_approver(draft, school)
        if not approver_email:
            return redirect("public:apply-approver", offering_id=offering.pk)
    errors = []
    if request.method == "POST":
        answers = {
            "offering": offering,
            "applicant": request.user,
            "school": school,
            "job_role": draft["job_role"],
            "approver_email": approver_email,
            "statement": draft.get("statement", ""),
            "full_name": draft.get("full_name"),
        }
        try:
            if accreditation:
                application = submit_accreditation_application(
                    **answers,
                    pd_roles=draft["pd_roles"],
                    pd_led=draft.get("pd_led", ""),
                    led_for=draft.get("led_for", ""),
                    beyond_own_school=draft.get("beyond_own_school") == "yes",
                    information_sheet_acknowledged=bool(draft.get("sheet_acknowledged")),
                )
            else:
                application = services.submit_application(**answers)
        except services.ApplicationError as error:
            errors.append(error.reason)
        else:
            request.session.pop(_draft_key(offering), None)
            return render(
                request,
                "public/applying/applied.html",
                {
                    **context,
                    "application": application,
                    "approver_label": approver_label,
                    "days": settings.SCHOOL_APPROVAL_DAYS,
                    "sessions": list_offering_sessions(offering.pk).filter(
                        cancelled_at__isnull=True
                    ),
                },
            )
    return render(
        request,
        "public/applying/check.html",
        {
            **context,
            "draft": draft,
            "school": school,
            "job_role": JobRole(draft["job_role"]).label,
            "approver_label": approver_label,
            "errors": errors,
            "accreditation": accreditation,
            "sheet": sheet,
            "pd_roles": [str(PD_ROLE_LABELS.get(key, key)) for key in draft.get("pd_roles", [])],
        },
    )


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
        .select_related("offering__programme", "offering__hub", "school", "endorsement")
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
        try:
            services.record_school_decision(
                application=application,
                release=form.releases,
                approver_email=application.approver_email,
                by=request.user if request.user.is_authenticated else None,
                reason=form.cleaned_data["reason"],
            )
        except services.ApplicationError as error:
            if error.code != "already_answered":
                form.add_error(None, error.reason)
                return render(request, "public/applying/approval.html", {**context, "form": form})
            # Answered meanwhile (another tab, the portal): the page it goes back to says how.
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
                approver_email=request.user.email,
                by=request.user,
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
    claimed = Paginator(
        application_selectors.list_claimed_affiliations(urns), APPLICATIONS_PER_PAGE
    ).get_page(request.GET.get("people"))
    awaiting = (
        scoped.filter(state=State.AWAITING_SCHOOL_APPROVAL)
        .select_related("applicant", "school", "offering__programme", "offering__hub")
        .order_by("approval_due_at", "pk")
    )
    page = Paginator(awaiting, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/applying/school_approvals.html",
        {
            "page": page,
            "applications": page.object_list,
            "engagement": _engagement(urns),
            "claimed": claimed,
        },
    )


@declare(Access.SCHOOL_APPROVER)
@require_POST
def school_affiliation_decide(request, affiliation_id: int):
    """The approver confirms that someone works at their school, or says they do not."""
    affiliation = (
        application_selectors.list_claimed_affiliations(list_approved_school_urns(request.user))
        .filter(pk=affiliation_id)
        .first()
    )
    if affiliation is None:
        raise Http404("Nobody waiting at your schools has this number")
    decision = request.POST.get("decision", "")
    if decision not in ("confirm", "reject"):
        messages.error(request, _("Choose whether they work at your school"))
        return redirect("public:school-approvals")
    try:
        services.decide_affiliation(
            affiliation=affiliation, confirm=decision == "confirm", by=request.user
        )
    except services.ApplicationError as error:
        messages.error(request, error.reason)
    else:
        text = (
            _("You confirmed that %(name)s works at %(school)s.")
            if decision == "confirm"
            else _("You said that %(name)s does not work at %(school)s.")
        )
        messages.success(
            request,
            text % {"name": affiliation.person.get_full_name(), "school": affiliation.school.name},
        )
    return redirect("public:school-approvals")
