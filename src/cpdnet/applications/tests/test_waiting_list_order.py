"""Hub staff reorder a waiting list, with a reason; offers follow the new order."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.utils import timezone

from cpdnet.applications.models import WAITLIST_ORDER, Application, State, WaitlistMove
from cpdnet.applications.services import (
    ApplicationError,
    decide_application,
    move_on_waiting_list,
    withdraw_application,
)
from cpdnet.audit.models import AuditEntry
from cpdnet.hubs.services import ensure_networks
from cpdnet.schools.services import load_local_authorities
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    OfferingFactory,
    TeacherFactory,
    UserFactory,
)

DAY = datetime.timedelta(days=1)


def waiting(offering, names):
    """Each name waiting, the first longest."""
    now = timezone.now()
    return [
        ApplicationFactory(
            offering=offering,
            state=State.WAITLISTED,
            waitlisted_at=now - (len(names) - index) * DAY,
            applicant=TeacherFactory(full_name=name),
        )
        for index, name in enumerate(names)
    ]


def order(offering) -> list[str]:
    return list(
        offering.applications.filter(state=State.WAITLISTED)
        .order_by(*WAITLIST_ORDER)
        .values_list("applicant__full_name", flat=True)
    )


@pytest.fixture
def full_offering(db):
    offering = OfferingFactory(capacity=1)
    holder = ApplicationFactory(offering=offering, state=State.ACCEPTED)
    return offering, holder


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@hub.example.org")


def test_moving_someone_up_reorders_the_list_with_history_and_audit(full_offering, staff):
    offering, _holder = full_offering
    _ann, _bob, cat = waiting(offering, ["Ann", "Bob", "Cat"])

    move = move_on_waiting_list(application=cat, to_position=1, by=staff, reason="Only KS5 lead")

    assert order(offering) == ["Cat", "Ann", "Bob"]
    assert (move.from_position, move.to_position, move.by, move.reason) == (
        3,
        1,
        staff,
        "Only KS5 lead",
    )
    entry = AuditEntry.objects.get(action="applications.waiting_list.moved")
    assert entry.data == {"from": 3, "to": 1, "reason": "Only KS5 lead"}


def test_a_position_past_the_end_moves_to_the_end(full_offering, staff):
    offering, _holder = full_offering
    ann, _bob, _cat = waiting(offering, ["Ann", "Bob", "Cat"])

    move_on_waiting_list(application=ann, to_position=99, by=staff, reason="Asked to wait")

    assert order(offering) == ["Bob", "Cat", "Ann"]


def test_someone_joining_after_a_reorder_queues_last(full_offering, staff):
    offering, _holder = full_offering
    _ann, bob = waiting(offering, ["Ann", "Bob"])
    move_on_waiting_list(application=bob, to_position=1, by=staff, reason="Priority school")
    newcomer = ApplicationFactory(offering=offering, state=State.SUBMITTED)
    newcomer.applicant.full_name = "Dan"
    newcomer.applicant.save()

    decide_application(application=newcomer, decision="waitlist", by=staff)

    assert order(offering) == ["Bob", "Ann", "Dan"]


def test_the_free_place_goes_to_the_first_in_the_new_order(full_offering, staff):
    offering, holder = full_offering
    ann, bob = waiting(offering, ["Ann", "Bob"])
    move_on_waiting_list(application=bob, to_position=1, by=staff, reason="Priority school")

    withdraw_application(application=holder, by=holder.applicant)

    assert Application.objects.get(pk=bob.pk).state == State.PLACE_OFFERED
    assert Application.objects.get(pk=ann.pk).state == State.WAITLISTED


@pytest.mark.parametrize(
    ("to_position", "reason", "code"),
    [(1, "  ", "reason_required"), (1, "Because", "same_position")],
)
def test_a_move_without_a_reason_or_to_the_same_place_is_refused(
    full_offering, staff, to_position, reason, code
):
    offering, _holder = full_offering
    ann, _bob = waiting(offering, ["Ann", "Bob"])

    with pytest.raises(ApplicationError) as refused:
        move_on_waiting_list(application=ann, to_position=to_position, by=staff, reason=reason)

    assert refused.value.code == code
    assert not WaitlistMove.objects.exists()


def test_only_someone_waiting_can_be_moved(full_offering, staff):
    _offering, holder = full_offering

    with pytest.raises(ApplicationError, match="Only someone on the waiting list"):
        move_on_waiting_list(application=holder, to_position=1, by=staff, reason="x")


def _at_once(*actions) -> list[str]:
    """Run the actions in threads released together; return each one's error, or ""."""
    barrier = threading.Barrier(len(actions))

    def run(action) -> str:
        try:
            barrier.wait(timeout=30)
            action()
            return ""
        except Exception as error:
            return f"{type(error).__name__}: {error}"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        return list(pool.map(run, actions))


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_move_and_a_withdrawal_at_once_offer_the_place_once_in_a_consistent_order(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
    }
    load_local_authorities()  # transactional tests empty the tables the migration filled
    network = ensure_networks()["maths"]
    staff = UserFactory()
    for _round in range(5):
        # Given a full offering with Ann and Bob waiting
        offering = OfferingFactory(
            hub=HubFactory(network=network), programme__network=network, capacity=1
        )
        holder = ApplicationFactory(offering=offering, state=State.ACCEPTED)
        ann, bob = waiting(offering, ["Ann", "Bob"])

        # When staff move Bob to the front as the holder withdraws
        move_result, withdraw_result = _at_once(
            lambda bob=bob: move_on_waiting_list(
                application=bob, to_position=1, by=staff, reason="Priority"
            ),
            lambda holder=holder: withdraw_application(application=holder, by=holder.applicant),
        )

        # Then the offering's lock serialises them: exactly one place is offered, to Bob if
        # the move came first, else to Ann (and the move then finds Bob already first)
        assert withdraw_result == ""
        offered = offering.applications.get(state=State.PLACE_OFFERED)
        if move_result == "":
            assert offered == bob
        else:
            assert "already at position 1" in move_result
            assert offered == ann
