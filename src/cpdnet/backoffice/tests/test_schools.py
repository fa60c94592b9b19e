"""Back-office schools pages: verified email domains and confirming who works where.

Hub A serves Leeds (383), hub B serves Bradford (380); staff of A look after Leeds schools only.
"""

import pytest

from cpdnet.applications.models import Affiliation, AffiliationState, VerifiedDomain
from cpdnet.audit.models import AuditEntry
from tests.factories import HubAreaFactory, SchoolFactory, TeacherFactory

from .helpers import count_queries

SCHOOLS = "/backoffice/schools/"


@pytest.fixture
def world(hub_world):
    HubAreaFactory(hub=hub_world.hub_a, local_authority_id="383")
    HubAreaFactory(hub=hub_world.hub_b, local_authority_id="380")
    hub_world.leeds = SchoolFactory(name="Leeds Primary", trust_name="White Rose Trust")
    hub_world.bradford = SchoolFactory(name="Bradford Primary", la_code="380")
    return hub_world


def _school_url(school) -> str:
    return f"{SCHOOLS}{school.urn}/"


def _claim(school, name) -> Affiliation:
    person = TeacherFactory(school=school, full_name=name)
    return Affiliation.objects.create(person=person, school=school)


class TestVerifiedDomains:
    def test_hub_staff_verify_a_domain_for_a_school_of_their_hub(self, world, signed_in):
        client = signed_in(world.staff_a)

        response = client.post(
            _school_url(world.leeds) + "domains/",
            {"domain": "leedsprimary.example.org"},
            follow=True,
        )

        text = response.content.decode()
        assert (
            "Addresses on leedsprimary.example.org can now release staff of Leeds Primary" in text
        )
        assert '<td class="govuk-table__cell">leedsprimary.example.org</td>' in text
        assert VerifiedDomain.objects.get().school == world.leeds
        assert AuditEntry.objects.get().action == "applications.verified_domain.added"

    def test_a_domain_for_the_whole_trust(self, world, signed_in):
        signed_in(world.staff_a).post(
            _school_url(world.leeds) + "domains/",
            {"domain": "whiterose.example.org", "for_trust": "on"},
        )

        verified = VerifiedDomain.objects.get()
        assert (verified.school, verified.trust_name) == (None, "White Rose Trust")

    def test_public_webmail_is_refused_on_the_page_with_the_reason(self, world, signed_in):
        response = signed_in(world.staff_a).post(
            _school_url(world.leeds) + "domains/", {"domain": "gmail.com"}
        )

        text = response.content.decode()
        assert response.status_code == 200
        assert "<title>Error: Leeds Primary" in text
        assert "gmail.com is a public email service anyone can sign up to" in text
        assert not VerifiedDomain.objects.exists()

    def test_hub_staff_remove_a_domain_and_it_is_audited(self, world, signed_in):
        verified = VerifiedDomain.objects.create(domain="leeds.example.org", school=world.leeds)

        signed_in(world.staff_a).post(_school_url(world.leeds) + f"domains/{verified.pk}/remove/")

        assert not VerifiedDomain.objects.exists()
        assert AuditEntry.objects.get().action == "applications.verified_domain.removed"

    def test_another_hubs_school_is_not_found_and_nothing_changes(self, world, signed_in):
        client = signed_in(world.staff_a)
        verified = VerifiedDomain.objects.create(domain="bfd.example.org", school=world.bradford)

        assert client.get(_school_url(world.bradford)).status_code == 404
        assert (
            client.post(_school_url(world.bradford) + "domains/", {"domain": "x.example.org"})
        ).status_code == 404
        assert (
            client.post(_school_url(world.bradford) + f"domains/{verified.pk}/remove/")
        ).status_code == 404
        # nor can a domain of another school be removed through this school's page
        assert (
            client.post(_school_url(world.leeds) + f"domains/{verified.pk}/remove/")
        ).status_code == 404
        assert VerifiedDomain.objects.count() == 1

    def test_national_staff_look_after_every_school(self, world, signed_in):
        assert signed_in(world.national).get(_school_url(world.bradford)).status_code == 200

    def test_a_teacher_is_forbidden(self, world, signed_in):
        assert signed_in(world.teacher).get(_school_url(world.leeds)).status_code == 403


class TestConfirmingWhoWorksWhere:
    def test_hub_staff_see_only_their_hubs_people_and_confirm_one(self, world, signed_in):
        mine = _claim(world.leeds, "Lee Leeds")
        _claim(world.bradford, "Bea Bradford")
        client = signed_in(world.staff_a)

        page = client.get(SCHOOLS).content.decode()
        assert "Lee Leeds" in page
        assert "Bea Bradford" not in page

        response = client.post(f"{SCHOOLS}people/{mine.pk}/", {"decision": "confirm"}, follow=True)

        assert "Lee Leeds works at Leeds Primary: confirmed." in response.content.decode()
        mine.refresh_from_db()
        assert mine.state == AffiliationState.CONFIRMED

    def test_another_hubs_person_is_not_found(self, world, signed_in):
        theirs = _claim(world.bradford, "Bea Bradford")

        response = signed_in(world.staff_a).post(
            f"{SCHOOLS}people/{theirs.pk}/", {"decision": "confirm"}
        )

        assert response.status_code == 404
        theirs.refresh_from_db()
        assert theirs.state == AffiliationState.CLAIMED

    def test_search_finds_only_schools_of_the_hub(self, world, signed_in):
        text = signed_in(world.staff_a).get(SCHOOLS + "?q=primary").content.decode()

        assert f'href="{_school_url(world.leeds)}"' in text
        assert f'href="{_school_url(world.bradford)}"' not in text

    def test_the_waiting_list_takes_the_same_queries_for_3_or_30_people(
        self, world, signed_in, django_assert_max_num_queries
    ):
        client = signed_in(world.staff_a)
        for number in range(3):
            _claim(world.leeds, f"Person {number}")
        few = count_queries(client, SCHOOLS)
        for number in range(27):
            _claim(world.leeds, f"Someone {number}")

        with django_assert_max_num_queries(few):
            response = client.get(SCHOOLS)
        assert "30 people say they work at a school of your hubs" in response.content.decode()
