"""Demo accreditation: a cohort of each phase's PD Lead programme in the demo hub with
candidates in every state, made through the services (so history, audit and emails are real);
`assessor@example.org` with assignments, a moderator, accredited leads on the register (some
listed publicly), a renewal due and one waiting for review. Safe to run again: nothing is
made twice."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from cpdnet.accounts.models import JobRole, Role, RoleAssignment, User
from cpdnet.applications.models import Application, State
from cpdnet.hubs.models import Hub
from cpdnet.programmes.academic_years import academic_year_of
from cpdnet.programmes.models import Mode, Offering, Programme

from . import services
from .models import (
    SECTION_KEYS,
    Accreditation,
    AssessmentRole,
    Candidacy,
    CandidacyState,
    Endorsement,
    EndorsementDecision,
    PDLeadershipEvidence,
)

DEMO_HUB_SLUG = "west-yorkshire-maths-hub"
CANDIDATE_EMAIL = "pdlead.{phase}.{n}@demo.example.org"
NATIONAL, HUB_STAFF = "national@example.org", "hub@example.org"
ASSESSOR, MODERATOR = "assessor@example.org", "moderator@example.org"
PHASES = ("early_years", "primary", "secondary", "post_16")
# Each cohort has one candidate stopped in each of these states, in this order.
STATES = (
    CandidacyState.DRAFTING,
    CandidacyState.SUBMITTED,
    CandidacyState.ASSESSING,
    CandidacyState.MODERATING,
    CandidacyState.AWAITING_RATIFICATION,
    CandidacyState.RESUBMISSION,
    CandidacyState.ACCREDITED,
    CandidacyState.NOT_ACCREDITED,
    CandidacyState.WITHDRAWN,
)
NAMES = (
    "Amira Shah",
    "Ben Okafor",
    "Cath Lewis",
    "Dev Mistry",
    "Erin Walsh",
    "Farah Begum",
    "Gareth Hughes",
    "Hana Novak",
    "Ian Clarke",
    "Jas Kaur",
    "Kemi Adeyemi",
    "Leo Fisher",
    "Maya Ward",
    "Nik Patel",
    "Orla Byrne",
    "Paul Young",
    "Rhea Das",
    "Saul Green",
    "Tess Wood",
    "Umar Khan",
    "Vera Hall",
    "Wes Bailey",
    "Xia Chen",
    "Yusuf Ali",
    "Zara Evans",
    "Alan Price",
    "Beth Moss",
    "Carl Rees",
    "Dina Roy",
    "Eli Stone",
    "Fay Burke",
    "Gus Hale",
    "Isla Park",
    "Joel Finch",
    "Kara Lowe",
    "Luke Tran",
)
SECTION_TEXT = {
    "rationale": (
        "I lead a Work Group of eight schools across the hub on {topic}. Teachers asked for "
        "help after our moderation meetings showed pupils could follow procedures but not "
        "explain them; the programme runs over six sessions with gap tasks between them."
    ),
    "design_principles": (
        "I drew on the principle that CPD should be sustained, collaborative and rooted in "
        "pupils' work: each session starts from samples teachers bring, and teachers plan "
        "together the lesson they will try before we meet again."
    ),
    "evaluation": (
        "Attendance held at over 85 per cent, and session feedback averaged above 4 out of "
        "5. Teachers' gap-task reflections showed the changes we intended in questioning; "
        "after session three I refined the tasks to give more time to representations."
    ),
    "knowledge": (
        "The programme separates teachers' own understanding of {topic} (which we explore "
        "through problems for adults) from their knowledge of how pupils learn it, the "
        "common misconceptions and the representations that help."
    ),
}
TOPICS = {
    "early_years": "early number sense",
    "primary": "multiplicative reasoning",
    "secondary": "proportional reasoning",
    "post_16": "calculus",
}


def load_demo_accreditation(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The accreditation pipeline in every state, or nothing when it is already loaded."""
    now = now or timezone.now()
    hub = Hub.objects.filter(slug=DEMO_HUB_SLUG).select_related("provider").first()
    national = User.objects.filter(email=NATIONAL).first()
    if hub is None or national is None:
        return {"candidacies": 0, "accreditations": 0}
    if not Candidacy.objects.filter(candidate__email__startswith="pdlead.").exists():
        with transaction.atomic():
            people = _people()
            schools = _schools(hub)
            for phase in PHASES:
                programme = Programme.objects.filter(slug=f"pd-lead-{phase.replace('_', '-')}")
                if programme.exists():
                    offering = _cohort(programme.get(), hub, now=now)
                    services.set_cohort_deadline(
                        offering,
                        submit_by=now + datetime.timedelta(days=60),
                        resubmission_window_days=42,
                        by=national,
                    )
                    _candidates(offering, phase, schools, people, national=national)
            _register(hub, people, now=now)
    return {
        "candidacies": Candidacy.objects.count(),
        "accreditations": Accreditation.objects.count(),
    }


