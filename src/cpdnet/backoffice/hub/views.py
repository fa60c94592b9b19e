"""Hub back office pages: the hub's offerings, their applications, decisions and exports.

Every page is for hub staff and for the staff of a national provider (the national centre, a
national network, a partner), and national staff, who may act for any; objects of hubs and
providers the person does not staff answer 404, the same as objects that do not exist.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from cpdnet.accounts.permissions import Access, declare
from cpdnet.accounts.selectors import (
    is_national_staff,
    list_staffed_hub_ids,
    list_staffed_provider_ids,
)
from cpdnet.accreditation.applying import pd_role_labels, pending_endorsements
from cpdnet.accreditation.capacity import capacity_for_hubs
from cpdnet.accreditation.models import Endorsement, PDLeadershipEvidence
from cpdnet.applications.models import HOLDS_PLACE, Application, SchoolEnrolment, State
from cpdnet.applications.permissions import can_decide_places_on
from cpdnet.applications.selectors import count_places_held_for_leads, list_offering_enrolments
from cpdnet.applications.services import (
    ApplicationError,
    decide_application,
    decide_applications,
    move_on_waiting_list,
    offer_place_by_hand,
    places_taken,
    withdraw_enrolled_school,
)
from cpdnet.backoffice.csv_export import csv_response
from cpdnet.check_answers import check_answers_step
from cpdnet.notifications.services import preview_applicant_email
from cpdnet.programmes.academic_years import current_academic_year, requested_academic_year
from cpdnet.programmes.models import Offering, Programme
from cpdnet.programmes.services import (
    OFFERING_FIELDS,
    OfferingError,
    close_applications,
    create_offering,
    open_applications,
    update_offering,
)

from . import selectors
from .forms import (
    DECISION_STATES,
    ApplicationFilterForm,
    BulkDecisionForm,
    DecisionForm,
    MoveOnWaitingListForm,
    OfferByHandForm,
    OfferingForm,
    WithdrawSchoolForm,
)

PER_PAGE = 50
FILTER_KEYS = ("state", "school", "email", "page")
DONE = {
    "accept": gettext_lazy("accepted"),
    "waitlist": gettext_lazy("put on the waiting list"),
    "decline": gettext_lazy("declined"),
}


def _years(*also: int) -> list[int]:
    current = current_academic_year()
    return sorted({*range(current - 2, current + 3), *also})


def _dashboard_url(offering: Offering) -> str:
    if offering.hub_id:
        query = urlencode({"hub": offering.hub.slug, "year": offering.academic_year})
    else:
        query = urlencode({"provider": offering.provider.slug, "year": offering.academic_year})
    return f"{reverse('backoffice:hub')}?{query}"


def _window_label(offering: Offering, now) -> str:
    if offering.is_open_for_applications(now):
        return _("Open")
    if now < offering.applications_open_at:
        return _("Not open yet")
    return _("Closed")


@declare(Access.HUB_OR_PROVIDER_STAFF)
def hub_dashboard(request):
    hubs = list(selectors.list_visible_hubs(request.user))
    providers = list(selectors.list_visible_providers(request.user))
    year = requested_academic_year(request.GET)
    slug = request.GET.get("hub", "")
    provider_slug = request.GET.get("provider", "")
    chosen_providers = []
    if slug or provider_slug:
        chosen = [hub for hub in hubs if hub.slug == slug]
        chosen_providers = [provider for provider in providers if provider.slug == provider_slug]
        if not chosen and not chosen_providers:
            raise Http404("No such hub or provider")
    elif is_national_staff(request.user):
        staffed = set(list_staffed_hub_ids(request.user))
        chosen = [hub for hub in hubs if hub.pk in staffed]
        staffed_providers = set(list_staffed_provider_ids(request.user))
        chosen_providers = [provider for provider in providers if provider.pk in staffed_providers]
    else:
        chosen, chosen_providers = hubs, providers
    offerings = list(
        selectors.list_hub_offerings(
            hub_ids=[hub.pk for hub in chosen],
            provider_ids=[provider.pk for provider in chosen_providers],
            year=year,
        )
    )
    now = timezone.now()
    for offering in offerings:
        offering.state_counts = [
            (State(state), getattr(offering, f"count_{state}")) for state in State.values
        ]
        offering.applications_total = sum(count for _state, count in offering.state_counts)
        offering.window_label = _window_label(offering, now)
    return render(
        request,
        "backoffice/hub/dashboard.html",
        {
            "hubs": hubs,
            "chosen": chosen,
            "chosen_slug": slug,
            "year": year,
            "year_label": f"{year}/{(year + 1) % 100:02d}",
            "years": [(value, f"{value}/{(value + 1) % 100:02d}") for value in _years(year)],
            "by_hub": [
                (hub, [offering for offering in offerings if offering.hub_id == hub.pk])
                for hub in chosen
            ],
            "providers": providers,
            "chosen_provider_slug": provider_slug,
            "by_provider": [
                (
                    provider,
                    [offering for offering in offerings if offering.provider_id == provider.pk],
                )
                for provider in chosen_providers
            ],
            "states": State,
            "can_choose_hub": len(hubs) > 1,
            "can_choose_provider": len(providers) > 1,
            "all_hubs_label": _("My hubs") if not is_national_staff(request.user) else "",
            "capacities": capacity_for_hubs(chosen, year=year),
            "endorsements_waiting": _endorsements_waiting(request.user, chosen),
        },
    )


def _endorsements_waiting(user, hubs) -> list[tuple]:
    """(hub, applications waiting for its endorsement) for the hubs the person staffs."""
    staffed = set(list_staffed_hub_ids(user))
    return [(hub, pending_endorsements(hub).count()) for hub in hubs if hub.pk in staffed]


@declare(Access.HUB_OR_PROVIDER_STAFF)
def offering_create(request):
    provider_slug = request.GET.get("provider", "")
    provider = selectors.access_provider(request.user, provider_slug) if provider_slug else None
    hubs = selectors.list_visible_hubs(request.user)
    hub_ids = selectors.visible_hub_ids(request.user)
    if provider is None and hub_ids == []:
        raise Http404("No hub to add an offering to")
    only_hub = hubs.first() if hub_ids is not None and len(hub_ids) == 1 else None
    if provider is None:
        # National programmes, and the local ones these hubs designed.
        programmes = Programme.objects.filter(
            Q(designed_by_hub__isnull=True) | Q(designed_by_hub__in=hubs),
            is_active=True,
            network__in=hubs.values("network_id"),
        )
        facilitators = selectors.list_facilitators(hub_ids)
    else:
        # A national provider offers any network's programmes unless it belongs to one.
        programmes = Programme.objects.filter(is_active=True, designed_by_hub__isnull=True)
        if provider.network_id:
            programmes = programmes.filter(network_id=provider.network_id)
        facilitators = selectors.list_facilitators([], provider_ids=[provider.pk])
    form = OfferingForm(
        request.POST or None,
        initial={
            "hub": request.GET.get("hub") or (only_hub.slug if only_hub else None),
            "academic_year": requested_academic_year(request.GET),
            "planned_sessions": 3,
            "local_only": provider is None,
            "requires_school_approval": True,
        },
        hubs=hubs if provider is None else None,
        national=provider is not None,
        programmes=programmes,
        facilitators=facilitators,
        years=_years(),
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        hub = fields.pop("hub", None)
        try:
            offering = create_offering(hub=hub, provider=provider, by=request.user, **fields)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Offering added: %(offering)s") % {"offering": offering})
            return redirect(_dashboard_url(offering))
    return render(
        request,
        "backoffice/hub/offering_form.html",
        {"form": form, "offering": None, "provider": provider},
    )


def _keep_unshown_seconds(offering: Offering, data: dict) -> dict:
    """Keep a time the form showed to the minute, so that saving it changes nothing."""
    fields = dict(data)
    for name in ("applications_open_at", "applications_close_at"):
        stored = getattr(offering, name)
        if fields.get(name) == stored.replace(second=0, microsecond=0):
            fields[name] = stored
    return fields


@declare(Access.HUB_OR_PROVIDER_STAFF)
def offering_edit(request, offering_id: int):
    offering = selectors.access_offering(request.user, offering_id)
    counts = selectors.count_applications_by_state(offering)
    places_taken = sum(counts[state] for state in HOLDS_PLACE)
    if offering.school_capacity is not None:  # only such offerings enrol schools
        places_taken += count_places_held_for_leads(offering.pk)
    form = OfferingForm(
        request.POST or None,
        initial={name: getattr(offering, name) for name in OFFERING_FIELDS},
        offering=offering,
        programmes=Programme.objects.filter(
            Q(
                Q(designed_by_hub__isnull=True) | Q(designed_by_hub_id=offering.hub_id),
                is_active=True,
                network=offering.programme.network_id,
            )
            | Q(pk=offering.programme_id)
        ),
        facilitators=selectors.list_facilitators(
            [offering.hub_id] if offering.hub_id else [],
            provider_ids=[offering.provider_id],
            including=offering.facilitator_id,
        ),
        years=_years(offering.academic_year),
        places_taken=places_taken,
        national=offering.is_national,
    )
    if request.method == "POST" and form.is_valid():
        fields = _keep_unshown_seconds(offering, form.cleaned_data)
        try:
            offering = update_offering(offering=offering, by=request.user, **fields)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Offering saved: %(offering)s") % {"offering": offering})
            return redirect(_dashboard_url(offering))
    return render(
        request,
        "backoffice/hub/offering_form.html",
        {
            "form": form,
            "offering": offering,
            "window_label": _window_label(offering, timezone.now()),
            "is_open": offering.is_open_for_applications(),
            "places_taken": places_taken,
        },
    )


def _change_window(request, offering_id: int, service, done: str):
    offering = selectors.access_offering(request.user, offering_id)
    try:
        service(offering=offering, by=request.user)
    except OfferingError as error:
        messages.error(request, error.reason)
    else:
        messages.success(request, done)
    return redirect("backoffice:offering-edit", offering_id=offering.pk)


@declare(Access.HUB_OR_PROVIDER_STAFF)
@require_POST
def offering_open(request, offering_id: int):
    return _change_window(request, offering_id, open_applications, _("Applications are open."))


@declare(Access.HUB_OR_PROVIDER_STAFF)
@require_POST
def offering_close(request, offering_id: int):
    return _change_window(request, offering_id, close_applications, _("Applications are closed."))


@declare(Access.HUB_OR_PROVIDER_STAFF)
def offering_applications(request, offering_id: int):
    offering = selectors.access_offering(request.user, offering_id)
    filter_form = ApplicationFilterForm(request.GET)
    filters = (
        selectors.ApplicationFilters(**filter_form.cleaned_data)
        if filter_form.is_valid()
        else selectors.ApplicationFilters()
    )
    page = Paginator(selectors.list_offering_applications(offering, filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    counts = selectors.count_applications_by_state(offering)
    places_taken = sum(counts[state] for state in HOLDS_PLACE)
    if offering.school_capacity is not None:  # only such offerings enrol schools
        places_taken += count_places_held_for_leads(offering.pk)
    return render(
        request,
        "backoffice/hub/applications.html",
        {
            "offering": offering,
            "filter_form": filter_form,
            "is_filtered": any(vars(filters).values()),
            "page": page,
            "applications": page.object_list,
            "state_counts": [(State(state), count) for state, count in counts.items()],
            "total": sum(counts.values()),
            "places_left": max(0, offering.capacity - places_taken),
            "decision_form": DecisionForm(auto_id="bulk-%s"),
            "can_decide": can_decide_places_on(request.user, offering.programme),
            "filters": _filters_query(request.GET),
            # "Select all" is a link, so it works without JavaScript.
            "select_all": request.GET.get("select") == "all",
        },
    )


def _filters_query(data) -> str:
    """The list's filters and page as a query string, keeping only the keys the list knows."""
    kept = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        value = data.get(key, "")
        if value:
            kept[key] = value[:254]
    return kept.urlencode()


