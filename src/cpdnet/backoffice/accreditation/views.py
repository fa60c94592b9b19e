"""Accreditation in the back office: an assessor's or moderator's own assignments and
marking; national staff's submissions, assignment, deadlines and extensions, workload,
moderation, the awarding step, appeals, renewals and the PG Cert export; the full register
for national and hub staff.

Every object comes through a selector scoped to the person (404 for anyone else's); every
write is one service call, whose refusal is shown with its reason and changes nothing.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cpdnet.accounts.permissions import Access, declare
from cpdnet.accounts.selectors import is_national_staff
from cpdnet.accreditation import selectors, services
from cpdnet.accreditation.exports import pg_cert_csv_response
from cpdnet.accreditation.models import (
    EVIDENCE_SECTIONS,
    Appeal,
    AppealOutcome,
    Assessment,
    AssessmentRole,
    CandidacyState,
    CohortDeadline,
    SubmittedVersion,
)
from cpdnet.accreditation.refusals import refusal_shown
from cpdnet.accreditation.services import AccreditationRefused
from cpdnet.delivery.uploads import file_response
from cpdnet.hubs.models import Hub
from cpdnet.programmes.models import Kind, Offering, Phase

from .forms import (
    AssignForm,
    DeadlineForm,
    DecisionForm,
    ExtensionForm,
    MarkingForm,
    ModerationDecisionForm,
    RecommendationForm,
    UnassignForm,
    WithdrawForm,
)

PER_PAGE = 50


def _post(request):
    return request.POST if request.method == "POST" else None


def _page(request, rows):
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


# --- Assessors and moderators: their own assignments -----------------------------------------


@declare(Access.ASSESSOR_OR_MODERATOR)
def assignments(request):
    rows = selectors.list_assignments(request.user)
    return render(
        request, "backoffice/accreditation/assignments.html", {"page": _page(request, rows)}
    )


def _marking_page(request, view, form, recommendation_form):
    assessment = view.assessment
    return render(
        request,
        "backoffice/accreditation/marking.html",
        {
            "view": view,
            "assessment": assessment,
            "candidacy": assessment.version.candidacy,
            "form": form,
            "recommendation_form": recommendation_form,
            "is_open": assessment.completed_at is None,
            "files": assessment.version.files.all(),
        },
    )


def _marks_initial(view) -> dict:
    initial = {}
    for key, mark in view.marks.items():
        initial[f"met_{key}"] = {True: "met", False: "not_met"}.get(mark.met, "")
        initial[f"feedback_{key}"] = mark.feedback
    return initial


@declare(Access.ASSESSOR_OR_MODERATOR)
@require_http_methods(["GET", "POST"])
def marking(request, assessment_id: int):
    view = selectors.get_assessment_for_assessor(request.user, assessment_id)
    form = MarkingForm(_post(request), initial=_marks_initial(view))
    if request.method == "POST" and form.is_valid():
        with refusal_shown(on=form):
            services.save_marks(view.assessment, marks=form.marks(), by=request.user)
            messages.success(request, _("Marks saved."))
            return redirect("backoffice:accreditation-marking", assessment_id=assessment_id)
    return _marking_page(request, view, form, RecommendationForm())


@declare(Access.ASSESSOR_OR_MODERATOR)
@require_POST
def recommend(request, assessment_id: int):
    view = selectors.get_assessment_for_assessor(request.user, assessment_id)
    form = RecommendationForm(request.POST)
    if form.is_valid():
        with refusal_shown(on=form):
            services.recommend(
                view.assessment,
                recommendation=form.cleaned_data["recommendation"],
                summary=form.cleaned_data["summary"],
                by=request.user,
            )
            messages.success(request, _("Recommendation made. Thank you."))
            return redirect("backoffice:accreditation-assignments")
    return _marking_page(request, view, MarkingForm(initial=_marks_initial(view)), form)


@declare(Access.ASSESSOR_OR_MODERATOR)
def marking_file(request, assessment_id: int, file_id: int):
    view = selectors.get_assessment_for_assessor(request.user, assessment_id)
    evidence_file = view.assessment.version.files.filter(pk=file_id).first()
    if evidence_file is None:
        raise Http404("The submission has no file with this number")
    return file_response(evidence_file)


# --- National staff (and hub staff, read-only, for their hub) --------------------------------


@declare(Access.HUB_STAFF)
def index(request):
    national = is_national_staff(request.user)
    return render(
        request,
        "backoffice/accreditation/index.html",
        {
            "national": national,
            "awaiting_assessor": selectors.awaiting_assessor().count() if national else 0,
            "moderating": selectors.moderation_queue().count() if national else 0,
            "awaiting_ratification": selectors.awaiting_ratification().count() if national else 0,
            "appeals": Appeal.objects.filter(outcome=AppealOutcome.PENDING).count()
            if national
            else 0,
            "renewals": selectors.list_renewals_to_review().count() if national else 0,
        },
    )


@declare(Access.HUB_STAFF)
def submissions(request):
    state = request.GET.get("state", "")
    state = state if state in CandidacyState.values else ""
    phase = request.GET.get("phase", "")
    phase = phase if phase in Phase.values else ""
    rows = selectors.list_candidacies_for(request.user, state=state or None, phase=phase or None)
    return render(
        request,
        "backoffice/accreditation/submissions.html",
        {
            "page": _page(request, rows.order_by("-updated_at", "-pk")),
            "states": CandidacyState.choices,
            "phases": Phase.choices,
            "chosen": {"state": state, "phase": phase},
        },
    )


def _candidacy_page(request, candidacy, *, assign_form=None, extension_form=None, status=200):
    versions = list(candidacy.versions.prefetch_related("assessments__assessor").all())
    national = is_national_staff(request.user)
    return render(
        request,
        "backoffice/accreditation/candidacy.html",
        {
            "candidacy": candidacy,
            "versions": versions,
            "latest": versions[-1] if versions else None,
            "history": candidacy.history.select_related("by"),
            "national": national,
            "assign_form": assign_form or (AssignForm() if national else None),
            "extension_form": extension_form or (ExtensionForm() if national else None),
            "withdraw_form": WithdrawForm() if national else None,
            "appeals": candidacy.appeals.all(),
        },
        status=status,
    )


@declare(Access.HUB_STAFF)
def candidacy_detail(request, candidacy_id: int):
    return _candidacy_page(request, selectors.access_candidacy(request.user, candidacy_id))


@declare(Access.NATIONAL_STAFF)
@require_POST
def assign(request, candidacy_id: int):
    candidacy = selectors.access_candidacy(request.user, candidacy_id)
    form = AssignForm(request.POST)
    version = candidacy.versions.order_by("-number").first()
    if form.is_valid():
        with refusal_shown(on=form):
            if version is None:
                raise AccreditationRefused("Nothing has been submitted to assess yet.")
            services.assign_assessor(
                version,
                form.cleaned_data["assessor"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
            messages.success(request, _("Assessor assigned."))
            return redirect("backoffice:accreditation-candidacy", candidacy_id=candidacy.pk)
    return _candidacy_page(request, candidacy, assign_form=form, status=400)


@declare(Access.NATIONAL_STAFF)
@require_http_methods(["GET", "POST"])
def unassign(request, candidacy_id: int, assessment_id: int):
    """Confirm, with a reason, taking a marking back from its assessor before they begin it."""
    candidacy = selectors.access_candidacy(request.user, candidacy_id)
    assessment = (
        Assessment.objects.filter(
            pk=assessment_id, version__candidacy=candidacy, completed_at__isnull=True
        )
        .select_related("assessor", "version")
        .first()
    )
    if assessment is None:
        raise Http404("This candidate has no open marking with this number")
    form = UnassignForm(_post(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown(on=form):
            services.unassign_assessor(
                assessment, reason=form.cleaned_data["reason"], by=request.user
            )
            messages.success(
                request,
                _("%(name)s is no longer assigned to this submission.")
                % {"name": assessment.assessor.get_full_name() or assessment.assessor.email},
            )
            return redirect("backoffice:accreditation-candidacy", candidacy_id=candidacy.pk)
    return render(
        request,
        "backoffice/accreditation/unassign.html",
        {"candidacy": candidacy, "assessment": assessment, "form": form},
        status=400 if form.errors else 200,
    )


@declare(Access.NATIONAL_STAFF)
@require_POST
def extension(request, candidacy_id: int):
    candidacy = selectors.access_candidacy(request.user, candidacy_id)
    form = ExtensionForm(request.POST)
    if form.is_valid():
        with refusal_shown(on=form):
            services.grant_extension(candidacy, by=request.user, **form.cleaned_data)
            messages.success(request, _("Extension granted."))
            return redirect("backoffice:accreditation-candidacy", candidacy_id=candidacy.pk)
    return _candidacy_page(request, candidacy, extension_form=form, status=400)


@declare(Access.NATIONAL_STAFF)
@require_POST
def withdraw(request, candidacy_id: int):
    candidacy = selectors.access_candidacy(request.user, candidacy_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        with refusal_shown(on=request):
            services.withdraw_candidacy(
                candidacy, reason=form.cleaned_data["reason"], by=request.user
            )
            messages.success(request, _("Candidacy withdrawn."))
    else:
        messages.error(request, form.errors["reason"][0])
    return redirect("backoffice:accreditation-candidacy", candidacy_id=candidacy.pk)


@declare(Access.NATIONAL_STAFF)
def workload(request):
    return render(
        request,
        "backoffice/accreditation/workload.html",
        {"assessors": selectors.assessor_workload()},
    )


def _accreditation_offerings():
    return (
        Offering.objects.filter(programme__kind=Kind.ACCREDITATION)
        .select_related("programme", "hub", "provider", "accreditation_deadline")
        .order_by("-academic_year", "programme__title", "pk")
    )


@declare(Access.NATIONAL_STAFF)
def deadlines(request):
    return render(
        request,
        "backoffice/accreditation/deadlines.html",
        {"page": _page(request, _accreditation_offerings())},
    )


@declare(Access.NATIONAL_STAFF)
@require_http_methods(["GET", "POST"])
def deadline_edit(request, offering_id: int):
    offering = _accreditation_offerings().filter(pk=offering_id).first()
    if offering is None:
        raise Http404("No accreditation cohort has this number")
    current = CohortDeadline.objects.filter(offering=offering).first()
    form = DeadlineForm(
        _post(request),
        initial={
            "submit_by": current.submit_by if current else None,
            "resubmission_window_days": current.resubmission_window_days if current else 42,
        },
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown(on=form):
            services.set_cohort_deadline(offering, by=request.user, **form.cleaned_data)
            messages.success(
                request, _("Deadline saved for %(offering)s.") % {"offering": offering}
            )
            return redirect("backoffice:accreditation-deadlines")
    return render(
        request, "backoffice/accreditation/deadline_form.html", {"form": form, "offering": offering}
    )


@declare(Access.NATIONAL_STAFF)
def moderation(request):
    return render(
        request,
        "backoffice/accreditation/moderation.html",
        {"page": _page(request, selectors.moderation_queue())},
    )


@declare(Access.NATIONAL_STAFF)
@require_http_methods(["GET", "POST"])
def moderation_decide(request, candidacy_id: int):
    candidacy = selectors.access_candidacy(request.user, candidacy_id)
    version = (
        SubmittedVersion.objects.filter(candidacy=candidacy)
        .prefetch_related("assessments__marks", "assessments__assessor")
        .order_by("-number")
        .first()
    )
    if version is None:
        raise Http404("Nothing has been submitted")
    form = ModerationDecisionForm(_post(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown(on=form):
            services.decide_moderation(version, by=request.user, **form.cleaned_data)
            messages.success(request, _("Moderation decided: the outcome goes to awarding."))
            return redirect("backoffice:accreditation-moderation")
    assessments = sorted(version.assessments.all(), key=lambda a: a.role != AssessmentRole.FIRST)
    for assessment in assessments:
        marks = {mark.section: mark for mark in assessment.marks.all()}
        assessment.section_marks = [
            (heading, marks.get(key)) for key, heading, *_rest in EVIDENCE_SECTIONS
        ]
    return render(
        request,
        "backoffice/accreditation/moderation_decide.html",
        {"candidacy": candidacy, "version": version, "assessments": assessments, "form": form},
    )


@declare(Access.NATIONAL_STAFF)
def awarding(request):
    return render(
        request,
        "backoffice/accreditation/awarding.html",
        {"page": _page(request, selectors.awaiting_ratification())},
    )


@declare(Access.NATIONAL_STAFF)
@require_POST
def ratify(request, candidacy_id: int):
    candidacy = selectors.access_candidacy(request.user, candidacy_id)
    with refusal_shown(on=request):
        accreditation = services.ratify(candidacy, by=request.user)
        name = candidacy.candidate.get_full_name()
        if accreditation:
            messages.success(
                request,
                _("%(name)s is accredited: %(code)s") % {"name": name, "code": accreditation.code},
            )
        else:
            messages.success(
                request,
                _("Outcome ratified for %(name)s: %(state)s")
                % {"name": name, "state": candidacy.get_state_display()},
            )
    return redirect("backoffice:accreditation-awarding")


@declare(Access.NATIONAL_STAFF)
def appeals(request):
    rows = Appeal.objects.select_related(
        "candidacy__candidate", "candidacy__application__offering__programme"
    ).order_by("outcome", "-lodged_at", "-pk")
    return render(request, "backoffice/accreditation/appeals.html", {"page": _page(request, rows)})


@declare(Access.NATIONAL_STAFF)
@require_http_methods(["GET", "POST"])
def appeal_decide(request, appeal_id: int):
    appeal = Appeal.objects.select_related("candidacy__candidate").filter(pk=appeal_id).first()
    if appeal is None:
        raise Http404("No appeal has this number")
    form = DecisionForm(_post(request), yes=_("Upheld"), no=_("Dismissed"))
    form.fields["decision"].label = _("Is the appeal upheld?")
    if request.method == "POST" and form.is_valid():
        with refusal_shown(on=form):
            services.decide_appeal(
                appeal,
                upheld=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
            messages.success(request, _("Appeal decided."))
            return redirect("backoffice:accreditation-appeals")
    return render(
        request, "backoffice/accreditation/appeal_decide.html", {"appeal": appeal, "form": form}
    )


@declare(Access.NATIONAL_STAFF)
def renewals(request):
    return render(
        request,
        "backoffice/accreditation/renewals.html",
        {"page": _page(request, selectors.list_renewals_to_review())},
    )


@declare(Access.NATIONAL_STAFF)
@require_http_methods(["GET", "POST"])
def renewal_review(request, renewal_id: int):
    renewal = selectors.list_renewals_to_review().filter(pk=renewal_id).first()
    if renewal is None:
        raise Http404("No renewal waiting for review has this number")
    form = DecisionForm(_post(request), yes=_("Renew"), no=_("Return for more evidence"))
    form.fields["decision"].label = _("Renew the accreditation?")
    if request.method == "POST" and form.is_valid():
        with refusal_shown(on=form):
            services.review_renewal(
                renewal,
                renewed=form.cleaned_data["decision"],
                note=form.cleaned_data["reason"],
                by=request.user,
            )
            messages.success(request, _("Renewal reviewed."))
            return redirect("backoffice:accreditation-renewals")
    return render(
        request,
        "backoffice/accreditation/renewal_review.html",
        {"renewal": renewal, "form": form, "offerings": renewal.led_offerings.all()},
    )


@declare(Access.HUB_STAFF)
def full_register(request):
    phase = request.GET.get("phase", "")
    phase = phase if phase in Phase.values else ""
    hub = request.GET.get("hub", "")[:80]
    rows = selectors.full_register(
        request.user,
        phase=phase or None,
        hub=hub or None,
        include_ended=request.GET.get("ended") == "yes",
    )
    return render(
        request,
        "backoffice/accreditation/register.html",
        {
            "page": _page(request, rows),
            "phases": Phase.choices,
            "hubs": Hub.objects.order_by("name") if is_national_staff(request.user) else [],
            "chosen": {"phase": phase, "hub": hub, "ended": request.GET.get("ended") == "yes"},
        },
    )


@declare(Access.NATIONAL_STAFF)
def pg_cert_export(request):
    return pg_cert_csv_response(selectors.pg_cert_candidates())
