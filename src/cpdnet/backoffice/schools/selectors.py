"""Reads for the schools pages of the back office, scoped to the hubs a person staffs."""

from django.db.models import Q, QuerySet
from django.db.models.lookups import Exact

from cpdnet.accounts.models import User
from cpdnet.accounts.selectors import is_national_staff, list_staffed_hub_ids
from cpdnet.applications.models import Affiliation
from cpdnet.applications.selectors import list_claimed_affiliations
from cpdnet.hubs.models import Hub
from cpdnet.hubs.selectors import hub_expression


def list_affiliations_to_confirm(user: User) -> QuerySet[Affiliation]:
    """People waiting for a school of the person's hubs (every school for national staff) to
    confirm they work there; the school's hub is worked out in SQL (`hub_expression`)."""
    claimed = list_claimed_affiliations(school_urns=None)
    if is_national_staff(user):
        return claimed
    condition = Q(pk__in=[])
    for hub in Hub.objects.filter(pk__in=list_staffed_hub_ids(user)).select_related("network"):
        condition |= Q(Exact(hub_expression(hub.network, school="school__"), hub.pk))
    return claimed.filter(condition)
