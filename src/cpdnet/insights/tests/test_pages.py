"""The insights pages, CSV exports and API against the hand-built world: figures, scope, query
counts and streaming."""

import csv
import io

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpdnet.accounts.services import create_api_token
from cpdnet.backoffice.insights.forms import year_label
from cpdnet.hubs.services import ensure_networks
from cpdnet.insights.selectors import iter_extract_rows
from cpdnet.programmes.academic_years import current_academic_year
from tests.factories import ApplicationFactory, OfferingFactory, ProgrammeFactory, TeacherFactory

from .conftest import BRADFORD, LEEDS, YEAR, make_school, urn

NATIONAL = reverse("backoffice:insights")
SCHOOLS = reverse("backoffice:insights-schools")


def _csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _queries(client, url: str) -> int:
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_national_page_shows_each_hubs_figures_map_and_trend(client, world):
    client.force_login(world.national)

    def section(show: str) -> str:
        query = {"network": "maths", "year": YEAR, "by": "fsm_quintile", "show": show}
        page = client.get(NATIONAL, query)
        assert page.status_code == 200
        return page.content.decode()

    hubs = section("hubs")
    assert "Abacus Maths Hub" in hubs and "Bede Maths Hub" in hubs
    assert "33.3%" in hubs  # hub A: 5 of 15
    assert 'aria-current="page">By hub</a>' in hubs
    map_page = section("map")
    assert "Leeds: 4 of 8 schools engaged (50.0%)" in map_page  # the map's area title
    assert "Key: share of schools engaged" in map_page
    assert "Q5 (most disadvantaged)" in section("breakdown")
    assert "2025/26" in section("trend")


def test_the_national_page_leads_with_headline_figures_and_ranks_no_hub_apart(client, world):
    client.force_login(world.national)

    page = client.get(NATIONAL, {"network": "maths", "year": YEAR})

    html = page.content.decode()
    assert page.context["show"] == "overview"
    assert "Schools engaged" in html and "Hubs meeting their target" in html
    assert all(row.key != "none" for row in page.context["highest_hubs"])
    assert all(row.key != "none" for row in page.context["lowest_hubs"])
    assert "Key: share of schools engaged" not in html  # the map is its own section


@pytest.mark.parametrize("show", ["overview", "hubs", "map", "breakdown", "trend"])
def test_each_national_section_makes_the_same_queries_with_more_schools(client, world, show):
    client.force_login(world.national)
    url = f"{NATIONAL}?network=maths&year={YEAR}&show={show}"
    few = _queries(client, url)

    for number in range(30, 60):
        make_school(number, BRADFORD if number % 2 else LEEDS, phase="Secondary")

    assert _queries(client, url) == few


def test_a_bad_year_on_the_national_page_shows_an_error_and_the_default(client, world):
    client.force_login(world.national)

    page = client.get(NATIONAL, {"network": "maths", "year": "1066", "by": "colour"})

    assert page.status_code == 200
    assert "Choose a year from the list" in page.content.decode()
    assert "Choose a breakdown from the list" in page.content.decode()


def test_the_year_select_shows_the_year_in_the_heading_before_and_after_a_new_breakdown(
    client, world
):
    # Given national staff opening insights with nothing chosen
    client.force_login(world.national)
    current = current_academic_year()
    selected = f'<option value="{current}" selected>{year_label(current)}</option>'
    html = client.get(NATIONAL).content.decode()
    # Then the year select shows the year the figures are for (not next year)
    assert selected in html
    assert f'<option value="{current + 1}" selected>' not in html
    # When they change only "Break down by" and send the form
    html = client.get(NATIONAL, {"by": "region"}).content.decode()
    # Then the page stays on that year and the new breakdown is the one selected
    assert selected in html
    assert '<option value="region" selected>' in html


def test_the_hub_page_selects_its_own_default_breakdown(client, world):
    client.force_login(world.staff_a)
    url = reverse("backoffice:insights-hub", kwargs={"slug": world.hub_a.slug})
    html = client.get(url, {"never": "3"}).content.decode()
    assert '<option value="local_authority" selected>' in html


def test_the_national_page_is_for_national_staff_only(client, world):
    client.force_login(world.staff_a)

    assert client.get(NATIONAL).status_code == 403


