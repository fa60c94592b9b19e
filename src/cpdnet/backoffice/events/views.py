"""Webinar registrants for the people who run an offering: its facilitator, its hub's staff
and national staff. Anyone else gets 404, as for an offering that does not exist."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cpdnet.accounts.permissions import Access, declare
from cpdnet.backoffice.csv_export import csv_response
from cpdnet.events import selectors, services
from cpdnet.events.models import RegistrationStatus
from cpdnet.programmes.models import Offering
from cpdnet.programmes.selectors import access_runnable_offering

from .forms import AttendanceFileForm

PER_PAGE = 50


def _webinar(request, offering_id: int) -> Offering:
    try:
        offering = access_runnable_offering(request.user, offering_id)
    except Offering.DoesNotExist:
        raise Http404("No webinar you run has this number") from None
    if not selectors.is_webinar(offering):
        raise Http404("This offering takes applications, not registrations")
    return offering


def _ids(values: list[str]) -> set[int]:
    return {int(value) for value in values if value.isdigit() and len(value) < 19}


# Signed-in people only; whether they run this offering is checked on the object (404).
@declare(Access.SIGNED_IN)
def registrations(request, offering_id: int):
    offering = _webinar(request, offering_id)
    status = request.GET.get("status", "")
    if status not in RegistrationStatus.values:
        status = ""
    page = Paginator(selectors.list_registrations(offering, status=status), PER_PAGE).get_page(
        request.GET.get("page")
    )
    counts = selectors.count_registrations(offering)
    return render(
        request,
        "backoffice/events/registrations.html",
        {
            "offering": offering,
            "page": page,
            "registrations": page.object_list,
            "counts": [(RegistrationStatus(key), count) for key, count in counts.items()],
            "places_left": max(0, offering.capacity - counts[RegistrationStatus.CONFIRMED]),
            "status": status,
            "attended_count": offering.registrations.filter(attended=True).count(),
            # Registrants from universities, industry and others never count as school reach.
            "organisations": selectors.count_by_organisation(offering),
        },
    )


@declare(Access.SIGNED_IN)
@require_POST
def attendance(request, offering_id: int):
    offering = _webinar(request, offering_id)
    shown = _ids(request.POST.getlist("shown"))
    attended = _ids(request.POST.getlist("attended")) & shown
    services.record_attendance(
        offering=offering, shown_ids=shown, attended_ids=attended, by=request.user
    )
    messages.success(
        request,
        _("Attendance saved: %(attended)d of %(shown)d marked as attended.")
        % {"attended": len(attended), "shown": len(shown)},
    )
    page = request.POST.get("page", "")
    back = reverse("backoffice:event-registrations", kwargs={"offering_id": offering.pk})
    return redirect(f"{back}?page={page}" if page.isdigit() and len(page) < 7 else back)


@declare(Access.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def attendance_file(request, offering_id: int):
    offering = _webinar(request, offering_id)
    form = AttendanceFileForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        try:
            result = services.import_attendance(
                offering=offering, data=form.cleaned_data["file"].read(), by=request.user
            )
        except services.AttendanceFileError as error:
            form.add_service_errors(ValidationError({"file": error.reason}))
        else:
            messages.success(
                request,
                _(
                    "Attendance file read: %(matched)d registered people marked as attended; "
                    "%(unmatched)d addresses in the file were not registered."
                )
                % {"matched": result.matched, "unmatched": result.unmatched},
            )
            return redirect("backoffice:event-registrations", offering_id=offering.pk)
    return render(
        request, "backoffice/events/attendance_file.html", {"offering": offering, "form": form}
    )


@declare(Access.SIGNED_IN)
def registrations_export(request, offering_id: int):
    offering = _webinar(request, offering_id)
    return csv_response(
        selectors.EXPORT_HEADER,
        selectors.iter_export_rows(offering),
        f"registrations-offering-{offering.pk}.csv",
    )
