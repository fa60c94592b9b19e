"""A participant's certificate download, and anyone's check of a certificate's code."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cpdnet import rate_limits
from cpdnet.accounts.permissions import Access, declare
from cpdnet.accreditation.selectors import normalise_accreditation_code, verify_code
from cpdnet.delivery.certificates import (
    get_certificate_facts,
    get_own_certificate_facts,
    normalise_code,
    render_certificate_pdf,
)
from cpdnet.delivery.models import Certificate

from .forms import VerifyForm


@declare(Access.SIGNED_IN)
def certificate_download(request, offering_id: int):
    try:
        facts = get_own_certificate_facts(request.user, offering_id)
    except Certificate.DoesNotExist:
        raise Http404("You have no certificate for an offering with this number") from None
    verify_url = request.build_absolute_uri(reverse("public:certificate-verify", args=[facts.code]))
    response = HttpResponse(
        render_certificate_pdf(facts, verify_url=verify_url), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="certificate-{facts.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@declare(Access.PUBLIC)
def certificate_verify_form(request):
    form = VerifyForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("public:certificate-verify", code=form.cleaned_data["code"])
    return render(request, "public/certificates/verify_form.html", {"form": form})


@declare(Access.PUBLIC)
def certificate_verify(request, code: str):
    # PD Lead accreditations ("PDL-...") are checked here too, as their holders are told.
    accreditation_code = normalise_accreditation_code(code)
    canonical = accreditation_code or normalise_code(code)
    if canonical and canonical != code:
        return redirect("public:certificate-verify", code=canonical)
    rate_limits.hit("certificate_check", request=request)
    if accreditation_code:
        return _accreditation_verify(request, accreditation_code)
    try:
        facts = get_certificate_facts(canonical) if canonical else None
    except Certificate.DoesNotExist:
        facts = None
    if facts is None:
        return render(
            request, "public/certificates/not_found.html", {"code": code[:40]}, status=404
        )
    response = render(request, "public/certificates/verify.html", {"facts": facts})
    response["X-Robots-Tag"] = "noindex"
    return response


def _accreditation_verify(request, code: str):
    facts = verify_code(code)
    if facts is None:
        return render(request, "public/certificates/not_found.html", {"code": code}, status=404)
    response = render(request, "public/certificates/accreditation.html", {"facts": facts})
    response["X-Robots-Tag"] = "noindex"
    return response