def test_the_national_page_makes_the_same_queries_with_more_hubs_and_schools(client, world):
    client.force_login(world.national)
    url = f"{NATIONAL}?network=maths&year={YEAR}&by=local_authority"
    few = _queries(client, url)

    for number in range(30, 60):
        make_school(number, BRADFORD if number % 2 else LEEDS, phase="Secondary")

    assert _queries(client, url) == few
    assert few <= 14


def test_hub_staff_see_their_hubs_equity_cold_spots_and_never_engaged(client, world):
    client.force_login(world.staff_a)

    page = client.get(reverse("backoffice:insights-hub", args=["hub-a"]), {"year": YEAR})

    html = page.content.decode()
    assert page.status_code == 200
    assert "<strong>-75.0 percentage points</strong>" in html  # Q5 25% minus Q1 100%
    assert "Bradford" in page.context["equity"].cold_spots[0][1].label
    assert [school.urn for school in page.context["never_engaged"]] == [
        urn(n) for n in (20, 19, 18, 16, 15, 14, 7, 6, 5)
    ]


def test_hub_staff_get_404_for_another_hubs_page_and_its_lists(client, world):
    client.force_login(world.staff_a)

    assert client.get(reverse("backoffice:insights-hub", args=["hub-b"])).status_code == 404
    assert (
        client.get(reverse("backoffice:insights-never-engaged", args=["hub-b"])).status_code == 404
    )
    assert client.get(SCHOOLS, {"hub": "hub-b", "year": YEAR}).status_code == 404
    assert client.get(SCHOOLS, {"year": YEAR}).status_code == 404  # no hub named
    assert (
        client.get(reverse("backoffice:insights-schools-csv"), {"hub": "hub-b"}).status_code == 404
    )


def test_the_never_engaged_list_downloads_as_streamed_csv_most_disadvantaged_first(client, world):
    client.force_login(world.staff_a)

    rows = _csv(
        client.get(
            reverse("backoffice:insights-never-engaged", args=["hub-a"]),
            {"year": YEAR, "never": 3},
        )
    )

    assert rows[0] == [
        "URN",
        "school",
        "local authority",
        "phase",
        "% FSM",
        "pupils",
        "trust",
        "hub",
    ]
    assert [int(row[0]) for row in rows[1:]] == [urn(n) for n in (20, 19, 18, 16, 15, 14, 7, 6, 5)]


def test_a_longer_never_window_drops_schools_engaged_in_the_earlier_years(client, world):
    client.force_login(world.staff_a)

    page = client.get(
        reverse("backoffice:insights-hub", args=["hub-a"]), {"year": YEAR, "never": 4}
    )

    assert urn(14) not in [school.urn for school in page.context["never_engaged"]]  # 2022


def test_the_drill_down_lists_the_schools_behind_a_figure(client, world):
    client.force_login(world.staff_a)

    page = client.get(SCHOOLS, {"network": "maths", "year": YEAR, "hub": "hub-a", "engaged": "yes"})

    assert page.status_code == 200
    assert [school.urn for school in page.context["schools"]] == [urn(n) for n in (1, 2, 3, 4, 17)]


def test_the_drill_down_combines_breakdown_filters(client, world):
    client.force_login(world.national)

    page = client.get(
        SCHOOLS,
        {
            "network": "maths",
            "year": YEAR,
            "fsm_quintile": "1",
            "phase": "Secondary",
            "trust": "trust",
        },
    )

    assert [school.urn for school in page.context["schools"]] == [urn(2), urn(4)]


def test_every_count_on_the_national_page_links_to_the_same_number_of_schools(client, world):
    client.force_login(world.national)
    page = client.get(NATIONAL, {"network": "maths", "year": YEAR, "by": "size_band"})

    for row in page.context["breakdown"].rows:
        listed = client.get(row.engaged_url).context["page"].paginator.count
        assert listed == row.engaged, row.key


def test_the_drill_down_makes_the_same_queries_for_3_or_30_schools(client, world):
    client.force_login(world.national)
    url = f"{SCHOOLS}?network=maths&year={YEAR}&local_authority=380"
    few = _queries(client, url)

    for number in range(30, 57):
        make_school(number, BRADFORD)

    assert _queries(client, url) == few


def test_the_schools_csv_is_streamed_with_engagement_columns(client, world):
    client.force_login(world.staff_a)

    rows = _csv(
        client.get(reverse("backoffice:insights-schools-csv"), {"hub": "hub-a", "year": YEAR})
    )

    assert rows[0][-2:] == ["engaged", "completed"]
    by_urn = {int(row[0]): row for row in rows[1:]}
    assert len(by_urn) == 15
    assert by_urn[urn(2)][-3:] == ["hub-a", "yes", "yes"]
    assert by_urn[urn(5)][-2:] == ["no", "no"]


