"""Each network names its own parts: science pages read as the science network's own."""

import pytest
from django.urls import reverse

from cpdnet.accounts.models import JobRole
from cpdnet.hubs.services import ensure_networks
from cpdnet.hubs.vocabulary import network_job_roles, network_words
from tests.factories import HubFactory, OfferingFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_a_network_without_its_own_words_reads_as_the_maths_hubs():
    words = network_words(None)

    assert (words.Hub, words.hubs, words.Lead_school) == ("Hub", "maths hubs", "Lead school")


def test_the_science_network_has_its_own_words_kinds_and_audiences():
    science = ensure_networks()["science"]

    words = network_words(science)

    assert (words.Hub, words.Hubs) == (
        "Science learning partnership",
        "Science learning partnerships",
    )
    assert words.Lead_school == "Lead school or college"
    assert "Work Groups" not in words.kinds_offered
    assert "Science technician" in words.audiences
    assert JobRole.SCIENCE_TECHNICIAN in network_job_roles(science)


def test_science_pages_use_the_science_words_and_maths_pages_keep_theirs(client):
    networks = ensure_networks()
    science_hub = HubFactory(network=networks["science"], name="Yorkshire Science Partnership")
    maths_hub = HubFactory(network=networks["maths"], name="Abacus Maths Hub")

    science_page = client.get(reverse("public:hub", kwargs={"slug": science_hub.slug}))
    maths_page = client.get(reverse("public:hub", kwargs={"slug": maths_hub.slug}))
    hubs_page = client.get(reverse("public:hubs")).content.decode()

    science_html = science_page.content.decode()
    assert "Lead school or college" in science_html
    assert "Science learning partnership offering courses" in science_html
    assert "science technician" in science_html
    maths_html = maths_page.content.decode()
    assert "Maths hub offering Work Groups" in maths_html
    assert "Lead school or college" not in maths_html
    assert "science technician" not in maths_html
    assert '<th scope="col" class="govuk-table__header">Science learning partnership</th>' in (
        hubs_page
    )
    assert '<th scope="col" class="govuk-table__header">Maths hub</th>' in hubs_page


def test_a_science_offering_page_names_its_partnership_and_lead_school_in_science_words(client):
    science = ensure_networks()["science"]
    offering = OfferingFactory(
        hub=HubFactory(network=science),
        programme=ProgrammeFactory(network=science, title="Science Technicians Course"),
    )

    html = client.get(reverse("public:offering", kwargs={"offering_id": offering.pk})).content

    assert b'<dt class="govuk-summary-list__key">Science learning partnership</dt>' in html
    assert b'<dt class="govuk-summary-list__key">Lead school or college</dt>' in html
