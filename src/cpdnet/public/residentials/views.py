"""A participant tells the residential about their stay (their own place only: 404 otherwise)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cpdnet.accounts.permissions import Access, declare
from cpdnet.applications.models import ResidentialBooking
from cpdnet.applications.selectors import get_own_residential_booking
from cpdnet.applications.services import ApplicationError, record_residential_needs

from .forms import StayForm


@declare(Access.SIGNED_IN)
def residential_stay(request, application_id: int):
    try:
        booking = get_own_residential_booking(request.user, application_id)
    except ResidentialBooking.DoesNotExist:
        raise Http404("You have no place on a residential with this number") from None
    application = booking.application
    form = StayForm(
        # An empty POST still binds the form, so that it shows what is missing.
        request.POST if request.method == "POST" else None,
        initial={
            "needs_room": "yes" if booking.needs_room else "no",
            "dietary_needs": booking.dietary_needs,
            "access_needs": booking.access_needs,
            "travel_arrangements": booking.travel_arrangements,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_residential_needs(
                application=application,
                by=request.user,
                needs_room=data["needs_room"] == "yes",
                dietary_needs=data["dietary_needs"],
                access_needs=data["access_needs"],
                travel_arrangements=data["travel_arrangements"],
            )
        except ApplicationError as error:
            form.add_error("needs_room", error.reason)
        else:
            messages.success(request, _("Your stay is saved."))
            return redirect("public:my-offering", offering_id=application.offering_id)
    return render(
        request,
        "public/residentials/stay.html",
        {
            "form": form,
            "offering": application.offering,
            "residential": application.offering.residential,
        },
    )
