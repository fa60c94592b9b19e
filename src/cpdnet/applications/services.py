"""Writes for applications: every change of state goes through `_move`, which checks the
allowed transitions, writes the history row and records the email it owes (the outbox)."""

import datetime
import re
from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from cpdnet.accounts.services import update_profile
from cpdnet.audit.services import record
from cpdnet.programmes.models import Offering, Residential
from cpdnet.schools.models import School

from . import eligibility
from .models import (
    ACTIVE,
    HOLDS_PLACE,
    WAITLIST_ORDER,
    Affiliation,
    AffiliationChange,
    AffiliationState,
    Application,
    EnrolmentLead,
    EnrolmentState,
    LeadParticipantSwap,
    ResidentialBooking,
    SchoolEnrolment,
    SchoolEnrolmentTransition,
    State,
    Transition,
    VerifiedDomain,
    WaitlistMove,
)
from .permissions import (
    can_confirm_affiliation,
    can_decide_places_on,
    can_look_after_school,
    can_manage_offering,
)
from .selectors import email_domain, is_public_webmail, list_verified_domains, release_authority
from .signals import application_moved, school_confirmation_changed

APPROVAL_SALT = "cpdnet.applications.school-approval"


class ApplicationError(Exception):
    """A request that cannot be carried out, with a reason for the person who asked."""

    def __init__(self, reason: str, *, code: str = "not_allowed"):
        super().__init__(reason)
        self.reason = reason
        self.code = code


class NotAuthorisedToRelease(ApplicationError):
    """The approver's address is neither a registered approver's nor on a verified domain."""

    def __init__(self, school: School, email: str):
        super().__init__(
            f"{email} cannot release staff of {school.name}: it is not the address of a "
            "registered approver of the school, nor on an email domain the school has verified.",
            code="approver_not_authorised",
        )


class NotEligible(ApplicationError):
    def __init__(self, refusal: eligibility.Refusal):
        super().__init__(refusal.reason, code=refusal.code)
        self.refusal = refusal


class NoPlacesLeft(ApplicationError):
    def __init__(self):
        super().__init__("There are no places left on this offering.", code="no_places_left")


class NoSchoolPlacesLeft(ApplicationError):
    def __init__(self):
        super().__init__(
            "Every school place on this offering is taken, and this teacher's school does not "
            "hold one.",
            code="no_school_places_left",
        )


class SchoolHasItsLeadParticipants(ApplicationError):
    def __init__(self):
        super().__init__(
            f"This teacher's school already has {MAX_LEAD_PARTICIPANTS} lead participants on "
            "this offering. The school can swap a lead participant instead.",
            code="school_has_its_lead_participants",
        )


class NoRoomsLeft(ApplicationError):
    def __init__(self):
        super().__init__(
            "Every bedroom at this residential is taken. The teacher can take a place only if "
            "they need no room.",
            code="no_rooms_left",
        )


class AcceptanceRefused(ApplicationError):
    def __init__(self, reason: str):
        super().__init__(reason, code="acceptance_refused")


# A school takes part in a Work Group counted in schools through one or two lead participants.
MAX_LEAD_PARTICIPANTS = 2

# Checks other apps add (from their AppConfig.ready) before anyone is given a place: each takes
# the application and returns the reason it may not have one yet, or None. Accreditation
# registers one needing the hub lead's endorsement; applications imports none of them.
AcceptanceCheck = Callable[[Application], str | None]
ACCEPTANCE_CHECKS: list[AcceptanceCheck] = []


def register_acceptance_check(check: AcceptanceCheck) -> AcceptanceCheck:
    """Add a check every move to a place (accepted, or offered from the waiting list) obeys."""
    if check not in ACCEPTANCE_CHECKS:
        ACCEPTANCE_CHECKS.append(check)
    return check


def acceptance_refusal(application: Application) -> str | None:
    """The first registered check's reason this application may not have a place, or None."""
    for check in ACCEPTANCE_CHECKS:
        reason = check(application)
        if reason:
            return reason
    return None


def _move(
    application: Application,
    to_state: str,
    *,
    by=None,
    by_label: str = "",
    reason: str = "",
    notify: bool = True,
) -> Transition:
    if not application.can_move_to(to_state):
        raise ApplicationError(
            f"An application that is {application.get_state_display().lower()} cannot become "
            f"{State(to_state).label.lower()}.",
            code="invalid_transition",
        )
    if to_state in (State.ACCEPTED, State.PLACE_OFFERED):
        refusal = acceptance_refusal(application)
        if refusal is not None:
            raise AcceptanceRefused(refusal)
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
    if to_state == State.ACCEPTED:
        open_residential_booking(application=application)
    application_moved.send(
        sender=Application,
        application=application,
        from_state=transition.from_state,
        to_state=to_state,
        by=transition.by,
    )
    if notify:
        _owe_email(transition)
    return transition


def _timestamps(to_state: str, application: Application) -> list[str]:
    now = timezone.now()
    if to_state == State.WAITLISTED:
        application.waitlisted_at = now
        application.waitlist_rank = None  # a newcomer queues after those already arranged
        return ["waitlisted_at", "waitlist_rank"]
    if to_state == State.PLACE_OFFERED:
        application.offer_expires_at = now + datetime.timedelta(days=settings.WAITLIST_OFFER_DAYS)
        return ["offer_expires_at"]
    return []


