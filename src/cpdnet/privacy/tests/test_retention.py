"""The retention schedule: each kind of personal data is anonymised or deleted after its
period, never before, in batches, without changing any insights figure."""

import datetime
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cpdnet.applications.models import Application
from cpdnet.audit.models import AuditEntry
from cpdnet.evaluation.models import PageFeedback
from cpdnet.evaluation.tests.factories import PageFeedbackFactory
from cpdnet.events.models import Registration
from cpdnet.hubs.models import HubChangeRequest, Network
from cpdnet.insights.selectors import impact, reach_by_hub
from cpdnet.notifications.models import SentEmail
from cpdnet.privacy.services import apply_retention

from .conftest import EMAIL, NAME, TEXTS
from .test_erasure import _found_anywhere

# The world's offerings end in 2027; by 2036 every period has run its time.
LONG_AFTER = datetime.datetime(2036, 1, 1, tzinfo=datetime.UTC)


def _figures(year: int) -> tuple:
    network = Network.objects.get(slug="maths")
    return reach_by_hub(network, year), impact(year=year)


def test_nothing_is_touched_before_its_period(world):
    done = apply_retention()

    assert sum(done.values()) == 0
    for needle in TEXTS.values():
        assert _found_anywhere(needle), needle


def test_after_every_period_no_free_text_or_contact_detail_is_left(world):
    apply_retention(now=LONG_AFTER)

    leftovers = {needle: _found_anywhere(needle) for needle in TEXTS.values()}
    assert {needle: where for needle, where in leftovers.items() if where} == {}
    # Registrations and the record of emails sent no longer hold the address or the name.
    assert not Registration.objects.filter(email=EMAIL).exists()
    assert not Registration.objects.filter(name=NAME).exists()
    assert not SentEmail.objects.filter(to=EMAIL).exists()
    assert not SentEmail.objects.filter(subject__contains=NAME).exists()
    # Decided hub change requests are gone; audit entries stay, redacted.
    assert not HubChangeRequest.objects.exists()
    assert AuditEntry.objects.exists()
    assert not AuditEntry.objects.filter(redacted_at__isnull=True).exists()
    assert not AuditEntry.objects.filter(summary__icontains=EMAIL).exists()
    # Expired sessions and finished task results are deleted.
    assert not Session.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_insights_figures_for_a_past_year_are_the_same_after_retention(world):
    before = _figures(2026)
    assert before[0].total.engaged > 0  # the world's places are counted

    apply_retention(now=LONG_AFTER)

    assert _figures(2026) == before
    assert Application.objects.filter(applicant=world.person).count() == 3


def test_running_twice_changes_nothing_the_second_time(world):
    apply_retention(now=LONG_AFTER)

    assert sum(apply_retention(now=LONG_AFTER).values()) == 0


def test_works_in_batches_each_reported(db):
    old = timezone.now() - datetime.timedelta(days=800)
    PageFeedbackFactory.create_batch(5, comment="Too long")
    PageFeedback.objects.update(created_at=old)
    messages = []

    done = apply_retention(batch_size=2, progress=messages.append)

    assert done["evaluation.page_feedback"] == 5
    assert not PageFeedback.objects.exclude(comment="").exists()
    assert PageFeedback.objects.count() == 5  # the yes and no answers stay
    assert [m.strip() for m in messages if m.strip() in {"2", "4", "5"}] == ["2", "4", "5"]


def test_the_command_dry_run_reports_and_changes_nothing(db):
    PageFeedbackFactory(comment="Too long")
    PageFeedback.objects.update(created_at=timezone.now() - datetime.timedelta(days=800))
    out = StringIO()

    call_command("apply_retention", "--dry-run", stdout=out)

    assert 'Comments left in "Is this page useful?" (kept 365 days)' in out.getvalue()
    assert "1 rows would be anonymised or deleted" in out.getvalue()
    assert "Nothing was changed" in out.getvalue()
    assert PageFeedback.objects.get().comment == "Too long"


def test_the_command_applies_the_schedule(db):
    PageFeedbackFactory(comment="Too long")
    PageFeedback.objects.update(created_at=timezone.now() - datetime.timedelta(days=800))
    out = StringIO()

    call_command("apply_retention", stdout=out)

    assert "Done: 1 rows anonymised or deleted." in out.getvalue()
    assert PageFeedback.objects.get().comment == ""


def test_a_bad_batch_size_is_refused_with_a_reason(db):
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        call_command("apply_retention", "--batch-size", "0")


def test_the_worker_runs_retention_once_a_day(settings):
    assert settings.PERIODIC_TASKS["cpdnet.privacy.tasks.apply_retention_task"] == 24 * 60 * 60
