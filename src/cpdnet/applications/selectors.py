"""Reads of applications, scoped to what a person's roles let them see."""

from django.db.models import Case, Prefetch, Q, QuerySet, When

from cpdnet.accounts import selectors as account_selectors
from cpdnet.accounts.models import Role, User
from cpdnet.programmes.models import Kind
from cpdnet.schools.models import School

from .models import (
    PARTICIPATING,
    Affiliation,
    AffiliationState,
    Application,
    EnrolmentLead,
    EnrolmentState,
    ResidentialBooking,
    SchoolEnrolment,
    State,
    VerifiedDomain,
)


def _with_context() -> QuerySet[Application]:
    return Application.objects.select_related(
        "offering__hub", "offering__programme", "applicant"
    ).order_by("-submitted_at", "-id")


def list_visible_applications(user: User) -> QuerySet[Application]:
    """Everything national staff; else their hubs', their schools' and their own."""
    if account_selectors.is_national_staff(user):
        return _with_context()
    return _with_context().filter(
        Q(offering__hub_id__in=account_selectors.list_staffed_hub_ids(user))
        | Q(school_id__in=account_selectors.list_approved_school_urns(user))
        | Q(applicant=user)
    )


def list_decidable_applications(user: User) -> QuerySet[Application] | None:
    """Applications the person may decide (hub staff, national staff), or None for no one's."""
    if account_selectors.is_national_staff(user):
        return _with_context()
    hub_ids = account_selectors.list_staffed_hub_ids(user)
    if not hub_ids:
        return None
    # Places on accreditation programmes are national staff's to decide (permissions).
    return (
        _with_context()
        .filter(offering__hub_id__in=hub_ids)
        .exclude(offering__programme__kind=Kind.ACCREDITATION)
    )


def get_own_application(user: User, application_id: int) -> Application:
    """Return one of the person's own applications, or raise Application.DoesNotExist alike
    for a missing one and someone else's."""
    return Application.objects.select_related("offering__programme", "offering__hub").get(
        pk=application_id, applicant=user
    )


def list_participations(user: User) -> QuerySet[Application]:
    """The person's places on offerings (accepted, completed or not completed)."""
    return _with_context().filter(applicant=user, state__in=PARTICIPATING)


def get_participation(user: User, offering_id: int) -> Application:
    """Return the person's place on an offering, or raise Application.DoesNotExist alike for
    an offering they have no place on and one that does not exist."""
    return list_participations(user).get(offering_id=offering_id)


def list_participants(offering_id: int) -> QuerySet[Application]:
    """An offering's participants, by name."""
    return (
        Application.objects.filter(offering_id=offering_id, state__in=PARTICIPATING)
        .select_related("applicant", "school")
        .order_by("applicant__full_name", "applicant__email", "id")
    )


# --- Who may release a school's staff ------------------------------------------------------

# Anyone can open an address on these, so they can never prove a school stands behind it.
PUBLIC_WEBMAIL_DOMAINS = frozenset(
    {
        "aol.com", "btinternet.com", "gmail.com", "googlemail.com", "gmx.com", "gmx.co.uk",
        "hotmail.com", "hotmail.co.uk", "icloud.com", "live.com", "live.co.uk", "mac.com",
        "me.com", "msn.com", "outlook.com", "outlook.co.uk", "proton.me", "protonmail.com",
        "sky.com", "talktalk.net", "virginmedia.com", "ymail.com", "zoho.com",
    }
)  # fmt: skip
PUBLIC_WEBMAIL_FAMILIES = ("yahoo", "hotmail", "outlook", "live", "aol")


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower().rstrip(".")


def is_public_webmail(domain: str) -> bool:
    """Whether a domain is a public webmail service (yahoo.* and the like in every country)."""
    domain = domain.lower()
    if domain in PUBLIC_WEBMAIL_DOMAINS:
        return True
    # yahoo.fr, yahoo.co.uk, hotmail.com.au: a family's name followed only by a country's or
    # a generic ending, not live.example.org
    name, *ending = domain.split(".")
    return (
        name in PUBLIC_WEBMAIL_FAMILIES
        and 0 < len(ending) <= 2
        and all(len(label) <= 3 for label in ending)
    )


def list_school_approvers(school: School) -> QuerySet[User]:
    """The active people registered as approvers of a school, by name."""
    return User.objects.filter(
        is_active=True, roles__role=Role.SCHOOL_APPROVER, roles__school=school
    ).order_by("full_name", "email")


def list_verified_domains(school: School) -> QuerySet[VerifiedDomain]:
    """The domains verified for a school, and for its trust."""
    trust = Q(trust_name=school.trust_name, school__isnull=True) if school.trust_name else Q()
    return VerifiedDomain.objects.filter(Q(school=school) | trust).select_related("added_by")


def release_authority(*, school: School, email: str) -> str:
    """Why this address may release the school's staff: "approver" (registered approver of the
    school), "domain" (on a domain the school or its trust verified), or "" when it may not."""
    email = email.strip().lower()
    if not email:
        return ""
    if list_school_approvers(school).filter(email__iexact=email).exists():
        return "approver"
    domain = email_domain(email)
    if (
        not is_public_webmail(domain)
        and list_verified_domains(school).filter(domain=domain).exists()
    ):
        return "domain"
    return ""


def mask_email(email: str) -> str:
    """Show enough of an address to recognise it without giving it away: j***@school.org.uk."""
    if not email:
        return ""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def get_affiliation(person: User, school: School) -> Affiliation | None:
    return Affiliation.objects.filter(person=person, school=school).first()