def _owe_email(transition: Transition) -> None:
    from cpdnet.notifications.outbox import owe_email
    from cpdnet.notifications.tasks import send_application_email_task

    owe_email(send_application_email_task, transition.pk)


def _lock_offering(offering_id: int) -> Offering:
    # Row lock on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE (settings).
    return Offering.objects.select_for_update().get(pk=offering_id)


def places_taken(offering: Offering) -> int:
    """Places held by applications, and those held for lead participants an enrolled school
    named who have not completed their application yet."""
    return offering.applications.filter(state__in=HOLDS_PLACE).count() + (
        _waiting_leads(offering).count()
    )


def _waiting_leads(offering: Offering):
    return EnrolmentLead.objects.holding_places().filter(enrolment__offering=offering)


def _schools_holding_places(offering: Offering) -> int:
    """Schools with a place: through a teacher's place or an enrolment (counted once)."""
    held = offering.applications.filter(state__in=HOLDS_PLACE)
    enrolled = offering.school_enrolments.filter(state=EnrolmentState.ENROLLED)
    return (
        held.values("school_id").distinct().count()
        + enrolled.exclude(school_id__in=held.values("school_id")).count()
    )


def rooms_taken(offering: Offering) -> int:
    """Bedrooms held on a residential: every place, except those who said they need none."""
    held = offering.applications.filter(state__in=HOLDS_PLACE)
    return held.exclude(residential_booking__needs_room=False).count()


def room_refusal(offering: Offering) -> ApplicationError | None:
    """NoRoomsLeft when a residential counted in rooms has none free (offering locked)."""
    rooms = Residential.objects.filter(offering=offering).values_list("rooms", flat=True).first()
    if rooms is not None and rooms_taken(offering) >= rooms:
        return NoRoomsLeft()
    return None


def school_place_refusal(offering: Offering, school_id: int) -> ApplicationError | None:
    """Why a new place for someone from this school would break the offering's school limits
    (call with the offering locked), or None when it fits."""
    counts_schools = offering.programme.counts_schools
    if offering.school_capacity is None and not counts_schools:
        return None
    held = offering.applications.filter(state__in=HOLDS_PLACE)
    from_school = (
        held.filter(school_id=school_id).count()
        + _waiting_leads(offering).filter(enrolment__school_id=school_id).count()
    )
    if counts_schools and from_school >= MAX_LEAD_PARTICIPANTS:
        return SchoolHasItsLeadParticipants()
    if (
        offering.school_capacity is not None
        and from_school == 0
        and not offering.school_enrolments.filter(
            school_id=school_id, state=EnrolmentState.ENROLLED
        ).exists()
        and _schools_holding_places(offering) >= offering.school_capacity
    ):
        return NoSchoolPlacesLeft()
    return None


def submit_application(
    *,
    offering: Offering,
    applicant,
    school,
    job_role: str,
    approver_email: str,
    statement: str = "",
    full_name: str | None = None,
    now: datetime.datetime | None = None,
    leads_pd_beyond_own_school: bool | None = None,
    information_sheet_acknowledged_at: datetime.datetime | None = None,
) -> Application:
    """Apply for a place: refuse with a reason if not eligible, else ask the school to release.

    The applicant's name (when given), school and job role are kept on their account for next
    time. Accreditation programmes are applied for through
    `cpdnet.accreditation.applying.submit_accreditation_application`, which also keeps the
    applicant's evidence of PD leadership."""
    candidate = eligibility.build_candidate(
        offering=offering,
        applicant=applicant,
        school=school,
        job_role=job_role,
        now=now,
        leads_pd_beyond_own_school=leads_pd_beyond_own_school,
    )
    refusal = eligibility.check(candidate)
    if refusal is not None:
        raise NotEligible(refusal)
    needs_school = offering.requires_school_approval
    approver_email = approver_email.strip().lower() if needs_school else ""
    if needs_school:
        _refuse_unless_may_release(school=school, email=approver_email, applicant=applicant)
    with transaction.atomic():
        affiliation = _claim_affiliation(person=applicant, school=school)
        try:
            application = Application.objects.create(
                offering=offering,
                continues=eligibility.find_previous_year_place(
                    offering=offering, applicant=applicant
                ),
                applicant=applicant,
                school=school,
                school_confirmed=affiliation.is_confirmed,
                job_role=job_role,
                approver_email=approver_email,
                statement=statement,
                information_sheet_acknowledged_at=information_sheet_acknowledged_at,
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
        update_profile(
            user=applicant,
            full_name=applicant.full_name if full_name is None else full_name,
            school=school,
            job_role=job_role,
        )
        _owe_email(transition)
    return application


def _refuse_unless_may_release(*, school: School, email: str, applicant) -> None:
    if email == applicant.email.lower():
        raise ApplicationError(
            "You cannot release yourself: give the address of your headteacher or CPD lead.",
            code="self_release",
        )
    if not release_authority(school=school, email=email):
        raise NotAuthorisedToRelease(school, email)


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
    *, application: Application, release: bool, approver_email: str, by=None, reason: str = ""
) -> Application:
    """The school releases the teacher (the hub then decides) or declines to.

    `approver_email` is who answers: the address the emailed link went to, or the signed-in
    approver's. Whether it may answer for the school is checked now, not when the email was
    sent, so an approver removed since then can no longer release.
    """
    approver_email = approver_email.strip().lower()
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("school", "applicant")
            .get(pk=application.pk)
        )
        if application.state != State.AWAITING_SCHOOL_APPROVAL:
            raise ApplicationError(
                "The school has already answered, or the application has moved on.",
                code="already_answered",
            )
        if getattr(by, "pk", None) == application.applicant_id:
            raise ApplicationError(
                "You cannot answer for your school about your own application.",
                code="self_release",
            )
        _refuse_unless_may_release(
            school=application.school, email=approver_email, applicant=application.applicant
        )
        if release:
            _move(
                application,
                State.SUBMITTED,
                by=by,
                by_label=approver_email,
                reason=reason or "Released by the school",
            )
            _confirm_on_release(application, by=by, approver_email=approver_email)
        else:
            _move(
                application,
                State.DECLINED,
                by=by,
                by_label=approver_email,
                reason=reason or "The school did not release the teacher",
            )
    return application


