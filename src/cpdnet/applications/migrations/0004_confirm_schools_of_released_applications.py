"""Applications a school already released count as confirmed for that school, and so does the
teacher's affiliation to it (with a history row saying why). Batched for national volumes."""

from django.db import migrations
from django.db.models import Exists, OuterRef, Q

BATCH = 5000
RELEASED_STATES = [
    "submitted",
    "waitlisted",
    "place_offered",
    "accepted",
    "completed",
    "not_completed",
]


def _released(apps):
    Application = apps.get_model("applications", "Application")
    Transition = apps.get_model("applications", "Transition")
    went_to_hub = Transition.objects.filter(application=OuterRef("pk"), to_state="submitted")
    return Application.objects.filter(Q(state__in=RELEASED_STATES) | Exists(went_to_hub))


def confirm_released(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    Affiliation = apps.get_model("applications", "Affiliation")
    AffiliationChange = apps.get_model("applications", "AffiliationChange")
    released = _released(apps)
    ids = list(released.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        Application.objects.filter(pk__in=ids[start : start + BATCH]).update(school_confirmed=True)
    pairs = list(released.order_by().values_list("applicant_id", "school_id").distinct())
    for start in range(0, len(pairs), BATCH):
        Affiliation.objects.bulk_create(
            [
                Affiliation(person_id=person, school_id=school, state="confirmed")
                for person, school in pairs[start : start + BATCH]
            ],
            ignore_conflicts=True,
        )
    without_history = Affiliation.objects.filter(history__isnull=True).order_by("pk")
    while batch := list(without_history.values_list("pk", flat=True)[:BATCH]):
        AffiliationChange.objects.bulk_create(
            [
                AffiliationChange(
                    affiliation_id=pk,
                    to_state="confirmed",
                    by_label="cpdnet",
                    reason="The school released them before affiliations were recorded",
                )
                for pk in batch
            ]
        )


def forget_confirmations(apps, schema_editor):
    apps.get_model("applications", "Affiliation").objects.all().delete()
    apps.get_model("applications", "Application").objects.update(school_confirmed=False)


class Migration(migrations.Migration):
    dependencies = [("applications", "0003_affiliations_verified_domains_school_confirmed")]

    operations = [migrations.RunPython(confirm_released, forget_confirmations)]
