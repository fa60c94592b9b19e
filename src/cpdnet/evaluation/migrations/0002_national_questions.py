"""The national survey questions every offering asks at its start and its end."""

from django.db import migrations

# (key, category, text): the same wording before and after, so change can be measured.
NATIONAL_QUESTIONS = [
    ("confident-explaining-why", "confidence", "I am confident explaining why a method works."),
    (
        "confident-subject-knowledge",
        "confidence",
        "I am confident in my own knowledge of the subject I teach.",
    ),
    (
        "confident-misconceptions",
        "confidence",
        "I can spot the misconceptions pupils are likely to have and plan for them.",
    ),
    (
        "confident-all-pupils",
        "confidence",
        "I am confident that I can help every pupil in my class to keep up.",
    ),
    ("practice-plan-together", "practice", "I plan lessons with colleagues in my department."),
    (
        "practice-use-research",
        "practice",
        "I use findings from research to decide how I teach.",
    ),
    (
        "practice-reflect",
        "practice",
        "I regularly look back at how a lesson went and change what I do next.",
    ),
    (
        "practice-share",
        "practice",
        "I share what I have learned with colleagues in my school.",
    ),
    (
        "one-thing-to-improve",
        "open",
        "What is the one thing you most want to improve in your teaching of this subject?",
    ),
    ("anything-else", "open", "Is there anything else you would like to tell us?"),
]


def add_questions(apps, schema_editor):
    Question = apps.get_model("evaluation", "Question")
    for order, (key, category, text) in enumerate(NATIONAL_QUESTIONS, start=1):
        Question.objects.update_or_create(
            programme=None,
            key=key,
            defaults={"category": category, "text": text, "display_order": order * 10},
        )


def remove_questions(apps, schema_editor):
    Question = apps.get_model("evaluation", "Question")
    # Questions already answered are protected by their answers: keep those, drop the rest.
    keys = [key for key, _category, _text in NATIONAL_QUESTIONS]
    Question.objects.filter(programme=None, key__in=keys, answers__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(add_questions, remove_questions)]