def list_claimed_affiliations(school_urns: list[int] | None) -> QuerySet[Affiliation]:
    """People waiting for one of these schools (None: any school) to confirm they work there,
    oldest first."""
    claimed = Affiliation.objects.filter(state=AffiliationState.CLAIMED)
    if school_urns is not None:
        claimed = claimed.filter(school_id__in=school_urns)
    return claimed.select_related("person", "school").order_by("created_at", "id")


def list_school_affiliations(school: School) -> QuerySet[Affiliation]:
    """Everyone who has said they work at a school, waiting ones first."""
    return (
        Affiliation.objects.filter(school=school)
        .select_related("person")
        .annotate(waiting=Case(When(state=AffiliationState.CLAIMED, then=0), default=1))
        .order_by("waiting", "person__full_name", "person__email", "id")
    )


def get_own_residential_booking(user: User, application_id: int) -> ResidentialBooking:
    """Return the person's stay on a residential they hold a place on, or raise
    ResidentialBooking.DoesNotExist alike for a missing one and someone else's."""
    return ResidentialBooking.objects.select_related(
        "application__offering__programme",
        "application__offering__hub",
        "application__offering__provider",
        "application__offering__residential",
    ).get(
        application_id=application_id,
        application__applicant=user,
        application__state=State.ACCEPTED,
    )


def access_school_lead_participant(user: User, application_id: int) -> Application:
    """Return a place held by a teacher of a school the person releases staff for, or raise
    Application.DoesNotExist alike for a missing one and another school's."""
    return Application.objects.select_related(
        "applicant", "school", "offering__programme", "offering__hub", "offering__provider"
    ).get(
        pk=application_id,
        state=State.ACCEPTED,
        school_id__in=account_selectors.list_approved_school_urns(user),
    )


def list_swap_candidates(leaving: Application) -> QuerySet[Application]:
    """Colleagues from the same school waiting for a place on the same offering."""
    from .services import SWAPPABLE_IN

    return (
        Application.objects.filter(
            offering_id=leaving.offering_id, school_id=leaving.school_id, state__in=SWAPPABLE_IN
        )
        .select_related("applicant")
        .order_by("applicant__full_name", "pk")
    )


# --- Schools enrolled by their senior leader ----------------------------------------------


def _enrolments_with_leads() -> QuerySet[SchoolEnrolment]:
    return SchoolEnrolment.objects.select_related(
        "school", "offering__programme", "offering__hub", "offering__provider"
    ).prefetch_related(
        # The current leads: those replaced before completing their application are history.
        Prefetch(
            "leads",
            queryset=EnrolmentLead.objects.filter(replaced_at__isnull=True)
            .select_related("application")
            .order_by("created_at", "id"),
        )
    )


def list_school_enrolments(school_urns: list[int], year: int) -> QuerySet[SchoolEnrolment]:
    """These schools' enrolments in offerings of an academic year, with their leads."""
    return (
        _enrolments_with_leads()
        .filter(school_id__in=school_urns, offering__academic_year=year)
        .order_by("school__name", "offering__starts_on", "id")
    )


def access_school_enrolment(user: User, enrolment_id: int) -> SchoolEnrolment:
    """Return an enrolment of a school the person releases staff for, or raise
    SchoolEnrolment.DoesNotExist alike for a missing one and another school's."""
    return _enrolments_with_leads().get(
        pk=enrolment_id, school_id__in=account_selectors.list_approved_school_urns(user)
    )


def get_waiting_lead(user: User, lead_id: int) -> EnrolmentLead:
    """Return the person's own place held by an enrolled school, not yet taken up, or raise
    EnrolmentLead.DoesNotExist alike for a missing one and someone else's."""
    return (
        EnrolmentLead.objects.holding_places()
        .select_related(
            "enrolment__school",
            "enrolment__offering__programme",
            "enrolment__offering__hub",
            "enrolment__offering__provider",
        )
        .get(pk=lead_id, email__iexact=user.email)
    )


def list_offering_enrolments(offering_id: int) -> QuerySet[SchoolEnrolment]:
    """The schools enrolled in an offering (and those that withdrew), with their leads."""
    return (
        _enrolments_with_leads()
        .filter(offering_id=offering_id)
        .select_related("enrolled_by")
        .order_by("state", "school__name", "id")
    )


def list_enrollable_schools(user: User, offering_id: int) -> QuerySet[School]:
    """The person's schools (as approver) not yet enrolled in the offering."""
    return (
        School.objects.filter(urn__in=account_selectors.list_approved_school_urns(user))
        .exclude(enrolments__offering_id=offering_id, enrolments__state=EnrolmentState.ENROLLED)
        .order_by("name")
    )


def count_places_held_for_leads(offering_id: int) -> int:
    """Places an enrolled school holds for leads who have not completed their application."""
    return EnrolmentLead.objects.holding_places().filter(enrolment__offering_id=offering_id).count()


def list_managed_school_enrolments(user: User) -> QuerySet[SchoolEnrolment]:
    """Enrolments in offerings the person runs: every one for national staff, else those of
    their hubs' and their providers' offerings (none for anyone else)."""
    enrolments = (
        _enrolments_with_leads().select_related("enrolled_by").order_by("-updated_at", "-id")
    )
    if account_selectors.is_national_staff(user):
        return enrolments
    return enrolments.filter(
        Q(offering__hub_id__in=account_selectors.list_staffed_hub_ids(user))
        | Q(offering__provider_id__in=account_selectors.staffed_provider_ids_query(user))
    )
