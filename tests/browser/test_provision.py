"""Journeys of the provision model in a real browser, with axe on every page: a college
teacher applying, a national residential and the participant's stay, a national provider's
staff deciding applications, a school leader swapping a lead participant, and a year-two
participant continuing a three-year programme."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cpdnet.applications.models import Application, LeadParticipantSwap, State
from cpdnet.hubs.services import ensure_networks
from cpdnet.programmes.models import Provider, ProviderKind, Residential
from cpdnet.schools.models import FundingCategory
from cpdnet.schools.services import load_local_authorities
from tests.factories import (
    ApplicationFactory,
    HubAreaFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    VerifiedDomainFactory,
)

from .conftest import assert_accessible_as_shown, sign_in
from .test_applying import apply_through_the_journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    load_local_authorities()  # transactional tests empty the tables the migration filled
    maths = ensure_networks()["maths"]
    hub = HubFactory(network=maths, slug="west-yorkshire-maths-hub", name="West Yorkshire Hub")
    HubAreaFactory(hub=hub, local_authority_id="383")
    centre = Provider.objects.create(
        kind=ProviderKind.NATIONAL_CENTRE,
        name="National STEM Learning Centre",
        slug="national-centre",
        email="residentials@centre.example.org",
    )
    return {"maths": maths, "hub": hub, "centre": centre}


def _residential(world):
    offering = OfferingFactory(
        hub=None,
        provider=world["centre"],
        local_only=False,
        programme=ProgrammeFactory(
            network=world["maths"], title="A level residential", kind="residential"
        ),
    )
    start = timezone.now() + datetime.timedelta(days=60)
    Residential.objects.create(
        offering=offering,
        nights=2,
        rooms=20,
        arrival_from=start,
        departure_by=start + datetime.timedelta(days=2),
        address="University of York, York YO10 5DD",
        joining_instructions="Registration opens at 10am.",
        cancellation_rules="Give up your place up to 14 days before without charge.",
        no_show_rules="If you do not arrive, the room is lost.",
    )
    return offering


def test_a_college_teacher_applies_for_a_post_16_work_group(page, live_server, world):
    # Given a teacher at a sixth-form college in the hub's area and a post-16 Work Group
    college = SchoolFactory(
        urn=130500,
        name="Leeds Sixth Form College",
        type_group="Colleges",
        type_name="Further education",
        funding_category=FundingCategory.COLLEGE,
        phase="16 plus",
    )
    offering = OfferingFactory(
        hub=world["hub"],
        programme=ProgrammeFactory(
            network=world["maths"], title="GCSE Resit Work Group", phase="post_16"
        ),
    )
    teacher = TeacherFactory(email="cole@college.example.org", school=college)
    sign_in(page, live_server, teacher)

    # When they apply
    page.goto(f"{live_server.url}/programmes/offerings/{offering.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("GCSE Resit Work Group")
    assert_accessible_as_shown(page, javascript=True)
    VerifiedDomainFactory(domain="college.example.org", school=college)
    apply_through_the_journey(page, approver_email="cpd@college.example.org")

    # Then the application goes to the college for release
    expect(page.get_by_role("heading", name="Application sent")).to_be_visible()
    assert_accessible_as_shown(page, javascript=True)
    assert Application.objects.get(applicant=teacher).state == State.AWAITING_SCHOOL_APPROVAL


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without"])
def test_a_participant_reads_the_residential_and_tells_it_about_their_stay(
    request, live_server, world, javascript
):
    page = request.getfixturevalue("page" if javascript else "page_without_javascript")
    offering = _residential(world)
    application = ApplicationFactory(offering=offering, state=State.SUBMITTED)
    from cpdnet.applications.services import decide_application

    decide_application(application=application, decision="accept", by=UserFactory())

    # A visitor reads the national residential: provider, nights, rules
    page.goto(f"{live_server.url}/programmes/offerings/{offering.pk}/")
    expect(page.get_by_text("Open to schools and colleges everywhere in England.")).to_be_visible()
    expect(page.get_by_text("Give up your place up to 14 days before")).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)

    # The participant opens their place and tells the centre about their stay
    sign_in(page, live_server, application.applicant)
    page.goto(f"{live_server.url}/my/offerings/{offering.pk}/")
    assert_accessible_as_shown(page, javascript=javascript)
    page.get_by_role("link", name="Tell us about your stay").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your stay")
    assert_accessible_as_shown(page, javascript=javascript)
    page.get_by_label("No, I travel in each day").check()
    page.get_by_label("Dietary needs (optional)").fill("Vegetarian")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("You travel in each day.")).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)
    booking = application.residential_booking
    booking.refresh_from_db()
    assert (booking.needs_room, booking.dietary_needs) == (False, "Vegetarian")
    assert booking.joining_instructions_sent_at is not None


def test_provider_staff_accept_an_application_to_their_offering(page, live_server, world):
    # Given the national centre's residential with an application, and the centre's staff
    offering = _residential(world)
    application = ApplicationFactory(offering=offering, state=State.SUBMITTED)
    staff = UserFactory(email="staff@centre.example.org")
    RoleAssignmentFactory(user=staff, role="provider_staff", hub=None, provider=world["centre"])
    sign_in(page, live_server, staff)

    # When they open the back office, their offering's applications, and accept one
    page.goto(f"{live_server.url}/backoffice/hub/")
    expect(page.get_by_role("heading", name="National STEM Learning Centre")).to_be_visible()
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_role("link", name="A level residential", exact=True).click()
    assert_accessible_as_shown(page, javascript=True)
    page.goto(f"{live_server.url}/backoffice/hub/applications/{application.pk}/")
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_label("Accept").check()
    page.get_by_role("button", name="Save decision").click()

    # Then the application is accepted
    expect(page.get_by_text("accepted.")).to_be_visible()
    application.refresh_from_db()
    assert application.state == State.ACCEPTED


def test_a_school_leader_swaps_a_lead_participant(page, live_server, world):
    # Given a school with a lead participant and a colleague waiting on the same Work Group
    school = SchoolFactory(name="Hillside Academy")
    offering = OfferingFactory(
        hub=world["hub"],
        academic_year=timezone.localdate().year - (timezone.localdate().month < 9),
        programme=ProgrammeFactory(network=world["maths"], title="Mastery Work Group"),
        school_capacity=4,
    )
    lead = ApplicationFactory(
        offering=offering,
        applicant=TeacherFactory(school=school, full_name="Lena Lead"),
        state=State.ACCEPTED,
    )
    ApplicationFactory(
        offering=offering,
        applicant=TeacherFactory(school=school, full_name="Cara Colleague"),
        state=State.SUBMITTED,
    )
    leader = UserFactory(email="head@hillside.example.org")
    RoleAssignmentFactory(user=leader, role="school_approver", school=school, hub=None)
    sign_in(page, live_server, leader)

    # When the leader looks at their teachers and swaps Lena for Cara
    page.goto(f"{live_server.url}/my/school/participation/")
    expect(page.get_by_role("heading", name="Hillside Academy")).to_be_visible()
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_role("link", name="Swap Lena Lead for a colleague").click()
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_role("button", name="Swap the lead participant").click()
    expect(page.get_by_text("Choose the colleague who takes the place").first).to_be_visible()
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_label("Colleague who takes the place").select_option(index=1)
    page.get_by_role("button", name="Swap the lead participant").click()

    # Then Cara has the place, with the swap recorded
    expect(page.get_by_text("Cara Colleague now has the place.")).to_be_visible()
    assert_accessible_as_shown(page, javascript=True)
    lead.refresh_from_db()
    assert lead.state == State.WITHDRAWN
    assert LeadParticipantSwap.objects.get().joining.applicant.full_name == "Cara Colleague"


def test_a_year_one_participant_applies_for_year_two(page, live_server, world):
    # Given a three-year programme, a teacher who completed year 1 last year, and year 2 open
    programme = ProgrammeFactory(
        network=world["maths"], title="Mastery Specialists", duration_years=3
    )
    year_one = OfferingFactory(
        hub=world["hub"], programme=programme, academic_year=2025, programme_year=1
    )
    year_two = OfferingFactory(
        hub=world["hub"], programme=programme, academic_year=2026, programme_year=2
    )
    place = ApplicationFactory(offering=year_one, state=State.COMPLETED)
    sign_in(page, live_server, place.applicant)

    # When they apply for year 2
    page.goto(f"{live_server.url}/programmes/offerings/{year_two.pk}/")
    VerifiedDomainFactory(domain="example.org", school=place.applicant.school)
    apply_through_the_journey(page, approver_email="head@example.org")

    # Then they are not refused for having taken part, and the place continues year 1
    expect(page.get_by_role("heading", name="Application sent")).to_be_visible()
    assert_accessible_as_shown(page, javascript=True)
    assert Application.objects.get(offering=year_two).continues == place