def _confirm_on_release(application: Application, *, by, approver_email: str) -> None:
    """An authorised approver releasing a teacher vouches that they work at the school."""
    affiliation = _claim_affiliation(person=application.applicant, school=application.school)
    if not affiliation.is_confirmed:
        _move_affiliation(
            affiliation,
            AffiliationState.CONFIRMED,
            by=by,
            by_label=approver_email,
            reason=f"Released application {application.reference}",
        )
    application.school_confirmed = True


# --- Affiliations: who works where ---------------------------------------------------------


def _claim_affiliation(*, person, school: School) -> Affiliation:
    """Return the person's affiliation to the school, claiming it (with history) if new."""
    affiliation, created = Affiliation.objects.get_or_create(person=person, school=school)
    if created:
        AffiliationChange.objects.create(
            affiliation=affiliation, to_state=AffiliationState.CLAIMED, by=person
        )
    return affiliation


def _move_affiliation(
    affiliation: Affiliation, to_state: str, *, by, by_label: str = "", reason: str = ""
) -> None:
    AffiliationChange.objects.create(
        affiliation=affiliation,
        from_state=affiliation.state,
        to_state=to_state,
        by=by if getattr(by, "pk", None) else None,
        by_label=by_label,
        reason=reason[:300],
    )
    affiliation.state = to_state
    affiliation.save(update_fields=["state", "updated_at"])
    # Applications count for the school in insights only once it is confirmed.
    applications = Application.objects.filter(
        applicant_id=affiliation.person_id, school_id=affiliation.school_id
    )
    ids = list(applications.values_list("pk", flat=True))
    applications.update(school_confirmed=to_state == AffiliationState.CONFIRMED)
    school_confirmation_changed.send(sender=Application, application_ids=ids)


def decide_affiliation(
    *, affiliation: Affiliation, confirm: bool, by, reason: str = ""
) -> Affiliation:
    """A school approver or hub staff confirm that a person works at the school, or say not."""
    with transaction.atomic():
        affiliation = (
            Affiliation.objects.select_for_update(of=("self",))
            .select_related("school", "person")
            .get(pk=affiliation.pk)
        )
        if not can_confirm_affiliation(by, affiliation.school):
            raise PermissionDenied
        if affiliation.person_id == by.pk:
            raise ApplicationError(
                "Someone else at the school or hub must confirm where you work.",
                code="self_confirmation",
            )
        target = AffiliationState.CONFIRMED if confirm else AffiliationState.REJECTED
        if affiliation.state == target:
            return affiliation
        _move_affiliation(affiliation, target, by=by, by_label=by.email, reason=reason)
        record(
            actor=by,
            action=f"applications.affiliation.{target}",
            obj=affiliation,
            summary=f"{AffiliationState(target).label}: {affiliation.person.email} at "
            f"{affiliation.school.name}",
            data={"school": affiliation.school_id, "reason": reason},
        )
    return affiliation


# --- Verified email domains ----------------------------------------------------------------

DOMAIN_PATTERN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def add_verified_domain(
    *, school: School, domain: str, for_trust: bool = False, by
) -> VerifiedDomain:
    """Record that a school (or its whole trust) owns an email domain: anyone with an address
    on it may then release the school's staff."""
    if not can_look_after_school(by, school):
        raise PermissionDenied
    domain = email_domain(domain.strip().lower().removeprefix("@"))
    if not DOMAIN_PATTERN.match(domain):
        raise ApplicationError(
            "Enter a domain like stmarys.leeds.sch.uk, without the part before the @.",
            code="bad_domain",
        )
    if is_public_webmail(domain):
        raise ApplicationError(
            f"{domain} is a public email service anyone can sign up to, so it cannot show that "
            "someone works at the school. Ask the school for its own domain.",
            code="public_webmail",
        )
    if for_trust and not school.trust_name:
        raise ApplicationError(
            f"{school.name} is not part of a trust in the schools register.", code="no_trust"
        )
    place = {"trust_name": school.trust_name} if for_trust else {"school": school}
    place_name = f"the trust {school.trust_name}" if for_trust else school.name
    with transaction.atomic():
        try:
            with transaction.atomic():
                verified = VerifiedDomain.objects.create(domain=domain, added_by=by, **place)
        except IntegrityError:
            raise ApplicationError(
                f"{domain} is already verified for {place_name}.", code="already_verified"
            ) from None
        record(
            actor=by,
            action="applications.verified_domain.added",
            obj=verified,
            summary=f"Email domain {domain} verified for {place_name}",
            data={"domain": domain, "school": school.urn, "trust": for_trust},
        )
    return verified


