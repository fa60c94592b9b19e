"""Classify every stored school's funding from its GIAS type (colleges become state-funded)."""

from django.db import migrations

# The rule itself is a pure function of the type; the migration applies the rule of its day.
from cpdnet.schools.funding import classify_establishment, is_state_funded


def forwards(apps, schema_editor):
    School = apps.get_model("schools", "School")
    kinds = School.objects.values_list(
        "type_group", "type_name", "census_school_type", "is_state_funded"
    ).distinct()
    for type_group, type_name, census_type, was_state_funded in list(kinds):
        # The register source is not stored; a row marked state-funded only by it keeps that.
        category = classify_establishment(
            type_group=type_group,
            type_name=type_name,
            census_type=census_type,
            register_source="2025-07" if was_state_funded else "",
        )
        School.objects.filter(
            type_group=type_group,
            type_name=type_name,
            census_school_type=census_type,
            is_state_funded=was_state_funded,
        ).update(funding_category=category, is_state_funded=is_state_funded(category))


def backwards(apps, schema_editor):
    # Colleges were not counted as state-funded before this rule.
    School = apps.get_model("schools", "School")
    School.objects.filter(funding_category="college").update(is_state_funded=False)
    School.objects.filter(type_name="City technology college").update(is_state_funded=False)
    School.objects.update(funding_category="")


class Migration(migrations.Migration):
    dependencies = [("schools", "0004_school_funding_category")]

    operations = [migrations.RunPython(forwards, backwards)]