def _demo_user(email: str, name: str, **fields) -> User:
    from cpdnet.hubs.management.commands.load_demo import DEMO_PASSWORD

    user, created = User.objects.get_or_create(email=email, defaults={"full_name": name, **fields})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _people() -> dict[str, User]:
    assessor = _demo_user(ASSESSOR, "Asha Assessor (demo)")
    RoleAssignment.objects.get_or_create(user=assessor, role=Role.ASSESSOR)
    moderator = _demo_user(MODERATOR, "Mo Moderator (demo)")
    RoleAssignment.objects.get_or_create(user=moderator, role=Role.MODERATOR)
    return {
        "assessor": assessor,
        "moderator": moderator,
        "hub_staff": User.objects.filter(email=HUB_STAFF).first(),
    }


def _schools(hub: Hub) -> list[int]:
    # Real schools of the hub's area, as the programmes demo's teachers come from.
    urns = list(
        Application.objects.filter(offering__hub=hub)
        .values_list("school_id", flat=True)
        .distinct()
        .order_by("school_id")[:40]
    )
    return urns or list(
        User.objects.filter(school__isnull=False).values_list("school_id", flat=True)[:1]
    )


def _cohort(programme: Programme, hub: Hub, *, now: datetime.datetime) -> Offering:
    year = academic_year_of(now.date())
    starts_on = now.date() - datetime.timedelta(days=70)
    offering, _created = Offering.objects.get_or_create(
        programme=programme,
        hub=hub,
        academic_year=year,
        cohort_name="Accreditation cohort 1",
        defaults={
            "provider": hub.provider,
            "capacity": 12,
            "mode": Mode.BLENDED,
            "venue": (hub.lead_school_name or hub.name)[:200],
            "planned_sessions": 3,  # the equivalent of three one-day workshops
            "starts_on": starts_on,
            "ends_on": starts_on + datetime.timedelta(days=200),
            "applications_open_at": now - datetime.timedelta(days=150),
            "applications_close_at": now - datetime.timedelta(days=100),
            "local_only": False,
            "requires_school_approval": True,
        },
    )
    return offering


def _candidates(offering, phase, schools, people, *, national) -> None:
    rng = random.Random(f"accreditation-demo:{phase}")  # noqa: S311 - demo data, not secrets
    for n, stop_at in enumerate(STATES):
        name = NAMES[(PHASES.index(phase) * len(STATES) + n) % len(NAMES)]
        candidate = _demo_user(
            CANDIDATE_EMAIL.format(phase=phase, n=n),
            name,
            school_id=rng.choice(schools) if schools else None,
            job_role=JobRole.SUBJECT_LEAD,
        )
        if candidate.school_id is None:
            continue
        application = Application.objects.create(
            offering=offering,
            applicant=candidate,
            school_id=candidate.school_id,
            job_role=JobRole.SUBJECT_LEAD,
            statement="I lead Work Groups for schools across the hub and want to be accredited.",
            approver_email="head@demo-school.example.org",
            state=State.ACCEPTED,
            school_confirmed=True,
        )
        PDLeadershipEvidence.objects.create(
            application=application,
            pd_roles="work_group_lead" if n % 2 else "mastery_specialist",
            pd_led=f"A Work Group on {TOPICS[phase]} for teachers from eight schools",
            led_for="Teachers and subject leads from schools across the hub",
            beyond_own_school=True,
        )
        Endorsement.objects.create(
            application=application,
            hub=offering.hub,
            decision=EndorsementDecision.ENDORSED,
            reason="An experienced Work Group Lead with strong evaluations.",
            decided_by=people["hub_staff"],
        )
        candidacy = services.open_candidacy(application)
        _walk(candidacy, stop_at, phase=phase, people=people, national=national)
        if n in (3, 6):
            services.opt_into_pg_cert(candidacy, by=candidate)


def _write(candidacy: Candidacy, phase: str, *, sections=SECTION_KEYS) -> None:
    for key in sections:
        text = SECTION_TEXT[key].format(topic=TOPICS[phase])
        services.save_draft(candidacy, section=key, text=text, by=candidacy.candidate)


def _marks(met: bool) -> dict:
    feedback = "Meets the criterion, with clear evidence." if met else "Not yet: say more."
    return {key: (met, feedback) for key in SECTION_KEYS}


