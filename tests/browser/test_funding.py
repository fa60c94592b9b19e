"""Money in a real browser: a teacher applies for and claims a bursary, the school's finance
contact adds bank details and reads the statement, and national finance staff approve the claim
and pay it in a run that a second person approves. Every page passes axe-core, at desk and
phone widths, and the forms work without JavaScript."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cpdnet.applications.models import State, Transition
from cpdnet.delivery.models import Attendance, AttendanceStatus
from cpdnet.evaluation.models import SurveyResponse
from cpdnet.funding.models import BankDetails, Bursary, BursaryScheme, BursaryState, Fund
from cpdnet.hubs.services import ensure_networks
from cpdnet.schools.services import load_local_authorities
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    SessionFactory,
    TeacherFactory,
    UserFactory,
)

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(transactional_db):
    load_local_authorities()  # transactional tests empty the tables the migration filled
    maths = ensure_networks()["maths"]
    offering = OfferingFactory(
        hub=HubFactory(network=maths),
        programme=ProgrammeFactory(
            network=maths, title="A level residential", kind="residential",
            funding_model="funded_release",
        ),
    )  # fmt: skip
    start = timezone.now() + datetime.timedelta(days=10)
    for day in range(2):
        SessionFactory(
            offering=offering,
            starts_at=start + datetime.timedelta(days=day),
            ends_at=start + datetime.timedelta(days=day, hours=6),
        )
    fund = Fund.objects.create(
        name="Residential bursaries", funder="DfE", academic_year=2026, budget=Decimal("5000")
    )
    BursaryScheme.objects.create(
        offering=offering, fund=fund, supply_days=2, daily_rate=Decimal("180.00"),
        travel_cap=Decimal("150.00"), implementation_grant=Decimal("200.00"),
        provided_in_kind="Accommodation and meals",
    )  # fmt: skip
    place = ApplicationFactory(
        offering=offering,
        state=State.ACCEPTED,
        applicant=TeacherFactory(email="tara@school.example.org", full_name="Tara Teacher"),
    )
    Transition.objects.create(
        application=place, from_state=State.AWAITING_SCHOOL_APPROVAL, to_state=State.SUBMITTED
    )
    SurveyResponse.objects.create(application=place, kind="start")
    bursar = UserFactory(email="bursar@school.example.org", full_name="Bola Bursar")
    RoleAssignmentFactory(user=bursar, role="school_finance", school=place.school)
    finance = [
        RoleAssignmentFactory(
            user=UserFactory(email=f"finance{n}@example.org", full_name=f"Finance {n}"),
            role="finance",
        ).user
        for n in range(2)
    ]
    return {
        "place": place,
        "offering": offering,
        "fund": fund,
        "bursar": bursar,
        "finance": finance,
    }


def _attend_every_day(place) -> None:
    for session in place.offering.sessions.all():
        Attendance.objects.create(
            session=session, application=place, status=AttendanceStatus.ATTENDED
        )
    SurveyResponse.objects.create(application=place, kind="end")


def test_teacher_applies_then_claims_a_bursary(page, live_server, world):
    place = world["place"]
    sign_in(page, live_server, place.applicant)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/my/offerings/{place.offering_id}/")
    page.get_by_role("link", name="Apply for or claim the bursary").click()
    expect(page.get_by_role("heading", name="Bursary", exact=True)).to_be_visible()
    expect(page.get_by_text("£710.00")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Apply for the bursary").click()
    expect(page.get_by_text("Committed: claim after the course", exact=True)).to_be_visible()

    _attend_every_day(place)
    page.get_by_role("link", name="Claim the bursary").click()
    page.get_by_label("Travel cost (£)").fill("180.00")
    page.get_by_role("button", name="Send the claim").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("more than the £150.00 this bursary pays")
    assert_accessible(page)
    page.get_by_label("Travel cost (£)").fill("42.50")
    page.get_by_label("I have a receipt").check()
    page.get_by_role("button", name="Send the claim").click()
    expect(page.get_by_text("Claimed: waiting for approval", exact=True)).to_be_visible()
    assert Bursary.objects.get().amount == Decimal("602.50")


def test_school_finance_contact_adds_bank_details_without_javascript(
    page_without_javascript, live_server, world
):
    page = page_without_javascript
    sign_in(page, live_server, world["bursar"])
    page.goto(f"{live_server.url}/my/school-finance/")
    expect(page.get_by_role("heading", name=world["place"].school.name)).to_be_visible()
    assert_accessible(page, javascript=False)
    page.get_by_role("link", name="Add bank details").click()
    page.get_by_label("Sort code").fill("12")
    page.get_by_role("button", name="Save bank details").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a valid sort code")
    assert_accessible(page, javascript=False)
    page.get_by_label("Name on the account").fill("Leeds Primary")
    page.get_by_label("Sort code").fill("30-94-57")
    page.get_by_label("Account number").fill("00733445")
    page.get_by_role("button", name="Save bank details").click()
    expect(page.get_by_text("****3445")).to_be_visible()
    expect(page.get_by_text("Payments are held until")).to_be_visible()
    assert BankDetails.objects.get().account_number == "00733445"


def test_finance_approves_a_claim_and_a_second_person_pays_the_run(page, live_server, world):
    place, (creator, approver) = world["place"], world["finance"]
    from cpdnet.funding import services

    services.apply_for_bursary(application=place, by=place.applicant)
    _attend_every_day(place)
    services.claim_bursary(
        bursary=place.bursary, travel_cost=Decimal("0"), has_receipt=False, by=place.applicant
    )
    BankDetails.objects.create(
        school=place.school, account_name="LEEDS PRIMARY", sort_code="309457",
        account_number="00733445", created_at=timezone.now() - datetime.timedelta(days=30),
    )  # fmt: skip

    sign_in(page, live_server, creator)
    page.goto(f"{live_server.url}/backoffice/funding/?year=2026")
    assert_accessible(page)
    page.get_by_role("link", name="Bursary claims to approve").click()
    assert_accessible(page)
    page.get_by_role("button", name=f"Approve claim {place.bursary.pk}").click()
    expect(page.get_by_text("No claims are waiting.")).to_be_visible()
    page.goto(f"{live_server.url}/backoffice/funding/runs/")
    page.get_by_label("Fund").select_option(label=str(world["fund"]))
    page.get_by_label("Claims approved up to and including").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Draft the payment run").click()
    expect(page.get_by_text("a second person in the finance team must approve it")).to_be_visible()
    assert_accessible(page)

    run_url = page.url
    sign_in(page, live_server, approver)
    page.set_viewport_size(PHONE)
    page.goto(run_url)
    page.get_by_role("button", name="Approve and pay £560.00").click()
    expect(page.get_by_text("Approved and paid")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the payment file (CSV)").click()
    rows = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert rows[1].startswith("LEEDS PRIMARY,309457,00733445,560.00,")
    assert Bursary.objects.get().state == BursaryState.PAID