@declare(Access.HUB_OR_PROVIDER_STAFF)
@require_POST
def offering_applications_decide(request, offering_id: int):
    offering = selectors.access_offering(request.user, offering_id)
    form = BulkDecisionForm(
        request.POST,
        applications=offering.applications.select_related("applicant", "offering__hub"),
        auto_id="bulk-%s",
    )
    back = reverse("backoffice:offering-applications", kwargs={"offering_id": offering.pk})
    query = _filters_query(QueryDict(request.POST.get("filters", "")))
    back = f"{back}?{query}" if query else back
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    decision = form.cleaned_data["decision"]
    reason = form.cleaned_data["reason"]
    chosen = sorted(form.cleaned_data["applications"], key=lambda a: (a.submitted_at, a.pk))
    if request.POST.get("confirmed") != "yes":
        # First the preview: who moves, who cannot and why, and the email they will get.
        return _render_decision_preview(
            request, offering=offering, chosen=chosen, decision=decision, reason=reason, back=back
        )
    decided, problems = decide_applications(
        applications=chosen, decision=decision, by=request.user, reason=reason
    )
    if decided:
        messages.success(
            request,
            ngettext("%(count)d application %(done)s.", "%(count)d applications %(done)s.", decided)
            % {"count": decided, "done": DONE[decision]},
        )
    # One error summary lists every person who could not be moved (see _messages.html).
    for problem in problems:
        messages.error(request, problem)
    return redirect(back)


