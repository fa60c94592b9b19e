"""Demo data for the provision model: national providers, a national residential, a
partner-delivered course, a college teacher applying, a school with two lead participants and
a year-two participant of a three-year programme, a school enrolled by its senior leader with two
lead participants, and two hub-designed local Work Groups (one approved and scheduled, one
returned with comments). Loaded after `load_demo_programmes`; loading again changes nothing
(rows are keyed on slugs, emails, cohort names and titles)."""

import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from cpdnet.accounts.models import JobRole, Role, RoleAssignment, User
from cpdnet.applications.models import (
    Application,
    EnrolmentLead,
    EnrolmentState,
    SchoolEnrolment,
    SchoolEnrolmentTransition,
    State,
    Transition,
)
from cpdnet.hubs.models import Hub, Network
from cpdnet.schools.models import FundingCategory, School, SchoolStatus

from .academic_years import academic_year_of
from .demo import LONDON
from .models import (
    DesignState,
    FundingModel,
    LocalDesign,
    LocalDesignTransition,
    Mode,
    Offering,
    Programme,
    Provider,
    ProviderKind,
    Residential,
)

PROVIDERS = (
    {
        "slug": "national-stem-learning-centre",
        "kind": ProviderKind.NATIONAL_CENTRE,
        "name": "National STEM Learning Centre (demo)",
        "network": None,
        "email": "residentials@centre.example.org",
        "description": "Residential and online CPD for science and maths teachers, in York.",
    },
    {
        "slug": "institute-of-physics",
        "kind": ProviderKind.PARTNER,
        "name": "Institute of Physics (demo)",
        "network": "science",
        "email": "cpd@iop.example.org",
        "description": "A learned society that co-delivers physics CPD with the network.",
    },
)
PROVIDER_STAFF = ("provider@example.org", "Priya Provider (demo)")
COLLEGE_TEACHER = ("college.teacher@example.org", "Cole College (demo)")
LEADS = (
    ("lead.one@demo.example.org", "Lena Lead (demo)"),
    ("lead.two@demo.example.org", "Leo Lead (demo)"),
)
COLLEAGUE = ("colleague@demo.example.org", "Cara Colleague (demo)")
YEAR_TWO = ("year.two@example.org", "Yusuf Yeartwo (demo)")
ENROLLED_LEADS = (
    ("erin.enrolled@demo.example.org", "Erin Enrolled (demo)"),
    ("eli.enrolled@demo.example.org", "Eli Enrolled (demo)"),
)


def load_demo_provision(*, now: datetime.datetime | None = None) -> dict:
    """Load the provision demo (see the module docstring); return what it made."""
    from cpdnet.hubs.management.commands.load_demo import DEMO_PASSWORD

    now = now or timezone.now()
    year = academic_year_of(timezone.localdate(now, LONDON))
    made = {"providers": 0, "offerings": 0, "applications": 0}
    with transaction.atomic():
        networks = {network.slug: network for network in Network.objects.all()}
        providers = {}
        for values in PROVIDERS:
            values = dict(values)
            values["network"] = networks.get(values["network"]) if values["network"] else None
            provider, created = Provider.objects.update_or_create(
                slug=values.pop("slug"), defaults=values
            )
            providers[provider.slug] = provider
            made["providers"] += created
        password = make_password(DEMO_PASSWORD)
        staff = _person(*PROVIDER_STAFF, password=password)
        RoleAssignment.objects.get_or_create(
            user=staff,
            role=Role.PROVIDER_STAFF,
            provider=providers["national-stem-learning-centre"],
        )
        window = (now - datetime.timedelta(days=7), now + datetime.timedelta(days=45))
        residential = _national_residential(providers, year, window, made)
        _partner_course(providers, year, window, made)
        demo_hub = Hub.objects.filter(staff__user__email="hub@example.org").first()
        approver = User.objects.filter(email="approver@example.org").first()
        if demo_hub is not None:
            _college_teacher_applying(demo_hub, year, window, password, made)
            _year_two_participant(demo_hub, year, password, made, now)
            if approver is not None and approver.school_id:
                _school_with_two_leads(demo_hub, approver.school, year, made, now)
                _school_enrolled_by_its_leader(demo_hub, approver, year, window, made)
            _local_designs(demo_hub, year, window, made)
        made["residential_offering"] = residential.pk
    return made


def _person(email: str, name: str, *, password: str | None = None, school=None, role="") -> User:
    user, _ = User.objects.get_or_create(
        email=email,
        defaults={
            "full_name": name,
            "password": password or "!",
            "school": school,
            "job_role": role or JobRole.CLASS_TEACHER,
        },
    )
    return user