def remove_verified_domain(*, verified: VerifiedDomain, school: School, by) -> None:
    """Stop a domain vouching for a school or its trust; `school` is the one it was seen from."""
    if not can_look_after_school(by, school) or not (
        list_verified_domains(school).filter(pk=verified.pk).exists()
    ):
        raise PermissionDenied
    with transaction.atomic():
        record(
            actor=by,
            action="applications.verified_domain.removed",
            obj=verified,
            summary=f"Email domain {verified.domain} no longer verified for "
            f"{verified.school.name if verified.school_id else 'the trust ' + verified.trust_name}",
            data={"domain": verified.domain, "school": school.urn, "trust": not verified.school_id},
        )
        verified.delete()


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
        if not can_decide_places_on(by, offering.programme):
            raise ApplicationError(
                "Places on accreditation programmes are decided by national staff. The hub "
                "lead endorses the application instead.",
                code="national_staff_decide",
            )
        # A place offered from the waiting list is already counted among those taken.
        needs_place = target == State.ACCEPTED and application.state not in HOLDS_PLACE
        if needs_place and places_taken(offering) >= offering.capacity:
            raise NoPlacesLeft()
        if needs_place:
            refusal = school_place_refusal(offering, application.school_id) or room_refusal(
                offering
            )
            if refusal is not None:
                raise refusal
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
            person = application.applicant.get_full_name() or application.applicant.email
            problems.append(f"{person}: {error.reason}")
    return decided, problems


def withdraw_application(
    *, application: Application, by, reason: str = "", notify: bool = True
) -> Application:
    """The teacher withdraws; a place they held goes to the head of the waiting list.

    `notify=False` is for an erased account: there is nobody left to tell."""
    with transaction.atomic():
        offering = _lock_offering(application.offering_id)
        application = Application.objects.select_for_update().get(pk=application.pk)
        held_place = application.state in HOLDS_PLACE
        _move(
            application,
            State.WITHDRAWN,
            by=by,
            reason=reason or "Withdrawn by the teacher",
            notify=notify,
        )
        if held_place:
            offer_place_to_waiting_list(offering=offering)
    return application


def offer_place_to_waiting_list(*, offering: Offering) -> Application | None:
    """Offer a free place to the first on the waiting list (`WAITLIST_ORDER`: as hub staff
    arranged it, then longest waiting); call with the offering locked."""
    if places_taken(offering) >= offering.capacity:
        return None
    waiting = (
        offering.applications.select_for_update()
        .filter(state=State.WAITLISTED)
        .order_by(*WAITLIST_ORDER)
    )
    # The first on the list whose school can still take a place (school limits).
    head = next(
        (
            application
            for application in waiting.iterator(chunk_size=50)
            if school_place_refusal(offering, application.school_id) is None
            and acceptance_refusal(application) is None
        ),
        None,
    )
    if head is None:
        return None
    _move(head, State.PLACE_OFFERED, reason="A place came free")
    return head


