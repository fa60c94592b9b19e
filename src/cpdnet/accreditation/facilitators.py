"""Who may lead what: a programme's facilitator requirement, checked wherever a facilitator is
assigned to an offering (registered with `programmes.services`, see `apps.py`)."""

import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cpdnet.accounts.models import User
from cpdnet.audit.services import record
from cpdnet.programmes.models import Phase, Programme

from .models import Accreditation, FacilitatorRequirement, FacilitatorRule, Mentorship


def valid_accreditations(*, on: datetime.date | None = None) -> QuerySet[Accreditation]:
    """Accreditations in force on a day: not lapsed, not withdrawn, within their validity."""
    on = on or timezone.localdate()
    return Accreditation.objects.filter(
        valid_until__gte=on,
        accredited_on__lte=on,
        lapsed_at__isnull=True,
        withdrawn_at__isnull=True,
    )


def _for_phase(phase: str, path: str = "") -> Q:
    # A programme for all phases is led by someone accredited for any phase.
    return Q() if phase == Phase.ALL else Q(**{f"{path}phase": phase})


def requirement_for(programme: Programme) -> str:
    """The programme's rule, or ANYONE when national staff have set none."""
    return (
        FacilitatorRequirement.objects.filter(programme_id=programme.pk)
        .values_list("rule", flat=True)
        .first()
        or FacilitatorRule.ANYONE
    )


def check_facilitator(
    programme: Programme, user: User, *, on: datetime.date | None = None
) -> str | None:
    """Return why this person may not lead the programme's offerings, or None if they may."""
    rule = requirement_for(programme)
    if rule == FacilitatorRule.ANYONE:
        return None
    on = on or timezone.localdate()
    phase = Phase(programme.phase)
    accredited = valid_accreditations(on=on).filter(_for_phase(phase), holder_id=user.pk).exists()
    if accredited:
        return None
    name = user.get_full_name() or user.email
    phase_words = (
        _("any phase") if phase == Phase.ALL else _("%(phase)s") % {"phase": phase.label.lower()}
    )
    if rule == FacilitatorRule.ACCREDITED:
        return _(
            "%(name)s cannot lead %(programme)s: it needs an accredited PD Lead for %(phase)s, "
            "and they hold no accreditation in force for it."
        ) % {"name": name, "programme": programme.title, "phase": phase_words}
    mentored = (
        Mentorship.objects.filter(_for_phase(phase), trainee_id=user.pk, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .filter(mentor__in=valid_accreditations(on=on))
        .exists()
    )
    if mentored:
        return None
    return _(
        "%(name)s cannot lead %(programme)s: it needs an accredited PD Lead for %(phase)s, or "
        "someone in training with a named accredited mentor, and they are neither."
    ) % {"name": name, "programme": programme.title, "phase": phase_words}


def set_facilitator_requirement(*, programme: Programme, rule: str, by: User) -> str:
    """National staff say who may lead a programme's offerings (offerings already led keep
    their facilitator; the rule applies to every assignment from now)."""
    rule = FacilitatorRule(rule)
    with transaction.atomic():
        before = requirement_for(programme)
        if before == rule:
            return rule
        FacilitatorRequirement.objects.update_or_create(
            programme=programme, defaults={"rule": rule}
        )
        record(
            actor=by,
            action="accreditation.facilitator_requirement.set",
            obj=programme,
            summary=f"Who may lead {programme.title}: {rule.label}",
            data={"rule": [str(before), str(rule)]},
        )
    return rule
