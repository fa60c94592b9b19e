"""Writes for applications: every change of state goes through `_move`, which checks the
allowed transitions, writes the history row and schedules the email on commit."""

import datetime

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from cpdnet.audit.services import record
from cpdnet.programmes.models import Offering

from . import eligibility
from .models import HOLDS_PLACE, Application, State, Transition
from .signals import application_moved

APPROVAL_SALT = "cpdnet.applications.school-approval"


class ApplicationError(Exception):
    """A request that cannot be carried out, with a reason for the person who asked."""

    def __init__(self, reason: str, *, code: str = "not_allowed"):
        super().__init__(reason)
        self.reason = reason
        self.code = code


class NotEligible(ApplicationError):
    def __init__(self, refusal: eligibility.Refusal):
        super().__init__(refusal.reason, code=refusal.code)
        self.refusal = refusal


class NoPlacesLeft(ApplicationError):
    def __init__(self):
        super().__init__("There are no places left on this offering.", code="no_places_left")


def _move(
    application: Application, to_state: str, *, by=None, by_label: str = "", reason: str = ""
) -> Transition:
    if not application.can_move_to(to_state):
        raise ApplicationError(
            f"An application that is {application.get_state_display().lower()} cannot become "
            f"{State(to_state).label.lower()}.",
            code="invalid_transition",
        )
    transition = Transition.objects.create(
        application=application,
        from_state=application.state,
        to_state=to_state,
        by=by if getattr(by, "pk", None) else None,
        by_label=by_label,
        reason=reason[:300],
    )
    application.state = to_state
    application.state_reason = reason[:300]
    application.save(
        update_fields=["state", "state_reason", "updated_at", *_timestamps(to_state, application)]
    )
    application_moved.send(
        sender=Application,
        application=application,
        from_state=transition.from_state,
        to_state=to_state,
        by=transition.by,
    )
    _notify_on_commit(transition)
    return transition


def _timestamps(to_state: str, application: Application) -> list[str]:
    now = timezone.now()
    if to_state == State.WAITLISTED:
        application.waitlisted_at = now
        return ["waitlisted_at"]
    if to_state == State.PLACE_OFFERED:
        application.offer_expires_at = now + datetime.timedelta(days=settings.WAITLIST_OFFER_DAYS)
        return ["offer_expires_at"]
    return []


def _notify_on_commit(transition: Transition) -> None:
    from cpdnet.notifications.tasks import send_application_email_task

    transaction.on_commit(lambda: send_application_email_task.enqueue(transition.pk))


def _lock_offering(offering_id: int) -> Offering:
    # Row lock on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE (settings).
    return Offering.objects.select_for_update().get(pk=offering_id)


def places_taken(offering: Offering) -> int:
    return offering.applications.filter(state__in=HOLDS_PLACE).count()


def submit_application(
    *,
    offering: Offering,
    applicant,
    school,
    job_role: str,
    approver_email: str,
    statement: str = "",
    now: datetime.datetime | None = None,
) -> Application:
    """Apply for a place: refuse with a reason if not eligible, else ask the school to release."""
    candidate = eligibility.build_candidate(
        offering=offering, applicant=applicant, school=school, job_role=job_role, now=now
    )
    refusal = eligibility.check(candidate)
    if refusal is not None:
        raise NotEligible(refusal)
    needs_school = offering.requires_school_approval
    with transaction.atomic():
        try:
            application = Application.objects.create(
                offering=offering,
                applicant=applicant,
                school=school,
                job_role=job_role,
                approver_email=approver_email.strip().lower(),
                statement=statement,
                state=State.AWAITING_SCHOOL_APPROVAL if needs_school else State.SUBMITTED,
                approval_due_at=(
                    timezone.now() + datetime.timedelta(days=settings.SCHOOL_APPROVAL_DAYS)
                    if needs_school
                    else None
                ),
            )
        except IntegrityError:
            raise ApplicationError(
                "You have already applied for this offering.", code="already_applied"
            ) from None
        transition = Transition.objects.create(
            application=application, from_state="", to_state=application.state, by=applicant
        )
        _notify_on_commit(transition)
    return application


def approval_token(application: Application) -> str:
    """Return the signed token for the school approver's email link."""
    return signing.dumps({"application": application.pk}, salt=APPROVAL_SALT)


