"""Demo engagement targets, so the insights pages show figures against something real."""

from decimal import Decimal

from cpdnet.hubs.models import Network

from .models import ALL_PHASES, Target

# Standing targets (every year), as national staff might set them: share of schools engaged.
DEMO_TARGETS = {
    "maths": {ALL_PHASES: Decimal(50), "Primary": Decimal(60), "Secondary": Decimal(50)},
    "science": {ALL_PHASES: Decimal(40)},
}


def load_demo_targets() -> int:
    """Create or reset the demo's standing targets; return how many there are."""
    count = 0
    for network in Network.objects.filter(slug__in=DEMO_TARGETS):
        for phase, rate in DEMO_TARGETS[network.slug].items():
            Target.objects.update_or_create(
                network=network, phase=phase, academic_year=None, defaults={"rate": rate}
            )
            count += 1
    return count
