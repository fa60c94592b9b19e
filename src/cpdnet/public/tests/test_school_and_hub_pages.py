"""A school's page with its hubs, the hub pages and the list of hubs."""

import pytest

from cpdnet.hubs.models import HubArea, HubSchoolOverride
from cpdnet.schools.models import District, SchoolStatus
from tests.factories import HubAreaFactory, HubFactory, SchoolFactory, UserFactory

from .conftest import count_queries


def _text(response) -> str:
    return response.content.decode()


def _school_url(school) -> str:
    return f"/find-your-hub/schools/{school.urn}/"


class TestSchoolPage:
    def test_shows_the_schools_hub_in_each_network_with_its_map(self, client, leeds_school):
        response = client.get(_school_url(leeds_school))

        text = _text(response)
        assert response.status_code == 200
        assert '<h1 class="govuk-heading-xl">St Mary&#x27;s Catholic Primary School</h1>' in text
        assert text.index("Maths hub</h2>") < text.index("Science learning partnership</h2>")
        assert 'href="/hubs/west-yorkshire-maths-hub/">West Yorkshire Maths Hub</a>' in text
        assert 'href="/hubs/science-yorkshire/">Science Yorkshire</a>' in text
        assert "Map of the area served by West Yorkshire Maths Hub" in text
        assert "Leeds Lead Academy" in text
        assert 'href="/find-your-hub/schools/107999/different-hub/"' in text

    def test_says_when_a_network_has_no_hub_for_the_school(self, client, hubs):
        lancaster = SchoolFactory(la_code="888", la_name="Lancashire", district_code="E07000121")

        text = _text(client.get(_school_url(lancaster)))

        assert "North Lancs Maths Hub" in text
        assert "Abacus NW Maths Hub" not in text
        assert "No science learning partnership serves this school's area." in text

    def test_shows_the_hub_a_school_was_moved_to(self, client, hubs, leeds_school):
        HubSchoolOverride.objects.create(school=leeds_school, hub=hubs["north"])

        text = _text(client.get(_school_url(leeds_school)))

        assert "North Lancs Maths Hub" in text
        assert "West Yorkshire Maths Hub" not in text
        assert "Science Yorkshire" in text

    def test_a_closed_school_says_so_and_links_to_its_successor(self, client, hubs):
        successor = SchoolFactory(urn=200002, name="New Academy")
        closed = SchoolFactory(
            urn=200001, name="Old School", status=SchoolStatus.CLOSED, successor=successor
        )

        text = _text(client.get(_school_url(closed)))

        assert "Closed</strong>" in text
        assert "This school is closed" in text
        assert '<a class="govuk-link" href="/find-your-hub/schools/200002/">New Academy</a>' in text

    def test_a_closed_school_links_to_the_end_of_a_chain_of_successors(self, client, hubs):
        today = SchoolFactory(urn=200013, name="Trust Academy")
        middle = SchoolFactory(
            urn=200012, name="Interim School", status=SchoolStatus.CLOSED, successor=today
        )
        first = SchoolFactory(
            urn=200011, name="First School", status=SchoolStatus.CLOSED, successor=middle
        )

        text = _text(client.get(_school_url(first)))

        assert 'href="/find-your-hub/schools/200013/">Trust Academy</a>' in text

    def test_an_open_school_is_not_marked_closed(self, client, leeds_school):
        text = _text(client.get(_school_url(leeds_school)))

        assert "This school is closed" not in text

    def test_an_unknown_urn_is_not_found(self, client, hubs):
        assert client.get("/find-your-hub/schools/999998/").status_code == 404

    def test_takes_the_same_queries_however_many_areas_its_hubs_serve(
        self, client, hubs, leeds_school, django_assert_max_num_queries
    ):
        # Given the school's hubs serve 3 places
        url = _school_url(leeds_school)
        HubAreaFactory(hub=hubs["maths"], local_authority_id="330")
        HubAreaFactory(hub=hubs["science"], local_authority_id="888")
        few = count_queries(client, url)

        # When they serve 30 more
        districts = District.objects.exclude(local_authority_id__in=["383", "888", "330"])
        for district in districts.order_by("code")[:30]:
            HubAreaFactory(
                hub=hubs["maths"], local_authority_id=district.local_authority_id, district=district
            )
        client.get(url)

        # Then the page takes no more queries
        with django_assert_max_num_queries(few):
            response = client.get(url)
        assert HubArea.objects.filter(hub=hubs["maths"]).count() == 32
        assert _text(response).count("(part of ") == 30


