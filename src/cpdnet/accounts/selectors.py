"""Reads about people: which roles they hold, scoping every query to what a role may see."""

import hashlib

from .models import Role, RoleAssignment, User


def _ids(user: User, role: str, column: str) -> list:
    if not user.is_authenticated:
        return []
    cache_name = f"_role_ids_{role}_{column}"
    if not hasattr(user, cache_name):
        setattr(
            user,
            cache_name,
            list(
                RoleAssignment.objects.filter(user=user, role=role).values_list(column, flat=True)
            ),
        )
    return getattr(user, cache_name)


def is_national_staff(user: User) -> bool:
    return user.is_authenticated and (
        user.is_staff or bool(_ids(user, Role.NATIONAL_STAFF, "role"))
    )


def list_staffed_hub_ids(user: User) -> list[int]:
    """Hubs whose applications the person may see and decide (hub staff)."""
    return _ids(user, Role.HUB_STAFF, "hub_id")


def list_facilitated_hub_ids(user: User) -> list[int]:
    return _ids(user, Role.FACILITATOR, "hub_id")


def list_approved_school_urns(user: User) -> list[int]:
    """Schools whose staff the person may release (school approver)."""
    return _ids(user, Role.SCHOOL_APPROVER, "school_id")


def list_finance_school_urns(user: User) -> list[int]:
    """Schools whose invoices, bank details and statements the person handles."""
    return _ids(user, Role.SCHOOL_FINANCE, "school_id")


def has_role(user: User, role: str) -> bool:
    if role == Role.NATIONAL_STAFF:
        return is_national_staff(user)
    return bool(_ids(user, role, "role"))


def get_user_for_token(token: str) -> User | None:
    """Return the active person an API bearer token belongs to, or None."""
    from .models import ApiToken
    from .services import touch_api_token

    if not token:
        return None
    api_token = (
        ApiToken.objects.select_related("user")
        .filter(
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            revoked_at__isnull=True,
            user__is_active=True,
        )
        .first()
    )
    if api_token is None:
        return None
    touch_api_token(token=api_token)
    return api_token.user


def list_roles(user: User):
    """The roles a person holds, with their hub or school."""
    return (
        RoleAssignment.objects.filter(user=user)
        .select_related("hub", "school")
        .order_by("role", "id")
    )


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _calendar_feed(user: User) -> dict | None:
    from cpdnet.programmes.selectors import get_calendar_feed

    feed = get_calendar_feed(user)
    if feed is None:
        return None
    # The address itself is kept only as a hash, so it cannot be given back.
    return {"created_at": _iso(feed.created_at), "revoked_at": _iso(feed.revoked_at)}


def export_person(user: User) -> dict:
    """Everything the portal holds about a person, for them to download (right of access)."""
    from cpdnet.applications.models import Application
    from cpdnet.delivery.certificates import export_person_certificates
    from cpdnet.delivery.selectors import export_participant_work
    from cpdnet.evaluation.selectors import export_person_evaluation
    from cpdnet.events.selectors import export_registrations
    from cpdnet.notifications.newsletters import export_newsletters

    from .models import ApiToken, SignInCode

    applications = (
        Application.objects.filter(applicant=user)
        .select_related("offering__programme", "offering__hub", "school")
        .prefetch_related("history")
        .order_by("submitted_at", "id")
    )
    return {
        "person": {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "school": (
                {"urn": user.school.urn, "name": user.school.name} if user.school_id else None
            ),
            "job_role": user.job_role,
            "job_role_label": user.get_job_role_display() if user.job_role else "",
            "has_password": user.has_usable_password(),
            "is_active": user.is_active,
            "national_staff_back_office": user.is_staff,
            "created_at": _iso(user.created_at),
            "last_sign_in_at": _iso(user.last_login),
        },
        "roles": [
            {
                "role": assignment.role,
                "role_label": assignment.get_role_display(),
                "hub": assignment.hub.name if assignment.hub_id else None,
                "school": (
                    {"urn": assignment.school.urn, "name": assignment.school.name}
                    if assignment.school_id
                    else None
                ),
                "since": _iso(assignment.created_at),
            }
            for assignment in list_roles(user)
        ],
        "applications": [
            {
                "id": application.pk,
                "programme": application.offering.programme.title,
                "hub": application.offering.hub.name,
                "academic_year": application.offering.academic_year_label,
                "school": {"urn": application.school.urn, "name": application.school.name},
                "job_role": application.job_role,
                "statement": application.statement,
                "approver_email": application.approver_email,
                "state": application.state,
                "state_label": str(application.get_state_display()),
                "state_reason": application.state_reason,
                "submitted_at": _iso(application.submitted_at),
                "updated_at": _iso(application.updated_at),
                "history": [
                    {
                        "from_state": transition.from_state,
                        "to_state": transition.to_state,
                        "by": (
                            "you"
                            if transition.by_id == user.pk
                            else transition.by_label or ("staff" if transition.by_id else "")
                        ),
                        "reason": transition.reason,
                        "at": _iso(transition.created_at),
                    }
                    for transition in application.history.all()
                ],
            }
            for application in applications
        ],
        "api_tokens": [
            {
                "prefix": token.prefix,
                "created_at": _iso(token.created_at),
                "last_used_at": _iso(token.last_used_at),
                "revoked_at": _iso(token.revoked_at),
            }
            for token in ApiToken.objects.filter(user=user).order_by("created_at", "id")
        ],
        "calendar_feed": _calendar_feed(user),
        "sign_in_requests": [
            {"sent_at": _iso(code.created_at), "used_at": _iso(code.used_at)}
            for code in SignInCode.objects.filter(email__iexact=user.email).order_by(
                "created_at", "id"
            )
        ],
        **export_person_evaluation(user),
        "certificates": export_person_certificates(user),
        **export_participant_work(user),
        "event_registrations": export_registrations(user.email),
        **export_newsletters(user.email),
    }
