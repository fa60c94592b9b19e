"""Start and end surveys: the same questions both times, once each, for participants only."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cpdnet.evaluation import selectors, services
from cpdnet.evaluation.models import Answer, Question, QuestionCategory, SurveyResponse
from tests.factories import ApplicationFactory, OfferingFactory

from .conftest import SEED, signed_in


def _url(offering, kind: str) -> str:
    return f"/my/offerings/{offering.pk}/survey/{kind}/"


def _field_names(html: str) -> list[str]:
    return sorted(set(re.findall(r'name="(question_\d+)"', html)))


def _all_answered(html: str, score: str = "4") -> dict:
    return {
        name: score if f'name="{name}" type="radio"' in html else "Use more bar models."
        for name in _field_names(html)
    }


def _hold_last_session(world) -> None:
    world.coming.starts_at = timezone.now() - datetime.timedelta(hours=1)
    world.coming.ends_at = timezone.now() + datetime.timedelta(hours=1)
    world.coming.save()


def test_the_national_questions_are_seeded_with_a_scale_and_free_text(world):
    questions = Question.objects.filter(programme=None)

    assert questions.count() == len(SEED.NATIONAL_QUESTIONS)
    assert questions.filter(category=QuestionCategory.OPEN).count() == 2
    assert questions.filter(text="I am confident explaining why a method works.").exists()


def test_the_start_survey_asks_national_and_programme_questions_as_radios_in_fieldsets(world):
    Question.objects.create(
        programme=world.offering.programme,
        key="number-sense",
        text="I teach number sense every day.",
        category=QuestionCategory.PRACTICE,
        display_order=1,
    )
    other = OfferingFactory()
    Question.objects.create(
        programme=other.programme,
        key="other",
        text="A question of another programme",
        category="practice",
    )

    response = signed_in(world.participant).get(_url(world.offering, "start"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "I am confident explaining why a method works." in html
    assert "I teach number sense every day." in html
    assert "A question of another programme" not in html
    assert html.count('<fieldset class="govuk-fieldset"') >= 9  # 9 scale questions
    assert "Strongly agree" in html


def test_the_end_survey_asks_the_same_questions_as_the_start(world):
    client = signed_in(world.participant)
    start_fields = _field_names(client.get(_url(world.offering, "start")).content.decode())
    _hold_last_session(world)

    end_fields = _field_names(client.get(_url(world.offering, "end")).content.decode())

    assert start_fields
    assert end_fields == start_fields


def test_a_participant_answers_the_start_survey_once(world):
    client = signed_in(world.participant)
    html = client.get(_url(world.offering, "start")).content.decode()

    response = client.post(_url(world.offering, "start"), _all_answered(html), follow=True)
    again = client.post(_url(world.offering, "start"), _all_answered(html, "1"))

    survey = SurveyResponse.objects.get(application=world.place, kind="start")
    assert "Thank you: your answers are saved." in response.content.decode()
    assert survey.answers.filter(score=4).count() == 8
    assert survey.answers.exclude(text="").count() == 2
    assert "You have answered this survey" in again.content.decode()
    assert SurveyResponse.objects.filter(application=world.place).count() == 1
    assert not Answer.objects.filter(score=1).exists()


def test_the_service_refuses_a_second_survey_of_the_same_kind(world):
    answers = {
        question: 3 for question in selectors.list_questions(world.offering) if question.is_scale
    }
    services.submit_survey(application=world.place, kind="start", answers=answers)

    with pytest.raises(services.EvaluationError) as refused:
        services.submit_survey(application=world.place, kind="start", answers=answers)

    assert refused.value.code == "done"


def test_unanswered_scale_questions_are_shown_in_an_error_summary_and_nothing_is_saved(world):
    client = signed_in(world.participant)
    html = client.get(_url(world.offering, "start")).content.decode()
    answers = _all_answered(html)
    first = _field_names(html)[0]
    del answers[first]

    response = client.post(_url(world.offering, "start"), answers)

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f'href="#id_{first}_0"' in page
    assert f'id="id_{first}_0"' in page
    assert "<title>Error:" in page
    assert not SurveyResponse.objects.exists()


def test_the_end_survey_opens_when_the_last_session_starts(world):
    client = signed_in(world.participant)

    before = client.get(_url(world.offering, "end"))
    _hold_last_session(world)
    after = client.get(_url(world.offering, "end"))

    assert "The survey at the end is not open yet" in before.content.decode()
    assert 'name="question_' not in before.content.decode()
    assert 'name="question_' in after.content.decode()


def test_the_start_survey_closes_when_the_end_survey_opens(world):
    _hold_last_session(world)

    response = signed_in(world.participant).get(_url(world.offering, "start"))

    assert "The survey at the start has closed" in response.content.decode()


def test_an_offering_without_sessions_opens_its_end_survey_on_its_last_day(world):
    today = timezone.localdate()
    offering = OfferingFactory(starts_on=today - datetime.timedelta(days=90), ends_on=today)

    assert selectors.survey_is_open(offering, "end")
    assert not selectors.survey_is_open(offering, "start")


@pytest.mark.parametrize("kind", ["start", "end", "middle"])
def test_a_teacher_without_a_place_gets_404(world, kind):
    response = signed_in(world.outsider).get(_url(world.offering, kind))

    assert response.status_code == 404


def test_an_applicant_still_waiting_for_a_place_gets_404(world):
    waiting = ApplicationFactory(offering=world.offering, state="waitlisted")

    response = signed_in(waiting.applicant).get(_url(world.offering, "start"))

    assert response.status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in(world, client):
    response = client.get(_url(world.offering, "start"))

    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def _answer(application, kind: str, scores: dict) -> None:
    response = SurveyResponse.objects.create(application=application, kind=kind)
    Answer.objects.bulk_create(
        Answer(response=response, question=question, score=score)
        for question, score in scores.items()
    )


def test_paired_scores_need_the_same_question_at_the_start_and_the_end(world):
    first, second = Question.objects.filter(category="confidence")[:2]
    _answer(world.place, "start", {first: 2, second: 3})
    _answer(world.place, "end", {first: 4})
    unpaired = ApplicationFactory(offering=world.offering, state="accepted")
    _answer(unpaired, "start", {first: 1})

    pairs = list(selectors.list_paired_scores())

    assert pairs == [
        {
            "question_id": first.pk,
            "start_score": 2,
            "end_score": 4,
            "application_id": world.place.pk,
            "offering_id": world.offering.pk,
            "programme_id": world.offering.programme_id,
            "hub_id": world.offering.hub_id,
        }
    ]


def test_national_staff_see_paired_means_per_programme_and_question(world):
    question = Question.objects.get(key="confident-explaining-why")
    _answer(world.place, "start", {question: 2})
    _answer(world.place, "end", {question: 4})
    other = ApplicationFactory(offering=world.offering, state="completed")
    _answer(other, "start", {question: 3})
    _answer(other, "end", {question: 4})

    response = signed_in(world.national).get("/backoffice/evaluation/surveys/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Mastering Number" in html
    row = re.search(r"I am confident explaining why a method works\.</th>(.*?)</tr>", html, re.S)
    assert re.findall(r">([^<>]+)</td>", row.group(1)) == ["2", "2.50", "4.00", "+1.50"]


def test_a_teacher_may_not_see_survey_results(world):
    response = signed_in(world.participant).get("/backoffice/evaluation/surveys/")

    assert response.status_code == 403


def _queries(client, url: str) -> int:
    cache.clear()  # the results are cached until a new survey comes in
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_survey_results_take_the_same_queries_for_3_and_30_programmes(world):
    question = Question.objects.get(key="confident-explaining-why")
    client = signed_in(world.national)
    url = "/backoffice/evaluation/surveys/"

    def add(count: int) -> None:
        for _ in range(count):
            place = ApplicationFactory(state="completed")
            _answer(place, "start", {question: 2})
            _answer(place, "end", {question: 3})

    add(3)
    client.get(url)
    few = _queries(client, url)
    add(27)
    many = _queries(client, url)

    assert many == few
    assert client.get(url).content.decode().count("<caption") == 30


def test_the_offering_links_include_points_to_both_surveys_and_held_sessions(world):
    html = render_to_string(
        "public/evaluation/_offering_links.html",
        {
            "offering": world.offering,
            "sessions": [*world.held, world.coming],
            "now": timezone.now(),
        },
    )

    assert _url(world.offering, "start") in html
    assert _url(world.offering, "end") in html
    assert html.count("/feedback/") == 2  # the two sessions held, not the one to come


def test_cached_survey_results_show_a_new_survey_at_once(world):
    question = Question.objects.get(key="confident-explaining-why")
    client = signed_in(world.national)
    _answer(world.place, "start", {question: 2})
    _answer(world.place, "end", {question: 4})
    before = client.get("/backoffice/evaluation/surveys/").content.decode()
    other = ApplicationFactory(offering=world.offering, state="completed")
    _answer(other, "start", {question: 2})
    _answer(other, "end", {question: 2})

    after = client.get("/backoffice/evaluation/surveys/").content.decode()

    assert "+2.00" in before
    assert "+1.00" in after
