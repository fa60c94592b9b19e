import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cpdnet.accounts.services import create_api_token
from cpdnet.funding import services
from cpdnet.funding.models import BankDetails, BursaryState, EntryKind, Fund, LedgerEntry
from tests.factories import RoleAssignmentFactory, SchoolFactory, UserFactory

from .conftest import attend

pytestmark = pytest.mark.django_db


def _token(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(user=user)}"}


def _entries_for(school, count: int) -> None:
    for number in range(count):
        LedgerEntry.objects.create(
            kind=EntryKind.INVOICE,
            amount=Decimal("10.05") + number,
            academic_year=2026,
            description=f"Invoice {number}",
            school=school,
        )


# --- School finance contact -------------------------------------------------------------------


def test_a_finance_contact_sees_their_school_statement_and_not_another(
    client, place, school_finance
):
    _entries_for(place.school, 2)
    other = SchoolFactory()
    _entries_for(other, 1)
    client.force_login(school_finance)

    response = client.get("/my/school-finance/?year=2026")
    assert response.status_code == 200
    text = response.content.decode()
    assert place.school.name in text and "£21.10" in text  # 10.05 + 11.05
    assert client.get(f"/my/school-finance/{other.pk}/statement.csv?year=2026").status_code == 404
    csv = b"".join(client.get(f"/my/school-finance/{place.school.pk}/statement.csv?year=2026"))
    assert b"Invoice 1,11.05" in csv


def test_the_statement_page_runs_the_same_queries_for_many_lines(client, place, school_finance):
    client.force_login(school_finance)
    _entries_for(place.school, 2)
    with CaptureQueriesContext(connection) as few:
        client.get("/my/school-finance/?year=2026")
    _entries_for(place.school, 40)
    with CaptureQueriesContext(connection) as many:
        client.get("/my/school-finance/?year=2026")
    assert len(many) == len(few)


def test_a_teacher_cannot_see_school_finance(client, place):
    client.force_login(place.applicant)
    assert client.get("/my/school-finance/").status_code == 403


def test_bank_details_form_refuses_bad_input_and_saves_nothing(client, place, school_finance):
    client.force_login(school_finance)
    url = f"/my/school-finance/{place.school.pk}/bank-details/"
    response = client.post(
        url, {"account_name": "LEEDS<script>", "sort_code": "12-34", "account_number": "x"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text and "Enter a valid sort code" in text
    assert not BankDetails.objects.exists()

    response = client.post(
        url, {"account_name": "Leeds Primary", "sort_code": "30-94-57", "account_number": "733445"}
    )
    assert response.status_code == 302
    details = BankDetails.objects.get()
    assert (details.account_name, details.sort_code, details.account_number) == (
        "LEEDS PRIMARY",
        "309457",
        "00733445",
    )
    page = client.get(response["Location"]).content.decode()
    assert "****3445" in page and "00733445" not in page


# --- Teacher's bursary ------------------------------------------------------------------------


def test_a_teacher_applies_for_and_claims_the_bursary_in_the_portal(client, place, fund):
    client.force_login(place.applicant)
    page = client.get(f"/my/offerings/{place.offering_id}/bursary/").content.decode()
    assert "£890.00" in page and "Apply for the bursary" in page

    assert client.post(f"/my/offerings/{place.offering_id}/bursary/").status_code == 302
    attend(place, days=3)
    response = client.post(
        f"/my/offerings/{place.offering_id}/bursary/claim/",
        {"travel_cost": "200.00", "has_receipt": "on"},
    )
    assert "more than the £150.00 this bursary pays" in response.content.decode()
    response = client.post(
        f"/my/offerings/{place.offering_id}/bursary/claim/",
        {"travel_cost": "80.00", "has_receipt": "on"},
    )
    assert response.status_code == 302
    place.bursary.refresh_from_db()
    assert place.bursary.state == BursaryState.CLAIMED
    assert place.bursary.amount == Decimal("820.00")


def test_another_teacher_gets_404_for_someone_elses_bursary(client, place):
    client.force_login(UserFactory())
    assert client.get(f"/my/offerings/{place.offering_id}/bursary/").status_code == 404


# --- National finance -------------------------------------------------------------------------


def test_national_finance_runs_and_a_second_person_approves_a_payment_run(
    client, place, fund, finance_staff, school_finance
):
    services.apply_for_bursary(application=place, by=place.applicant)
    attend(place, days=3)
    services.claim_bursary(
        bursary=place.bursary, travel_cost=Decimal("0"), has_receipt=False, by=place.applicant
    )
    creator, approver = finance_staff
    client.force_login(creator)
    claims = client.get("/backoffice/funding/claims/").content.decode()
    assert "£740.00" in claims
    client.post(f"/backoffice/funding/claims/{place.bursary.pk}/approve/")
    services.save_bank_details(
        school=place.school, account_name="SCHOOL", sort_code="309457",
        account_number="00733445", by=school_finance,
    )  # fmt: skip
    BankDetails.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))

    response = client.post(
        "/backoffice/funding/runs/", {"fund": fund.pk, "up_to": timezone.localdate().isoformat()}
    )
    run_url = response["Location"]
    page = client.get(run_url).content.decode()
    assert "a second person in the finance team must approve it" in page
    client.post(f"{run_url}approve/")
    assert not LedgerEntry.objects.filter(kind=EntryKind.FUND_PAYMENT).exists()

    client.force_login(approver)
    client.post(f"{run_url}approve/")
    payment_file = b"".join(client.get(f"{run_url}payments.csv")).decode("utf-8-sig")
    assert payment_file.splitlines()[1].startswith("SCHOOL,309457,00733445,740.00,")


