"""Impact: completion rates, paired survey change with its 95% interval, cascade totals."""

import math

import pytest

from cpdnet.delivery.models import Cascade
from cpdnet.evaluation.models import Answer, Question, SurveyResponse
from cpdnet.insights.selectors import impact, mean_confidence_interval, t_critical
from tests.factories import ApplicationFactory

from .conftest import YEAR


def _answers(application, question, start: int | None, end: int | None) -> None:
    for kind, score in (("start", start), ("end", end)):
        if score is not None:
            response, _ = SurveyResponse.objects.get_or_create(application=application, kind=kind)
            Answer.objects.create(response=response, question=question, score=score)


@pytest.fixture
def surveyed(world):
    question = Question.objects.create(
        key="confidence-x", text="I am confident", category="confidence"
    )
    places = list(world.offering_a.applications.filter(state__in=["completed", "not_completed"]))
    places = places[:3] + list(world.offering_a.applications.filter(state="accepted")[:1])
    # Changes +2, +1, 0 and one participant with no end survey (not a pair)
    for application, (start, end) in zip(places, [(2, 4), (3, 4), (4, 4), (3, None)], strict=True):
        _answers(application, question, start, end)
    Cascade.objects.create(application=places[0], colleagues_involved=4, classes_reached=6)
    Cascade.objects.create(application=places[1], colleagues_involved=1, classes_reached=2)
    return world


def test_completion_rate_is_completed_over_finished_places(world):
    rows = impact(year=YEAR).completion

    hub_a = next(row for row in rows if row.hub == "Abacus Maths Hub")
    assert (hub_a.completed, hub_a.not_completed, hub_a.rate) == (2, 1, pytest.approx(2 / 3))


def test_survey_change_pairs_start_and_end_answers_with_a_t_interval(surveyed):
    (row,) = impact(year=YEAR).changes

    # Differences 2, 1, 0: mean 1, sd 1, t(2) = 4.303, half width 4.303 / sqrt(3)
    half = 4.303 / math.sqrt(3)
    assert (row.respondents, row.mean_change) == (3, 1.0)
    assert row.interval == (round(1 - half, 2), round(1 + half, 2))


def test_hub_staff_impact_covers_only_their_hubs(surveyed):
    assert impact(hub_ids=[surveyed.hub_b.pk]).changes == []
    assert impact(hub_ids=[surveyed.hub_a.pk]).colleagues == 5


def test_cascade_totals_add_up_colleagues_and_classes(surveyed):
    result = impact()

    assert (result.colleagues, result.classes) == (5, 8)


def test_no_interval_with_fewer_than_two_respondents():
    assert mean_confidence_interval(1, 2.0, 4.0) is None
    # Differences 0 and 2: mean 1, sd sqrt(2), t(1) 12.706, half width 12.706
    assert mean_confidence_interval(2, 1.0, 4.0) == (-11.71, 13.71)


def test_t_uses_the_table_to_30_degrees_of_freedom_then_the_normal():
    assert t_critical(1) == 12.706
    assert t_critical(30) == 2.042
    assert t_critical(31) == 1.96


def test_the_impact_page_shows_hub_staff_their_figures(client, surveyed):
    client.force_login(surveyed.staff_a)

    changes = client.get("/backoffice/insights/impact/", {"year": YEAR, "show": "changes"})
    cascade = client.get("/backoffice/insights/impact/", {"year": YEAR, "show": "cascade"})

    assert changes.status_code == 200
    assert "I am confident" in changes.content.decode()
    assert "5 colleagues" in cascade.content.decode()


def test_the_impact_tables_are_paged_with_sections_as_links(client, surveyed, monkeypatch):
    from cpdnet.backoffice.insights import views

    monkeypatch.setattr(views, "ROWS_PER_PAGE", 1)
    client.force_login(surveyed.staff_a)

    page = client.get("/backoffice/insights/impact/", {"year": YEAR, "show": "changes"})

    html = page.content.decode()
    assert page.context["page"].paginator.num_pages == len(page.context["impact"].changes)
    assert 'aria-current="page">Change in survey scores</a>' in html
    assert "?year=" in html and "show=completion" in html


def test_an_application_without_a_start_survey_is_left_out(world):
    question = Question.objects.create(key="practice-y", text="I plan", category="practice")
    _answers(ApplicationFactory(offering=world.offering_a, state="completed"), question, None, 5)

    assert impact().changes == []
