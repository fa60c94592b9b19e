"""Demo money that tells the network's true story: residentials come with a bursary paid to
the school, fee-paying courses invoice the school, and finance staff pay approved claims in a
run that a second person approves. Safe to run again: nothing is made twice."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cpdnet.accounts.models import Role, RoleAssignment, User
from cpdnet.applications.models import PARTICIPATING, Application, State, Transition
from cpdnet.evaluation.models import SurveyResponse
from cpdnet.insights.activity import DOMAIN as ACTIVITY_DOMAIN
from cpdnet.programmes.models import FundingModel, Kind, Offering, Programme

from . import services
from .models import (
    BankDetails,
    Bursary,
    BursaryScheme,
    BursaryState,
    CancellationPolicy,
    FeeCategory,
    Fund,
    Invoice,
    PaymentRun,
    ProgrammePrice,
)
from .services import FundingError

FINANCE = "finance@example.org"
BURSAR = "bursar@example.org"
TEACHER = "teacher@example.org"
NATIONAL = "national@example.org"
# Independent schools pay for places other schools have funded (the network's published offer).
INDEPENDENT_PRICES = {"sktm-early-career-secondary": "250.00", "a-level-pedagogy": "180.00"}


def load_demo_funding(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Funds, prices, bursary schemes, invoices, bursaries in every state and one paid run."""
    now = now or timezone.now()
    with transaction.atomic():
        finance, bursar = _accounts()
        funds = _funds(Offering.objects.values_list("academic_year", flat=True).distinct())
        _prices()
        schemes = _schemes(funds)
        invoices = _invoices()
        _residential_places(now=now)
        bursaries = _bursaries(now=now, finance=finance)
        run = _payment_run(finance, now=now)
    return {
        "funds": len(funds),
        "schemes": schemes,
        "invoices": invoices,
        "bursaries": bursaries,
        "payments": run.payments.count() if run else 0,
        "bursar": bool(bursar),
    }


def _demo_user(email: str, name: str, **fields) -> User:
    from cpdnet.hubs.management.commands.load_demo import DEMO_PASSWORD

    user, created = User.objects.get_or_create(email=email, defaults={"full_name": name, **fields})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _accounts() -> tuple[User, User | None]:
    finance = _demo_user(FINANCE, "Faith Finance (demo)")
    RoleAssignment.objects.get_or_create(user=finance, role=Role.FINANCE)
    teacher = User.objects.filter(email=TEACHER).first()
    if teacher is None or teacher.school_id is None:
        return finance, None
    bursar = _demo_user(BURSAR, "Bola Bursar (demo)", school_id=teacher.school_id)
    RoleAssignment.objects.get_or_create(
        user=bursar, role=Role.SCHOOL_FINANCE, school_id=teacher.school_id
    )
    return finance, bursar


def _funds(years) -> dict[int, Fund]:
    funds = {}
    for year in sorted(set(years)):
        funds[year], _ = Fund.objects.get_or_create(
            name="Residential bursaries",
            academic_year=year,
            defaults={
                "funder": "Department for Education: Maths Hubs programme grant",
                "budget": Decimal("60000.00"),
            },
        )
        Fund.objects.get_or_create(
            name="Industry sponsor: technician bursaries",
            academic_year=year,
            defaults={
                "funder": "A science industry sponsor (demo)",
                "budget": Decimal("12000.00"),
                "eligibility": "all",
            },
        )
    return funds


def _prices() -> None:
    for programme in Programme.objects.filter(slug__in=INDEPENDENT_PRICES):
        ProgrammePrice.objects.get_or_create(
            programme=programme,
            category=FeeCategory.INDEPENDENT,
            defaults={"amount": Decimal(INDEPENDENT_PRICES[programme.slug])},
        )
    for programme in Programme.objects.filter(funding_model=FundingModel.FEE):
        CancellationPolicy.objects.get_or_create(programme=programme)


