"""The demo's programme documents, materials library, webinar slides and registrants from
beyond schools; loading again adds nothing."""

import pytest
from django.db import transaction
from django.test import override_settings

from cpdnet.delivery.materials_demo import (
    PD_LEAD_PROGRAMMES,
    finished_webinar_with_slides,
    load_demo_materials,
)
from cpdnet.delivery.models import Material, ProgrammeDocument, Resource
from cpdnet.delivery.selectors import information_sheet
from cpdnet.events.demo import first_open_webinar, load_demo_audiences
from cpdnet.events.selectors import count_by_organisation
from cpdnet.programmes.demo import load_demo_programmes, load_demo_sessions
from cpdnet.programmes.models import Programme
from cpdnet.programmes.tests.test_demo import FAST_HASHERS, load_register


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the demo once for the module; roll it back after."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        load_register()
        load_demo_programmes()
        load_demo_sessions()
        first = load_demo_materials()
        webinars = [first_open_webinar(), finished_webinar_with_slides()]
        wider = load_demo_audiences([webinar for webinar in webinars if webinar])
        again = (load_demo_materials(), load_demo_audiences(webinars))
        yield {"first": first, "wider": wider, "again": again, "webinars": webinars}
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded, db):
    return loaded


def test_pd_lead_and_the_residential_have_an_information_sheet(demo):
    for slug in (*PD_LEAD_PROGRAMMES, "a-level-residential"):
        sheet = information_sheet(Programme.objects.get(slug=slug))
        assert sheet is not None and sheet.has_file
    assert ProgrammeDocument.objects.filter(kind="assessment_criteria").count() == len(
        PD_LEAD_PROGRAMMES
    )


def test_library_materials_are_reused_by_several_offerings(demo):
    assert Material.objects.count() == 4
    assert (
        Resource.objects.filter(material__isnull=False).values("offering").distinct().count() >= 6
    )
    assert max(material.resources.count() for material in Material.objects.all()) >= 2


def test_a_finished_webinar_has_slides_next_to_its_recording_and_wider_registrants(demo):
    open_webinar, finished = demo["webinars"]
    assert finished is not None and open_webinar is not None
    counts = count_by_organisation(finished)
    assert counts.from_other_organisations == 3
    labels = [label for label, _count in counts.other_by_kind]
    assert "University" in labels and "Industry or business" in labels


def test_science_technicians_are_an_audience_of_a_science_programme(demo):
    programme = Programme.objects.get(slug="science-technicians-course")
    assert "science_technician" in programme.audience_roles


def test_loading_again_adds_nothing(demo):
    materials, wider = demo["again"]
    assert materials == {"documents": 0, "materials": 0, "reused": 0}
    assert wider == 0
    assert demo["first"]["documents"] == 2 * len(PD_LEAD_PROGRAMMES) + 1
