"""Public endpoints: school search, a school with its hubs, hubs with their areas."""

from django.http import Http404, JsonResponse
from django.urls import reverse
from ninja import Path, Query, Router, Schema
from pydantic import Field

from cpdnet.accounts.permissions import Access
from cpdnet.hubs import selectors as hub_selectors
from cpdnet.hubs.models import Hub
from cpdnet.links import school_path
from cpdnet.schools import selectors as school_selectors

from .schemas import Error, HubDetailOut, HubOut, SchoolDetailOut, SchoolPage

router = Router(tags=["schools and hubs"])
router.access = Access.PUBLIC
MAX_URN = 2_147_483_647


class SchoolSearch(Schema):
    q: str = Field(min_length=2, max_length=100, description="Name words, URN or postcode")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)


def _hub(hub: Hub) -> dict:
    return {
        "slug": hub.slug,
        "name": hub.name,
        "network": hub.network.slug,
        "region": hub.region,
        "lead_school_urn": hub.lead_school_id,
        "lead_school_name": hub.lead_school_label,
        "email": hub.email,
        "phone": hub.phone,
        "website": hub.website,
        "data_status": hub.data_status,
        "url": reverse("public:hub", kwargs={"slug": hub.slug}),
    }


@router.get("/schools", response=SchoolPage, summary="Search schools by name, URN or postcode")
def list_schools(request, params: Query[SchoolSearch]):
    """Schools whose name has every word typed (any order), or with this URN; open first."""
    found = school_selectors.search_schools(
        params.q, offset=(params.page - 1) * params.page_size, limit=params.page_size
    )
    for school in found.schools:
        school["url"] = school_path(school["urn"])
    # Built to SchoolPage's shape (tests check it against the schema) and answered directly,
    # as get_school is: validating it again would cost more than the search.
    return JsonResponse(
        {
            "count": found.count,
            "page": params.page,
            "page_size": params.page_size,
            "items": found.schools,
        }
    )


@router.get(
    "/schools/{urn}",
    response={200: SchoolDetailOut, 404: Error},
    summary="A school with its hub in each network",
)
def get_school(request, urn: int = Path(..., ge=1, le=MAX_URN)):
    school = school_selectors.get_school_values(urn)
    if school is None:
        raise Http404(f"No school has URN {urn}.")
    hubs = hub_selectors.list_hubs_for_school_values(school)
    school["url"] = school_path(urn)
    school["successor_urn"] = school.pop("successor_id")
    school["hubs"] = [
        {"network": hub.network.slug, "name": hub.name, "slug": hub.slug} for hub in hubs
    ]
    # The busiest endpoint answers directly: the dict is built to SchoolDetailOut's shape
    # (tests check it against the schema), and validating it again would double its cost.
    return JsonResponse(school)


@router.get("/hubs", response=list[HubOut], summary="Every hub, optionally of one network")
def list_hubs(request, network: str | None = Query(None, max_length=50)):
    return [_hub(hub) for hub in hub_selectors.list_hubs(network)]


@router.get("/hubs/{slug}", response={200: HubDetailOut, 404: Error}, summary="A hub and its area")
def get_hub(request, slug: str = Path(..., max_length=80)):
    try:
        hub = hub_selectors.get_hub(slug)
    except Hub.DoesNotExist:
        raise Http404(f"No hub has the slug '{slug}'.") from None
    return {
        **_hub(hub),
        "areas_note": hub.areas_note,
        "source": hub.source,
        "areas": [
            {
                "la_code": area.local_authority_id,
                "la_name": area.local_authority.name,
                "district_code": area.district_id,
                "district_name": area.district.name if area.district else None,
                "basis": area.basis,
            }
            for area in hub.areas.all()
        ],
    }