def offer_place_by_hand(*, application: Application, by, reason: str) -> Application:
    """Hub staff offer a free place to someone on the waiting list out of turn, saying why."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            "Say why this person is offered the place before those waiting longer.",
            code="reason_required",
        )
    with transaction.atomic():
        offering = _lock_offering(application.offering_id)
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.state != State.WAITLISTED:
            raise ApplicationError(
                "Only someone on the waiting list can be offered a place.", code="not_waiting"
            )
        if places_taken(offering) >= offering.capacity:
            raise NoPlacesLeft()
        _move(application, State.PLACE_OFFERED, by=by, reason=reason)
        record(
            actor=by,
            action="applications.application.place_offered",
            obj=application,
            hub=offering.hub,
            summary=f"Place offered by hand: {application.applicant.email} on {offering}",
            data={"reason": reason},
        )
    return application


def move_on_waiting_list(
    *, application: Application, to_position: int, by, reason: str
) -> WaitlistMove:
    """Hub staff move someone up or down the waiting list (1 is first), saying why; offers
    follow the new order. Holds the offering's lock, so an offer made at the same moment
    sees the list either before or after the move, never half of it."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            "Say why this person moves on the waiting list.", code="reason_required"
        )
    with transaction.atomic():
        offering = _lock_offering(application.offering_id)
        waiting = list(
            offering.applications.select_for_update(of=("self",))
            .filter(state=State.WAITLISTED)
            .select_related("applicant")
            .order_by(*WAITLIST_ORDER)
        )
        index = next((i for i, a in enumerate(waiting) if a.pk == application.pk), None)
        if index is None:
            raise ApplicationError(
                "Only someone on the waiting list can be moved on it.", code="not_waiting"
            )
        target = min(max(to_position, 1), len(waiting)) - 1
        if target == index:
            raise ApplicationError(
                f"{waiting[index].applicant.get_full_name()} is already at position {index + 1}.",
                code="same_position",
            )
        moving = waiting.pop(index)
        waiting.insert(target, moving)
        changed = []
        for rank, waiter in enumerate(waiting, start=1):
            if waiter.waitlist_rank != rank:
                waiter.waitlist_rank = rank
                changed.append(waiter)
        Application.objects.bulk_update(changed, ["waitlist_rank"])
        move = WaitlistMove.objects.create(
            application=moving,
            from_position=index + 1,
            to_position=target + 1,
            by=by if getattr(by, "pk", None) else None,
            reason=reason[:300],
        )
        record(
            actor=by,
            action="applications.waiting_list.moved",
            obj=moving,
            hub=offering.hub,
            summary=f"Moved on the waiting list from {index + 1} to {target + 1}: "
            f"{moving.applicant.email} on {offering}",
            data={"from": index + 1, "to": target + 1, "reason": reason},
        )
    return move


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
            # Only the application row: an offering's hub is an outer join (national ones
            # have none), which PostgreSQL cannot lock.
            Application.objects.select_for_update(of=("self",))
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


