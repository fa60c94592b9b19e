"""Reads of applications, scoped to what a person's roles let them see."""

from django.db.models import Q, QuerySet

from cpdnet.accounts import selectors as account_selectors
from cpdnet.accounts.models import User

from .models import PARTICIPATING, Application, ResidentialBooking, State


def _with_context() -> QuerySet[Application]:
    return Application.objects.select_related(
        "offering__hub", "offering__programme", "applicant"
    ).order_by("-submitted_at", "-id")


def list_visible_applications(user: User) -> QuerySet[Application]:
    """Everything national staff; else their hubs', their schools' and their own."""
    if account_selectors.is_national_staff(user):
        return _with_context()
    return _with_context().filter(
        Q(offering__hub_id__in=account_selectors.list_staffed_hub_ids(user))
        | Q(school_id__in=account_selectors.list_approved_school_urns(user))
        | Q(applicant=user)
    )


def list_decidable_applications(user: User) -> QuerySet[Application] | None:
    """Applications the person may decide (hub staff, national staff), or None for no one's."""
    if account_selectors.is_national_staff(user):
        return _with_context()
    hub_ids = account_selectors.list_staffed_hub_ids(user)
    if not hub_ids:
        return None
    return _with_context().filter(offering__hub_id__in=hub_ids)


def get_own_application(user: User, application_id: int) -> Application:
    """Return one of the person's own applications, or raise Application.DoesNotExist alike
    for a missing one and someone else's."""
    return Application.objects.select_related("offering__programme", "offering__hub").get(
        pk=application_id, applicant=user
    )


def list_participations(user: User) -> QuerySet[Application]:
    """The person's places on offerings (accepted, completed or not completed)."""
    return _with_context().filter(applicant=user, state__in=PARTICIPATING)


def get_participation(user: User, offering_id: int) -> Application:
    """Return the person's place on an offering, or raise Application.DoesNotExist alike for
    an offering they have no place on and one that does not exist."""
    return list_participations(user).get(offering_id=offering_id)


def list_participants(offering_id: int) -> QuerySet[Application]:
    """An offering's participants, by name."""
    return (
        Application.objects.filter(offering_id=offering_id, state__in=PARTICIPATING)
        .select_related("applicant", "school")
        .order_by("applicant__full_name", "applicant__email", "id")
    )


def get_own_residential_booking(user: User, application_id: int) -> ResidentialBooking:
    """Return the person's stay on a residential they hold a place on, or raise
    ResidentialBooking.DoesNotExist alike for a missing one and someone else's."""
    return ResidentialBooking.objects.select_related(
        "application__offering__programme",
        "application__offering__hub",
        "application__offering__provider",
        "application__offering__residential",
    ).get(
        application_id=application_id,
        application__applicant=user,
        application__state=State.ACCEPTED,
    )


def access_school_lead_participant(user: User, application_id: int) -> Application:
    """Return a place held by a teacher of a school the person releases staff for, or raise
    Application.DoesNotExist alike for a missing one and another school's."""
    return Application.objects.select_related(
        "applicant", "school", "offering__programme", "offering__hub", "offering__provider"
    ).get(
        pk=application_id,
        state=State.ACCEPTED,
        school_id__in=account_selectors.list_approved_school_urns(user),
    )


def list_swap_candidates(leaving: Application) -> QuerySet[Application]:
    """Colleagues from the same school waiting for a place on the same offering."""
    from .services import SWAPPABLE_IN

    return (
        Application.objects.filter(
            offering_id=leaving.offering_id, school_id=leaving.school_id, state__in=SWAPPABLE_IN
        )
        .select_related("applicant")
        .order_by("applicant__full_name", "pk")
    )