def _assess(version, people, national, *, recommendation: str) -> None:
    assessor = people["assessor"]
    assessment = services.assign_assessor(version, assessor, by=national)
    services.save_marks(assessment, marks=_marks(recommendation == "accredit"), by=assessor)
    services.recommend(
        assessment, recommendation=recommendation, summary="Overall feedback.", by=assessor
    )


def _moderate(version, people, national, *, recommendation: str) -> None:
    moderator = people["moderator"]
    assessment = services.assign_assessor(
        version, moderator, by=national, role=AssessmentRole.MODERATION
    )
    services.save_marks(assessment, marks=_marks(recommendation == "accredit"), by=moderator)
    services.recommend(
        assessment, recommendation=recommendation, summary="Moderation.", by=moderator
    )


def _walk(candidacy, stop_at, *, phase, people, national) -> None:
    """Take a candidacy through the real services until it reaches `stop_at`."""
    if stop_at == CandidacyState.DRAFTING:
        _write(candidacy, phase, sections=SECTION_KEYS[:2])
        return
    if stop_at == CandidacyState.WITHDRAWN:
        services.withdraw_candidacy(
            candidacy, reason="Changed school and no longer leads PD", by=candidacy.candidate
        )
        return
    _write(candidacy, phase)
    version = services.submit_evidence(candidacy, by=candidacy.candidate)
    if stop_at == CandidacyState.SUBMITTED:
        return
    if stop_at == CandidacyState.ASSESSING:
        assessment = services.assign_assessor(version, people["assessor"], by=national)
        services.save_marks(
            assessment, marks={"rationale": (True, "A clear need.")}, by=people["assessor"]
        )
        return
    # Non-accredit recommendations are always moderated, so moderation is predictable here.
    if stop_at == CandidacyState.MODERATING:
        _assess(version, people, national, recommendation="resubmit")
        return
    if stop_at in (CandidacyState.AWAITING_RATIFICATION, CandidacyState.RESUBMISSION):
        _assess(version, people, national, recommendation="resubmit")
        _moderate(version, people, national, recommendation="resubmit")
        if stop_at == CandidacyState.RESUBMISSION:
            services.ratify(candidacy, by=national)
        return
    if stop_at == CandidacyState.NOT_ACCREDITED:
        _assess(version, people, national, recommendation="not_accredited")
        _moderate(version, people, national, recommendation="not_accredited")
        services.ratify(candidacy, by=national)
        return
    # Accredited: a first marking of accredit may or may not be sampled for moderation.
    _assess(version, people, national, recommendation="accredit")
    candidacy.refresh_from_db()
    if candidacy.state == CandidacyState.MODERATING:
        _moderate(version, people, national, recommendation="accredit")
    accreditation = services.ratify(candidacy, by=national)
    if phase in ("primary", "secondary"):
        services.set_register_listing(accreditation, listed=True, by=candidacy.candidate)


def _register(hub: Hub, people, *, now: datetime.datetime) -> None:
    """Leads accredited in earlier years, some listed publicly; one's renewal is due and
    another's is waiting for review."""
    today = now.date()
    other_hubs = list(Hub.objects.filter(network=hub.network).order_by("slug")[:6]) or [hub]
    for n in range(12):
        holder = _demo_user(
            f"accredited.{n}@demo.example.org", NAMES[-(n + 1)], job_role=JobRole.SUBJECT_LEAD
        )
        accredited_on = today - datetime.timedelta(days=200 + 60 * n)
        Accreditation.objects.create(
            holder=holder,
            phase=PHASES[n % 4],
            hub=other_hubs[n % len(other_hubs)],
            code=services.new_accreditation_code(),
            accredited_on=accredited_on,
            valid_until=accredited_on + datetime.timedelta(days=3 * 365),
            on_public_register=n % 3 != 0,
        )
    due, waiting = (
        Accreditation.objects.filter(holder__email__startswith="accredited.")
        .order_by("accredited_on")
        .select_related("holder")[:2]
    )
    # Renewal due: ends within the reminder window and nothing asked yet.
    Accreditation.objects.filter(pk=due.pk).update(
        accredited_on=today - datetime.timedelta(days=3 * 365 - 25),
        valid_until=today + datetime.timedelta(days=25),
    )
    Accreditation.objects.filter(pk=waiting.pk).update(
        accredited_on=today - datetime.timedelta(days=3 * 365 - 60),
        valid_until=today + datetime.timedelta(days=60),
    )
    waiting.refresh_from_db()
    services.request_renewal(
        waiting,
        evidence="Since accreditation I have led two Work Groups a year and mentored a new lead.",
        offerings=[],
        by=waiting.holder,
    )