def _render_decision_preview(request, *, offering, chosen, decision, reason, back):
    target = DECISION_STATES[decision]
    movable = [application for application in chosen if application.can_move_to(target)]
    refused = [
        (
            application,
            _("An application that is %(state)s cannot be %(done)s.")
            % {"state": application.get_state_display().lower(), "done": DONE[decision]},
        )
        for application in chosen
        if not application.can_move_to(target)
    ]
    places_left = None
    if decision == "accept":
        places_left = max(0, offering.capacity - places_taken(offering))
    sample = (
        preview_applicant_email(application=movable[0], to_state=target, reason=reason)
        if movable
        else None
    )
    return render(
        request,
        "backoffice/hub/decide_preview.html",
        {
            "offering": offering,
            "decision": decision,
            "decision_label": DONE[decision],
            "reason": reason,
            "movable": movable,
            "refused": refused,
            "short_of_places": places_left is not None
            and len([a for a in movable if a.state not in HOLDS_PLACE]) > places_left,
            "places_left": places_left,
            "sample": sample,
            "filters": request.POST.get("filters", ""),
            "back": back,
        },
    )


@declare(Access.HUB_OR_PROVIDER_STAFF)
def offering_school_enrolments(request, offering_id: int):
    offering = selectors.access_offering(request.user, offering_id)
    enrolments = list(list_offering_enrolments(offering.pk))
    return render(
        request,
        "backoffice/hub/school_enrolments.html",
        {
            "offering": offering,
            "enrolments": enrolments,
            "enrolled": sum(enrolment.is_enrolled for enrolment in enrolments),
        },
    )