@pytest.mark.parametrize("role", ["hub_staff", "school_approver", None])
def test_only_finance_staff_see_claims_and_runs(client, role, place):
    user = UserFactory()
    if role == "hub_staff":
        RoleAssignmentFactory(user=user, role=role, hub=place.offering.hub)
    elif role:
        RoleAssignmentFactory(user=user, role=role, school=place.school)
    client.force_login(user)
    for url in ("/backoffice/funding/claims/", "/backoffice/funding/runs/"):
        assert client.get(url).status_code == 403


def test_hub_staff_see_only_their_hubs_funds(client, fund, place):
    mine = Fund.objects.create(
        name="Hub fund", funder="Trust", academic_year=2026, budget=10, hub=place.offering.hub
    )
    staff = RoleAssignmentFactory(role="hub_staff", hub=place.offering.hub).user
    client.force_login(staff)
    page = client.get("/backoffice/funding/?year=2026").content.decode()
    assert "Hub fund" in page and "Residential bursaries" not in page
    assert client.get(f"/backoffice/funding/funds/{fund.pk}/").status_code == 404
    assert client.get(f"/backoffice/funding/funds/{mine.pk}/").status_code == 200


def test_a_bad_bank_statement_names_its_line_and_matches_nothing(client, finance_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(finance_staff[0])
    upload = SimpleUploadedFile("march.csv", b"Date,Description,Amount\n1/3/2027,INV,12.345\n")
    response = client.post("/backoffice/funding/invoices/", {"file": upload})
    assert "Line 2, column 3" in response.content.decode()
    assert not LedgerEntry.objects.exists()


# --- API --------------------------------------------------------------------------------------


def test_the_funds_api_gives_exact_decimal_strings_that_add_up(client, place, fund, finance_staff):
    services.apply_for_bursary(application=place, by=place.applicant)
    response = client.get("/api/v1/funding/funds?year=2026", **_token(finance_staff[0]))
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["committed"] == "890.00" and item["remaining"] == "9110.00"
    parts = Decimal(item["committed"]) + Decimal(item["paid"]) + Decimal(item["remaining"])
    assert Decimal(item["budget"]) == parts


def test_the_funds_api_refuses_without_a_token_or_the_role(client, place):
    assert client.get("/api/v1/funding/funds?year=2026").status_code == 401
    assert (
        client.get("/api/v1/funding/funds?year=2026", **_token(place.applicant)).status_code == 403
    )


def test_the_statement_api_balance_is_the_sum_of_its_lines(client, place, school_finance):
    _entries_for(place.school, 3)
    LedgerEntry.objects.create(
        kind=EntryKind.BURSARY_PAID,
        amount=Decimal("-740.00"),
        academic_year=2026,
        description="Bursary paid",
        school=place.school,
    )
    url = f"/api/v1/funding/statements?urn={place.school.pk}&year=2026"
    body = client.get(url, **_token(school_finance)).json()
    assert [line["kind"] for line in body["lines"]] == ["invoice"] * 3 + ["bursary_paid"]
    assert body["balance"] == "-706.85"
    assert sum(Decimal(line["amount"]) for line in body["lines"]) == Decimal(body["balance"])
    other = SchoolFactory()
    assert (
        client.get(
            f"/api/v1/funding/statements?urn={other.pk}&year=2026", **_token(school_finance)
        ).status_code
        == 403
    )


def test_who_the_money_reaches_counts_paid_bursaries_by_quintile_and_region(
    client, place, fund, finance_staff
):
    from cpdnet.insights.money import bursaries_by_fsm_quintile, bursaries_by_region

    for number, fsm in enumerate(["5.0", "12.0", "25.0", "40.0", "60.0"]):
        SchoolFactory(percentage_fsm=Decimal(fsm), region_name="North East", urn=700000 + number)
    place.school.percentage_fsm = Decimal("75.0")
    place.school.region_name = "North East"
    place.school.save()
    services.apply_for_bursary(application=place, by=place.applicant)
    LedgerEntry.objects.create(
        kind=EntryKind.BURSARY_PAID,
        amount=Decimal("-740.00"),
        academic_year=2026,
        description="Paid",
        school=place.school,
        bursary=place.bursary,
    )

    [north_east] = bursaries_by_region(2026)
    assert (north_east.label, north_east.bursaries, north_east.paid) == (
        "North East",
        1,
        Decimal("740.00"),
    )
    by_quintile = {row.label.split(":")[0]: row for row in bursaries_by_fsm_quintile(2026)}
    assert by_quintile["Q5 (most disadvantaged)"].paid == Decimal("740.00")
    assert by_quintile["Q1 (least disadvantaged)"].bursaries == 0
    client.force_login(finance_staff[0])
    assert "£740.00" in client.get("/backoffice/funding/reach/?year=2026").content.decode()


def test_finance_staff_and_finance_contacts_find_their_pages_in_the_menu(
    client, finance_staff, school_finance
):
    client.force_login(finance_staff[0])
    assert 'href="/backoffice/funding/"' in client.get("/my/").content.decode()
    client.force_login(school_finance)
    page = client.get("/my/").content.decode()
    assert 'href="/my/school-finance/"' in page and 'href="/backoffice/funding/"' not in page
