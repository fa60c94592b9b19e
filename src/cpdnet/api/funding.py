"""Token endpoints for money: funds with what is left, and a school's statement.

Amounts are decimal strings in pounds with two places ("1234.50"), never floats. Funds are for
finance and national staff (hub staff see their hub's); a statement for them and the school's
finance contact. No token answers 401; a token without the role 403.
"""

from django.http import Http404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from cpdnet.accounts.models import Role
from cpdnet.accounts.permissions import Access
from cpdnet.accounts.selectors import has_role
from cpdnet.funding import selectors
from cpdnet.funding.models import ZERO
from cpdnet.funding.money import export_amount
from cpdnet.schools.models import School

from .auth import TokenAuth
from .schemas import Error

router = Router(tags=["funding"], auth=TokenAuth())
# Finance staff, hub staff (their hub's funds) and schools' finance contacts; checked below.
router.access = Access.SIGNED_IN


class FundOut(Schema):
    id: int
    name: str
    funder: str
    academic_year: int
    budget: str = Field(description='Pounds, e.g. "250000.00"')
    committed: str = Field(description="Set aside for bursaries not yet paid")
    paid: str
    remaining: str = Field(description="budget - committed - paid; never negative")


class FundsOut(Schema):
    year: int
    items: list[FundOut]


class YearParams(Schema):
    year: int = Field(..., ge=2000, le=2100, description="2025 means 2025 to 2026")


@router.get(
    "/funding/funds",
    response={200: FundsOut, 401: Error, 403: Error},
    summary="Funds of an academic year with budget, committed, paid and remaining",
)
def funds(request, params: Query[YearParams]):
    user = request.auth
    if not (selectors.is_finance_staff(user) or has_role(user, Role.HUB_STAFF)):
        return Status(403, {"detail": "Only finance, national and hub staff can see funds."})
    items = [
        {
            "id": fund.pk,
            "name": fund.name,
            "funder": fund.funder,
            "academic_year": fund.academic_year,
            "budget": export_amount(fund.budget),
            "committed": export_amount(fund.committed),
            "paid": export_amount(fund.paid),
            "remaining": export_amount(selectors.remaining(fund)),
        }
        for fund in selectors.with_figures(selectors.list_funds(user, year=params.year))
    ]
    return {"year": params.year, "items": items}


class StatementParams(YearParams):
    urn: int = Field(..., ge=1, le=99_999_999, description="The school's URN")


class StatementLine(Schema):
    date: str
    kind: str = Field(description="invoice, credit_note, payment_received or bursary_paid")
    description: str
    amount: str = Field(description="Positive: the school owes it; negative: paid or credited")


class StatementOut(Schema):
    urn: int
    year: int
    lines: list[StatementLine]
    balance: str = Field(description="Exactly the sum of the lines' amounts")


@router.get(
    "/funding/statements",
    response={200: StatementOut, 401: Error, 403: Error, 404: Error},
    summary="A school's statement for an academic year",
)
def statement(request, params: Query[StatementParams]):
    user = request.auth
    if not selectors.can_see_school(user, params.urn):
        return Status(
            403, {"detail": "Only finance staff and the school's finance contact can see this."}
        )
    school = School.objects.filter(pk=params.urn).first()
    if school is None:
        raise Http404(f"No school has the URN {params.urn}.")
    lines = list(selectors.list_statement_lines(school, params.year))
    return {
        "urn": school.pk,
        "year": params.year,
        "lines": [
            {
                "date": line.created_at.date().isoformat(),
                "kind": line.kind,
                "description": line.description,
                "amount": export_amount(line.amount),
            }
            for line in lines
        ],
        "balance": export_amount(sum((line.amount for line in lines), start=ZERO)),
    }