@declare(Access.HUB_OR_PROVIDER_STAFF)
def offering_school_withdraw(request, offering_id: int, enrolment_id: int):
    offering = selectors.access_offering(request.user, offering_id)
    try:
        enrolment = list_offering_enrolments(offering.pk).get(pk=enrolment_id)
    except SchoolEnrolment.DoesNotExist:
        raise Http404("No school enrolled in this offering has this number") from None
    form = WithdrawSchoolForm(request.POST if request.method == "POST" else None)
    # The reason first, then a page saying what withdrawing does and who is emailed.
    step = check_answers_step(request, form)
    if step.ready:
        if not step.confirmed:
            return render(
                request,
                "backoffice/hub/school_withdraw_check.html",
                {"offering": offering, "enrolment": enrolment, "form": form},
            )
        try:
            withdraw_enrolled_school(
                enrolment=enrolment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(
                request,
                _("%(school)s has been withdrawn. We have emailed the school and its leads.")
                % {"school": enrolment.school.name},
            )
            return redirect("backoffice:offering-schools", offering_id=offering.pk)
    return render(
        request,
        "backoffice/hub/school_withdraw.html",
        {"offering": offering, "enrolment": enrolment, "form": form},
        status=step.status(form),
    )


@declare(Access.HUB_OR_PROVIDER_STAFF)
def offering_waiting_list(request, offering_id: int):
    offering = selectors.access_offering(request.user, offering_id)
    return _render_waiting_list(request, offering)


def _render_waiting_list(
    request, offering, offer_form=None, offer_to=None, move_form=None, move_of=None
):
    page = Paginator(selectors.list_waiting_list(offering), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/hub/waiting_list.html",
        {
            "offering": offering,
            "page": page,
            "waiting": [
                (page.start_index() + index, application)
                for index, application in enumerate(page.object_list)
            ],
            "offered": selectors.list_places_offered(offering),
            "places_left": max(0, offering.capacity - places_taken(offering)),
            "offer_form": offer_form or OfferByHandForm(auto_id="offer-%s"),
            "offer_to": offer_to,
            "move_form": move_form,
            "move_of": move_of,
        },
        status=400 if offer_form is not None or move_form is not None else 200,
    )


@declare(Access.HUB_OR_PROVIDER_STAFF)
@require_POST
def waiting_list_move(request, offering_id: int, application_id: int):
    offering = selectors.access_offering(request.user, offering_id)
    try:
        application = offering.applications.select_related("applicant").get(
            pk=application_id, state=State.WAITLISTED
        )
    except Application.DoesNotExist:
        raise Http404("No one on this offering's waiting list has this number") from None
    form = MoveOnWaitingListForm(request.POST, auto_id=f"move-{application.pk}-%s")
    position = selectors.waiting_list_position(application)
    if form.is_valid():
        try:
            move = move_on_waiting_list(
                application=application,
                to_position=form.target(position),
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(
                request,
                _("%(person)s moved from position %(from)d to %(to)d.")
                % {
                    "person": application.applicant.get_full_name(),
                    "from": move.from_position,
                    "to": move.to_position,
                },
            )
            return redirect("backoffice:offering-waiting-list", offering_id=offering.pk)
    return _render_waiting_list(request, offering, move_form=form, move_of=application.pk)


@declare(Access.HUB_OR_PROVIDER_STAFF)
@require_POST
def waiting_list_offer(request, offering_id: int, application_id: int):
    offering = selectors.access_offering(request.user, offering_id)
    try:
        application = offering.applications.select_related("applicant").get(pk=application_id)
    except Application.DoesNotExist:
        raise Http404("No application on this offering has this number") from None
    form = OfferByHandForm(request.POST, auto_id="offer-%s")
    if not form.is_valid():
        return _render_waiting_list(request, offering, offer_form=form, offer_to=application.pk)
    try:
        offer_place_by_hand(
            application=application, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as error:
        messages.error(request, error.reason)
    else:
        messages.success(
            request,
            _("%(person)s has been offered the place and emailed.")
            % {"person": application.applicant.get_full_name() or application.applicant.email},
        )
    return redirect("backoffice:offering-waiting-list", offering_id=offering.pk)


def _allowed_decisions(request, application) -> list[str]:
    if not can_decide_places_on(request.user, application.offering.programme):
        return []
    return [
        decision for decision, state in DECISION_STATES.items() if application.can_move_to(state)
    ]


def _render_application(request, application, form):
    evidence = PDLeadershipEvidence.objects.filter(application=application).first()
    return render(
        request,
        "backoffice/hub/application.html",
        {
            "application": application,
            "offering": application.offering,
            "history": application.history.select_related("by"),
            "waitlist_moves": application.waitlist_moves.select_related("by"),
            "form": form,
            "evidence": evidence,
            "pd_roles": pd_role_labels(evidence) if evidence else [],
            "endorsement": Endorsement.objects.filter(application=application)
            .select_related("hub", "decided_by")
            .first(),
            "decided_nationally": not can_decide_places_on(
                request.user, application.offering.programme
            ),
        },
    )


@declare(Access.HUB_OR_PROVIDER_STAFF)
def application_detail(request, application_id: int):
    application = selectors.access_application(request.user, application_id)
    allowed = _allowed_decisions(request, application)
    form = DecisionForm(allowed=allowed) if allowed else None
    return _render_application(request, application, form)


@declare(Access.HUB_OR_PROVIDER_STAFF)
@require_POST
def application_decide(request, application_id: int):
    application = selectors.access_application(request.user, application_id)
    # Every decision is accepted here: one the state does not allow is refused by the service,
    # with its reason, as when two people decide the same application at once.
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_application(request, application, form)
    decision = form.cleaned_data["decision"]
    try:
        decide_application(
            application=application,
            decision=decision,
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as error:
        messages.error(request, error.reason)
    else:
        messages.success(
            request,
            _("%(person)s %(done)s.")
            % {"person": application.applicant.get_full_name(), "done": DONE[decision]},
        )
    return redirect("backoffice:application", application_id=application.pk)


@declare(Access.HUB_OR_PROVIDER_STAFF)
def offering_applications_export(request, offering_id: int):
    offering = selectors.access_offering(request.user, offering_id)
    rows = selectors.iter_export_rows(offering.applications.all())
    return csv_response(selectors.EXPORT_HEADER, rows, f"applications-offering-{offering.pk}.csv")


@declare(Access.HUB_OR_PROVIDER_STAFF)
def applications_export(request):
    year = requested_academic_year(request.GET)
    slug = request.GET.get("hub", "")
    hub = selectors.access_hub(request.user, slug) if slug else None
    provider_slug = request.GET.get("provider", "")
    provider = selectors.access_provider(request.user, provider_slug) if provider_slug else None
    rows = selectors.iter_export_rows(
        selectors.list_export_applications(request.user, year=year, hub=hub, provider=provider)
    )
    chosen = hub or provider
    name = f"applications-{chosen.slug if chosen else 'all-hubs'}-{year}.csv"
    return csv_response(selectors.EXPORT_HEADER, rows, name)


@declare(Access.NATIONAL_STAFF)
def provider_reach(request):
    year = requested_academic_year(request.GET)
    return render(
        request,
        "backoffice/hub/provider_reach.html",
        {
            "year": year,
            "year_label": f"{year}/{(year + 1) % 100:02d}",
            "years": [(value, f"{value}/{(value + 1) % 100:02d}") for value in _years(year)],
            "providers": selectors.list_provider_reach(year=year),
            "by_design": selectors.count_provision_by_design(year=year),
        },
    )
