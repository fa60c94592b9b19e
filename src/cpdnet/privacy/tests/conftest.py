"""A person with data in every app that holds personal data, made through the services where
the services write the copies (audit entries, history, overrides), and a bystander."""

import datetime
import uuid
from dataclasses import dataclass
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cpdnet.accounts.services import assign_role, create_api_token, request_sign_in
from cpdnet.applications.services import (
    decide_application,
    record_school_decision,
    withdraw_application,
)
from cpdnet.delivery.models import (
    Attendance,
    AttendanceChange,
    Cascade,
    Certificate,
    GapTask,
    Reflection,
    Submission,
)
from cpdnet.evaluation.models import Answer, Question, SessionFeedback, SurveyResponse
from cpdnet.events.tests.factories import RegistrationFactory, WebinarFactory
from cpdnet.hubs.services import decide_hub_change_request, submit_hub_change_request
from cpdnet.notifications.models import SentEmail
from cpdnet.notifications.tests.factories import AudienceFactory, SubscriberFactory
from cpdnet.programmes.services import create_calendar_feed
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    SessionFactory,
    TeacherFactory,
    UserFactory,
)

EMAIL = "quentin.erasable@example.net"
NAME = "Quentin Zyxwvuts"
# Free text the person wrote, or that was written about them, each with a word found nowhere
# else, so a leftover copy anywhere is found by a search of every text column.
TEXTS = {
    "statement": "I adore fractals: wordmarkstatement",
    "withdrawal": "Family illness: wordmarkwithdrawal",
    "decision": "Strong case from wordmarkdecision",
    "attendance": "Hospital appointment wordmarkattendance",
    "gap_task": "My answer wordmarkgaptask",
    "reflection": "I learnt wordmarkreflection",
    "cascade": "Shared with wordmarkcascade",
    "survey": "Loved it wordmarksurvey",
    "feedback": "Good session wordmarkfeedback",
    "hub_reason": "Closer to us wordmarkhubreason",
}
# Texts that must survive: the person's details are removed, not anyone else's.
OTHERS_EMAIL = "bystander@example.net"
OTHERS_STATEMENT = "Someone else's words: wordmarkbystander"


@dataclass
class World:
    person: object
    bystander: object
    staff: object
    active: object  # the person's application still in play
    waiting: object  # the bystander's, on the waiting list behind it
    webinar: object


@pytest.fixture
def world(db, client) -> World:
    staff = UserFactory(email="hub.staff@example.org")
    national = UserFactory(email="national.staff@example.org")
    RoleAssignmentFactory(user=national, role="national_staff")
    school = SchoolFactory()
    person = TeacherFactory(email=EMAIL, full_name=NAME, school=school)
    bystander = TeacherFactory(email=OTHERS_EMAIL, school=school)
    hub = HubFactory()
    assign_role(user=person, role="hub_staff", hub=hub, by=national)

    # Applications: a completed place with everything written for it, a withdrawn one, one
    # still in play with someone waiting behind it, and another teacher's the person released.
    completed = ApplicationFactory(
        applicant=person, state="submitted", statement=TEXTS["statement"], offering__hub=hub
    )
    decide_application(application=completed, decision="accept", by=staff, reason=TEXTS["decision"])
    completed.refresh_from_db()
    withdrawn = ApplicationFactory(applicant=person, state="submitted")
    withdraw_application(application=withdrawn, by=person, reason=TEXTS["withdrawal"])
    active = ApplicationFactory(applicant=person, state="accepted", offering__capacity=1)
    waiting = ApplicationFactory(
        applicant=bystander,
        offering=active.offering,
        state="waitlisted",
        statement=OTHERS_STATEMENT,
        waitlisted_at=timezone.now(),
    )
    released = ApplicationFactory(
        applicant=bystander, approver_email=EMAIL, state="awaiting_school_approval"
    )
    # The person is a registered approver of the bystander's school and releases them.
    RoleAssignmentFactory(user=person, role="school_approver", school=released.school)
    record_school_decision(application=released, release=True, approver_email=EMAIL, by=person)

    # Delivery and evaluation on the completed place.
    session = SessionFactory(offering=completed.offering)
    mark = Attendance.objects.create(
        session=session, application=completed, status="excused", reason=TEXTS["attendance"]
    )
    AttendanceChange.objects.create(
        attendance=mark, to_status="excused", reason=TEXTS["attendance"]
    )
    task = GapTask.objects.create(
        offering=completed.offering,
        title="Try it",
        instructions="Do it",
        due_on=timezone.localdate(),
    )
    Submission.objects.create(
        task=task, application=completed, text=TEXTS["gap_task"], submitted_at=timezone.now()
    )
    Reflection.objects.create(application=completed, text=TEXTS["reflection"], is_final=True)
    Cascade.objects.create(
        application=completed, colleagues_involved=4, classes_reached=6, notes=TEXTS["cascade"]
    )
    Certificate.objects.create(application=completed, code="ABCD-EFGH-JKLM", hours=6)
    question = Question.objects.create(key="open-thoughts", text="Anything else?", category="open")
    response = SurveyResponse.objects.create(application=completed, kind="start")
    Answer.objects.create(response=response, question=question, text=TEXTS["survey"])
    SessionFeedback.objects.create(
        session=session, application=completed, rating=5, comment=TEXTS["feedback"]
    )

    # A school's request for a different hub, approved (its reason is copied to the override).
    hub_request = submit_hub_change_request(
        school=school,
        requested_hub=HubFactory(),
        contact_name=NAME,
        contact_email=EMAIL,
        contact_role="Head of maths",
        reason=TEXTS["hub_reason"],
    )
    decide_hub_change_request(request=hub_request, approve=True, by=national)

    # Events, newsletters, emails sent, calendar feed, sign-in, tokens.
    webinar = WebinarFactory(capacity=1)
    RegistrationFactory(offering=webinar, name=NAME, email=EMAIL)
    RegistrationFactory(offering=webinar, email=OTHERS_EMAIL, status="waitlisted")
    SubscriberFactory(email=EMAIL, audiences=[AudienceFactory()])
    SentEmail.objects.create(key="test:to-person", to=EMAIL, subject="You have a place")
    SentEmail.objects.create(
        key="test:to-approver", to="head@school.example.org", subject=f"Please release {NAME}"
    )
    create_calendar_feed(user=person)
    request_sign_in(email=EMAIL)
    create_api_token(user=person)

    # The platform: a browser session, a task result naming them, an admin log entry.
    client.force_login(person)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["accounts:sign-in-email"] = EMAIL
    store.create()
    DBTaskResult.objects.create(
        id=uuid.uuid4(),
        status="SUCCESSFUL",
        args_kwargs={"args": [EMAIL, [1]], "kwargs": {}},
        task_path="cpdnet.notifications.tasks.an_old_task",
        backend_name="default",
        run_after=timezone.now(),
        finished_at=timezone.now() - datetime.timedelta(days=1),
        return_value=None,
        exception_class_path="",
        traceback="",
    )
    LogEntry.objects.log_actions(
        user_id=national.pk, queryset=[person], action_flag=CHANGE, change_message="Name"
    )
    return World(
        person=person,
        bystander=bystander,
        staff=staff,
        active=active,
        waiting=waiting,
        webinar=webinar,
    )
