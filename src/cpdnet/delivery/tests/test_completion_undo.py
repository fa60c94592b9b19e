"""Undoing a completion confirmed by mistake, within the window: places back to accepted through
the state machine, certificates withdrawn (downloaded or not), participants emailed."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cpdnet.applications.models import Transition
from cpdnet.audit.models import AuditEntry
from cpdnet.delivery.certificates import get_certificate_facts
from cpdnet.delivery.models import Certificate, CompletionConfirmation
from cpdnet.delivery.services import DeliveryError, confirm_completion, undo_completion
from cpdnet.notifications.models import OutboxEmail
from tests.factories import ApplicationFactory

from .test_completion import final_reflection, mark


@pytest.fixture
def confirmed(world):
    """The offering confirmed: the participant completed (certificate), another did not."""
    short = ApplicationFactory(offering=world.offering, state="accepted")
    for session in world.sessions:
        mark(world.participant, session, "attended")
        mark(short, session, "absent")
    final_reflection(world.participant)
    result = confirm_completion(offering=world.offering, by=world.facilitator)
    mail.outbox.clear()
    return result.confirmation, short


def test_confirming_records_who_it_settled(world, confirmed):
    confirmation, short = confirmed

    assert set(confirmation.applications.all()) == {world.participant, short}
    assert (confirmation.completed, confirmation.not_completed) == (1, 1)
    assert AuditEntry.objects.filter(action="delivery.completion.confirmed").count() == 1


def test_undo_puts_places_back_withdraws_the_certificate_and_emails_each_participant(
    world, confirmed, django_capture_on_commit_callbacks
):
    confirmation, short = confirmed
    code = Certificate.objects.get().code

    with django_capture_on_commit_callbacks(execute=True):
        undone = undo_completion(
            confirmation=confirmation, by=world.hub_staff, reason="Register 2 was wrong"
        )

    assert (undone.reopened, undone.certificates_withdrawn) == (2, 1)
    for application in (world.participant, short):
        application.refresh_from_db()
        assert application.state == "accepted"
        last = Transition.objects.filter(application=application).last()
        assert (last.to_state, last.by, last.reason) == (
            "accepted",
            world.hub_staff,
            "Register 2 was wrong",
        )
    facts = get_certificate_facts(code)
    assert facts.is_withdrawn and facts.withdrawn_by_hub
    assert facts.withdrawn_reason == "Register 2 was wrong"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "delivery.completion.undone",
        "delivery.certificate.withdrawn",
        "applications.application.completion_reopened",
    } <= actions
    confirmation.refresh_from_db()
    assert confirmation.undone_by == world.hub_staff
    assert OutboxEmail.objects.filter(sent_at__isnull=False).count() == 2
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects[world.participant.applicant.email].startswith(
        "Your completion is being checked again"
    )
    body = next(m.body for m in mail.outbox if m.to == [world.participant.applicant.email])
    assert "Register 2 was wrong" in body and "certificate is withdrawn" in body
    assert not any(message.attachments for message in mail.outbox)


def test_confirming_again_after_undo_issues_a_new_certificate(world, confirmed):
    confirmation, _short = confirmed
    old = Certificate.objects.get()
    undo_completion(confirmation=confirmation, by=world.facilitator, reason="Too early")

    again = confirm_completion(offering=world.offering, by=world.facilitator)

    assert again.completed == 1
    new = Certificate.objects.get(withdrawn_at__isnull=True)
    assert new.code != old.code
    assert get_certificate_facts(old.code).is_withdrawn
    assert not get_certificate_facts(new.code).is_withdrawn


def test_undo_after_the_window_is_refused_with_the_reason(world, confirmed, settings):
    confirmation, _short = confirmed
    settings.COMPLETION_UNDO_HOURS = 48
    later = confirmation.confirmed_at + datetime.timedelta(hours=49)

    with pytest.raises(DeliveryError, match="within 48 hours"):
        undo_completion(confirmation=confirmation, by=world.facilitator, reason="x", now=later)

    world.participant.refresh_from_db()
    assert world.participant.state == "completed"
    assert not Certificate.objects.filter(withdrawn_at__isnull=False).exists()


def test_undo_needs_a_reason_and_happens_once(world, confirmed):
    confirmation, _short = confirmed
    with pytest.raises(DeliveryError, match="Say why"):
        undo_completion(confirmation=confirmation, by=world.facilitator, reason="  ")
    undo_completion(confirmation=confirmation, by=world.facilitator, reason="Mistake")

    with pytest.raises(DeliveryError, match="already undone"):
        undo_completion(confirmation=confirmation, by=world.facilitator, reason="Mistake")


def test_a_place_withdrawn_since_is_left_alone(world, confirmed):
    confirmation, short = confirmed
    # Not completed places cannot be withdrawn; move one back by hand to stand for "changed".
    short.state = "withdrawn"
    short.save()

    undone = undo_completion(confirmation=confirmation, by=world.facilitator, reason="Mistake")

    assert undone.reopened == 1
    short.refresh_from_db()
    assert short.state == "withdrawn"


# Views


def undo_url(world, confirmation):
    return reverse(
        "backoffice:completion-undo",
        kwargs={"offering_id": world.offering.pk, "confirmation_id": confirmation.pk},
    )


def test_the_overview_offers_undo_within_the_window(client, world, confirmed):
    confirmation, _short = confirmed
    client.force_login(world.facilitator)

    page = client.get(reverse("backoffice:offering-run", args=[world.offering.pk]))

    assert undo_url(world, confirmation) in page.content.decode()


def test_undo_page_previews_then_undoes_with_a_reason(client, world, confirmed):
    confirmation, short = confirmed
    client.force_login(world.hub_staff)

    preview = client.get(undo_url(world, confirmation))
    assert "Accepted; certificate withdrawn" in preview.content.decode()
    missing = client.post(undo_url(world, confirmation), {"reason": ""})
    assert missing.status_code == 200
    assert "Say why the completion is undone" in missing.content.decode()
    done = client.post(undo_url(world, confirmation), {"reason": "Wrong register"})

    assert done.status_code == 302
    short.refresh_from_db()
    assert short.state == "accepted"


def test_undo_page_after_the_window_says_why_and_changes_nothing(client, world, confirmed):
    confirmation, _short = confirmed
    CompletionConfirmation.objects.filter(pk=confirmation.pk).update(
        confirmed_at=timezone.now() - datetime.timedelta(days=5)
    )
    client.force_login(world.facilitator)

    page = client.get(undo_url(world, confirmation))
    posted = client.post(undo_url(world, confirmation), {"reason": "Late"})

    assert "that time has passed" in page.content.decode()
    assert "that time has passed" in posted.content.decode()
    world.participant.refresh_from_db()
    assert world.participant.state == "completed"


def test_undo_is_404_for_someone_who_does_not_run_the_offering(client, world, confirmed):
    confirmation, _short = confirmed
    client.force_login(world.other_facilitator)

    assert client.get(undo_url(world, confirmation)).status_code == 404
    assert client.post(undo_url(world, confirmation), {"reason": "x"}).status_code == 404


def test_the_verification_page_says_withdrawn_after_undo(client, world, confirmed):
    confirmation, _short = confirmed
    code = Certificate.objects.get().code
    undo_completion(confirmation=confirmation, by=world.facilitator, reason="Private note")

    page = client.get(reverse("public:certificate-verify", args=[code])).content.decode()

    assert "This certificate was withdrawn" in page
    assert "took back the completion" in page
    assert "Private note" not in page
    assert world.participant.applicant.full_name not in page