def _schemes(funds: dict[int, Fund]) -> int:
    """A bursary on every residential offering that pays towards release."""
    offerings = Offering.objects.filter(
        programme__kind=Kind.RESIDENTIAL, programme__funding_model=FundingModel.FUNDED_WITH_RELEASE
    )
    made = 0
    for offering in offerings:
        days = max(offering.sessions.filter(cancelled_at__isnull=True).count(), 1)
        _, created = BursaryScheme.objects.get_or_create(
            offering=offering,
            defaults={
                "fund": funds[offering.academic_year],
                "supply_days": Decimal(days),
                "daily_rate": Decimal("180.00"),
                "travel_cap": Decimal("150.00"),
                "implementation_grant": Decimal("200.00"),
                "provided_in_kind": "Accommodation and all meals",
            },
        )
        made += created
    return made


def _fee_place_at_demo_school() -> None:
    """A technician from the demo school on a fee-paying course, so its bursar has an invoice."""
    bursar = User.objects.filter(email=BURSAR).first()
    offering = (
        Offering.objects.filter(programme__funding_model=FundingModel.FEE)
        .order_by("-academic_year", "starts_on")
        .first()
    )
    if bursar is None or offering is None:
        return
    technician = _demo_user(
        "technician@example.org",
        "Tomasz Technician (demo)",
        school_id=bursar.school_id,
        job_role="teaching_assistant",
    )
    place, created = Application.objects.get_or_create(
        offering=offering,
        applicant=technician,
        defaults={
            "school_id": bursar.school_id,
            "job_role": "teaching_assistant",
            "approver_email": "approver@example.org",
            "state": State.ACCEPTED,
        },
    )
    if created:
        Transition.objects.create(application=place, to_state=State.ACCEPTED, reason="Demo")


def _invoices() -> int:
    """Invoices for places accepted before the demo's funding existed."""
    _fee_place_at_demo_school()
    raised = 0
    # Not the generated activity's places (docs/activity.md): thousands of them, and a price
    # to look up for each, would slow every start of the demo for invoices no one looks at.
    places = (
        Application.objects.filter(state__in=PARTICIPATING)
        .exclude(applicant__email__endswith=f"@{ACTIVITY_DOMAIN}")
        .select_related("offering__programme", "school")
    )
    for place in places.filter(invoices__isnull=True).iterator():
        if services.price_for(programme=place.offering.programme, school=place.school) > 0:
            raised += services.raise_invoice(application=place) is not None
    first = Invoice.objects.order_by("pk").first()
    if first and services.invoice_outstanding(first) == first.amount:
        finance = User.objects.get(email=FINANCE)
        services.record_payment_received(
            invoice=first, amount=first.amount, reference="BACS demo", by=finance
        )
    return raised


def _facts_for_demo(place: Application) -> None:
    # Demo places were made directly in their states: give them the release and start survey
    # that the real journey would have recorded, so the bursary rules see true facts.
    if not place.history.filter(
        from_state=State.AWAITING_SCHOOL_APPROVAL, to_state=State.SUBMITTED
    ).exists():
        Transition.objects.create(
            application=place,
            from_state=State.AWAITING_SCHOOL_APPROVAL,
            to_state=State.SUBMITTED,
            by_label="approver (demo)",
            reason="Released (demo)",
        )
    SurveyResponse.objects.get_or_create(application=place, kind="start")


