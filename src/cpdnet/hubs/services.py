"""Writes for networks, hubs and their areas."""

import csv
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from cpdnet.accounts.models import User
from cpdnet.schools.models import School

from .directory import invalidate_hub_directory
from .models import (
    AreaBasis,
    Hub,
    HubArea,
    HubChangeRequest,
    HubChangeRequestStatus,
    HubDataStatus,
    HubSchoolOverride,
    Network,
)
from .selectors import resolve_hubs_for_schools

NETWORKS = (
    {"slug": "maths", "name": "Maths Hubs", "subject": "maths", "hub_noun": "maths hub"},
    {
        "slug": "science",
        "name": "Science Learning Partnerships",
        "subject": "science",
        "hub_noun": "science learning partnership",
        "hub_noun_plural": "science learning partnerships",
        "lead_school_noun": "lead school or college",
        "programme_kinds": "course,residential,webinar",
        "audiences": (
            "class_teacher,early_career_teacher,non_specialist,subject_lead,senior_leader,"
            "science_technician"
        ),
    },
)


def ensure_networks() -> dict[str, Network]:
    """Create the maths and science networks if missing; return them by slug."""
    networks = {}
    for order, values in enumerate(NETWORKS):
        network, _ = Network.objects.update_or_create(
            slug=values["slug"], defaults={**values, "display_order": order}
        )
        networks[network.slug] = network
    return networks


@transaction.atomic
def load_hubs(*, hubs_csv: Path, areas_csv: Path) -> tuple[int, int]:
    """Upsert hubs by slug and replace their areas from the demo CSV files."""
    networks = ensure_networks()
    with hubs_csv.open(encoding="utf-8") as file:
        hub_rows = list(csv.DictReader(file))
    known_urns = set(
        School.objects.filter(
            urn__in=[int(row["lead_school_urn"]) for row in hub_rows if row["lead_school_urn"]]
        ).values_list("urn", flat=True)
    )
    hubs = {}
    for row in hub_rows:
        urn = int(row["lead_school_urn"]) if row["lead_school_urn"] else None
        hub, _ = Hub.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "network": networks[row["network"]],
                "name": row["name"],
                "region": row["region"],
                "lead_school_id": urn if urn in known_urns else None,
                "lead_school_name": row["lead_school_name"],
                "email": row["email"],
                "website": row["website"],
                "areas_note": row["areas_note"][:400],
                "data_status": row["status"] or HubDataStatus.DEMO,
                "as_of": row["as_of"][:80],
                "source": row["source"],
                "contact_is_demo": row["contact_is_demo"] == "yes",
            },
        )
        hubs[hub.slug] = hub
    HubArea.objects.filter(hub__in=hubs.values()).delete()
    with areas_csv.open(encoding="utf-8") as file:
        areas = [
            HubArea(
                hub=hubs[row["hub_slug"]],
                network=hubs[row["hub_slug"]].network,
                local_authority_id=row["la_code"],
                district_id=row["district_code"] or None,
                basis=AreaBasis(row["basis"]),
                note=row["note"][:300],
            )
            for row in csv.DictReader(file)
        ]
    HubArea.objects.bulk_create(areas)
    invalidate_hub_directory()  # bulk_create sends no signals
    return len(hubs), len(areas)


def submit_hub_change_request(
    *,
    school: School,
    requested_hub: Hub,
    contact_name: str,
    contact_email: str,
    contact_role: str = "",
    reason: str = "",
) -> HubChangeRequest:
    """Record that a school works with a different hub, for national staff to confirm."""
    current = resolve_hubs_for_schools([school])[school.urn].get(requested_hub.network_id)
    return HubChangeRequest.objects.create(
        school=school,
        network=requested_hub.network,
        current_hub=current,
        requested_hub=requested_hub,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_role=contact_role,
        reason=reason,
    )


@transaction.atomic
def decide_hub_change_request(
    *, request: HubChangeRequest, approve: bool, by: User
) -> HubChangeRequest:
    """Approve (the school is then served by the hub it asked for) or decline a request."""
    request = HubChangeRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != HubChangeRequestStatus.PENDING:
        return request
    if approve:
        HubSchoolOverride.objects.update_or_create(
            school=request.school,
            network=request.network,
            defaults={
                "hub": request.requested_hub,
                "reason": f"School asked on {request.created_at:%d %B %Y}: {request.reason}"[:300],
            },
        )
    request.status = HubChangeRequestStatus.APPROVED if approve else HubChangeRequestStatus.DECLINED
    request.decided_at = timezone.now()
    request.decided_by = by
    request.save(update_fields=["status", "decided_at", "decided_by"])
    return request
