"""Reads for a person's home page: what needs them now, for each role they hold.

Every list is one query with a fixed limit (and a count where the page says "and N more"), so
the page costs the same number of queries however much a person has.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, F, Max, OuterRef, QuerySet
from django.utils import timezone

from cpdnet.accounts.models import Role, User
from cpdnet.accounts.selectors import (
    list_approved_school_urns,
    list_role_names,
    list_staffed_hub_ids,
)
from cpdnet.accreditation import rules as accreditation_rules
from cpdnet.accreditation import selectors as accreditation_selectors
from cpdnet.accreditation.models import Candidacy, CandidacyState
from cpdnet.applications.models import ACTIVE, Application, State
from cpdnet.delivery.models import Attendance, GapTask, Submission
from cpdnet.programmes.models import Offering, Session
from cpdnet.programmes.selectors import is_join_link_released, list_participant_sessions

SHOWN = 5
# Offers a hub should chase: those lapsing within this time.
OFFER_EXPIRY_WARNING = datetime.timedelta(days=2)


@dataclass
class Shortlist:
    """The first few of a list, and how many there are in all."""

    items: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _shortlist(queryset: QuerySet, limit: int = SHOWN) -> Shortlist:
    items = list(queryset[:limit])
    total = len(items) if len(items) < limit else queryset.count()
    return Shortlist(items=items, total=total)


@dataclass
class TeacherHome:
    offers: list[Application]
    next_sessions: list[Session]
    tasks: list[GapTask]
    in_progress: list[Application]
    completed: list[Application]

    @property
    def is_empty(self) -> bool:
        return not (
            self.offers or self.next_sessions or self.tasks or self.in_progress or self.completed
        )


@dataclass
class ApproverHome:
    pending: Shortlist
    staff_sessions: list[Session]


@dataclass
class HubHome:
    waiting: Shortlist
    expiring_offers: list[Application]
    without_register: Shortlist
    to_complete: list[Offering]


@dataclass
class FacilitatorHome:
    next_sessions: list[Session]
    without_register: Shortlist


@dataclass
class AccreditationHome:
    """A candidate's evidence (with when it is due) and an assessor's marking still to do."""

    candidacies: list[Candidacy]
    to_mark: Shortlist | None

    @property
    def is_empty(self) -> bool:
        return not self.candidacies and not (self.to_mark and self.to_mark.total)


@dataclass
class Home:
    teacher: TeacherHome
    approver: ApproverHome | None = None
    hub: HubHome | None = None
    facilitator: FacilitatorHome | None = None
    accreditation: AccreditationHome | None = None

    @property
    def shows_teacher(self) -> bool:
        """Staff who take no part in programmes themselves see only their own work."""
        return not self.teacher.is_empty or not (
            self.approver or self.hub or self.facilitator or self.accreditation
        )


def _own_applications(user: User) -> QuerySet[Application]:
    return Application.objects.filter(applicant=user).select_related(
        "offering__programme", "offering__hub", "endorsement"
    )


def _upcoming(sessions: QuerySet[Session], now: datetime.datetime) -> QuerySet[Session]:
    return sessions.filter(ends_at__gt=now, cancelled_at__isnull=True).order_by("starts_at", "id")


def _ended_without_register(sessions: QuerySet[Session], now) -> QuerySet[Session]:
    """Sessions that have ended, were not cancelled, and have no mark in their register."""
    return (
        sessions.filter(ends_at__lte=now, cancelled_at__isnull=True)
        .filter(~Exists(Attendance.objects.filter(session=OuterRef("pk"))))
        .filter(
            Exists(Application.objects.filter(offering=OuterRef("offering"), state=State.ACCEPTED))
        )
        .select_related("offering__programme", "offering__hub")
        .order_by("-ends_at", "id")
    )


def get_teacher_home(user: User, now: datetime.datetime) -> TeacherHome:
    """Offers to take up first, then the next sessions, tasks due and where each place stands."""
    today = timezone.localdate(now)
    offers = list(
        _own_applications(user)
        .filter(state=State.PLACE_OFFERED)
        .order_by(F("offer_expires_at").asc(nulls_last=True), "id")[:SHOWN]
    )
    next_sessions = list(_upcoming(list_participant_sessions(user), now)[:3])
    for session in next_sessions:
        session.join_link_released = bool(session.join_url) and is_join_link_released(session, now)
    tasks = list(
        GapTask.objects.filter(
            offering__applications__applicant=user,
            offering__applications__state=State.ACCEPTED,
            due_on__gte=today - datetime.timedelta(days=7),
        )
        .annotate(
            is_done=Exists(
                Submission.objects.filter(task=OuterRef("pk"), application__applicant=user)
            )
        )
        .select_related("offering__programme")
        .order_by("is_done", "due_on", "id")[:SHOWN]
    )
    in_progress = list(
        _own_applications(user)
        .filter(state__in=[state for state in ACTIVE if state != State.PLACE_OFFERED])
        .order_by("offering__starts_on", "id")[:SHOWN]
    )
    completed = list(
        _own_applications(user).filter(state=State.COMPLETED).order_by("-updated_at")[:3]
    )
    return TeacherHome(
        offers=offers,
        next_sessions=next_sessions,
        tasks=tasks,
        in_progress=in_progress,
        completed=completed,
    )


def get_approver_home(user: User, now: datetime.datetime) -> ApproverHome:
    """Release requests waiting for the school, and its staff's coming CPD dates (for cover)."""
    urns = list_approved_school_urns(user)
    pending = _shortlist(
        Application.objects.filter(school_id__in=urns, state=State.AWAITING_SCHOOL_APPROVAL)
        .select_related("applicant", "offering__programme", "offering__hub")
        .order_by(F("approval_due_at").asc(nulls_last=True), "id")
    )
    # One row per session and member of staff: the head plans cover person by person.
    staff_sessions = list(
        _upcoming(
            Session.objects.filter(
                offering__applications__school_id__in=urns,
                offering__applications__state=State.ACCEPTED,
            ),
            now,
        )
        .annotate(
            staff_name=F("offering__applications__applicant__full_name"),
            staff_email=F("offering__applications__applicant__email"),
        )
        .select_related("offering__programme")[:10]
    )
    return ApproverHome(pending=pending, staff_sessions=staff_sessions)


