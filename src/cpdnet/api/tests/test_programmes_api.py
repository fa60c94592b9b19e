"""API v1: programmes, offerings with places left, filters, pages and updated_since."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cpdnet.applications.models import State
from cpdnet.hubs.services import ensure_networks
from cpdnet.programmes.models import Offering, Programme
from cpdnet.programmes.selectors import OfferingFilters, list_offerings
from tests.factories import ApplicationFactory, HubFactory, OfferingFactory, ProgrammeFactory

API = "/api/v1"
UTC = datetime.UTC


@pytest.fixture
def networks(db):
    return ensure_networks()


@pytest.fixture
def hubs(networks):
    return {
        "leeds": HubFactory(network=networks["maths"], slug="leeds-maths", name="Leeds Maths Hub"),
        "york": HubFactory(network=networks["maths"], slug="york-maths", name="York Maths Hub"),
        "science": HubFactory(
            network=networks["science"], slug="science-yorkshire", name="Science Yorkshire"
        ),
    }


@pytest.fixture
def programmes(networks):
    return {
        "primary": ProgrammeFactory(
            network=networks["maths"], slug="primary-mastery", title="Primary Mastery"
        ),
        "secondary": ProgrammeFactory(
            network=networks["maths"],
            slug="secondary-mastery",
            title="Secondary Mastery",
            phase="secondary",
            key_stages="KS3,KS4",
        ),
        "leadership": ProgrammeFactory(
            network=networks["maths"],
            slug="leading-maths",
            title="Leading Maths",
            phase="all",
            kind="course",
            funding_model="fee",
            fee=Decimal("150.00"),
            audience="subject_lead,senior_leader",
        ),
        "science": ProgrammeFactory(
            network=networks["science"],
            slug="primary-science",
            title="Primary Science",
            kind="webinar",
        ),
    }


def _offering(programme, hub, **fields) -> Offering:
    return OfferingFactory(programme=programme, hub=hub, **fields)


def _closed(**fields) -> dict:
    now = timezone.now()
    return {
        "applications_open_at": now - datetime.timedelta(days=60),
        "applications_close_at": now - datetime.timedelta(days=1),
        **fields,
    }


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _to_the_millisecond(moment: datetime.datetime) -> datetime.datetime:
    # JSON times are given to the millisecond (Django's encoder drops the rest).
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _set_updated_at(model, pk, moment) -> None:
    # update() skips auto_now, so a test can say when a row last changed.
    model.objects.filter(pk=pk).update(updated_at=moment)


class TestProgrammes:
    def test_lists_each_active_programme_with_lists_and_an_exact_fee(self, client, programmes):
        # Given a retired programme besides the four active ones
        ProgrammeFactory(slug="retired", is_active=False)

        # When the programmes are listed
        response = client.get(f"{API}/programmes")

        # Then the four active ones come back, with key stages and audience as lists
        assert response.status_code == 200
        body = {item["slug"]: item for item in response.json()}
        assert set(body) == {
            "primary-mastery",
            "secondary-mastery",
            "leading-maths",
            "primary-science",
        }
        leading = programmes["leadership"]
        assert body["leading-maths"] == {
            "id": leading.pk,
            "slug": "leading-maths",
            "title": "Leading Maths",
            "network": "maths",
            "subject": "maths",
            "phase": "all",
            "key_stages": ["KS1", "KS2"],
            "kind": "course",
            "audience": ["subject_lead", "senior_leader"],
            "funding_model": "fee",
            "fee": "150.00",
            "summary": leading.summary,
            "updated_at": body["leading-maths"]["updated_at"],
        }
        assert datetime.datetime.fromisoformat(body["leading-maths"]["updated_at"]) == (
            _to_the_millisecond(Programme.objects.get(pk=leading.pk).updated_at)
        )
        assert body["primary-science"]["network"] == "science"
        assert body["primary-mastery"]["fee"] == "0.00"

    def test_takes_the_same_queries_for_3_or_30_programmes(
        self, client, networks, django_assert_max_num_queries
    ):
        for _ in range(3):
            ProgrammeFactory(network=networks["maths"])
        few = _queries(client, f"{API}/programmes")

        for _ in range(27):
            ProgrammeFactory(network=networks["science"])

        with django_assert_max_num_queries(few):
            body = client.get(f"{API}/programmes").json()
        assert len(body) == 30
        assert few == 1


class TestOfferingList:
    def test_describes_each_offering_with_the_places_left(self, client, programmes, hubs):
        # Given an offering of 10 places: 3 held (accepted, offered, completed), 2 not
        offering = _offering(programmes["primary"], hubs["leeds"], cohort_name="Cohort A")
        for state in (State.ACCEPTED, State.PLACE_OFFERED, State.COMPLETED):
            ApplicationFactory(offering=offering, state=state)
        for state in (State.SUBMITTED, State.WITHDRAWN):
            ApplicationFactory(offering=offering, state=state)
        offering.refresh_from_db()

        # When the offerings are listed
        response = client.get(f"{API}/offerings")

        # Then it has 7 places left and is open
        assert response.status_code == 200
        body = response.json()
        assert (body["count"], body["page"], body["page_size"]) == (1, 1, 20)
        item = body["items"][0]
        assert item == {
            "id": offering.pk,
            "programme": "primary-mastery",
            "programme_title": "Primary Mastery",
            "network": "maths",
            "subject": "maths",
            "phase": "primary",
            "kind": "work_group",
            "hub": "leeds-maths",
            "hub_name": "Leeds Maths Hub",
            "academic_year": 2026,
            "cohort_name": "Cohort A",
            "capacity": 10,
            "school_capacity": None,
            "places_left": 7,
            "mode": "online",
            "venue": "",
            "planned_sessions": 4,
            "starts_on": "2027-01-15",
            "ends_on": "2027-06-30",
            "applications_open_at": item["applications_open_at"],
            "applications_close_at": item["applications_close_at"],
            "is_open": True,
            "local_only": True,
            "requires_school_approval": True,
            "updated_at": item["updated_at"],
        }
        assert datetime.datetime.fromisoformat(item["applications_open_at"]) == (
            _to_the_millisecond(offering.applications_open_at)
        )
        assert datetime.datetime.fromisoformat(item["updated_at"]) == _to_the_millisecond(
            max(offering.updated_at, Programme.objects.get(pk=offering.programme_id).updated_at)
        )

    def test_a_full_offering_has_no_places_left_and_never_fewer(self, client, programmes, hubs):
        offering = _offering(programmes["primary"], hubs["leeds"], capacity=2)
        for _ in range(3):  # one over capacity, as an admin correction could leave it
            ApplicationFactory(offering=offering, state=State.ACCEPTED)

        item = client.get(f"{API}/offerings").json()["items"][0]

        assert item["places_left"] == 0

    def test_gives_the_same_offerings_order_and_places_as_the_pages(self, client, programmes, hubs):
        # Given offerings at several hubs and dates, some with places taken
        for day, hub in enumerate(["leeds", "york", "science", "leeds", "york"]):
            programme = programmes["science" if hub == "science" else "primary"]
            offering = _offering(
                programme, hubs[hub], starts_on=datetime.date(2027, 1, 1 + day % 3)
            )
            for _ in range(day):
                ApplicationFactory(offering=offering, state=State.ACCEPTED)

        # When the API and the pages' selector are asked the same
        body = client.get(f"{API}/offerings", {"subject": "maths"}).json()
        expected = list_offerings(OfferingFilters(subject="maths"))

        # Then they agree row for row
        assert [(item["id"], item["places_left"]) for item in body["items"]] == [
            (offering.pk, offering.places_left) for offering in expected
        ]
        assert body["count"] == 4

    def test_filters_by_hub_subject_phase_kind_and_year(self, client, programmes, hubs):
        primary_leeds = _offering(programmes["primary"], hubs["leeds"])
        secondary_york = _offering(programmes["secondary"], hubs["york"])
        leading_leeds = _offering(programmes["leadership"], hubs["leeds"], academic_year=2027)
        science = _offering(programmes["science"], hubs["science"])

        def ids(**params):
            return set(_ids(client.get(f"{API}/offerings", params)))

        assert ids(hub="leeds-maths") == {primary_leeds.pk, leading_leeds.pk}
        assert ids(subject="science") == {science.pk}
        # a programme for all phases is listed under each phase
        assert ids(phase="secondary") == {secondary_york.pk, leading_leeds.pk}
        assert ids(kind="course") == {leading_leeds.pk}
        assert ids(year=2027) == {leading_leeds.pk}
        assert ids(hub="leeds-maths", year=2026) == {primary_leeds.pk}
        assert ids(hub="no-such-hub") == set()

    def test_open_true_lists_open_offerings_and_open_false_the_others(
        self, client, programmes, hubs
    ):
        # Given one offering open now, one closed and one not yet open
        now = timezone.now()
        open_now = _offering(programmes["primary"], hubs["leeds"])
        closed = _offering(programmes["primary"], hubs["leeds"], **_closed())
        later = _offering(
            programmes["primary"],
            hubs["leeds"],
            applications_open_at=now + datetime.timedelta(days=1),
            applications_close_at=now + datetime.timedelta(days=20),
        )

        # When filtered by open
        opened = client.get(f"{API}/offerings", {"open": "true"}).json()
        not_open = client.get(f"{API}/offerings", {"open": "false"}).json()
        every = client.get(f"{API}/offerings").json()

        # Then each list has the right ones, each saying whether it is open
        assert [item["id"] for item in opened["items"]] == [open_now.pk]
        assert {item["id"] for item in not_open["items"]} == {closed.pk, later.pk}
        assert {item["id"]: item["is_open"] for item in every["items"]} == {
            open_now.pk: True,
            closed.pk: False,
            later.pk: False,
        }

    def test_pages_through_offerings_keeping_the_total(self, client, programmes, hubs):
        offerings = [_offering(programmes["primary"], hubs["leeds"]) for _ in range(5)]

        first = client.get(f"{API}/offerings", {"page_size": 2}).json()
        last = client.get(f"{API}/offerings", {"page_size": 2, "page": 3}).json()
        beyond = client.get(f"{API}/offerings", {"page_size": 2, "page": 4}).json()

        assert (first["count"], [item["id"] for item in first["items"]]) == (
            5,
            [offerings[0].pk, offerings[1].pk],
        )
        assert [item["id"] for item in last["items"]] == [offerings[4].pk]
        assert (beyond["count"], beyond["items"]) == (5, [])

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"page_size": 0}, "page_size"),
            ({"page_size": 101}, "page_size"),
            ({"page": 0}, "page"),
            ({"kind": "party"}, "kind"),
            ({"phase": "university"}, "phase"),
            ({"open": "perhaps"}, "open"),
            ({"year": "next"}, "year"),
            ({"updated_since": "yesterday"}, "updated_since"),
            ({"updated_since": "2025-13-01T00:00"}, "updated_since"),
            ({"hub": "h" * 81}, "hub"),
        ],
        ids=[
            "page-size-0",
            "page-size-101",
            "page-0",
            "unknown-kind",
            "unknown-phase",
            "open-not-a-boolean",
            "year-not-a-number",
            "updated-since-not-a-date",
            "updated-since-month-13",
            "hub-too-long",
        ],
    )
    def test_rejects_invalid_parameters_with_a_reason(self, client, db, params, field):
        response = client.get(f"{API}/offerings", params)

        assert response.status_code == 422
        body = response.json()
        assert body["detail"]
        assert [error["loc"][-1] for error in body["errors"]] == [field]
        assert body["errors"][0]["msg"]

    def test_a_page_of_a_hundred_is_allowed(self, client, db):
        assert client.get(f"{API}/offerings", {"page_size": 100}).status_code == 200

    def test_takes_the_same_queries_for_3_or_30_offerings(
        self, client, programmes, hubs, django_assert_max_num_queries
    ):
        # Given 3 offerings with places taken
        def make(count):
            for n in range(count):
                offering = _offering(
                    programmes["primary"], hubs["leeds" if n % 2 else "york"], capacity=5
                )
                ApplicationFactory(offering=offering, state=State.ACCEPTED)

        make(3)
        url = f"{API}/offerings?page_size=100"
        few = _queries(client, url)

        # When there are 30
        make(27)

        # Then listing them takes no more queries
        with django_assert_max_num_queries(few):
            body = client.get(url).json()
        assert len(body["items"]) == 30
        assert {item["places_left"] for item in body["items"]} == {4}
        assert few <= 2


class TestOfferingsUpdatedSince:
    @pytest.fixture
    def summer_offering(self, programmes, hubs):
        """An offering and its programme last changed at 11:30 UTC (12:30 in London) in July."""
        offering = _offering(programmes["primary"], hubs["leeds"])
        _set_updated_at(Offering, offering.pk, datetime.datetime(2025, 7, 1, 11, 30, tzinfo=UTC))
        _set_updated_at(
            Programme, offering.programme_id, datetime.datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
        )
        return offering

    def test_lists_offerings_changed_at_or_after_the_time(self, client, summer_offering):
        at = client.get(f"{API}/offerings", {"updated_since": "2025-07-01T11:30:00Z"})
        after = client.get(f"{API}/offerings", {"updated_since": "2025-07-01T11:30:01Z"})

        assert _ids(at) == [summer_offering.pk]
        assert _ids(after) == []

    def test_the_last_updated_at_seen_asks_again_without_missing_the_row(
        self, client, summer_offering
    ):
        # Given a change within a millisecond (JSON drops the microseconds)
        moment = datetime.datetime(2025, 7, 1, 11, 30, 0, 123456, tzinfo=UTC)
        _set_updated_at(Offering, summer_offering.pk, moment)
        seen = client.get(f"{API}/offerings").json()["items"][0]["updated_at"]

        # When a client asks for changes since the updated_at it saw
        response = client.get(f"{API}/offerings", {"updated_since": seen})

        # Then the row comes again rather than being missed
        assert seen == "2025-07-01T11:30:00.123Z"
        assert _ids(response) == [summer_offering.pk]

    def test_a_time_without_an_offset_is_uk_time(self, client, summer_offering):
        # 12:00 in London in July is 11:00 UTC, before the change; 12:00 UTC is after it
        london = client.get(f"{API}/offerings", {"updated_since": "2025-07-01T12:00:00"})
        utc = client.get(f"{API}/offerings", {"updated_since": "2025-07-01T12:00:00+00:00"})

        assert _ids(london) == [summer_offering.pk]
        assert _ids(utc) == []

    def test_a_change_to_the_programme_lists_its_offerings_again(self, client, summer_offering):
        # Given the programme changed after the offering did
        changed = datetime.datetime(2025, 8, 1, 10, 0, tzinfo=UTC)
        _set_updated_at(Programme, summer_offering.programme_id, changed)

        # When asked for changes since the offering's own change
        response = client.get(f"{API}/offerings", {"updated_since": "2025-07-15T00:00:00Z"})

        # Then the offering is listed, dated by its programme's change
        assert _ids(response) == [summer_offering.pk]
        item = response.json()["items"][0]
        assert datetime.datetime.fromisoformat(item["updated_at"]) == changed


class TestOfferingDetail:
    def test_gives_the_offering_with_places_left_and_the_programme_text(
        self, client, programmes, hubs
    ):
        offering = _offering(programmes["leadership"], hubs["york"], capacity=3)
        ApplicationFactory(offering=offering, state=State.ACCEPTED)

        response = client.get(f"{API}/offerings/{offering.pk}")

        assert response.status_code == 200
        body = response.json()
        assert (body["id"], body["programme"], body["hub"], body["places_left"]) == (
            offering.pk,
            "leading-maths",
            "york-maths",
            2,
        )
        assert body["programme_summary"] == programmes["leadership"].summary
        assert body["programme_description"] == programmes["leadership"].description

    def test_the_list_and_the_detail_agree(self, client, programmes, hubs):
        offering = _offering(programmes["primary"], hubs["leeds"])
        ApplicationFactory(offering=offering, state=State.ACCEPTED)

        listed = client.get(f"{API}/offerings").json()["items"][0]
        detail = client.get(f"{API}/offerings/{offering.pk}").json()

        assert {key: detail[key] for key in listed} == listed

    def test_an_unknown_offering_is_a_json_404_with_a_reason(self, client, db):
        response = client.get(f"{API}/offerings/999999")

        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"detail": "No offering has the id 999999."}

    @pytest.mark.parametrize("offering_id", ["abc", "0", "-1", "1.5", "9" * 30])
    def test_an_id_that_is_not_a_positive_number_is_a_422(self, client, db, offering_id):
        response = client.get(f"{API}/offerings/{offering_id}")

        assert response.status_code == 422
        assert response.json()["detail"]


class TestSchema:
    def test_the_openapi_document_lists_the_programme_and_offering_paths(self, client, db):
        response = client.get(f"{API}/openapi.json")

        assert response.status_code == 200
        paths = response.json()["paths"]
        assert {"/api/v1/programmes", "/api/v1/offerings", "/api/v1/offerings/{offering_id}"} <= (
            set(paths)
        )
        parameters = {
            parameter["name"] for parameter in paths["/api/v1/offerings"]["get"]["parameters"]
        }
        assert parameters == {
            "hub",
            "subject",
            "phase",
            "kind",
            "open",
            "updated_since",
            "year",
            "page",
            "page_size",
        }
        assert "security" not in paths["/api/v1/offerings"]["get"]