def _offering(*, programme, provider, hub, year, cohort, window, made, **values) -> Offering:
    start = datetime.date(year + 1, 2, 2)
    offering, created = Offering.objects.update_or_create(
        programme=programme,
        provider=provider,
        academic_year=year,
        cohort_name=cohort,
        defaults={
            "hub": hub,
            "capacity": values.pop("capacity", 24),
            "mode": values.pop("mode", Mode.FACE_TO_FACE),
            "planned_sessions": values.pop("planned_sessions", 3),
            "starts_on": values.pop("starts_on", start),
            "ends_on": values.pop("ends_on", start + datetime.timedelta(days=90)),
            "applications_open_at": window[0],
            "applications_close_at": window[1],
            "local_only": hub is not None,
            **values,
        },
    )
    made["offerings"] += created
    return offering


def _national_residential(providers, year, window, made) -> Offering:
    centre = providers["national-stem-learning-centre"]
    programme = Programme.objects.get(slug="a-level-residential")
    start = datetime.date(year + 1, 3, 9)
    offering = _offering(
        programme=programme,
        provider=centre,
        hub=None,
        year=year,
        cohort="York, March",
        window=window,
        made=made,
        capacity=30,
        venue="National STEM Learning Centre, York",
        starts_on=start,
        ends_on=start + datetime.timedelta(days=2),
    )
    arrive = datetime.datetime.combine(start, datetime.time(10), tzinfo=LONDON)
    Residential.objects.update_or_create(
        offering=offering,
        defaults={
            "nights": 2,
            "rooms": 24,
            "arrival_from": arrive,
            "departure_by": arrive + datetime.timedelta(days=2, hours=6),
            "address": "National STEM Learning Centre\nUniversity of York\nYork YO10 5DD",
            "travel_information": "Buses run every 10 minutes from York station to the campus.",
            "joining_instructions": "Registration opens at 10am. Bring a laptop and any "
            "A level schemes of work you would like to discuss. Meals are provided.",
            "cancellation_rules": "You can give up your place without charge up to 14 days "
            "before the course. After that the school may be charged for the room.",
            "no_show_rules": "If you do not arrive, your room is lost, your place is recorded "
            "as not taken up and no bursary is paid.",
        },
    )
    return offering


def _partner_course(providers, year, window, made) -> Offering:
    partner = providers["institute-of-physics"]
    programme = Programme.objects.filter(network__slug="science", kind="course").first()
    if programme is None:
        programme = Programme.objects.filter(network__slug="science").first()
    offering = _offering(
        programme=programme,
        provider=partner,
        hub=None,
        year=year,
        cohort="Online, spring",
        window=window,
        made=made,
        mode=Mode.ONLINE,
    )
    offering.partners.add(providers["national-stem-learning-centre"])
    return offering


def _place(application_values: dict, states: list[str], made: dict, by_label="demo") -> Application:
    """An application written directly with a history row per state (no emails)."""
    application, created = Application.objects.get_or_create(
        offering=application_values.pop("offering"),
        applicant=application_values.pop("applicant"),
        defaults={**application_values, "state": states[-1]},
    )
    if created:
        made["applications"] += 1
        previous = ""
        for state in states:
            Transition.objects.create(
                application=application, from_state=previous, to_state=state, by_label=by_label
            )
            previous = state
    return application


def _college_teacher_applying(hub, year, window, password, made) -> None:
    colleges = School.objects.filter(
        funding_category=FundingCategory.COLLEGE,
        la_code__in=hub.areas.values("local_authority_id"),
    ).exclude(status=SchoolStatus.CLOSED)
    college = (
        colleges.filter(status__in=SchoolStatus.open_values()).order_by("urn").first()
        or colleges.order_by("urn").first()
    )
    if college is None:
        return
    if not college.is_open:
        # The shipped register extract has no status for most colleges ("not known"), and
        # only open establishments may apply: the demo takes this one as open.
        college.status = SchoolStatus.OPEN
        college.save(update_fields=["status", "updated_at"])
    teacher = _person(*COLLEGE_TEACHER, password=password, school=college)
    programme = Programme.objects.get(slug="gcse-resit-work-group")
    offering = _offering(
        programme=programme,
        provider=hub.provider,
        hub=hub,
        year=year,
        cohort="Colleges",
        window=window,
        made=made,
    )
    _place(
        {
            "offering": offering,
            "applicant": teacher,
            "school": college,
            "job_role": JobRole.CLASS_TEACHER,
            "approver_email": "cpd.lead@college.example.org",
            "statement": "I teach GCSE resit classes and want to improve how we teach number.",
            "approval_due_at": timezone.now() + datetime.timedelta(days=14),
        },
        [State.AWAITING_SCHOOL_APPROVAL],
        made,
    )


