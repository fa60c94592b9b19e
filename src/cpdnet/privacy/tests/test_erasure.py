"""Erasure reaches every app: afterwards no text column anywhere holds anything of the person,
and their download held every app's data before."""

import json
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models.functions import Cast

from cpdnet.accounts.selectors import export_person
from cpdnet.accounts.services import erase_person
from cpdnet.applications.models import Application
from cpdnet.audit.models import AuditEntry
from cpdnet.events.models import Registration
from cpdnet.privacy.registry import list_personal_data

from .conftest import EMAIL, NAME, OTHERS_EMAIL, OTHERS_STATEMENT, TEXTS

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _found_anywhere(needle: str) -> list[str]:
    """Every model field, in every app, whose stored text contains `needle`."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            rows = model._default_manager.all()
            if isinstance(field, models.JSONField):
                rows = rows.annotate(as_text=Cast(field.name, models.TextField()))
                lookup = "as_text__icontains"
            else:
                lookup = f"{field.name}__icontains"
            if rows.filter(**{lookup: needle}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    found.extend(_found_in_sessions(needle))
    return found


def _found_in_sessions(needle: str) -> list[str]:
    # Session data is signed and compressed, so a text search cannot see into it.
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    model = store.get_model_class()
    decoded = (
        json.dumps(store.decode(data))
        for data in model.objects.values_list("session_data", flat=True)
    )
    return (
        [f"{model._meta.label}.session_data"]
        if any(needle.lower() in d.lower() for d in decoded)
        else []
    )


def _needles() -> list[str]:
    return [EMAIL, EMAIL.split("@")[0], NAME.split()[-1], *TEXTS.values()]


def test_every_needle_is_somewhere_before_erasure(world):
    # Given the person's data in every app, the search finds each of their details.
    for needle in _needles():
        assert _found_anywhere(needle), needle


def test_after_erasure_no_text_column_in_any_app_holds_anything_of_the_person(world):
    erase_person(user=world.person)

    leftovers = {needle: _found_anywhere(needle) for needle in _needles()}
    assert {needle: where for needle, where in leftovers.items() if where} == {}
    # Someone else's data is untouched.
    assert _found_anywhere(OTHERS_EMAIL)
    assert _found_anywhere(OTHERS_STATEMENT)


def test_erasure_withdraws_active_places_offers_them_on_and_emails_nobody_erased(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()  # the sign-in code sent while setting up

    with django_capture_on_commit_callbacks(execute=True):
        erase_person(user=world.person)

    world.active.refresh_from_db()
    world.waiting.refresh_from_db()
    assert (world.active.state, world.active.state_reason) == (
        "withdrawn",
        "Account erased",
    )
    assert world.waiting.state == "place_offered"
    assert {address for email in mailoutbox for address in email.to} == {OTHERS_EMAIL}
    # The webinar place went to the person waiting for it, without an email to the erased.
    assert Registration.objects.get(email=OTHERS_EMAIL).status == "confirmed"


def test_erasure_keeps_rows_that_figures_are_counted_from(world):
    applications = Application.objects.filter(applicant=world.person).count()
    entries = AuditEntry.objects.count()

    erase_person(user=world.person)

    assert Application.objects.filter(applicant=world.person).count() == applications
    # Audit entries are never deleted, only redacted and flagged; two are added: the
    # certificate's withdrawal at the holder's request, and the erasure itself.
    assert AuditEntry.objects.count() == entries + 2
    assert AuditEntry.objects.filter(action="delivery.certificate.withdrawn").exists()
    redacted = AuditEntry.objects.filter(redacted_at__isnull=False)
    assert {entry.action for entry in redacted} >= {
        "accounts.role.assigned",
        "applications.application.accepted",
    }
    assert all(entry.summary.startswith("Details removed") for entry in redacted)


def test_the_download_holds_every_apps_data(world):
    download = export_person(world.person)
    exported = json.dumps(download)

    assert next(iter(download)) == "person"

    for needle in [EMAIL, NAME, *TEXTS.values()]:
        assert needle in exported, needle
    assert OTHERS_STATEMENT not in exported


def test_every_declaration_is_run_by_erasure_and_export(world):
    keys = {declaration.key for declaration in list_personal_data()}

    assert {
        "accounts.account",
        "accounts.sessions",
        "applications.applications",
        "audit.entries",
        "audit.admin_log",
        "delivery.participant_work",
        "delivery.certificates",
        "evaluation.surveys_and_feedback",
        "evaluation.page_feedback",
        "events.registrations",
        "hubs.change_requests",
        "notifications.emails_and_newsletters",
        "programmes.calendar_feeds",
        "privacy.task_results",
    } <= keys