def application_for_approval_token(token: str) -> Application:
    """Return the application a link is for, or raise ApplicationError if bad or expired."""
    max_age = datetime.timedelta(days=settings.SCHOOL_APPROVAL_DAYS)
    try:
        payload = signing.loads(token, salt=APPROVAL_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ApplicationError("This link has expired.", code="link_expired") from None
    except signing.BadSignature:
        raise ApplicationError("This link is not valid.", code="link_invalid") from None
    try:
        return Application.objects.select_related(
            "offering__programme", "offering__hub", "school", "applicant"
        ).get(pk=payload["application"])
    except Application.DoesNotExist:
        raise ApplicationError("This link is not valid.", code="link_invalid") from None


def record_school_decision(
    *, application: Application, release: bool, by=None, by_label: str = "", reason: str = ""
) -> Application:
    """The school releases the teacher (the hub then decides) or declines to."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.state != State.AWAITING_SCHOOL_APPROVAL:
            raise ApplicationError(
                "The school has already answered, or the application has moved on.",
                code="already_answered",
            )
        if release:
            _move(
                application,
                State.SUBMITTED,
                by=by,
                by_label=by_label,
                reason=reason or "Released by the school",
            )
        else:
            _move(
                application,
                State.DECLINED,
                by=by,
                by_label=by_label,
                reason=reason or "The school did not release the teacher",
            )
    return application


def decide_application(
    *, application: Application, decision: str, by, reason: str = ""
) -> Application:
    """Hub staff accept (while places last), waitlist or decline an application."""
    target = {
        "accept": State.ACCEPTED,
        "waitlist": State.WAITLISTED,
        "decline": State.DECLINED,
    }.get(decision)
    if target is None:
        raise ApplicationError(
            "The decision must be accept, waitlist or decline.", code="bad_decision"
        )
    with transaction.atomic():
        offering = _lock_offering(application.offering_id)
        application = Application.objects.select_for_update().get(pk=application.pk)
        # A place offered from the waiting list is already counted among those taken.
        needs_place = target == State.ACCEPTED and application.state not in HOLDS_PLACE
        if needs_place and places_taken(offering) >= offering.capacity:
            raise NoPlacesLeft()
        _move(application, target, by=by, reason=reason)
        record(
            actor=by,
            action=f"applications.application.{target}",
            obj=application,
            hub=offering.hub,
            summary=f"{State(target).label}: {application.applicant.email} on {offering}",
            data={"reason": reason},
        )
    return application


def decide_applications(
    *, applications: list[Application], decision: str, by, reason: str = ""
) -> tuple[int, list[str]]:
    """Decide many applications; return how many were decided and the reasons for the rest."""
    decided, problems = 0, []
    for application in applications:
        try:
            decide_application(application=application, decision=decision, by=by, reason=reason)
            decided += 1
        except ApplicationError as error:
            problems.append(f"{application.applicant.email}: {error.reason}")
    return decided, problems


def withdraw_application(*, application: Application, by, reason: str = "") -> Application:
    """The teacher withdraws; a place they held goes to the head of the waiting list."""
    with transaction.atomic():
        offering = _lock_offering(application.offering_id)
        application = Application.objects.select_for_update().get(pk=application.pk)
        held_place = application.state in HOLDS_PLACE
        _move(application, State.WITHDRAWN, by=by, reason=reason or "Withdrawn by the teacher")
        if held_place:
            offer_place_to_waiting_list(offering=offering)
    return application


def offer_place_to_waiting_list(*, offering: Offering) -> Application | None:
    """Offer a free place to the longest-waiting applicant; call with the offering locked."""
    if places_taken(offering) >= offering.capacity:
        return None
    head = (
        offering.applications.select_for_update()
        .filter(state=State.WAITLISTED)
        .order_by("waitlisted_at", "id")
        .first()
    )
    if head is None:
        return None
    _move(head, State.PLACE_OFFERED, reason="A place came free")
    return head


def take_up_offered_place(*, application: Application, by) -> Application:
    """The teacher takes the place offered from the waiting list before it runs out."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.state != State.PLACE_OFFERED:
            raise ApplicationError(
                "There is no place waiting for you on this offering.", code="no_offer"
            )
        if application.offer_expires_at and application.offer_expires_at <= timezone.now():
            raise ApplicationError("This offer has run out.", code="offer_expired")
        _move(application, State.ACCEPTED, by=by, reason="Took up the place offered")
    return application


def record_completion(
    *, application: Application, completed: bool, by, reason: str = ""
) -> Application:
    """The people running the offering confirm whether a participant completed it."""
    target = State.COMPLETED if completed else State.NOT_COMPLETED
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("offering__hub", "offering__programme", "applicant")
            .get(pk=application.pk)
        )
        _move(application, target, by=by, reason=reason)
        record(
            actor=by,
            action=f"applications.application.{target}",
            obj=application,
            hub=application.offering.hub,
            summary=f"{State(target).label}: {application.applicant.email} on "
            f"{application.offering}",
            data={"reason": reason},
        )
    return application


def expire_overdue_applications(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Lapse unanswered school approvals and untaken offers; return (approvals, offers)."""
    now = now or timezone.now()
    lapsed_approvals = lapsed_offers = 0
    overdue = Application.objects.filter(
        state=State.AWAITING_SCHOOL_APPROVAL, approval_due_at__lte=now
    )
    for application_id in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            application = Application.objects.select_for_update().get(pk=application_id)
            if application.state == State.AWAITING_SCHOOL_APPROVAL:
                _move(
                    application,
                    State.DECLINED,
                    by_label="cpdnet",
                    reason="The school did not answer in time",
                )
                lapsed_approvals += 1
    offers = Application.objects.filter(state=State.PLACE_OFFERED, offer_expires_at__lte=now)
    for application_id, offering_id in offers.values_list("pk", "offering_id"):
        with transaction.atomic():
            offering = _lock_offering(offering_id)
            application = Application.objects.select_for_update().get(pk=application_id)
            if application.state == State.PLACE_OFFERED:
                _move(
                    application,
                    State.DECLINED,
                    by_label="cpdnet",
                    reason="The place offered was not taken up in time",
                )
                lapsed_offers += 1
                offer_place_to_waiting_list(offering=offering)
    return lapsed_approvals, lapsed_offers
