"""Writes for insights: the engagement targets national staff set, each change audited."""

from decimal import Decimal

from django.db import transaction

from cpdnet.accounts.models import User
from cpdnet.audit.services import record

from .models import Target


def _data(target: Target) -> dict:
    return {
        "network": target.network.slug,
        "phase": target.phase,
        "academic_year": target.academic_year,
        "rate": str(target.rate),
    }


@transaction.atomic
def save_target(*, target: Target, by: User) -> Target:
    """Create or change a target (validated) and record who did it."""
    created = target.pk is None
    before = None if created else _data(Target.objects.select_related("network").get(pk=target.pk))
    target.rate = Decimal(target.rate)
    target.full_clean()
    target.save()
    record(
        actor=by,
        action="insights.target.created" if created else "insights.target.changed",
        obj=target,
        summary=f"{'Set' if created else 'Changed'} target {target}",
        data={"before": before, "after": _data(target)},
    )
    return target


@transaction.atomic
def delete_target(*, target: Target, by: User) -> None:
    """Remove a target and record who did it."""
    record(
        actor=by,
        action="insights.target.deleted",
        obj=target,
        summary=f"Removed target {target}",
        data={"before": _data(target)},
    )
    target.delete()
