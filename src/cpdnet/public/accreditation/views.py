"""A candidate's accreditation: the evidence document written section by section (autosaved
with htmx, saved by a button without JavaScript), files, the offerings it cites, submission
after checking the answers, feedback, a resubmission, an appeal, the PG Cert route; and an
accredited lead's register listing and renewal. Plus the public register.

Every candidate page fetches the candidacy through `get_candidacy_for_candidate`, so another
person's candidacy answers 404, the same as one that does not exist.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cpdnet.accounts.permissions import Access, declare
from cpdnet.accreditation import rules, selectors, services
from cpdnet.accreditation.models import (
    EVIDENCE_SECTIONS,
    SECTION_KEYS,
    Accreditation,
    Candidacy,
    CandidacyState,
    EvidenceFile,
)
from cpdnet.accreditation.refusals import refusal_shown
from cpdnet.delivery.uploads import file_response
from cpdnet.hubs.models import Hub, Network
from cpdnet.programmes.models import Offering, Phase

from .forms import (
    AppealForm,
    ConfirmForm,
    EvidenceFileForm,
    LedOfferingsForm,
    RegisterListingForm,
    RenewalForm,
    SectionForm,
)

REGISTER_PER_PAGE = 50
# States in which the candidate may still change the document.
WRITABLE = (CandidacyState.DRAFTING, CandidacyState.RESUBMISSION)
HEADINGS = {key: heading for key, heading, *_rest in EVIDENCE_SECTIONS}


def _data(request) -> tuple:
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _candidacy(request, candidacy_id: int) -> Candidacy:
    return selectors.get_candidacy_for_candidate(request.user, candidacy_id)  # 404 if not theirs


def _accreditation(request, accreditation_id: int) -> Accreditation:
    accreditation = (
        selectors.list_own_accreditations(request.user).filter(pk=accreditation_id).first()
    )
    if accreditation is None:
        raise Http404("You hold no accreditation with this number")
    return accreditation


def _led_offerings(user):
    """Offerings the person facilitates: the only ones their evidence may cite."""
    return Offering.objects.filter(facilitator=user).select_related("programme", "hub")


def _deadline(candidacy: Candidacy):
    cohort = getattr(candidacy.application.offering, "accreditation_deadline", None)
    return rules.effective_deadline(
        state=candidacy.state,
        submit_by=cohort.submit_by if cohort else None,
        extended_to=candidacy.extended_to,
        resubmit_by=candidacy.resubmit_by,
    )


def _appeal_window(candidacy: Candidacy) -> dict:
    """The last day to appeal (None without a decision to appeal against) and whether it has
    passed, for the template."""
    appeal_by = selectors.appeal_last_day(candidacy)
    return {
        "appeal_by": appeal_by,
        "is_too_late_to_appeal": appeal_by is not None and timezone.localdate() > appeal_by,
    }


def _to_document(candidacy: Candidacy, anchor: str = ""):
    response = redirect("public:my-candidacy", candidacy_id=candidacy.pk)
    response["Location"] += f"#{anchor}" if anchor else ""
    return response


@declare(Access.SIGNED_IN)
def my_accreditation(request):
    return render(
        request,
        "public/accreditation/my_accreditation.html",
        {
            "candidacies": selectors.list_own_candidacies(request.user).select_related(
                "application__offering__hub", "application__offering__provider"
            ),
            "accreditations": selectors.list_own_accreditations(request.user),
        },
    )


@declare(Access.SIGNED_IN)
def my_candidacy(request, candidacy_id: int):
    candidacy = _candidacy(request, candidacy_id)
    versions = list(candidacy.versions.all())
    feedback = [
        {
            "version": entry["version"],
            "assessments": [
                {
                    **assessment,
                    "rows": [
                        (heading, assessment["marks"].get(key))
                        for key, heading, *_rest in EVIDENCE_SECTIONS
                    ],
                }
                for assessment in entry["assessments"]
            ],
        }
        for entry in selectors.feedback_for_candidate(candidacy)
    ]
    return render(
        request,
        "public/accreditation/document.html",
        {
            "candidacy": candidacy,
            "offering": candidacy.application.offering,
            "document": selectors.evidence_document(candidacy),
            "led": selectors.evidence_from_led_offerings(candidacy),
            "deadline": _deadline(candidacy),
            "is_writable": candidacy.state in WRITABLE,
            "versions": versions,
            "feedback": feedback,
            "headings": HEADINGS,
            "appeals": candidacy.appeals.all(),
            **_appeal_window(candidacy),
            "pg_cert_fee": settings.ACCREDITATION_PG_CERT_FEE,
        },
    )


def _section(document, key: str):
    for section in document:
        if section.key == key:
            return section
    raise Http404("The evidence document has no such section")


@declare(Access.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def my_section(request, candidacy_id: int, section: str):
    candidacy = _candidacy(request, candidacy_id)
    if section not in SECTION_KEYS:
        raise Http404("The evidence document has no such section")
    is_autosave = request.headers.get("HX-Request") == "true"
    form = SectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(on=form):
            draft = services.save_draft(
                candidacy, section=section, text=form.cleaned_data["text"], by=request.user
            )
            saved_at = timezone.localtime(draft.updated_at).strftime("%H:%M")
            if is_autosave:
                return HttpResponse(_("Saved at %(time)s") % {"time": saved_at})
            messages.success(request, _("Saved at %(time)s") % {"time": saved_at})
            return _to_document(candidacy, f"section-{section}")
    if request.method == "POST" and is_autosave:
        reason = (form.non_field_errors() or form.errors["text"])[0]
        return HttpResponse(_("Not saved: %(reason)s") % {"reason": reason})
    document = selectors.evidence_document(candidacy)
    current = _section(document, section)
    if not form.is_bound:
        form = SectionForm(initial={"text": current.text})
    return render(
        request,
        "public/accreditation/section.html",
        {
            "candidacy": candidacy,
            "section": current,
            "form": form,
            "is_writable": candidacy.state in WRITABLE,
            "deadline": _deadline(candidacy),
        },
    )


@declare(Access.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def my_file_add(request, candidacy_id: int):
    candidacy = _candidacy(request, candidacy_id)
    form = EvidenceFileForm(*_data(request), initial={"section": request.GET.get("section", "")})
    if request.method == "POST" and form.is_valid():
        with refusal_shown(on=form):
            services.attach_file(
                candidacy,
                form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                section=form.cleaned_data["section"],
                by=request.user,
            )
            messages.success(request, _("File attached: %(title)s") % form.cleaned_data)
            return _to_document(candidacy, "files")
    return render(
        request, "public/accreditation/file_add.html", {"candidacy": candidacy, "form": form}
    )


def _evidence_file(candidacy: Candidacy, file_id: int) -> EvidenceFile:
    try:
        return candidacy.files.get(pk=file_id)
    except EvidenceFile.DoesNotExist:
        raise Http404("Your evidence has no file with this number") from None


@declare(Access.SIGNED_IN)
@require_POST
def my_file_remove(request, candidacy_id: int, file_id: int):
    candidacy = _candidacy(request, candidacy_id)
    evidence_file = _evidence_file(candidacy, file_id)
    with refusal_shown(on=request):
        services.remove_file(evidence_file, by=request.user)
        messages.success(request, _("File removed: %(title)s") % {"title": evidence_file.title})
    return _to_document(candidacy, "files")


@declare(Access.SIGNED_IN)
def my_file_download(request, candidacy_id: int, file_id: int):
    return file_response(_evidence_file(_candidacy(request, candidacy_id), file_id))


@declare(Access.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def my_led_offerings(request, candidacy_id: int):
    candidacy = _candidacy(request, candidacy_id)
    form = LedOfferingsForm(
        request.POST if request.method == "POST" else None,
        offerings=_led_offerings(request.user),
        initial={"offerings": list(candidacy.led_offerings.values_list("pk", flat=True))},
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown(on=form):
            services.link_offerings(candidacy, form.cleaned_data["offerings"], by=request.user)
            messages.success(request, _("The offerings your evidence cites are saved."))
            return _to_document(candidacy, "led-offerings")
    return render(
        request,
        "public/accreditation/led_offerings.html",
        {"candidacy": candidacy, "form": form, "is_writable": candidacy.state in WRITABLE},
    )


@declare(Access.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def my_submit(request, candidacy_id: int):
    """Check your answers, then submit: the version is frozen from then on."""
    candidacy = _candidacy(request, candidacy_id)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        with refusal_shown(on=form):
            version = services.submit_evidence(candidacy, by=request.user)
            messages.success(
                request,
                _("Evidence submitted (version %(number)s). It cannot be changed now.")
                % {"number": version.number},
            )
            return _to_document(candidacy)
    return render(
        request,
        "public/accreditation/check.html",
        {
            "candidacy": candidacy,
            "document": selectors.evidence_document(candidacy),
            "led": selectors.evidence_from_led_offerings(candidacy),
            "deadline": _deadline(candidacy),
            "is_writable": candidacy.state in WRITABLE,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@declare(Access.SIGNED_IN)
def my_version(request, candidacy_id: int, number: int):
    candidacy = _candidacy(request, candidacy_id)
    try:
        version = candidacy.versions.prefetch_related("files").get(number=number)
    except candidacy.versions.model.DoesNotExist:
        raise Http404("No version has this number") from None
    sections = [
        {"key": key, "heading": heading, "text": version.sections.get(key, "")}
        for key, heading, *_rest in EVIDENCE_SECTIONS
    ]
    return render(
        request,
        "public/accreditation/version.html",
        {"candidacy": candidacy, "version": version, "sections": sections},
    )


@declare(Access.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def my_pg_cert(request, candidacy_id: int):
    candidacy = _candidacy(request, candidacy_id)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        with refusal_shown(on=form):
            services.opt_into_pg_cert(candidacy, by=request.user)
            messages.success(request, _("You have joined the PG Cert route."))
            return _to_document(candidacy, "pg-cert")
    return render(
        request,
        "public/accreditation/pg_cert.html",
        {"candidacy": candidacy, "fee": settings.ACCREDITATION_PG_CERT_FEE, "form": form},
    )


@declare(Access.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def my_appeal(request, candidacy_id: int):
    candidacy = _candidacy(request, candidacy_id)
    form = AppealForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(on=form):
            services.lodge_appeal(candidacy, grounds=form.cleaned_data["grounds"], by=request.user)
            messages.success(request, _("Appeal lodged: national staff will decide it."))
            return _to_document(candidacy, "appeals")
    return render(
        request,
        "public/accreditation/appeal.html",
        {"candidacy": candidacy, "form": form, **_appeal_window(candidacy)},
    )


@declare(Access.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def my_register_listing(request, accreditation_id: int):
    accreditation = _accreditation(request, accreditation_id)
    form = RegisterListingForm(
        request.POST if request.method == "POST" else None,
        initial={"listed": "yes" if accreditation.on_public_register else "no"},
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown(on=form):
            services.set_register_listing(
                accreditation, listed=form.cleaned_data["listed"], by=request.user
            )
            messages.success(
                request,
                _("You are listed on the public register.")
                if form.cleaned_data["listed"]
                else _("You are not listed on the public register."),
            )
            return redirect("public:my-accreditation")
    return render(
        request,
        "public/accreditation/register_listing.html",
        {"accreditation": accreditation, "form": form},
    )


@declare(Access.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def my_renewal(request, accreditation_id: int):
    accreditation = _accreditation(request, accreditation_id)
    form = RenewalForm(
        request.POST if request.method == "POST" else None,
        offerings=_led_offerings(request.user),
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown(on=form):
            services.request_renewal(
                accreditation,
                evidence=form.cleaned_data["evidence"],
                offerings=form.cleaned_data["offerings"],
                by=request.user,
            )
            messages.success(request, _("Renewal sent: national staff will review it."))
            return redirect("public:my-accreditation")
    return render(
        request,
        "public/accreditation/renewal.html",
        {
            "accreditation": accreditation,
            "form": form,
            "renewals": accreditation.renewals.all(),
        },
    )


@declare(Access.PUBLIC)
def register(request):
    """The public register of accredited PD Leads: only those who opted in, still valid."""
    phase = request.GET.get("phase", "")
    phase = phase if phase in Phase.values else ""
    hub = request.GET.get("hub", "")[:80]
    network = request.GET.get("network", "")[:50]
    page = Paginator(
        selectors.public_register(phase=phase or None, hub=hub or None, network=network or None),
        REGISTER_PER_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "public/accreditation/register.html",
        {
            "page": page,
            "phases": Phase.choices,
            "hubs": Hub.objects.select_related("network").order_by("name"),
            "networks": Network.objects.order_by("name"),
            "chosen": {"phase": phase, "hub": hub, "network": network},
        },
    )
