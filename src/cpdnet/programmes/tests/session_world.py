"""A shared world for session tests: one offering with its people and outsiders."""

import datetime
from dataclasses import dataclass

from cpdnet.accounts.models import User
from cpdnet.events.models import Registration, RegistrationStatus
from cpdnet.hubs.services import ensure_networks
from cpdnet.programmes.models import Offering, Session
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    SessionFactory,
    TeacherFactory,
    UserFactory,
)


@dataclass
class SessionWorld:
    offering: Offering
    session: Session
    participant: User  # accepted
    completed: User  # completed: still a participant
    withdrawn: User  # withdrew: not a participant
    waitlisted: User
    other_teacher: User  # a place on another offering of the same hub
    registrant: Registration  # confirmed, no account
    waitlisted_registrant: Registration
    facilitator: User
    hub_staff: User
    other_hub_staff: User
    national: User
    other_offering: Offering

    @property
    def participant_emails(self) -> set[str]:
        return {self.participant.email, self.completed.email, self.registrant.email}


def make_session_world(*, starts_at: datetime.datetime | None = None) -> SessionWorld:
    networks = ensure_networks()
    hub = HubFactory(network=networks["maths"], slug="leeds-maths", name="Leeds Maths Hub")
    other_hub = HubFactory(network=networks["maths"], slug="york-maths", name="York Maths Hub")
    programme = ProgrammeFactory(network=networks["maths"], title="Primary Mastery")
    facilitator = UserFactory(email="fran@hub.example.org", full_name="Fran Facilitator")
    RoleAssignmentFactory(user=facilitator, role="facilitator", hub=hub)
    offering = OfferingFactory(
        programme=programme, hub=hub, facilitator=facilitator, venue="Leeds Lead Academy"
    )
    other_offering = OfferingFactory(programme=programme, hub=hub, cohort_name="Second cohort")
    people = {}
    for name, state, on in (
        ("participant", "accepted", offering),
        ("completed", "completed", offering),
        ("withdrawn", "withdrawn", offering),
        ("waitlisted", "waitlisted", offering),
        ("other_teacher", "accepted", other_offering),
    ):
        teacher = TeacherFactory(email=f"{name}@school.example.org", full_name=name.title())
        ApplicationFactory(offering=on, applicant=teacher, state=state)
        people[name] = teacher
    registrant = Registration.objects.create(
        offering=offering,
        name="Rita Registrant",
        email="Rita@School.example.org",
        job_role="class_teacher",
        status=RegistrationStatus.CONFIRMED,
    )
    waitlisted_registrant = Registration.objects.create(
        offering=offering,
        name="Wes Waiting",
        email="wes@school.example.org",
        job_role="class_teacher",
        status=RegistrationStatus.WAITLISTED,
    )
    hub_staff = UserFactory(email="staff@leeds.example.org")
    RoleAssignmentFactory(user=hub_staff, role="hub_staff", hub=hub)
    other_hub_staff = UserFactory(email="staff@york.example.org")
    RoleAssignmentFactory(user=other_hub_staff, role="hub_staff", hub=other_hub)
    national = UserFactory(email="national@example.org")
    RoleAssignmentFactory(user=national, role="national_staff")
    extra = {"starts_at": starts_at} if starts_at else {}
    if starts_at:
        extra["ends_at"] = starts_at + datetime.timedelta(hours=2)
    session = SessionFactory(
        offering=offering,
        title="Session 1",
        join_url="https://meet.example.org/secret-room",
        **extra,
    )
    return SessionWorld(
        offering=offering,
        session=session,
        registrant=registrant,
        waitlisted_registrant=waitlisted_registrant,
        facilitator=facilitator,
        hub_staff=hub_staff,
        other_hub_staff=other_hub_staff,
        national=national,
        other_offering=other_offering,
        **people,
    )
