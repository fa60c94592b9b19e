"""Who may vouch for a school: verify its email domains, confirm who works there."""

from cpdnet.accounts import selectors as account_selectors
from cpdnet.accounts.models import User
from cpdnet.hubs.directory import get_hub_directory
from cpdnet.programmes.models import Kind
from cpdnet.schools.models import School


def list_school_hub_ids(school: School) -> list[int]:
    """The hubs that serve a school, one per network."""
    hubs = get_hub_directory().hubs_for(school.la_code, school.district_code, school.urn)
    return [hub.pk for hub in hubs.values()]


def can_look_after_school(user: User, school: School) -> bool:
    """National staff, and hub staff of a hub serving the school."""
    if account_selectors.is_national_staff(user):
        return True
    staffed = set(account_selectors.list_staffed_hub_ids(user))
    return bool(staffed) and bool(staffed.intersection(list_school_hub_ids(school)))


def can_confirm_affiliation(user: User, school: School) -> bool:
    """The school's approvers, its hubs' staff and national staff."""
    return school.urn in account_selectors.list_approved_school_urns(user) or can_look_after_school(
        user, school
    )


def can_decide_places_on(user: User, programme) -> bool:
    """Whether staff who may see an application may also decide it: places on accreditation
    programmes are decided nationally (the hub lead endorses instead), others by the hub."""
    if programme.kind == Kind.ACCREDITATION:
        return account_selectors.is_national_staff(user)
    return True


def can_manage_offering(user: User, offering) -> bool:
    """National staff, staff of the offering's hub, and staff of its national provider: the
    people the hub back office shows the offering to."""
    if account_selectors.is_national_staff(user):
        return True
    if offering.hub_id is not None and offering.hub_id in account_selectors.list_staffed_hub_ids(
        user
    ):
        return True
    return offering.provider_id in account_selectors.list_staffed_provider_ids(user)