def _school_with_two_leads(hub, school, year, made, now) -> None:
    programme = Programme.objects.filter(counts_schools=True, network=hub.network).first()
    offering = _offering(
        programme=programme,
        provider=hub.provider,
        hub=hub,
        year=year,
        cohort="Two leads per school",
        window=(now - datetime.timedelta(days=60), now - datetime.timedelta(days=30)),
        made=made,
        school_capacity=8,
        requires_school_approval=True,
    )
    for email, name in LEADS:
        _place(
            {
                "offering": offering,
                "applicant": _person(email, name, school=school),
                "school": school,
                "job_role": JobRole.CLASS_TEACHER,
                "approver_email": "approver@example.org",
            },
            [State.AWAITING_SCHOOL_APPROVAL, State.SUBMITTED, State.ACCEPTED],
            made,
        )
    # A colleague waiting, so the school's leader can swap a lead participant.
    _place(
        {
            "offering": offering,
            "applicant": _person(*COLLEAGUE, school=school),
            "school": school,
            "job_role": JobRole.CLASS_TEACHER,
            "approver_email": "approver@example.org",
            "approval_due_at": now + datetime.timedelta(days=14),
        },
        [State.AWAITING_SCHOOL_APPROVAL],
        made,
    )


def _year_two_participant(hub, year, password, made, now) -> None:
    programme = Programme.objects.get(slug="secondary-mastery-specialists")
    if programme.duration_years != 3:
        programme.duration_years = 3
        programme.save(update_fields=["duration_years", "updated_at"])
    school = (
        School.objects.filter(
            is_state_funded=True,
            phase="Secondary",
            status__in=SchoolStatus.open_values(),
            la_code__in=hub.areas.values("local_authority_id"),
        )
        .order_by("urn")
        .first()
    )
    if school is None:
        return
    teacher = _person(*YEAR_TWO, password=password, school=school)
    closed = (now - datetime.timedelta(days=400), now - datetime.timedelta(days=330))
    year_one = _offering(
        programme=programme,
        provider=hub.provider,
        hub=hub,
        year=year - 1,
        cohort="Year 1 of 3",
        window=closed,
        made=made,
        programme_year=1,
        starts_on=datetime.date(year - 1, 10, 1),
        ends_on=datetime.date(year, 6, 30),
    )
    year_two = _offering(
        programme=programme,
        provider=hub.provider,
        hub=hub,
        year=year,
        cohort="Year 2 of 3",
        window=(now - datetime.timedelta(days=60), now - datetime.timedelta(days=30)),
        made=made,
        programme_year=2,
        starts_on=datetime.date(year, 10, 1),
        ends_on=datetime.date(year + 1, 6, 30),
    )
    first = _place(
        {
            "offering": year_one,
            "applicant": teacher,
            "school": school,
            "job_role": JobRole.CLASS_TEACHER,
            "approver_email": "head@school.example.org",
        },
        [State.SUBMITTED, State.ACCEPTED, State.COMPLETED],
        made,
    )
    _place(
        {
            "offering": year_two,
            "applicant": teacher,
            "school": school,
            "job_role": JobRole.CLASS_TEACHER,
            "approver_email": "head@school.example.org",
            "continues": first,
        },
        [State.SUBMITTED, State.ACCEPTED],
        made,
    )