def reopen_completion(*, application: Application, by, reason: str) -> Application:
    """Put a completed (or not completed) place back to accepted, when staff undo a completion
    confirmed by mistake; the participant is told why."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("offering__hub", "applicant")
            .get(pk=application.pk)
        )
        if application.state not in (State.COMPLETED, State.NOT_COMPLETED):
            raise ApplicationError(
                "Only a completed or not completed place can be reopened.", code="not_settled"
            )
        from_state = application.state
        _move(application, State.ACCEPTED, by=by, reason=reason)
        record(
            actor=by,
            action="applications.application.completion_reopened",
            obj=application,
            hub=application.offering.hub,
            summary=f"Completion undone ({State(from_state).label.lower()} to accepted): "
            f"{application.applicant.email} on {application.offering}",
            data={"reason": reason, "from": from_state},
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


def open_residential_booking(*, application: Application) -> ResidentialBooking | None:
    """Open the stay of a participant with a place on a residential, and owe them the joining
    instructions (sent on commit; the periodic sweep sends any still unsent). Call inside the
    transaction that gave the place; a no-op for other offerings and for a booking open."""
    from cpdnet.notifications.tasks import send_joining_instructions_task

    if not Residential.objects.filter(offering_id=application.offering_id).exists():
        return None
    booking, created = ResidentialBooking.objects.get_or_create(application=application)
    if created:
        transaction.on_commit(lambda: send_joining_instructions_task.enqueue(booking.pk))
    return booking


def record_residential_needs(
    *,
    application: Application,
    by,
    needs_room: bool,
    dietary_needs: str = "",
    access_needs: str = "",
    travel_arrangements: str = "",
) -> ResidentialBooking:
    """The participant says whether they need a room, their dietary and access needs and how
    they travel; a room given up frees one for the next acceptance."""
    with transaction.atomic():
        _lock_offering(application.offering_id)
        application = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        if application.state != State.ACCEPTED:
            raise ApplicationError(
                "You can tell us about your stay only while you hold a place.", code="no_place"
            )
        booking = ResidentialBooking.objects.select_for_update().filter(application=application)
        booking = booking.first()
        if booking is None:
            raise ApplicationError("This offering is not a residential.", code="not_residential")
        if needs_room and not booking.needs_room:
            rooms = (
                Residential.objects.filter(offering_id=application.offering_id)
                .values_list("rooms", flat=True)
                .first()
            )
            if rooms is not None and rooms_taken(application.offering) >= rooms:
                raise NoRoomsLeft()
        booking.needs_room = needs_room
        booking.dietary_needs = dietary_needs[:300]
        booking.access_needs = access_needs[:300]
        booking.travel_arrangements = travel_arrangements[:300]
        booking.save()
    return booking


# Where a colleague's application may be when the school makes them a lead participant.
SWAPPABLE_IN = (State.AWAITING_SCHOOL_APPROVAL, State.SUBMITTED, State.WAITLISTED)


def swap_lead_participant(
    *, leaving: Application, joining: Application, by, reason: str = ""
) -> LeadParticipantSwap:
    """The school replaces a lead participant with a colleague who applied for the same
    offering: the leaver's place passes to the colleague (the school keeps its school place),
    with history on both applications, a swap record and an audit entry."""
    with transaction.atomic():
        offering = _lock_offering(leaving.offering_id)
        leaving, joining = (
            Application.objects.select_for_update(of=("self",))
            .select_related("applicant")
            .get(pk=application.pk)
            for application in (leaving, joining)
        )
        if joining.offering_id != offering.pk or joining.school_id != leaving.school_id:
            raise ApplicationError(
                "Choose a colleague from the same school who applied for the same offering.",
                code="not_a_colleague",
            )
        if leaving.state != State.ACCEPTED:
            raise ApplicationError(
                "Only a lead participant with a place can be swapped.", code="no_place"
            )
        if joining.state not in SWAPPABLE_IN:
            raise ApplicationError(
                "This colleague's application is not waiting for a place.", code="not_waiting"
            )
        why = reason or f"Replaced as lead participant by {joining.applicant.email}"
        _move(leaving, State.WITHDRAWN, by=by, reason=why)
        if joining.state == State.AWAITING_SCHOOL_APPROVAL:
            _move(joining, State.SUBMITTED, by=by, reason="Released by the school")
        _move(joining, State.ACCEPTED, by=by, reason="Made a lead participant by the school")
        swap = LeadParticipantSwap.objects.create(
            offering=offering,
            school_id=leaving.school_id,
            leaving=leaving,
            joining=joining,
            by=by if getattr(by, "pk", None) else None,
            reason=reason[:300],
        )
        record(
            actor=by,
            action="applications.lead_participant.swapped",
            obj=swap,
            hub=offering.hub,
            summary=f"{leaving.applicant.email} replaced by {joining.applicant.email} on "
            f"{offering}",
            data={"leaving": leaving.pk, "joining": joining.pk, "reason": reason},
        )
    return swap


# --- Schools enrolled by their senior leader ----------------------------------------------


class SchoolAlreadyEnrolled(ApplicationError):
    def __init__(self):
        super().__init__(
            "Your school is already enrolled in this offering.", code="already_enrolled"
        )


def _move_enrolment(
    enrolment: SchoolEnrolment, to_state: str, *, by, reason: str = ""
) -> SchoolEnrolmentTransition:
    if not enrolment.can_move_to(to_state):
        raise ApplicationError(
            f"An enrolment that is {enrolment.get_state_display().lower()} cannot become "
            f"{EnrolmentState(to_state).label.lower()}.",
            code="invalid_transition",
        )
    transition = SchoolEnrolmentTransition.objects.create(
        enrolment=enrolment,
        from_state=enrolment.state,
        to_state=to_state,
        by=by if getattr(by, "pk", None) else None,
        reason=reason[:300],
    )
    enrolment.state = to_state
    enrolment.save(update_fields=["state", "updated_at"])
    return transition


def enrol_school(
    *,
    offering: Offering,
    school: School,
    by,
    senior_leader_name: str,
    senior_leader_role: str,
    releases_for_sessions: bool,
    gives_gap_task_time: bool,
    leads: list[tuple[str, str]],
    now: datetime.datetime | None = None,
) -> SchoolEnrolment:
    """A school's approver enrols the school in an offering counted in schools, with the
    senior leader's commitment and one or two lead participants (name, email). The school
    takes a school place and a place for each lead, under the offering's lock; each lead is
    emailed to complete their application, which the school has already released."""
    from cpdnet.accounts.selectors import list_approved_school_urns

    if school.urn not in list_approved_school_urns(by):
        raise PermissionDenied
    if offering.school_capacity is None:
        raise ApplicationError(
            "This offering does not enrol schools: each teacher applies.",
            code="not_enrolling_schools",
        )
    if not (releases_for_sessions and gives_gap_task_time):
        raise ApplicationError(
            "A school enrols by committing to release its lead participants for every session "
            "and to give them time for the work between sessions.",
            code="commitment_required",
        )
    leads = [(name.strip(), email.strip().lower()) for name, email in leads]
    if not 1 <= len(leads) <= MAX_LEAD_PARTICIPANTS:
        raise ApplicationError(
            "Name one or two lead participants.", code="lead_participants_required"
        )
    if len({email for _name, email in leads}) != len(leads):
        raise ApplicationError(
            "Give each lead participant their own email address.", code="same_lead_twice"
        )
    refusal = eligibility.check_school(offering=offering, school=school, now=now)
    if refusal is not None:
        raise NotEligible(refusal)
    with transaction.atomic():
        offering = _lock_offering(offering.pk)
        if offering.school_enrolments.filter(school=school, state=EnrolmentState.ENROLLED).exists():
            raise SchoolAlreadyEnrolled()
        held = offering.applications.filter(state__in=HOLDS_PLACE, school=school).count()
        if held + len(leads) > MAX_LEAD_PARTICIPANTS:
            raise SchoolHasItsLeadParticipants()
        if held == 0 and _schools_holding_places(offering) >= offering.school_capacity:
            raise NoSchoolPlacesLeft()
        if places_taken(offering) + len(leads) > offering.capacity:
            raise NoPlacesLeft()
        enrolment = SchoolEnrolment.objects.create(
            offering=offering,
            school=school,
            enrolled_by=by,
            senior_leader_name=senior_leader_name.strip()[:150],
            senior_leader_role=senior_leader_role.strip()[:150],
            releases_for_sessions=True,
            gives_gap_task_time=True,
        )
        SchoolEnrolmentTransition.objects.create(
            enrolment=enrolment, to_state=EnrolmentState.ENROLLED, by=by
        )
        for name, email in leads:
            lead = EnrolmentLead.objects.create(
                enrolment=enrolment, full_name=name[:150], email=email
            )
            _owe_enrolment_email("lead_invitation", lead.pk)
        record(
            actor=by,
            action="applications.school_enrolment.enrolled",
            obj=enrolment,
            hub=offering.hub,
            summary=f"{school.name} enrolled in {offering}",
            data={"school": school.urn, "leads": len(leads)},
        )
    return enrolment


def _owe_enrolment_email(kind: str, object_id: int) -> None:
    from cpdnet.notifications.outbox import owe_email

    from .tasks import send_enrolment_email_task

    owe_email(send_enrolment_email_task, kind, object_id)


def complete_lead_application(
    *, lead: EnrolmentLead, person, job_role: str, statement: str = ""
) -> Application:
    """A lead participant named by their school completes their application: already
    released by the school, it takes the place held for them."""
    with transaction.atomic():
        offering = _lock_offering(lead.enrolment.offering_id)
        lead = (
            EnrolmentLead.objects.select_for_update(of=("self",))
            .select_related("enrolment__school", "enrolment__enrolled_by")
            .get(pk=lead.pk)
        )
        enrolment = lead.enrolment
        if person.email.lower() != lead.email:
            raise PermissionDenied
        if lead.is_replaced:
            raise ApplicationError(
                "Your school has named a colleague in your place, so the place is no longer "
                "held for you.",
                code="replaced",
            )
        if not lead.is_waiting:
            raise ApplicationError(
                "You have already completed your application.", code="already_applied"
            )
        if not enrolment.is_enrolled:
            raise ApplicationError(
                "Your school is no longer enrolled in this offering.", code="not_enrolled"
            )
        candidate = eligibility.build_candidate(
            offering=offering, applicant=person, school=enrolment.school, job_role=job_role
        )
        # The window may have closed since the school enrolled: the place is already held.
        refusal = next(
            (
                found
                for rule in eligibility.RULES
                if rule is not eligibility.window_closed and (found := rule(candidate)) is not None
            ),
            None,
        )
        if refusal is not None:
            raise NotEligible(refusal)
        approver_email = enrolment.enrolled_by.email if enrolment.enrolled_by_id else ""
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    offering=offering,
                    continues=eligibility.find_previous_year_place(
                        offering=offering, applicant=person
                    ),
                    applicant=person,
                    school=enrolment.school,
                    job_role=job_role,
                    approver_email=approver_email,
                    statement=statement,
                    state=State.SUBMITTED,
                )
        except IntegrityError:
            raise ApplicationError(
                "You have already applied for this offering.", code="already_applied"
            ) from None
        Transition.objects.create(
            application=application,
            from_state="",
            to_state=State.SUBMITTED,
            by=person,
            by_label=approver_email,
            reason="Released by the school when it enrolled",
        )
        lead.application = application
        lead.save(update_fields=["application"])
        update_profile(
            user=person,
            full_name=person.full_name or lead.full_name,
            school=enrolment.school,
            job_role=job_role,
        )
        # The school named them as its teacher: that vouches they work there.
        _confirm_on_release(application, by=enrolment.enrolled_by, approver_email=approver_email)
        application.save(update_fields=["school_confirmed"])
        _move(
            application,
            State.ACCEPTED,
            by=person,
            reason="Lead participant of a school enrolled by its senior leader",
        )
    return application


def replace_enrolment_lead(*, lead: EnrolmentLead, full_name: str, email: str, by) -> EnrolmentLead:
    """The school names a colleague in place of a lead participant who has not completed their
    application: the place held passes to the colleague, who is emailed the link to complete
    theirs; the lead's link stops working and they are told. Return the colleague's lead."""
    from cpdnet.accounts.selectors import list_approved_school_urns

    if lead.enrolment.school_id not in list_approved_school_urns(by):
        raise PermissionDenied
    full_name, email = full_name.strip(), email.strip().lower()
    if not (full_name and email):
        raise ApplicationError(
            "Give the new lead participant's full name and email address.",
            code="lead_participant_required",
        )
    with transaction.atomic():
        offering = _lock_offering(lead.enrolment.offering_id)
        leaving = (
            EnrolmentLead.objects.select_for_update(of=("self",))
            .select_related("enrolment__school")
            .get(pk=lead.pk)
        )
        enrolment = leaving.enrolment
        if not enrolment.is_enrolled:
            raise ApplicationError(
                "Your school has withdrawn from this offering, so it holds no place to pass on.",
                code="not_enrolled",
            )
        if leaving.is_replaced:
            raise ApplicationError(
                f"{leaving.full_name} has already been replaced as a lead participant.",
                code="already_replaced",
            )
        if not leaving.is_waiting:
            raise ApplicationError(
                f"{leaving.full_name} has already completed their application and holds the "
                "place, so it cannot be passed on here. Ask your colleague to apply for this "
                'offering, then choose "Swap for a colleague" on your school\'s teachers taking '
                "part.",
                code="already_applied",
            )
        if enrolment.leads.filter(replaced_at__isnull=True, email=email).exists():
            raise ApplicationError(
                f"{email} is already named as a lead participant for your school on this "
                "offering. Name a different colleague.",
                code="same_lead_twice",
            )
        joining = EnrolmentLead.objects.create(
            enrolment=enrolment, full_name=full_name[:150], email=email
        )
        leaving.replaced_by, leaving.replaced_at = joining, timezone.now()
        leaving.save(update_fields=["replaced_by", "replaced_at"])
        _owe_enrolment_email("lead_replaced", leaving.pk)
        _owe_enrolment_email("lead_invitation", joining.pk)
        record(
            actor=by,
            action="applications.enrolment_lead.replaced",
            obj=enrolment,
            hub=offering.hub,
            # Names stay on the lead rows, which erasure blanks; the trail keeps their ids.
            summary=f"Lead participant replaced at {enrolment.school.name} on {offering}",
            data={"leaving": leaving.pk, "joining": joining.pk},
        )
    return joining


def withdraw_school_enrolment(
    *, enrolment: SchoolEnrolment, by, reason: str = ""
) -> SchoolEnrolment:
    """The school withdraws from the offering (see `_withdraw_enrolment`)."""
    from cpdnet.accounts.selectors import list_approved_school_urns

    if enrolment.school_id not in list_approved_school_urns(by):
        raise PermissionDenied
    return _withdraw_enrolment(
        enrolment=enrolment,
        by=by,
        reason=reason.strip() or "The school withdrew from the offering",
        by_school=True,
    )


def withdraw_enrolled_school(*, enrolment: SchoolEnrolment, by, reason: str) -> SchoolEnrolment:
    """The staff running the offering withdraw a school's enrolment, saying why (for example,
    the school stopped taking part): as when the school withdraws, and its approvers are
    emailed too."""
    if not can_manage_offering(by, enrolment.offering):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            "Say why the school is withdrawn: the school and its lead participants are told.",
            code="reason_required",
        )
    return _withdraw_enrolment(enrolment=enrolment, by=by, reason=reason, by_school=False)


def _withdraw_enrolment(
    *, enrolment: SchoolEnrolment, by, reason: str, by_school: bool
) -> SchoolEnrolment:
    """Withdraw the enrolment under the offering lock: its lead participants' places are
    withdrawn (with history and an email each), leads still to complete their application are
    told the place held for them has gone, and every place freed goes to the waiting list."""
    with transaction.atomic():
        offering = _lock_offering(enrolment.offering_id)
        enrolment = (
            SchoolEnrolment.objects.select_for_update(of=("self",))
            .select_related("school")
            .get(pk=enrolment.pk)
        )
        transition = _move_enrolment(enrolment, EnrolmentState.WITHDRAWN, by=by, reason=reason)
        leads_places = Application.objects.select_for_update().filter(
            enrolment_lead__enrolment=enrolment, state__in=ACTIVE
        )
        for application in leads_places:
            _move(application, State.WITHDRAWN, by=by, reason=reason)
        waiting = enrolment.leads.filter(application__isnull=True, replaced_at__isnull=True)
        for lead_id in waiting.values_list("pk", flat=True):
            _owe_enrolment_email("lead_place_withdrawn", lead_id)
        if not by_school:
            _owe_enrolment_email("enrolment_withdrawn", transition.pk)
        while offer_place_to_waiting_list(offering=offering) is not None:
            pass
        record(
            actor=by,
            action="applications.school_enrolment.withdrawn",
            obj=enrolment,
            hub=offering.hub,
            summary=f"{enrolment.school.name} withdrew from {offering}"
            if by_school
            else f"{enrolment.school.name} withdrawn from {offering} by staff running it",
            data={"reason": reason, "by_school": by_school},
        )
    return enrolment


def record_enrolment_colleagues_reached(
    *, enrolment: SchoolEnrolment, colleagues_reached: int, by
) -> SchoolEnrolment:
    """The school's leader records how many department colleagues the leads' work reached."""
    from cpdnet.accounts.selectors import list_approved_school_urns

    if enrolment.school_id not in list_approved_school_urns(by):
        raise PermissionDenied
    if colleagues_reached < 0:
        raise ApplicationError("Give a number of colleagues, 0 or more.", code="bad_number")
    with transaction.atomic():
        enrolment = SchoolEnrolment.objects.select_for_update().get(pk=enrolment.pk)
        before = enrolment.colleagues_reached
        enrolment.colleagues_reached = colleagues_reached
        enrolment.save(update_fields=["colleagues_reached", "updated_at"])
        record(
            actor=by,
            action="applications.school_enrolment.colleagues_recorded",
            obj=enrolment,
            hub=enrolment.offering.hub,
            summary=f"Department colleagues reached at {enrolment.school.name}: "
            f"{colleagues_reached}",
            data={"before": before, "after": colleagues_reached},
        )
    return enrolment


def give_up_held_place(*, lead: EnrolmentLead) -> None:
    """Drop a lead participant who never completed their application (their account was
    erased): the place held for them goes to the waiting list."""
    with transaction.atomic():
        offering = _lock_offering(lead.enrolment.offering_id)
        EnrolmentLead.objects.filter(pk=lead.pk, application__isnull=True).delete()
        while offer_place_to_waiting_list(offering=offering) is not None:
            pass
