"""Demo data for applying to accreditation programmes and for who may lead them: evidence of PD
leadership on every demo application to a PD Lead programme, the hub lead's endorsement on those
with a place (and on those waiting for one), others left waiting in the hubs' endorsement
queues, and a facilitator requirement on every PD Lead programme. Safe to run again."""

import random

from django.db import transaction

from cpdnet.accounts.models import Role, RoleAssignment
from cpdnet.applications.models import HOLDS_PLACE, Application, State
from cpdnet.hubs.selectors import resolve_hubs_for_schools
from cpdnet.programmes.models import Kind, Programme

from .models import (
    Endorsement,
    EndorsementDecision,
    FacilitatorRequirement,
    FacilitatorRule,
    PDLeadershipEvidence,
)

# (roles, the PD led, who it is for): what real applicants write, varied across the demo.
EVIDENCE = (
    (
        "work_group_lead",
        "I lead a Teaching for Mastery Work Group: six workshops a year with gap tasks, and "
        "lesson study in each school.",
        "Eight teachers from four primary schools in our local authority.",
    ),
    (
        "mastery_specialist,subject_lead_beyond_school",
        "As a Mastery Specialist I support three schools developing mastery, and I run our "
        "trust's maths subject leader network each term.",
        "Maths leads and class teachers in three partner schools and the trust's twelve schools.",
    ),
    (
        "subject_lead_beyond_school",
        "I design and lead a secondary departmental development programme on reasoning, with "
        "coaching between sessions.",
        "Heads of maths and early career teachers from five secondary schools.",
    ),
    (
        "work_group_lead,local_leader",
        "I co-lead the hub's Mastering Number Work Group and deliver the local authority's "
        "early career teacher maths training.",
        "About thirty teachers a year from schools across the county.",
    ),
)
# Applications still to be endorsed stay in the queue; those further on were endorsed.
ENDORSED_STATES = (*HOLDS_PLACE, State.WAITLISTED)


@transaction.atomic
def load_demo_applying(*, seed: int = 10) -> dict[str, int]:
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    programmes = list(Programme.objects.filter(kind=Kind.ACCREDITATION))
    requirements = [
        FacilitatorRequirement(programme=programme, rule=FacilitatorRule.ACCREDITED_OR_MENTORED)
        for programme in programmes
        if not FacilitatorRequirement.objects.filter(programme=programme).exists()
    ]
    FacilitatorRequirement.objects.bulk_create(requirements)

    applications = list(
        Application.objects.filter(offering__programme__in=programmes)
        .exclude(state__in=(State.DECLINED, State.WITHDRAWN))
        .select_related("school", "offering__programme", "offering__hub")
        .order_by("pk")
    )
    with_evidence = set(
        PDLeadershipEvidence.objects.filter(application__in=applications).values_list(
            "application_id", flat=True
        )
    )
    evidence = []
    for application in applications:
        if application.pk in with_evidence:
            continue
        roles, led, led_for = rng.choice(EVIDENCE)
        evidence.append(
            PDLeadershipEvidence(
                application=application,
                pd_roles=roles,
                pd_led=led,
                led_for=led_for,
                beyond_own_school=True,
            )
        )
    PDLeadershipEvidence.objects.bulk_create(evidence)

    endorsed_already = set(
        Endorsement.objects.filter(application__in=applications).values_list(
            "application_id", flat=True
        )
    )
    hubs = resolve_hubs_for_schools({application.school for application in applications})
    hub_leads = dict(
        RoleAssignment.objects.filter(role=Role.HUB_STAFF, hub__isnull=False)
        .order_by("hub_id", "pk")
        .values_list("hub_id", "user_id")
    )
    endorsements = []
    for application in applications:
        if application.pk in endorsed_already or application.state not in ENDORSED_STATES:
            continue
        hub = hubs[application.school_id].get(application.offering.programme.network_id)
        hub = hub or application.offering.hub
        if hub is None:
            continue
        endorsements.append(
            Endorsement(
                application=application,
                hub=hub,
                decision=EndorsementDecision.ENDORSED,
                reason="",
                decided_by_id=hub_leads.get(hub.pk),
            )
        )
    Endorsement.objects.bulk_create(endorsements)
    return {
        "requirements": len(requirements),
        "evidence": len(evidence),
        "endorsements": len(endorsements),
        "waiting": sum(
            1
            for application in applications
            if application.state not in ENDORSED_STATES and application.pk not in endorsed_already
        ),
    }
