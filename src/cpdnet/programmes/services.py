"""Writes for offerings: hub staff plan their offerings and open or close applications.

Each service owns its transaction and writes an audit entry in it. Callers check first that the
person may act for the hub (`cpdnet.backoffice.hub.selectors.access_offering`).
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpdnet.accounts.models import Role, RoleAssignment
from cpdnet.audit.services import record
from cpdnet.hubs.models import Hub

from .models import Offering

# What hub staff may set on an offering; the hub itself is fixed once the offering exists.
OFFERING_FIELDS = frozenset(
    {
        "programme",
        "academic_year",
        "cohort_name",
        "facilitator",
        "capacity",
        "school_capacity",
        "mode",
        "venue",
        "planned_sessions",
        "starts_on",
        "ends_on",
        "applications_open_at",
        "applications_close_at",
        "local_only",
        "requires_school_approval",
    }
)


class OfferingError(Exception):
    """A request about an offering that cannot be carried out, with a plain English reason."""

    def __init__(self, reason: str, *, code: str = "not_allowed"):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _check_field_names(fields: dict[str, Any]) -> None:
    unknown = set(fields) - OFFERING_FIELDS
    if unknown:
        raise TypeError(f"Offerings have no settable fields {sorted(unknown)}")


def _json(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _lock(offering: Offering) -> Offering:
    # Lock the offering row only (PostgreSQL); SQLite serialises writers (see settings).
    return (
        Offering.objects.select_for_update(of=("self",))
        .select_related("programme", "hub__network")
        .get(pk=offering.pk)
    )


def _validate(offering: Offering) -> None:
    """Check the model's own rules, then those that need the hub: raise ValidationError."""
    offering.full_clean()
    errors: dict[str, list[str]] = {}
    if offering.programme.network_id != offering.hub.network_id:
        errors["programme"] = [
            _("Choose a programme of the %(network)s network.")
            % {"network": offering.hub.network.name}
        ]
    if (
        offering.facilitator_id
        and not RoleAssignment.objects.filter(
            user_id=offering.facilitator_id, role=Role.FACILITATOR, hub_id=offering.hub_id
        ).exists()
    ):
        errors["facilitator"] = [_("Choose a facilitator who works with this hub.")]
    if errors:
        raise ValidationError(errors)


def create_offering(*, hub: Hub, by, **fields: Any) -> Offering:
    """Create an offering of a programme for a hub; raise ValidationError if it breaks a rule."""
    _check_field_names(fields)
    with transaction.atomic():
        offering = Offering(hub=hub, **fields)
        _validate(offering)
        offering.save()
        record(
            actor=by,
            action="programmes.offering.created",
            obj=offering,
            hub=hub,
            summary=f"Created {offering}",
            data={"fields": {name: _json(value) for name, value in fields.items()}},
        )
    return offering


def update_offering(*, offering: Offering, by, **fields: Any) -> Offering:
    """Change an offering's details; record what changed, or do nothing if nothing did."""
    _check_field_names(fields)
    with transaction.atomic():
        locked = _lock(offering)
        changes: dict[str, list[Any]] = {}
        for name, value in fields.items():
            field = Offering._meta.get_field(name)
            if field.is_relation:
                old, new = getattr(locked, field.attname), (value.pk if value else None)
            else:
                old, new = getattr(locked, name), value
            if old != new:
                changes[name] = [_json(old), _json(new)]
                setattr(locked, name, value)
        if not changes:
            return locked
        _validate(locked)
        locked.save(update_fields=[*changes, "updated_at"])
        record(
            actor=by,
            action="programmes.offering.updated",
            obj=locked,
            hub=locked.hub,
            summary=f"Changed {', '.join(sorted(changes))} of {locked}",
            data={"changed": changes},
        )
    return locked


def open_applications(*, offering: Offering, by, now: datetime.datetime | None = None) -> Offering:
    """Open applications from now until the planned closing time."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(offering)
        if locked.is_open_for_applications(now):
            raise OfferingError(_("Applications are already open."), code="already_open")
        if locked.applications_close_at <= now:
            raise OfferingError(
                _("The closing date has passed. Set a new closing date, then open applications."),
                code="closing_date_passed",
            )
        before = locked.applications_open_at
        locked.applications_open_at = now
        locked.save(update_fields=["applications_open_at", "updated_at"])
        record(
            actor=by,
            action="programmes.offering.opened",
            obj=locked,
            hub=locked.hub,
            summary=f"Opened applications for {locked}",
            data={"applications_open_at": [_json(before), _json(now)]},
        )
    return locked


def close_applications(*, offering: Offering, by, now: datetime.datetime | None = None) -> Offering:
    """Close applications now, before the planned closing time."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(offering)
        if not locked.is_open_for_applications(now):
            raise OfferingError(_("Applications are not open."), code="not_open")
        before = locked.applications_close_at
        locked.applications_close_at = now
        locked.save(update_fields=["applications_close_at", "updated_at"])
        record(
            actor=by,
            action="programmes.offering.closed",
            obj=locked,
            hub=locked.hub,
            summary=f"Closed applications for {locked}",
            data={"applications_close_at": [_json(before), _json(now)]},
        )
    return locked
