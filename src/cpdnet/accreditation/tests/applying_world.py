"""Applying to accreditation programmes: a maths hub serving Leeds (A) and one serving
Lancashire (B), a secondary PD Lead programme run by hub A, and the people who apply, endorse
and select. The `world` fixture is made available by conftest."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cpdnet.accreditation.models import Accreditation
from cpdnet.delivery.models import DocumentKind, ProgrammeDocument
from cpdnet.delivery.uploads import keep
from cpdnet.hubs import directory
from cpdnet.hubs.services import ensure_networks
from cpdnet.programmes.academic_years import current_academic_year
from cpdnet.schools.services import load_local_authorities
from tests.factories import (
    HubAreaFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)


@dataclass
class World:
    network: object
    hub_a: object
    hub_b: object
    school_a: object
    school_b: object
    programme: object
    offering: object
    lead_a: object
    lead_b: object
    national: object
    teacher: object
    year: int


@pytest.fixture
def world(db, monkeypatch) -> World:
    load_local_authorities()
    maths = ensure_networks()["maths"]
    hub_a = HubFactory(network=maths, slug="hub-a", name="Abacus Maths Hub")
    hub_b = HubFactory(network=maths, slug="hub-b", name="Bede Maths Hub")
    HubAreaFactory(hub=hub_a, local_authority_id="383")
    HubAreaFactory(hub=hub_b, local_authority_id="888")
    school_a = SchoolFactory(name="Leeds Secondary", phase="Secondary")
    school_b = SchoolFactory(
        name="Preston Secondary", phase="Secondary", la_code="888", district_code="E07000123"
    )
    programme = ProgrammeFactory(
        network=maths,
        title="PD Lead Programme (secondary)",
        kind="accreditation",
        phase="secondary",
        key_stages="KS3,KS4",
        audience="subject_lead,senior_leader,class_teacher",
    )
    year = current_academic_year()
    offering = OfferingFactory(
        programme=programme, hub=hub_a, academic_year=year, capacity=5, local_only=False
    )
    lead_a = UserFactory(email="lead@hub-a.example.org", full_name="Ann Lead")
    RoleAssignmentFactory(user=lead_a, role="hub_staff", hub=hub_a)
    lead_b = UserFactory(email="lead@hub-b.example.org", full_name="Bea Lead")
    RoleAssignmentFactory(user=lead_b, role="hub_staff", hub=hub_b)
    national = UserFactory(email="national@example.org", full_name="Nat Ional")
    RoleAssignmentFactory(user=national, role="national_staff")
    teacher = TeacherFactory(
        email="sam@leeds-secondary.example.org",
        full_name="Sam Subjectlead",
        school=school_a,
        job_role="subject_lead",
    )
    # Built inside the test's transaction: let the hub directory treat it as committed.
    monkeypatch.setattr(directory, "_uncommitted_change", False)
    return World(
        network=maths,
        hub_a=hub_a,
        hub_b=hub_b,
        school_a=school_a,
        school_b=school_b,
        programme=programme,
        offering=offering,
        lead_a=lead_a,
        lead_b=lead_b,
        national=national,
        teacher=teacher,
        year=year,
    )


def add_information_sheet(programme) -> ProgrammeDocument:
    """Publish a (tiny, real) PDF information sheet for the programme."""
    stored = keep(ContentFile(b"%PDF-1.4\n% PD Lead information sheet\n"), extension="pdf")
    return ProgrammeDocument.objects.create(
        programme=programme,
        kind=DocumentKind.INFORMATION_SHEET,
        title="PD Lead programme information sheet",
        stored_name=stored,
        original_name="pd-lead-information-sheet.pdf",
        content_type="application/pdf",
        size_bytes=40,
    )


_codes = iter(range(10_000, 99_999))


def accredit(person, *, phase="secondary", hub=None, accredited_on=None, **fields):
    """An accreditation awarded a year ago and valid for three years, unless told otherwise."""
    today = timezone.localdate()
    accredited_on = accredited_on or today - datetime.timedelta(days=365)
    return Accreditation.objects.create(
        holder=person,
        phase=phase,
        hub=hub,
        code=f"PDL-TEST{next(_codes)}",
        accredited_on=accredited_on,
        valid_until=fields.pop("valid_until", accredited_on + datetime.timedelta(days=3 * 365)),
        **fields,
    )
