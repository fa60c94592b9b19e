"""Writes for webinars and events: open registration with a waiting list, cancelling from the
emailed link (which gives the place to the head of the waiting list), and attendance.

Registrations for one offering are serialised by a lock on the offering row (SELECT ... FOR
UPDATE on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE), so places are counted
exactly under a burst. The unique index on (offering, lower(email)) refuses a duplicate that
slipped past the check.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cpdnet.accounts.models import SCHOOL_REACH_KINDS, JobRole, OrganisationKind
from cpdnet.applications.services import _lock_offering
from cpdnet.audit.services import record
from cpdnet.programmes.models import Offering

from .models import Registration, RegistrationStatus
from .selectors import count_places_left, is_webinar, list_registrations_for_email

MANAGE_SALT = "cpdnet.events.manage-registration"
# A meeting service's report may start with a few lines about the meeting before its header.
HEADER_SEARCH_LINES = 20
ACTIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
SUBJECTS = {
    "confirmed": "You are registered",
    "waitlisted": "You are on the waiting list",
    "promoted": "A place has come free: you are registered",
    "cancelled": "You have cancelled your registration",
}


class RegistrationError(Exception):
    """A registration that cannot be made or changed, with a reason for the person."""

    def __init__(self, reason: str, *, code: str = "not_allowed"):
        super().__init__(reason)
        self.reason = reason
        self.code = code


class AlreadyRegistered(RegistrationError):
    def __init__(self):
        super().__init__(
            _(
                "This email address is already registered for this event. Use the link in "
                "the confirmation email to see or cancel the registration."
            ),
            code="already_registered",
        )


def _same_email(offering: Offering, email: str):
    # Lower(email) = value uses the unique expression index on PostgreSQL (iexact would not).
    return Registration.objects.annotate(email_lower=Lower("email")).filter(
        offering=offering, email_lower=email.lower()
    )


def _owe_email(registration: Registration, event: str) -> None:
    from cpdnet.notifications.outbox import owe_email

    from .tasks import send_registration_email_task

    owe_email(send_registration_email_task, registration.pk, event)


def check_open_for_registration(offering: Offering, now: datetime.datetime | None = None) -> None:
    """Raise RegistrationError unless the offering is a webinar taking registrations now."""
    if not is_webinar(offering):
        raise RegistrationError(
            _("This offering takes applications, not registrations."), code="not_a_webinar"
        )
    now = now or timezone.now()
    if now < offering.applications_open_at:
        raise RegistrationError(_("Registration has not opened yet."), code="not_open_yet")
    if now >= offering.applications_close_at:
        raise RegistrationError(_("Registration has closed."), code="closed")


def check_organisation(
    offering: Offering, *, organisation_kind: str, organisation_name: str, school=None
):
    """Raise RegistrationError unless the person's kind of organisation may register and,
    when it is not a school (known by its URN), the organisation is named. Only people from
    schools and colleges give a URN, so nobody else is counted in school reach."""
    if organisation_kind not in OrganisationKind.values:
        raise RegistrationError(
            _("Say which kind of organisation you are from."), code="bad_organisation_kind"
        )
    if organisation_kind not in offering.open_to_kinds:
        raise RegistrationError(
            _("This event is open to people from: %(kinds)s.")
            % {"kinds": ", ".join(label.lower() for label in offering.open_to_labels)},
            code="not_open_to_organisation",
        )
    if organisation_kind != OrganisationKind.SCHOOL and not organisation_name:
        raise RegistrationError(
            _("Enter the name of your organisation."), code="organisation_name_missing"
        )
    if school is not None and organisation_kind not in SCHOOL_REACH_KINDS:
        raise RegistrationError(
            _("Leave the URN blank: it is only for people from a school or college."),
            code="urn_not_for_organisation",
        )


def register(
    *,
    offering: Offering,
    name: str,
    email: str,
    job_role: str,
    school=None,
    organisation_kind: str = OrganisationKind.SCHOOL,
    organisation_name: str = "",
    now: datetime.datetime | None = None,
) -> Registration:
    """Register a person for a webinar: a place while places last, else the waiting list."""
    name, email = " ".join(name.split()), email.strip()
    organisation_name = " ".join(organisation_name.split())
    if not name or job_role not in JobRole.values:
        raise RegistrationError(_("Give a name and a job role."), code="bad_fields")
    check_organisation(
        offering,
        organisation_kind=organisation_kind,
        organisation_name=organisation_name,
        school=school,
    )
    check_open_for_registration(offering, now)
    try:
        with transaction.atomic():
            offering = _lock_offering(offering.pk)
            status = (
                RegistrationStatus.CONFIRMED
                if count_places_left(offering)
                else RegistrationStatus.WAITLISTED
            )
            fields = {
                "name": name,
                "job_role": job_role,
                "school": school,
                "organisation_kind": organisation_kind,
                "organisation_name": organisation_name,
                "status": status,
            }
            earlier = _same_email(offering, email).first()
            if earlier is not None:
                registration = _register_again(earlier, fields)
            else:
                registration = Registration.objects.create(offering=offering, email=email, **fields)
            _owe_email(registration, status)
    except IntegrityError:
        # The unique index caught what the check under the lock did not (a writer that does
        # not take the lock); the whole transaction is rolled back.
        raise AlreadyRegistered() from None
    return registration


def _register_again(registration: Registration, fields: dict) -> Registration:
    """Someone who cancelled may register again, at the back of the queue."""
    if registration.status != RegistrationStatus.CANCELLED:
        raise AlreadyRegistered()
    for name, value in fields.items():
        setattr(registration, name, value)
    registration.attended = None
    registration.created_at = timezone.now()
    registration.save()
    return registration


def manage_token(registration: Registration) -> str:
    """Return the signed token of the emailed link that shows and cancels a registration."""
    return signing.dumps({"registration": registration.pk}, salt=MANAGE_SALT)


def manage_url(registration: Registration) -> str:
    return manage_url_for_id(registration.pk)


def manage_url_for_id(registration_id: int) -> str:
    """The emailed link of a registration known only by its id (a session email's recipient)."""
    token = signing.dumps({"registration": registration_id}, salt=MANAGE_SALT)
    return settings.SITE_URL + reverse("public:event-registration", kwargs={"token": token})


def registration_for_token(token: str) -> Registration:
    """Return the registration an emailed link is for, or raise RegistrationError."""
    try:
        payload = signing.loads(token, salt=MANAGE_SALT)
        return Registration.objects.select_related(
            "offering__programme", "offering__hub", "school"
        ).get(pk=payload["registration"])
    except (signing.BadSignature, KeyError, TypeError, Registration.DoesNotExist):
        raise RegistrationError(_("This link is not valid."), code="link_invalid") from None


def cancel_registration(*, registration: Registration, notify: bool = True) -> Registration | None:
    """Cancel a registration; a place it held goes to the head of the waiting list, who is
    returned (None when nobody was waiting or no place was freed)."""
    with transaction.atomic():
        offering = _lock_offering(registration.offering_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            raise RegistrationError(
                _("This registration is already cancelled."), code="already_cancelled"
            )
        registration.status = RegistrationStatus.CANCELLED
        registration.save(update_fields=["status", "updated_at"])
        if notify:
            _owe_email(registration, "cancelled")
        promoted = fill_free_places(offering=offering)
    return promoted[0] if promoted else None


def fill_free_places(*, offering: Offering) -> list[Registration]:
    """Confirm the longest-waiting people while places are free; call with the offering locked."""
    free = count_places_left(offering)
    if not free:
        return []
    waiting = list(
        offering.registrations.select_for_update()
        .filter(status=RegistrationStatus.WAITLISTED)
        .order_by("created_at", "id")[:free]
    )
    for registration in waiting:
        registration.status = RegistrationStatus.CONFIRMED
        registration.save(update_fields=["status", "updated_at"])
        _owe_email(registration, "promoted")
    return waiting


def send_registration_email(*, registration: Registration, event: str) -> bool:
    """Email the person what happened to their registration, once per event."""
    from cpdnet.notifications.services import (
        calendar_attachment,
        list_calendar_sessions,
        send_once,
    )

    offering = registration.offering
    sessions = list_calendar_sessions(offering)
    body = render_to_string(
        "notifications/event_registration.txt",
        {
            "registration": registration,
            "offering": offering,
            "sessions": sessions,
            "event": event,
            "manage_url": manage_url(registration),
            "site_url": settings.SITE_URL,
        },
    )
    # created_at is reset when someone registers again, so a new round gets new emails.
    round_id = int(registration.created_at.timestamp())
    return send_once(
        key=f"event-registration:{registration.pk}:{round_id}:{event}",
        to=registration.email,
        subject=f"{SUBJECTS[event]}: {offering.programme.title}",
        body=body,
        # A confirmed place carries its dates for the person's calendar, account or not.
        attachments=calendar_attachment(sessions) if event in {"confirmed", "promoted"} else (),
    )


# --- attendance --------------------------------------------------------------------------------


def record_attendance(
    *, offering: Offering, shown_ids: set[int], attended_ids: set[int], by
) -> int:
    """Mark the registrations shown on the register: ticked attended, the rest absent."""
    with transaction.atomic():
        shown = offering.registrations.filter(pk__in=shown_ids).exclude(
            status=RegistrationStatus.CANCELLED
        )
        attended = shown.filter(pk__in=attended_ids).update(attended=True)
        absent = shown.exclude(pk__in=attended_ids).update(attended=False)
        record(
            actor=by,
            action="events.attendance.recorded",
            obj=offering,
            hub=offering.hub,
            summary=f"Attendance taken for {offering}: {attended} attended, {absent} absent",
            data={"attended": attended, "absent": absent},
        )
    return attended


class AttendanceFileError(Exception):
    """An attendance file that cannot be read, with the line at fault."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AttendanceImport:
    matched: int  # distinct email addresses in the file that belong to a registration
    unmatched: int  # distinct addresses in the file with no registration
    rows: int


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise AttendanceFileError(
            _("This is not a CSV file. Download the attendance report as CSV.")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _find_email_column(rows: list[list[str]]) -> tuple[int, int]:
    """Return (header line index, column) of the first header cell that names an email."""
    for line, row in enumerate(rows[:HEADER_SEARCH_LINES]):
        for column, cell in enumerate(row):
            if "email" in cell.strip().lower().replace("-", ""):
                return line, column
    raise AttendanceFileError(
        _(
            "We could not find a column headed “Email” in the first %(lines)d lines. Download the "
            "attendance report with participants' email addresses."
        )
        % {"lines": HEADER_SEARCH_LINES}
    )


def read_attendance_emails(data: bytes) -> tuple[set[str], int]:
    """Return the lower-cased email addresses of an attendance CSV and its number of data rows."""
    text = _decode(data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise AttendanceFileError(
            _("This file cannot be read as CSV: %(error)s.") % {"error": error}
        ) from None
    if not rows:
        raise AttendanceFileError(_("The file is empty."))
    header_line, column = _find_email_column(rows)
    emails: set[str] = set()
    count = 0
    for line_number, row in enumerate(rows[header_line + 1 :], start=header_line + 2):
        if not any(cell.strip() for cell in row):
            continue
        count += 1
        value = row[column].strip() if column < len(row) else ""
        if not value:
            continue  # a guest who joined without signing in: nobody to match
        try:
            validate_email(value)
        except ValidationError:
            raise AttendanceFileError(
                _("Line %(line)d: “%(value)s” is not an email address.")
                % {"line": line_number, "value": value[:100]}
            ) from None
        emails.add(value.lower())
    return emails, count


def import_attendance(*, offering: Offering, data: bytes, by) -> AttendanceImport:
    """Mark as attended the registrations whose email is in a meeting service's attendance
    report; a bad file raises AttendanceFileError and changes nothing. People not in the file
    keep what the register says."""
    emails, rows = read_attendance_emails(data)
    with transaction.atomic():
        matching = (
            Registration.objects.annotate(email_lower=Lower("email"))
            .filter(offering=offering, email_lower__in=emails)
            .exclude(status=RegistrationStatus.CANCELLED)
        )
        matched_emails = set(matching.values_list("email_lower", flat=True))
        matching.update(attended=True)
        result = AttendanceImport(
            matched=len(matched_emails), unmatched=len(emails - matched_emails), rows=rows
        )
        record(
            actor=by,
            action="events.attendance.imported",
            obj=offering,
            hub=offering.hub,
            summary=(
                f"Attendance file for {offering}: {result.matched} matched, "
                f"{result.unmatched} not registered"
            ),
            data={"matched": result.matched, "unmatched": result.unmatched, "rows": rows},
        )
    return result


# --- data rights -------------------------------------------------------------------------------


def erase_registrations(*, email: str) -> int:
    """Cancel and anonymise a person's registrations (kept for counts); return how many."""
    erased = 0
    for registration in list_registrations_for_email(email):
        if registration.status != RegistrationStatus.CANCELLED:
            cancel_registration(registration=registration, notify=False)
        Registration.objects.filter(pk=registration.pk).update(
            name="", email=f"erased-{registration.pk}@invalid", organisation_name=""
        )
        erased += 1
    return erased