# --- The evaluator's extract ---------------------------------------------------------------


def test_the_extract_has_no_names_urns_or_emails(client, world):
    client.force_login(world.evaluator)

    response = client.get(reverse("backoffice:insights-extract"), {"year": YEAR})
    text = "\n".join(",".join(row) for row in _csv(response))

    assert "School 0" not in text and "School 1" not in text
    assert str(urn(1)) not in text
    assert "@" not in text
    assert "Leeds" in text


def test_the_extract_is_refused_to_hub_staff(client, world):
    client.force_login(world.staff_a)

    assert client.get(reverse("backoffice:insights-extract")).status_code == 403


def test_counts_under_5_are_suppressed_with_the_rate_derived_from_them(db):
    # Given 5 engaged primary schools in Leeds and 4 in Bradford, none with an FSM figure
    maths = ensure_networks()["maths"]
    offering = OfferingFactory(programme=ProgrammeFactory(network=maths), academic_year=YEAR)
    for number in range(1, 10):
        school = make_school(number, LEEDS if number <= 5 else BRADFORD, percentage_fsm=None)
        ApplicationFactory(
            offering=offering,
            applicant=TeacherFactory(school=school),
            school=school,
            state="accepted",
        )

    rows = {row[2]: row for row in iter_extract_rows(YEAR, [maths])}

    assert rows[LEEDS][6:] == (5, 5, "<5", 1.0)
    assert rows[BRADFORD][6:] == ("<5", "<5", "<5", "")


# --- API ----------------------------------------------------------------------------------------


def _api(client, user, path: str, **params):
    token = create_api_token(user=user)
    return client.get(f"/api/v1/insights/{path}", params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_gives_national_staff_every_hub_with_totals(client, world):
    response = _api(client, world.national, "reach", network="maths", year=YEAR)

    assert response.status_code == 200
    body = response.json()
    assert body["hubs"] == [
        {"hub": "hub-a", "schools": 15, "engaged": 5, "rate": 0.3333},
        {"hub": "hub-b", "schools": 6, "engaged": 1, "rate": 0.1667},
    ]
    assert body["totals"] == {"schools": 21, "engaged": 6, "rate": 0.2857}


def test_the_api_gives_hub_staff_only_their_own_hub(client, world):
    response = _api(client, world.staff_a, "reach", network="maths", year=YEAR)

    assert [row["hub"] for row in response.json()["hubs"]] == ["hub-a"]
    assert response.json()["totals"]["schools"] == 15


def test_the_api_csv_has_the_same_figures(client, world):
    response = _api(client, world.staff_b, "reach.csv", network="maths", year=YEAR)

    assert _csv(response) == [["hub", "schools", "engaged", "rate"], ["hub-b", "6", "1", "0.1667"]]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"network": "maths", "year": 1999}, 422),
        ({"network": "maths", "year": "next"}, 422),
        ({"year": YEAR}, 422),
        ({"network": "Maths Hubs!", "year": YEAR}, 422),
        ({"network": "music", "year": YEAR}, 404),
    ],
)
def test_the_api_answers_bad_parameters_with_a_reason(client, world, params, status):
    response = _api(client, world.national, "reach", **params)

    assert response.status_code == status
    assert response.json()["detail"]


def test_the_api_refuses_people_without_a_staff_role(client, world):
    assert _api(client, world.teacher, "reach", network="maths", year=YEAR).status_code == 403
    assert _api(client, world.evaluator, "reach.csv", network="maths", year=YEAR).status_code == 403


def test_the_back_office_index_links_each_role_to_its_insights(client, world):
    client.force_login(world.staff_a)
    hub_staff = client.get(reverse("backoffice:index")).content.decode()
    client.force_login(world.evaluator)
    evaluator = client.get(reverse("backoffice:index")).content.decode()

    assert reverse("backoffice:insights-hub", args=["hub-a"]) in hub_staff
    assert reverse("backoffice:insights-hub", args=["hub-b"]) not in hub_staff
    assert reverse("backoffice:insights-extract") in evaluator
    assert reverse("backoffice:insights") not in evaluator.replace("insights/extract", "")
