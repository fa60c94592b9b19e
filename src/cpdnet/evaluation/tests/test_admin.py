"""National staff keep the questions in the Django admin."""

from cpdnet.evaluation.models import Question
from tests.factories import UserFactory

from .conftest import signed_in


def test_national_staff_add_a_programme_question_in_the_admin(world):
    admin = signed_in(UserFactory(is_staff=True, is_superuser=True))

    listing = admin.get("/admin/evaluation/question/")
    added = admin.post(
        "/admin/evaluation/question/add/",
        {
            "programme": world.offering.programme_id,
            "key": "number-facts",
            "text": "I teach number facts so that pupils recall them quickly.",
            "category": "practice",
            "display_order": "5",
            "is_active": "on",
        },
    )

    assert listing.status_code == 200
    assert "I am confident explaining why a method works." in listing.content.decode()
    assert added.status_code == 302
    assert Question.objects.get(key="number-facts").programme == world.offering.programme


def test_a_teacher_cannot_open_the_questions_admin(world):
    response = signed_in(world.participant).get("/admin/evaluation/question/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