def _residential_places(*, now: datetime.datetime) -> None:
    """Teachers who took part in a finished residential, when the random demo gave it none, so
    that bursaries can be shown claimed and paid (the register marks every day attended)."""
    from cpdnet.delivery.models import Attendance, AttendanceStatus

    finished = (
        BursaryScheme.objects.filter(offering__sessions__ends_at__lt=now)
        .select_related("offering")
        .order_by("offering__starts_on")
        .first()
    )
    if finished is None or finished.offering.applications.filter(state__in=PARTICIPATING).exists():
        return
    offering = finished.offering
    schools = list(
        Application.objects.filter(school__is_state_funded=True)
        .values_list("school_id", flat=True)
        .distinct()[:6]
    )
    sessions = list(offering.sessions.filter(cancelled_at__isnull=True, ends_at__lt=now))
    for number, school_id in enumerate(schools):
        teacher = _demo_user(
            f"residential{number + 1}@example.org",
            f"Residential participant {number + 1} (demo)",
            school_id=school_id,
            job_role="class_teacher",
        )
        place, created = Application.objects.get_or_create(
            offering=offering,
            applicant=teacher,
            defaults={
                "school_id": school_id,
                "job_role": "class_teacher",
                "approver_email": "approver@example.org",
                "state": State.COMPLETED,
            },
        )
        if created:
            Transition.objects.create(application=place, to_state=State.COMPLETED, reason="Demo")
            Attendance.objects.bulk_create(
                Attendance(session=session, application=place, status=AttendanceStatus.ATTENDED)
                for session in sessions
            )


def _bursaries(*, now: datetime.datetime, finance: User) -> int:
    """Bursaries in every state: committed, claimed, approved, refused and (by the run) paid."""
    made = 0
    schemes = BursaryScheme.objects.select_related("offering")
    for scheme in schemes:
        places = (
            Application.objects.filter(offering=scheme.offering, state__in=PARTICIPATING)
            .exclude(bursary__isnull=False)
            .exclude(school__is_state_funded=False)
            .select_related("offering", "school", "applicant")
            .order_by("pk")
        )
        before_start = timezone.make_aware(
            datetime.datetime.combine(scheme.offering.starts_on, datetime.time(0))
        ) - datetime.timedelta(days=7)
        for number, place in enumerate(places):
            _facts_for_demo(place)
            try:
                bursary = services.apply_for_bursary(
                    application=place, by=place.applicant, now=before_start
                )
            except FundingError:
                continue
            made += 1
            _move_on(bursary, number, finance)
    return made


def _move_on(bursary: Bursary, number: int, finance: User) -> None:
    """Take a demo bursary as far as the register allows: claimed, then approved or refused."""
    held, attended = services.attendance_days(bursary.application)
    if not attended or held == 0:
        return
    SurveyResponse.objects.get_or_create(application=bursary.application, kind="end")
    if number % 5 == 4:
        return  # a claim not yet made, for the teacher to see
    travel = Decimal("48.60") if number % 2 else Decimal("0.00")
    bursary = services.claim_bursary(
        bursary=bursary, travel_cost=travel, has_receipt=True, by=bursary.application.applicant
    )
    if number % 7 == 6:
        services.reject_bursary(bursary=bursary, reason="Claimed twice (demo)", by=finance)
    elif number % 3 != 2:
        services.approve_bursary(bursary=bursary, by=finance)


def _payment_run(finance: User, *, now: datetime.datetime) -> PaymentRun | None:
    """One run, drafted by finance staff and approved by national staff."""
    existing = PaymentRun.objects.order_by("pk").first()
    if existing:
        return existing
    approved = Bursary.objects.filter(state=BursaryState.APPROVED).select_related("fund")
    first = approved.first()
    approver = User.objects.filter(email=NATIONAL).first()
    if first is None or approver is None:
        return None
    for school_id in set(approved.values_list("school_id", flat=True)):
        if not BankDetails.objects.filter(school_id=school_id).exists():
            BankDetails.objects.create(
                school_id=school_id,
                account_name="SCHOOL ACCOUNT",
                sort_code="309457",
                account_number=f"{school_id % 100_000_000:08d}",
                created_at=now - datetime.timedelta(days=60),
            )
    run = services.create_payment_run(fund=first.fund, up_to=timezone.localdate(now), by=finance)
    return services.approve_payment_run(run=run, by=approver)
