"""Demo sessions: every demo offering gets its sessions; the demo teacher's place has one with
its join link out now and past ones with recordings; loading again adds nothing."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from cpdnet.applications.models import Application, State
from cpdnet.programmes.demo import load_demo_programmes, load_demo_sessions
from cpdnet.programmes.models import Kind, Offering, Session
from cpdnet.programmes.selectors import is_join_link_released, list_participant_sessions
from cpdnet.programmes.services import release_join_links, send_due_recordings

from .test_demo import FAST_HASHERS, load_register


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Load the demo once for the module; each test's own changes roll back after it."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        load_register()
        load_demo_programmes()
        yield load_demo_sessions()
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded, db):
    return loaded


def teacher_place() -> Application:
    return Application.objects.get(applicant__email="teacher@example.org", state=State.ACCEPTED)


def test_every_demo_offering_has_sessions(demo):
    assert demo["sessions_created"] == demo["sessions"] > 0
    assert not Offering.objects.filter(sessions__isnull=True).exists()
    webinars = Session.objects.filter(offering__programme__kind=Kind.WEBINAR)
    assert webinars.exists()


def test_the_demo_teacher_has_a_session_with_its_link_out_now_and_past_recordings(demo):
    offering = teacher_place().offering
    sessions = list(offering.sessions.all())
    now = timezone.now()

    live = [session for session in sessions if is_join_link_released(session, now)]
    assert len(live) == 1 and live[0].join_url
    assert live[0].starts_at - now <= datetime.timedelta(hours=1)
    past = [session for session in sessions if session.ends_at <= now]
    assert len(past) >= 2 and all(session.recording_url for session in past)
    assert any(session.is_cancelled for session in sessions)
    teacher = teacher_place().applicant
    assert set(list_participant_sessions(teacher)) >= set(sessions)


def test_loading_again_adds_nothing_and_keeps_the_live_session_live(demo):
    later = timezone.now() + datetime.timedelta(hours=3)

    again = load_demo_sessions(now=later)

    assert again == {"sessions": demo["sessions"], "sessions_created": 0}
    live = teacher_place().offering.sessions.get(title="Session 3")
    assert is_join_link_released(live, later)


def test_a_worker_on_the_demo_sends_no_backlog_of_past_emails(demo):
    send_due_recordings()

    assert mail.outbox == []
    released = release_join_links()
    assert released >= 1  # the teacher's live session, and any other due now