def get_hub_home(user: User, now: datetime.datetime) -> HubHome:
    """The hub's inbox: applications to decide, offers about to lapse, registers not taken,
    offerings whose sessions are over with places still to confirm."""
    hub_ids = list_staffed_hub_ids(user)
    applications = Application.objects.filter(offering__hub_id__in=hub_ids)
    waiting = _shortlist(
        applications.filter(state=State.SUBMITTED)
        .select_related("applicant", "offering__programme", "offering__hub")
        .order_by("submitted_at", "id")
    )
    expiring_offers = list(
        applications.filter(
            state=State.PLACE_OFFERED, offer_expires_at__lte=now + OFFER_EXPIRY_WARNING
        )
        .select_related("applicant", "offering__programme")
        .order_by("offer_expires_at", "id")[:SHOWN]
    )
    without_register = _shortlist(
        _ended_without_register(Session.objects.filter(offering__hub_id__in=hub_ids), now)
    )
    to_complete = list(
        Offering.objects.filter(hub_id__in=hub_ids)
        .annotate(last_session_ends_at=Max("sessions__ends_at"))
        .filter(last_session_ends_at__lte=now)
        .filter(Exists(Application.objects.filter(offering=OuterRef("pk"), state=State.ACCEPTED)))
        .select_related("programme", "hub")
        .order_by("last_session_ends_at", "id")[:SHOWN]
    )
    return HubHome(
        waiting=waiting,
        expiring_offers=expiring_offers,
        without_register=without_register,
        to_complete=to_complete,
    )


def get_facilitator_home(user: User, now: datetime.datetime) -> FacilitatorHome:
    """The sessions the person runs next, and registers still to take."""
    theirs = Session.objects.filter(offering__facilitator=user)
    return FacilitatorHome(
        next_sessions=list(
            _upcoming(theirs, now).select_related("offering__programme", "offering__hub")[:SHOWN]
        ),
        without_register=_shortlist(_ended_without_register(theirs, now)),
    )


def get_accreditation_home(user: User, roles: frozenset[str]) -> AccreditationHome | None:
    """The person's evidence in progress with its deadline, and (assessors and moderators)
    their assignments still to mark; None when there is neither."""
    candidacies = list(
        accreditation_selectors.list_own_candidacies(user)
        .exclude(state=CandidacyState.WITHDRAWN)
        .select_related("application__offering__accreditation_deadline")[:3]
    )
    for candidacy in candidacies:
        cohort = getattr(candidacy.application.offering, "accreditation_deadline", None)
        candidacy.due = accreditation_rules.effective_deadline(
            state=candidacy.state,
            submit_by=cohort.submit_by if cohort else None,
            extended_to=candidacy.extended_to,
            resubmit_by=candidacy.resubmit_by,
        )
    to_mark = (
        _shortlist(accreditation_selectors.list_assignments(user, completed=False))
        if {Role.ASSESSOR, Role.MODERATOR} & roles
        else None
    )
    home = AccreditationHome(candidacies=candidacies, to_mark=to_mark)
    return None if home.is_empty and to_mark is None else home


def get_home(user: User, now: datetime.datetime | None = None) -> Home:
    """Everything that needs the person now, section by section for the roles they hold."""
    now = now or timezone.now()
    roles = list_role_names(user)
    return Home(
        teacher=get_teacher_home(user, now),
        approver=get_approver_home(user, now) if Role.SCHOOL_APPROVER in roles else None,
        hub=get_hub_home(user, now) if Role.HUB_STAFF in roles else None,
        facilitator=get_facilitator_home(user, now) if Role.FACILITATOR in roles else None,
        accreditation=get_accreditation_home(user, roles),
    )
