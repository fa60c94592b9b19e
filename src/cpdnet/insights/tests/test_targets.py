"""Targets national staff set: validated, one per network, phase and year, and audited."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cpdnet.audit.models import AuditEntry
from cpdnet.hubs.services import ensure_networks
from cpdnet.insights.models import Target
from cpdnet.insights.services import delete_target, save_target
from tests.factories import UserFactory


@pytest.fixture
def maths(db):
    return ensure_networks()["maths"]


def test_setting_and_changing_a_target_is_audited(maths):
    national = UserFactory()

    target = save_target(target=Target(network=maths, phase="Primary", rate="60"), by=national)
    target.rate = Decimal(65)
    save_target(target=target, by=national)
    delete_target(target=target, by=national)

    entries = AuditEntry.objects.order_by("id")
    assert [entry.action for entry in entries] == [
        "insights.target.created",
        "insights.target.changed",
        "insights.target.deleted",
    ]
    assert entries[1].data["before"]["rate"] == "60.0"
    assert entries[1].data["after"]["rate"] == "65"


@pytest.mark.parametrize("rate", ["0", "100.1", "-5"])
def test_a_target_must_be_a_percentage(maths, rate):
    with pytest.raises(ValidationError):
        save_target(target=Target(network=maths, phase="all", rate=rate), by=UserFactory())

    assert not Target.objects.exists()


def test_a_second_standing_target_for_the_same_phase_is_refused(maths):
    save_target(target=Target(network=maths, phase="all", rate="50"), by=UserFactory())

    with pytest.raises(ValidationError):
        save_target(target=Target(network=maths, phase="all", rate="40"), by=UserFactory())
    assert Target.objects.get().rate == 50
