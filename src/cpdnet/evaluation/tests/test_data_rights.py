"""A person's surveys and session feedback are in their data export; erasure blanks their text."""

from cpdnet.accounts.selectors import export_person
from cpdnet.accounts.services import erase_person
from cpdnet.evaluation import selectors, services
from cpdnet.evaluation.models import Answer, SessionFeedback


def _answers(world) -> dict:
    return {
        question: 4 if question.is_scale else "Reasoning with my Year 4 class"
        for question in selectors.list_questions(world.offering)
    }


def test_the_export_holds_the_persons_surveys_and_session_feedback(world):
    services.submit_survey(application=world.place, kind="start", answers=_answers(world))
    services.give_session_feedback(
        application=world.place, session=world.held[0], rating=5, comment="Great examples"
    )
    services.give_session_feedback(
        application=world.place, session=world.held[1], rating=2, comment=""
    )

    exported = export_person(world.participant)
    outsider = export_person(world.outsider)

    assert [survey["kind"] for survey in exported["surveys"]] == ["start"]
    assert "Reasoning with my Year 4 class" in [
        answer["text"] for answer in exported["surveys"][0]["answers"]
    ]
    assert [item["rating"] for item in exported["session_feedback"]] == [5, 2]
    assert outsider["surveys"] == outsider["session_feedback"] == []


def test_erasure_blanks_free_text_and_keeps_the_scores(world):
    services.submit_survey(application=world.place, kind="start", answers=_answers(world))
    services.give_session_feedback(
        application=world.place, session=world.held[0], rating=5, comment="Ask Zoë about it"
    )

    erase_person(user=world.participant)

    assert not Answer.objects.exclude(text="").exists()
    assert Answer.objects.filter(score=4).count() == 8
    assert SessionFeedback.objects.get().comment == ""
    assert SessionFeedback.objects.get().rating == 5
