"""The catalogue: filters, "near me", pagination, queries, and one offering's page."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cpdnet.programmes.academic_years import current_academic_year
from tests.factories import (
    ApplicationFactory,
    OfferingFactory,
    ProgrammeFactory,
    SchoolFactory,
    SessionFactory,
    UserFactory,
)

from .conftest import count_queries

CATALOGUE = "/programmes/"
YEAR = current_academic_year()
RESULT_LINK = re.compile(r'<a class="govuk-link" href="/programmes/offerings/\d+/">([^<]+)</a>')


def _text(response) -> str:
    return response.content.decode()


def _titles(response) -> list[str]:
    return RESULT_LINK.findall(_text(response))


def _closed(**kwargs):
    now = timezone.now()
    return OfferingFactory(
        applications_open_at=now - datetime.timedelta(days=30),
        applications_close_at=now - datetime.timedelta(days=1),
        **kwargs,
    )


@pytest.fixture
def alpha_and_beta(hubs, networks):
    """Two offerings that differ in every filter."""
    alpha = OfferingFactory(
        programme=ProgrammeFactory(
            network=networks["maths"],
            title="Alpha Mastery",
            phase="primary",
            key_stages="KS1,KS2",
            kind="work_group",
        ),
        hub=hubs["maths"],
        mode="online",
        academic_year=YEAR,
    )
    beta = _closed(
        programme=ProgrammeFactory(
            network=networks["science"],
            title="Beta Science",
            phase="secondary",
            key_stages="KS3,KS4",
            kind="course",
        ),
        hub=hubs["science"],
        mode="face_to_face",
        academic_year=YEAR + 1,
    )
    return alpha, beta


class TestResults:
    def test_each_result_shows_hub_year_dates_mode_places_and_status(self, client, hubs):
        # Given an open offering with 3 of its 10 places taken, and a closed one
        offering = OfferingFactory(
            hub=hubs["maths"],
            programme=ProgrammeFactory(network=hubs["maths"].network, title="Open Mastery"),
            academic_year=YEAR,
            starts_on=datetime.date(YEAR + 1, 1, 15),
            ends_on=datetime.date(YEAR + 1, 6, 30),
        )
        for _ in range(3):
            ApplicationFactory(offering=offering, state="accepted")
        ApplicationFactory(offering=offering, state="awaiting_school_approval")
        _closed(
            hub=hubs["maths"],
            programme=ProgrammeFactory(network=hubs["maths"].network, title="Closed Mastery"),
        )

        # When a visitor opens the catalogue
        response = client.get(CATALOGUE)

        # Then they see the open offering only, its details, the places left and the status
        text = _text(response)
        assert response.status_code == 200
        assert "1 offering" in text and "Closed Mastery" not in text
        assert "Open Mastery" in text
        assert f"West Yorkshire Maths Hub · {offering.academic_year_label} · Online" in text
        assert f"15 January {YEAR + 1} to 30 June {YEAR + 1} · 7 places left" in text
        assert ">Open</strong> Open for applications until" in text

        # And closed offerings come only when asked for, without places left
        text = _text(client.get(CATALOGUE, {"include_closed": "on"}))
        assert "2 offerings" in text
        closed_result = text[text.index("Closed Mastery") :]
        assert ">Closed</strong> Applications closed on" in closed_result
        assert "places left" not in closed_result[: closed_result.index("</li>")]

    def test_the_header_links_to_the_catalogue(self, client, db):
        assert 'href="/programmes/">Programmes</a>' in _text(client.get("/"))

    def test_says_when_nothing_matches(self, client, db):
        text = _text(client.get(CATALOGUE, {"mode": "blended"}))

        assert "No offerings match" in text
        assert "clear them all" in text


class TestFilters:
    @pytest.mark.parametrize(
        ("name", "alpha_value", "beta_value"),
        [
            ("subject", "maths", "science"),
            ("phase", "primary", "secondary"),
            ("key_stage", "KS1", "KS3"),
            ("kind", "work_group", "course"),
            ("mode", "online", "face_to_face"),
            ("hub", "west-yorkshire-maths-hub", "science-yorkshire"),
            ("year", str(YEAR), str(YEAR + 1)),
        ],
    )
    def test_each_filter_narrows_the_results(
        self, client, alpha_and_beta, name, alpha_value, beta_value
    ):
        every = {"include_closed": "on"}
        assert _titles(client.get(CATALOGUE, every)) == ["Alpha Mastery", "Beta Science"]

        assert _titles(client.get(CATALOGUE, {**every, name: alpha_value})) == ["Alpha Mastery"]
        assert _titles(client.get(CATALOGUE, {**every, name: beta_value})) == ["Beta Science"]

    def test_closed_offerings_are_left_out_unless_asked_for(self, client, alpha_and_beta):
        assert _titles(client.get(CATALOGUE)) == ["Alpha Mastery"]
        assert _titles(client.get(CATALOGUE, {"subject": "science"})) == []

    def test_open_for_applications_leaves_out_closed_offerings(self, client, alpha_and_beta):
        response = client.get(CATALOGUE, {"open_only": "on"})

        assert _titles(response) == ["Alpha Mastery"]
        assert 'name="open_only" type="checkbox" value="on" checked' in _text(response)

    def test_a_phase_includes_programmes_for_all_phases(self, client, alpha_and_beta, hubs):
        OfferingFactory(
            hub=hubs["maths"],
            programme=ProgrammeFactory(network=hubs["maths"].network, title="Gamma", phase="all"),
        )

        chosen = {"phase": "secondary", "include_closed": "on"}
        assert _titles(client.get(CATALOGUE, chosen)) == ["Beta Science", "Gamma"]

    def test_the_form_keeps_the_chosen_filters(self, client, alpha_and_beta):
        text = _text(client.get(CATALOGUE, {"mode": "online", "hub": "science-yorkshire"}))

        assert '<option value="online" selected>Online</option>' in text
        assert '<option value="science-yorkshire" selected>Science Yorkshire</option>' in text
        assert "Clear filters" in text

    def test_a_value_not_offered_is_an_error_not_a_crash(self, client, alpha_and_beta):
        response = client.get(CATALOGUE, {"kind": "knitting"})

        text = _text(response)
        assert response.status_code == 200
        assert "<title>Error: Find a programme – cpdnet</title>" in text
        assert '<a href="#id_kind">Choose one of the options for “Type of programme”</a>' in text
        assert "Alpha Mastery" not in text


class TestNearMe:
    @pytest.fixture
    def offerings(self, hubs):
        OfferingFactory(
            hub=hubs["maths"],
            programme=ProgrammeFactory(network=hubs["maths"].network, title="Leeds Maths"),
        )
        OfferingFactory(
            hub=hubs["science"],
            programme=ProgrammeFactory(network=hubs["science"].network, title="Leeds Science"),
        )
        OfferingFactory(
            hub=hubs["abacus"],
            programme=ProgrammeFactory(network=hubs["abacus"].network, title="Preston Maths"),
        )

    def test_a_urn_shows_the_offerings_of_the_hubs_serving_the_school(
        self, client, offerings, leeds_school
    ):
        response = client.get(CATALOGUE, {"near": "107999"})

        assert _titles(response) == ["Leeds Maths", "Leeds Science"]
        text = _text(response)
        assert "serving St Mary&#x27;s Catholic Primary School (URN 107999)" in text
        assert 'href="/hubs/west-yorkshire-maths-hub/">West Yorkshire Maths Hub</a>' in text

    def test_a_postcode_shows_the_offerings_of_the_hubs_serving_the_place(self, client, offerings):
        response = client.get(CATALOGUE, {"near": "pr1 2he"})

        assert _titles(response) == ["Preston Maths"]
        assert "serving PR1 2HE" in _text(response)

    def test_near_me_combines_with_other_filters(self, client, offerings, leeds_school):
        response = client.get(CATALOGUE, {"near": "107999", "subject": "science"})

        assert _titles(response) == ["Leeds Science"]

    def test_a_school_no_hub_serves_says_so(self, client, offerings):
        SchoolFactory(urn=654321, la_code="999")

        response = client.get(CATALOGUE, {"near": "654321"})

        assert _titles(response) == []
        assert "No hub serves Test School" in _text(response)

    @pytest.mark.parametrize(
        ("near", "message"),
        [
            ("123456", "We could not find a school with URN 123456"),
            ("ZZ99 9ZZ", "We could not find the postcode ZZ99 9ZZ in England"),
            ("St Mary", "Enter your school&#x27;s URN or a postcode"),
        ],
        ids=["unknown-urn", "unknown-postcode", "a-name"],
    )
    def test_what_cannot_be_found_is_explained_next_to_the_box(
        self, client, offerings, near, message
    ):
        response = client.get(CATALOGUE, {"near": near})

        text = _text(response)
        assert response.status_code == 200
        assert "There is a problem" in text
        assert f'<a href="#id_near">{message}' in text
        assert f'<span class="govuk-visually-hidden">Error:</span> {message}' in text
        assert 'aria-describedby="id_near-hint id_near-error"' in text
        assert _titles(response) == []


class TestPages:
    @pytest.fixture
    def many(self, hubs):
        programme = ProgrammeFactory(network=hubs["maths"].network, title="Paged")
        for day in range(25):
            OfferingFactory(
                hub=hubs["maths"], programme=programme, starts_on=datetime.date(YEAR, 10, 1 + day)
            )
        OfferingFactory(hub=hubs["maths"], programme=programme, mode="blended")

    def test_lists_twenty_a_page_and_the_links_keep_the_filters(self, client, many):
        first = client.get(CATALOGUE, {"mode": "online", "hub": "west-yorkshire-maths-hub"})

        text = _text(first)
        assert "25 offerings" in text
        assert len(_titles(first)) == 20
        next_link = re.search(r'href="([^"]+)" rel="next"', text).group(1)
        assert next_link == "?mode=online&amp;hub=west-yorkshire-maths-hub&amp;page=2"

        second = client.get(CATALOGUE + next_link.replace("&amp;", "&"))
        assert len(_titles(second)) == 5
        assert 'rel="prev"' in _text(second)

    def test_takes_the_same_queries_for_3_or_30_offerings(
        self, client, hubs, django_assert_max_num_queries, settings
    ):
        settings.CATALOGUE_CACHE_SECONDS = 0  # measure the rendering, not the page cache

        # Given 3 offerings, each with a place taken
        def add(count):
            for _ in range(count):
                offering = OfferingFactory(
                    hub=hubs["maths"], programme=ProgrammeFactory(network=hubs["maths"].network)
                )
                ApplicationFactory(offering=offering, state="accepted")

        add(3)
        url = f"{CATALOGUE}?near=LS1+4AP&open_only=on"
        few = count_queries(client, url)

        # When there are 30
        add(27)

        # Then a page of 20 takes no more queries than the page of 3
        with django_assert_max_num_queries(few):
            response = client.get(url)
        assert "30 offerings" in _text(response)
        assert "9 places left" in _text(response)


class TestOfferingPage:
    def test_shows_what_a_teacher_needs_to_decide(self, client, hubs, leeds_school):
        # Given an offering with a fee, at a hub with a lead school
        hub = hubs["maths"]
        hub.lead_school = leeds_school
        hub.save()
        offering = OfferingFactory(
            hub=hub,
            programme=ProgrammeFactory(
                network=hub.network,
                title="Fee Course",
                phase="secondary",
                key_stages="KS3, KS4",
                audience="class_teacher,subject_lead",
                funding_model="fee",
                fee=Decimal("150.00"),
                description="Six sessions on ratio.\n\nBring a laptop.",
            ),
            mode="face_to_face",
            venue="Leeds Lead Academy",
            planned_sessions=6,
            capacity=20,
        )
        ApplicationFactory(offering=offering, state="accepted")

        # When a visitor opens its page
        response = client.get(f"/programmes/offerings/{offering.pk}/")

        # Then they see dates, sessions, mode, places, audience, cost, hub and how to apply
        text = _text(response)
        assert response.status_code == 200
        assert '<h1 class="govuk-heading-xl">Fee Course</h1>' in text
        assert "15 January 2027 to 30 June 2027" in text
        assert "6 sessions" in text
        assert "Face to face<br>Venue: Leeds Lead Academy" in text
        assert "19 of 20" in text
        assert "<li>Class or subject teacher</li><li>Subject lead or head of department</li>" in (
            text
        )
        assert "Secondary" in text
        assert "Key stage 3, Key stage 4" in text
        assert "Fee payable by the school." in text
        assert "£150.00 a place, invoiced to the school when the place is confirmed" in text
        assert "full refund up to 14 days before the first session" in text
        assert "<p>Six sessions on ratio.</p>" in text
        assert "St Mary&#x27;s Catholic Primary School" in text  # the lead school
        assert "Open for applications until" in text
        assert f'href="/programmes/offerings/{offering.pk}/apply/"' in text

    def test_a_closed_offering_has_no_apply_button(self, client, hubs):
        offering = _closed(
            hub=hubs["maths"], programme=ProgrammeFactory(network=hubs["maths"].network)
        )

        text = _text(client.get(f"/programmes/offerings/{offering.pk}/"))

        assert "Applications closed on" in text
        assert "/apply/" not in text

    def test_an_unknown_offering_is_not_found(self, client, db):
        assert client.get("/programmes/offerings/999999/").status_code == 404


class TestPageCache:
    def test_a_signed_out_visitor_gets_the_same_page_again_without_queries(
        self, client, hubs, django_assert_num_queries
    ):
        offering = OfferingFactory(
            hub=hubs["maths"], programme=ProgrammeFactory(network=hubs["maths"].network)
        )
        first = client.get(CATALOGUE)

        with django_assert_num_queries(0):
            second = client.get(CATALOGUE)

        assert second.content == first.content
        assert f"{offering.capacity} places left" in _text(second)

    def test_a_decision_shows_at_once_in_the_places_left(self, client, hubs):
        offering = OfferingFactory(
            hub=hubs["maths"],
            programme=ProgrammeFactory(network=hubs["maths"].network),
            capacity=10,
        )
        assert "10 places left" in _text(client.get(CATALOGUE))

        ApplicationFactory(offering=offering, state="accepted")

        assert "9 places left" in _text(client.get(CATALOGUE))

    def test_signed_in_people_always_get_a_fresh_page(
        self, client, hubs, django_assert_max_num_queries
    ):
        OfferingFactory(
            hub=hubs["maths"], programme=ProgrammeFactory(network=hubs["maths"].network)
        )
        client.force_login(UserFactory())
        client.get(CATALOGUE)

        with CaptureQueriesContext(connection) as queries:
            response = client.get(CATALOGUE)

        assert response.status_code == 200
        assert len(queries.captured_queries) > 0


class TestOfferingPageBeforeApplying:
    """Session dates and times, and a signed-in teacher's eligibility, before pressing Apply."""

    @pytest.fixture
    def offering(self, hubs):
        return OfferingFactory(
            hub=hubs["maths"],
            programme=ProgrammeFactory(network=hubs["maths"].network, phase="primary"),
            planned_sessions=3,
        )

    def test_every_session_shows_its_date_and_uk_times(self, client, offering):
        # Given two sessions set, one of them in summer time
        london = timezone.get_current_timezone()
        first = datetime.datetime(YEAR + 1, 3, 3, 16, 0, tzinfo=london)
        summer = datetime.datetime(YEAR + 1, 6, 9, 9, 30, tzinfo=london)
        for start in (first, summer):
            SessionFactory(
                offering=offering, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
            )
        # When a visitor opens the offering
        text = _text(client.get(f"/programmes/offerings/{offering.pk}/"))
        # Then each session has its day, start and end in UK time, and a calendar file
        assert f"3 March {YEAR + 1}, 16:00 to 18:00" in text
        assert f"9 June {YEAR + 1}, 09:30 to 11:30" in text
        assert text.count("Add to calendar") == 2
        assert "3 sessions are planned; the hub will add the other dates." in text

    def test_a_teacher_who_can_apply_is_told_so(self, client, offering, leeds_school):
        teacher = UserFactory(school=leeds_school, job_role="class_teacher")
        client.force_login(teacher)
        text = _text(client.get(f"/programmes/offerings/{offering.pk}/"))
        assert "You can apply" in text and leeds_school.name.replace("'", "&#x27;") in text

    def test_a_teacher_who_cannot_apply_is_told_why_before_applying(self, client, offering):
        # Given a teacher at an independent school
        school = SchoolFactory(urn=199999, name="Private Prep", is_state_funded=False)
        client.force_login(UserFactory(school=school, job_role="class_teacher"))
        # When they open an offering for state-funded schools
        text = _text(client.get(f"/programmes/offerings/{offering.pk}/"))
        # Then they read why not, next to the button
        assert "You cannot apply for this offering." in text
        assert "open state-funded schools and colleges in England" in text

    def test_without_a_school_the_teacher_is_asked_to_add_it(self, client, offering):
        client.force_login(UserFactory())
        text = _text(client.get(f"/programmes/offerings/{offering.pk}/"))
        assert "Add your school to your account" in text

    def test_a_visitor_sees_no_eligibility_and_a_closed_offering_no_places(self, client, hubs):
        closed = _closed(
            hub=hubs["maths"], programme=ProgrammeFactory(network=hubs["maths"].network)
        )
        text = _text(client.get(f"/programmes/offerings/{closed.pk}/"))
        assert 'id="eligibility"' not in text and "Places left" not in text