class TestHubPages:
    def test_a_hub_page_shows_its_areas_and_map(self, client, hubs):
        HubAreaFactory(hub=hubs["north"], local_authority_id="888", district_id="E07000128")

        response = client.get("/hubs/north-lancs/")

        text = _text(response)
        assert response.status_code == 200
        assert "North Lancs Maths Hub" in text
        assert 'Lancaster <span class="govuk-body-s">(part of Lancashire)</span>' in text
        assert 'Wyre <span class="govuk-body-s">(part of Lancashire)</span>' in text
        assert "app-map__area--part" in text

    def test_a_hub_without_areas_has_no_map(self, client, networks):
        HubFactory(network=networks["maths"], slug="empty-hub", name="Empty Hub")

        text = _text(client.get("/hubs/empty-hub/"))

        assert "Empty Hub" in text
        assert "<svg viewBox" not in text

    def test_an_unknown_hub_is_not_found(self, client, hubs):
        assert client.get("/hubs/no-such-hub/").status_code == 404

    def test_the_hub_list_shows_every_hub_under_its_network(self, client, hubs):
        response = client.get("/hubs/")

        text = _text(response)
        assert response.status_code == 200
        maths, science = (
            text.index("Maths Hubs</h2>"),
            text.index("Science Learning Partnerships</h2>"),
        )
        for slug in ("west-yorkshire-maths-hub", "abacus", "north-lancs"):
            assert maths < text.index(f'href="/hubs/{slug}/"') < science
        assert science < text.index('href="/hubs/science-yorkshire/"')

    @pytest.mark.parametrize("count", [3, 30])
    def test_the_hub_list_takes_the_same_queries_however_many_hubs(
        self, client, networks, django_assert_max_num_queries, count
    ):
        for _ in range(count):
            HubFactory(network=networks["maths"], lead_school=SchoolFactory())
        client.get("/hubs/")

        # The hub directory's five reads: the test's open transaction makes each request load it.
        with django_assert_max_num_queries(6):
            response = client.get("/hubs/")
        assert _text(response).count('<a class="govuk-link" href="/hubs/') == count


class TestProvenance:
    """Where hub details were gathered from is for national staff, not the public."""

    @pytest.fixture
    def noted_hub(self, hubs, leeds_school):
        hub = hubs["maths"]
        hub.lead_school = leeds_school
        hub.lead_school_name = "St Mary's RC Primary"
        hub.areas_note = "NCETM page council areas"
        hub.source = "https://example.org/hub-page scraped 2025"
        hub.save()
        HubArea.objects.filter(hub=hub).update(basis="assumed")
        return hub

    NOTES = ("As the hub words it", "NCETM page council areas", "Assumed", "Where these details")

    def test_the_public_sees_plain_facts(self, client, noted_hub, leeds_school):
        for url in (f"/hubs/{noted_hub.slug}/", f"/find-your-hub/schools/{leeds_school.urn}/"):
            text = client.get(url).content.decode()
            assert noted_hub.name in text
            assert not [note for note in self.NOTES if note in text], url

    def test_national_staff_see_where_details_come_from(self, client, noted_hub):
        client.force_login(UserFactory(is_staff=True))
        text = client.get(f"/hubs/{noted_hub.slug}/").content.decode()
        assert all(note in text for note in self.NOTES)
