from django.db import migrations

SCIENCE_WORDS = {
    "hub_noun_plural": "science learning partnerships",
    "lead_school_noun": "lead school or college",
    "programme_kinds": "course,residential,webinar",
    "audiences": (
        "class_teacher,early_career_teacher,non_specialist,subject_lead,senior_leader,"
        "science_technician"
    ),
}
MATHS_DEFAULTS = {
    "hub_noun_plural": "maths hubs",
    "lead_school_noun": "lead school",
    "programme_kinds": "work_group,course,residential,webinar,accreditation",
    "audiences": (
        "class_teacher,early_career_teacher,non_specialist,subject_lead,senior_leader,"
        "teaching_assistant,early_years_practitioner"
    ),
}


def name_science_parts(apps, schema_editor):
    Network = apps.get_model("hubs", "Network")
    Network.objects.filter(slug="science").update(**SCIENCE_WORDS)


def restore_defaults(apps, schema_editor):
    Network = apps.get_model("hubs", "Network")
    Network.objects.filter(slug="science").update(**MATHS_DEFAULTS)


class Migration(migrations.Migration):
    dependencies = [("hubs", "0002_network_vocabulary")]

    operations = [migrations.RunPython(name_science_parts, restore_defaults)]