def _school_enrolled_by_its_leader(hub, approver, year, window, made) -> None:
    """The approver's school enrolled in a Work Group counted in schools, naming two leads:
    one has completed their application (a place), the other's place is still held."""
    school = approver.school
    programme = Programme.objects.filter(
        counts_schools=True, network=hub.network, designed_by_hub__isnull=True
    ).first()
    offering = _offering(
        programme=programme,
        provider=hub.provider,
        hub=hub,
        year=year,
        cohort="Schools enrol",
        window=window,
        made=made,
        capacity=16,
        school_capacity=8,
        requires_school_approval=True,
    )
    enrolment, created = SchoolEnrolment.objects.get_or_create(
        offering=offering,
        school=school,
        state=EnrolmentState.ENROLLED,
        defaults={
            "enrolled_by": approver,
            "senior_leader_name": approver.full_name or "Senior leader",
            "senior_leader_role": "Headteacher",
            "releases_for_sessions": True,
            "gives_gap_task_time": True,
            "colleagues_reached": 5,
        },
    )
    if not created:
        return
    SchoolEnrolmentTransition.objects.create(
        enrolment=enrolment, to_state=EnrolmentState.ENROLLED, by=approver
    )
    (first_email, first_name), (second_email, second_name) = ENROLLED_LEADS
    first = _place(
        {
            "offering": offering,
            "applicant": _person(first_email, first_name, school=school),
            "school": school,
            "job_role": JobRole.CLASS_TEACHER,
            "approver_email": approver.email,
        },
        [State.SUBMITTED, State.ACCEPTED],
        made,
        by_label=approver.email,
    )
    EnrolmentLead.objects.create(
        enrolment=enrolment, full_name=first_name, email=first_email, application=first
    )
    EnrolmentLead.objects.create(enrolment=enrolment, full_name=second_name, email=second_email)


LOCAL_DESIGNS = (
    {
        "title": "Reasoning in Years 5 and 6 (local design, demo)",
        "kind": "work_group",
        "aims": "Teachers develop pupils' reasoning about multiplication and division.\n"
        "Each school plans a sequence of lessons and tries it with one class.",
        "audience": "class_teacher,subject_lead",
        "phase": "primary",
        "key_stages": "KS2",
        "planned_sessions": 4,
        "sessions_outline": "1. October, 3 hours: what reasoning looks like\n"
        "2. December, 2 hours: lesson study\n3. February, 2 hours: lesson study\n"
        "4. May, 3 hours: what changed",
        "lead_name": "Fiona Facilitator (demo)",
        "local_need": "Reasoning scores at the end of Key Stage 2 in the hub's coastal schools "
        "are well below the rest of the area, and no national Work Group this year is aimed "
        "at Years 5 and 6.",
        "states": [DesignState.DRAFT, DesignState.SUBMITTED, DesignState.APPROVED],
        "comments": "",
    },
    {
        "title": "Secondary heads of maths network (local design, demo)",
        "kind": "network_meeting",
        "aims": "Heads of maths in small schools share curriculum plans and staffing ideas.",
        "audience": "subject_lead",
        "phase": "secondary",
        "key_stages": "KS3,KS4",
        "planned_sessions": 3,
        "sessions_outline": "Termly, 2 hours after school, online.",
        "lead_name": "Sam Subject-lead (demo)",
        "local_need": "Many secondary schools in the area have one or two maths specialists.",
        "states": [DesignState.DRAFT, DesignState.SUBMITTED, DesignState.RETURNED],
        "comments": "Please say how this differs from the national subject leadership "
        "programme, and which schools have asked for it.",
    },
)


def _local_designs(hub, year, window, made) -> None:
    """Two designs by the demo hub: one approved and scheduled, one returned with comments."""
    staff = User.objects.filter(email="hub@example.org").first()
    national = User.objects.filter(email="national@example.org").first()
    for values in LOCAL_DESIGNS:
        values = dict(values)
        states, comments = values.pop("states"), values.pop("comments")
        design, created = LocalDesign.objects.get_or_create(
            hub=hub,
            title=values.pop("title"),
            defaults={
                **values,
                "state": states[-1],
                "created_by": staff,
                "decision_comments": comments,
            },
        )
        if not created:
            continue
        previous = ""
        for state in states:
            decided = state in (DesignState.APPROVED, DesignState.RETURNED)
            LocalDesignTransition.objects.create(
                design=design,
                from_state=previous,
                to_state=state,
                by=national if decided else staff,
                comments=comments if decided else "",
            )
            previous = state
        if design.state == DesignState.APPROVED:
            design.programme = Programme.objects.create(
                network=hub.network,
                slug=f"{hub.slug}-reasoning-years-5-6-demo",
                title=design.title,
                phase=design.phase,
                key_stages=design.key_stages,
                kind=design.kind,
                audience=design.audience,
                funding_model=FundingModel.FUNDED,
                summary=design.aims.splitlines()[0],
                description=f"{design.aims}\n\n{design.sessions_outline}",
                designed_by_hub=hub,
            )
            design.save(update_fields=["programme", "updated_at"])
            _offering(
                programme=design.programme,
                provider=hub.provider,
                hub=hub,
                year=year,
                cohort="Coastal schools",
                window=window,
                made=made,
                capacity=16,
                planned_sessions=design.planned_sessions,
            )
