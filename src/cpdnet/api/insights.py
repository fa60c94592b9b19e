"""Token endpoints for reach: each hub's schools counted, engaged and rate in a year.

The figures come from `cpdnet.insights.selectors.reach_by_hub`, the same code as the back-office
pages. National staff see every hub of the network; hub staff only the hubs they staff; anyone
else is refused (403). An unknown network answers 404; a missing or malformed parameter 422.
"""

from django.http import Http404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from cpdnet.accounts.models import Role
from cpdnet.accounts.permissions import Access
from cpdnet.accounts.selectors import has_role, is_national_staff, list_staffed_hub_ids
from cpdnet.backoffice.csv_export import csv_response
from cpdnet.hubs.models import Network
from cpdnet.insights.selectors import REACH_CSV_HEADER, Reach, iter_reach_rows, reach_by_hub
from cpdnet.operations.replica import reads_from_replica

from .auth import TokenAuth
from .schemas import Error

router = Router(tags=["insights"], auth=TokenAuth())
# Hub staff and national staff; each sees only the hubs its roles allow (checked below).
router.access = Access.HUB_STAFF


class ReachParams(Schema):
    network: str = Field(..., min_length=1, max_length=50, pattern=r"^[-a-z0-9_]+$")
    year: int = Field(
        ...,
        ge=2000,
        le=2100,
        description="The academic year's first calendar year: 2025 means 2025/26",
    )


class HubReach(Schema):
    hub: str = Field(description="The hub's slug")
    schools: int = Field(description="Open state-funded schools in the hub's area")
    engaged: int = Field(description="Of those, schools with at least one participant in the year")
    rate: float = Field(description="engaged / schools, 0 to 1 (0 when there are no schools)")


class Totals(Schema):
    schools: int
    engaged: int
    rate: float


class ReachOut(Schema):
    network: str
    year: int
    hubs: list[HubReach]
    totals: Totals


def _reach(request, params: ReachParams) -> Reach | Status:
    user = request.auth
    if is_national_staff(user):
        hub_ids = None
    elif has_role(user, Role.HUB_STAFF):
        hub_ids = list_staffed_hub_ids(user)
    else:
        return Status(403, {"detail": "Only hub staff and national staff can see reach."})
    network = Network.objects.filter(slug=params.network).first()
    if network is None:
        raise Http404(f"No network has the slug {params.network!r}.")
    return reach_by_hub(network, params.year, hub_ids=hub_ids)


@router.get(
    "/insights/reach",
    response={200: ReachOut, 401: Error, 403: Error, 404: Error},
    summary="Schools counted and engaged per hub in an academic year",
)
@reads_from_replica
def reach(request, params: Query[ReachParams]):
    result = _reach(request, params)
    if isinstance(result, Status):
        return result
    return {
        "network": result.network.slug,
        "year": result.year,
        "hubs": [
            {"hub": hub, "schools": schools, "engaged": engaged, "rate": rate}
            for hub, schools, engaged, rate in iter_reach_rows(result)
        ],
        "totals": {
            "schools": result.total.schools,
            "engaged": result.total.engaged,
            "rate": round(result.total.rate, 4),
        },
    }


@router.get(
    "/insights/reach.csv",
    response={200: None, 401: Error, 403: Error, 404: Error},
    summary="The same figures as CSV: hub, schools, engaged, rate",
)
@reads_from_replica
def reach_csv(request, params: Query[ReachParams]):
    result = _reach(request, params)
    if isinstance(result, Status):
        return result
    return csv_response(
        REACH_CSV_HEADER,
        iter_reach_rows(result),
        f"reach-{result.network.slug}-{result.year}.csv",
    )
