"""The register is complete by construction: a new model field that looks personal (an email,
a person's name, free text linked to a person) fails here until a declaration names it, or
it is listed below as not personal, with the reason."""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from cpdnet.privacy.registry import declared_fields

PERSON_NAMES = {"name", "full_name", "contact_name", "first_name", "last_name", "username"}

# Models (or single fields) whose personal-looking fields are not about a person.
NOT_PERSONAL = {
    "admin.LogEntry.object_id": "an id",
    "auth.Permission": "names of permissions",
    "auth.Group": "names of groups",
    "schools.LocalAuthority": "the public register of local authorities",
    "schools.District": "the public register of districts",
    "schools.School": "the public register of schools (GIAS)",
    "hubs.Network": "names of networks",
    "hubs.Hub": "an organisation and its public contact address",
    "programmes.Offering": "what staff publish about an offering",
    "programmes.Session": "what staff publish about a session",
    "notifications.Audience": "names of newsletter lists",
    "notifications.NewsletterIssue": "newsletters staff write for many readers",
    "delivery.Resource": "material staff share with a group",
    "delivery.ProgrammeDocument": "documents national staff publish about a programme",
    "delivery.Material": "library materials national staff publish for many offerings",
    "delivery.GapTask": "work staff set a group",
    "delivery.Submission.content_type": "the kind of file",
    "applications.VerifiedDomain": "a school's or trust's email domain and the trust's name",
    "programmes.Provider": "an organisation and its public contact address",
    "programmes.Residential": "a venue's address and what staff publish about a residential",
    **{
        f"programmes.LocalDesign.{name}": "a hub's proposal for a programme, about the programme"
        for name in (
            "title",
            "aims",
            "audience",
            "sessions_outline",
            "local_need",
            "decision_comments",
        )
    },
    "programmes.LocalDesignTransition.comments": "national staff's comments on a hub's design",
    "funding.Fund": "a funder's budget and its name",
    "funding.BursaryScheme.provided_in_kind": "what an offering's bursary gives, not a person",
    "funding.Invoice.description": "the programme, year and place billed; names no one",
    "funding.Invoice.emailed_at": "a timestamp",
    "funding.CreditNote.emailed_at": "a timestamp",
    "funding.BankDetails.confirmation_emailed_at": "a timestamp",
    "funding.Payment.remittance_emailed_at": "a timestamp",
    "funding.LedgerEntry.description": (
        "money movements described by document numbers and ids; append-only by trigger"
    ),
    "funding.BankStatementImport.file_name": "the name of a bank statement file",
    "funding.BankStatementImport.unmatched": (
        "unmatched lines of the bank's statement (payers are schools, not portal users)"
    ),
}


def _linked_to_a_person(model, depth: int = 2) -> bool:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for field in model._meta.concrete_fields:
        related = field.related_model if field.is_relation else None
        if related is None:
            continue
        if related is user_model:
            return True
        if depth > 1 and related is not model and _linked_to_a_person(related, depth - 1):
            return True
    return False


def _looks_personal(model, field) -> bool:
    if isinstance(field, models.EmailField) or "email" in field.name:
        return True
    if field.name in PERSON_NAMES:
        return True
    free_text = isinstance(field, models.TextField | models.JSONField) or (
        isinstance(field, models.CharField) and not field.choices and field.max_length >= 100
    )
    return free_text and _linked_to_a_person(model)


def test_every_personal_looking_field_is_declared_or_explained():
    declared = declared_fields()
    undeclared = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            name = f"{model._meta.label}.{field.name}"
            if not _looks_personal(model, field) or name in declared:
                continue
            if name in NOT_PERSONAL or model._meta.label in NOT_PERSONAL:
                continue
            undeclared.append(name)

    assert undeclared == [], (
        "Declare these in the app's personal_data.py (docs/privacy.md), or add them to "
        "NOT_PERSONAL with the reason"
    )


def test_every_declared_field_exists():
    missing = []
    for name in declared_fields():
        label, field_name = name.rsplit(".", 1)
        try:
            apps.get_model(label)._meta.get_field(field_name)
        except (LookupError, FieldDoesNotExist):
            missing.append(name)

    assert missing == []


def test_the_check_would_catch_a_new_email_column():
    # The heuristic itself: an undeclared email field on a person's record is flagged.
    field = models.EmailField(name="backup_email")
    user_model = apps.get_model(settings.AUTH_USER_MODEL)

    assert _looks_personal(user_model, field)
    assert f"{user_model._meta.label}.backup_email" not in declared_fields()
