"""Application services: apply, school release, hub decisions, withdrawal, waiting list, expiry.

Tasks go to django-tasks' DummyBackend here, so each test sees exactly which email tasks were
enqueued (and that they were enqueued on commit) without sending them; the emails themselves
are tested in cpdnet/notifications/tests.
"""

import datetime
import time
from unittest import mock

import pytest
from django.utils import timezone

from cpdnet.applications.models import Application, State, Transition
from cpdnet.applications.services import (
    ApplicationError,
    NoPlacesLeft,
    NotEligible,
    application_for_approval_token,
    approval_token,
    decide_application,
    expire_overdue_applications,
    record_school_decision,
    submit_application,
    take_up_offered_place,
    withdraw_application,
)
from cpdnet.audit.models import AuditEntry
from cpdnet.notifications.models import OutboxEmail
from cpdnet.notifications.tasks import deliver_owed_email_task, send_application_email_task
from tests.factories import (
    ApplicationFactory,
    HubAreaFactory,
    OfferingFactory,
    TeacherFactory,
    UserFactory,
    VerifiedDomainFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
APPROVER = "Head@School.example.org "
HEAD = "head@school.example.org"


@pytest.fixture
def email_tasks(settings):
    """Return a function listing the transition ids of the email tasks enqueued so far."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
    }
    from django_tasks import default_task_backend

    def enqueued() -> list[int]:
        # Each owed email is delivered through the outbox task with the outbox row's id.
        owed_ids = [
            result.args[0]
            for result in default_task_backend.results
            if result.task.func is deliver_owed_email_task.func
        ]
        owed = OutboxEmail.objects.in_bulk(owed_ids)
        return [
            owed[owed_id].arguments[0]
            for owed_id in owed_ids
            if owed[owed_id].task_path == send_application_email_task.module_path
        ]

    return enqueued


@pytest.fixture
def offering():
    """An open offering with 2 places by a hub serving Leeds, needing school approval."""
    offering = OfferingFactory(capacity=2)
    HubAreaFactory(hub=offering.hub, local_authority_id="383")
    return offering


@pytest.fixture
def teacher():
    return TeacherFactory()


@pytest.fixture
def staff():
    return UserFactory(email="staff@hub.example.org")


def apply(offering, teacher, **fields):
    VerifiedDomainFactory(school=teacher.school)  # where head@school.example.org works
    return submit_application(
        offering=offering,
        applicant=teacher,
        school=teacher.school,
        job_role=fields.pop("job_role", "class_teacher"),
        approver_email=APPROVER,
        statement="I want to teach for mastery.",
        **fields,
    )


def in_state(offering, state, **fields):
    return ApplicationFactory(offering=offering, state=state, **fields)


class TestSubmitApplication:
    def test_an_eligible_application_waits_for_the_school_to_release_the_teacher(
        self, offering, teacher, email_tasks, django_capture_on_commit_callbacks
    ):
        # When an eligible teacher applies
        before = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            application = apply(offering, teacher)
        after = timezone.now()

        # Then the application waits for the school, which has 10 days to answer
        application.refresh_from_db()
        assert application.state == State.AWAITING_SCHOOL_APPROVAL
        assert before + 10 * DAY <= application.approval_due_at <= after + 10 * DAY
        assert application.approver_email == "head@school.example.org"
        assert application.school == teacher.school
        # And the history starts with the applicant's own step, emailed once
        (transition,) = application.history.all()
        assert (transition.from_state, transition.to_state) == ("", State.AWAITING_SCHOOL_APPROVAL)
        assert transition.by == teacher
        assert email_tasks() == [transition.pk]

    def test_the_school_has_the_configured_number_of_days_to_answer(
        self, offering, teacher, email_tasks, settings
    ):
        settings.SCHOOL_APPROVAL_DAYS = 3

        before = timezone.now()
        application = apply(offering, teacher)

        assert before + 3 * DAY <= application.approval_due_at <= timezone.now() + 3 * DAY

    def test_an_offering_without_school_approval_goes_straight_to_the_hub(
        self, offering, teacher, email_tasks, django_capture_on_commit_callbacks
    ):
        offering.requires_school_approval = False
        offering.save()

        with django_capture_on_commit_callbacks(execute=True):
            application = apply(offering, teacher)

        application.refresh_from_db()
        assert application.state == State.SUBMITTED
        assert application.approval_due_at is None
        assert email_tasks() == [application.history.get().pk]

    def test_an_ineligible_application_is_refused_with_a_reason_and_nothing_is_created(
        self, offering, teacher, email_tasks, django_capture_on_commit_callbacks
    ):
        # Given an offering whose window closed yesterday
        offering.applications_open_at = timezone.now() - 30 * DAY
        offering.applications_close_at = timezone.now() - DAY
        offering.save()

        # When the teacher applies, then they are refused with the rule's code and reason
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(NotEligible) as refused,
        ):
            apply(offering, teacher)

        assert refused.value.code == "window_closed"
        assert refused.value.reason.startswith("Applications closed on")
        # And nothing was written or enqueued
        assert not Application.objects.exists()
        assert not Transition.objects.exists()
        assert callbacks == []
        assert email_tasks() == []

    def test_a_second_application_for_the_same_offering_is_refused_and_nothing_is_created(
        self, offering, teacher, email_tasks, django_capture_on_commit_callbacks
    ):
        first = apply(offering, teacher)

        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(ApplicationError) as refused,
        ):
            apply(offering, teacher)

        assert refused.value.code == "conflicting_application"
        assert "already applied" in refused.value.reason
        assert list(Application.objects.all()) == [first]
        assert Transition.objects.count() == 1
        assert callbacks == []

    def test_the_database_refuses_a_duplicate_the_eligibility_check_missed(
        self, offering, teacher, email_tasks, django_capture_on_commit_callbacks
    ):
        # Given a first application, and a second request that passed the eligibility check
        # before the first was saved (two requests at once)
        first = apply(offering, teacher)

        with (
            mock.patch("cpdnet.applications.eligibility.check", return_value=None),
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(ApplicationError) as refused,
        ):
            apply(offering, teacher)

        # Then the second is refused with a reason and leaves nothing behind
        assert refused.value.code == "already_applied"
        assert refused.value.reason == "You have already applied for this offering."
        assert list(Application.objects.all()) == [first]
        assert Transition.objects.count() == 1
        assert callbacks == []

    def test_a_teacher_who_withdrew_may_apply_again(self, offering, teacher, email_tasks):
        first = apply(offering, teacher)
        withdraw_application(application=first, by=teacher)

        second = apply(offering, teacher)

        assert second.pk != first.pk
        assert second.state == State.AWAITING_SCHOOL_APPROVAL

    def test_nothing_is_enqueued_until_the_transaction_commits(
        self, offering, teacher, email_tasks, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            apply(offering, teacher)
            assert email_tasks() == []

        assert len(callbacks) == 1
        callbacks[0]()
        assert email_tasks() == [Transition.objects.get().pk]


class TestApprovalToken:
    @pytest.fixture
    def application(self, offering):
        return in_state(offering, State.AWAITING_SCHOOL_APPROVAL)

    def test_a_token_leads_back_to_its_application(self, application):
        assert application_for_approval_token(approval_token(application)) == application

    @pytest.mark.parametrize(
        "tamper",
        [
            lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
            lambda token: token.replace(":", "x", 1),
            lambda token: "",
            lambda token: "not-a-token",
        ],
        ids=["changed signature", "changed payload", "empty", "made up"],
    )
    def test_a_tampered_token_is_refused(self, application, tamper):
        with pytest.raises(ApplicationError) as refused:
            application_for_approval_token(tamper(approval_token(application)))

        assert refused.value.code == "link_invalid"
        assert refused.value.reason == "This link is not valid."

    def test_a_token_signed_for_another_purpose_is_refused(self, application):
        from django.core import signing

        token = signing.dumps({"application": application.pk}, salt="something-else")

        with pytest.raises(ApplicationError) as refused:
            application_for_approval_token(token)

        assert refused.value.code == "link_invalid"

    def test_a_token_for_an_application_that_is_gone_is_refused(self, application):
        token = approval_token(application)
        application.delete()

        with pytest.raises(ApplicationError) as refused:
            application_for_approval_token(token)

        assert refused.value.code == "link_invalid"

    def test_a_token_works_until_the_approval_days_run_out(self, application, settings):
        settings.SCHOOL_APPROVAL_DAYS = 10
        token = approval_token(application)
        almost = time.time() + 10 * 86400 - 60

        with mock.patch("django.core.signing.time.time", return_value=almost):
            assert application_for_approval_token(token) == application

    def test_a_token_older_than_the_approval_days_has_expired(self, application, settings):
        settings.SCHOOL_APPROVAL_DAYS = 10
        token = approval_token(application)
        later = time.time() + 10 * 86400 + 60

        with (
            mock.patch("django.core.signing.time.time", return_value=later),
            pytest.raises(ApplicationError) as refused,
        ):
            application_for_approval_token(token)

        assert refused.value.code == "link_expired"
        assert refused.value.reason == "This link has expired."


class TestRecordSchoolDecision:
    @pytest.fixture
    def application(self, offering):
        application = in_state(
            offering, State.AWAITING_SCHOOL_APPROVAL, approval_due_at=timezone.now() + DAY
        )
        VerifiedDomainFactory(school=application.school)
        return application

    def test_releasing_the_teacher_sends_the_application_to_the_hub(
        self, application, email_tasks, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            record_school_decision(
                application=application, release=True, approver_email="head@school.example.org"
            )

        application.refresh_from_db()
        assert application.state == State.SUBMITTED
        (transition,) = application.history.all()
        assert transition.from_state == State.AWAITING_SCHOOL_APPROVAL
        assert transition.to_state == State.SUBMITTED
        assert transition.by is None
        assert transition.by_label == "head@school.example.org"
        assert transition.reason == "Released by the school"
        assert email_tasks() == [transition.pk]

    def test_declining_to_release_ends_the_application_with_the_schools_reason(
        self, application, email_tasks, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            record_school_decision(
                application=application,
                release=False,
                approver_email="head@school.example.org",
                reason="We cannot cover the class this term",
            )

        application.refresh_from_db()
        assert application.state == State.DECLINED
        assert application.state_reason == "We cannot cover the class this term"
        (transition,) = application.history.all()
        assert (transition.from_state, transition.to_state) == (
            State.AWAITING_SCHOOL_APPROVAL,
            State.DECLINED,
        )
        assert transition.reason == "We cannot cover the class this term"
        assert email_tasks() == [transition.pk]

    def test_declining_without_a_reason_gives_a_default_one(self, application, email_tasks):
        record_school_decision(application=application, release=False, approver_email=HEAD)

        application.refresh_from_db()
        assert application.state_reason == "The school did not release the teacher"

    @pytest.mark.parametrize("first_answer", [True, False], ids=["released", "declined"])
    @pytest.mark.parametrize("second_answer", [True, False], ids=["release", "decline"])
    def test_answering_twice_is_refused_and_changes_nothing(
        self,
        application,
        first_answer,
        second_answer,
        email_tasks,
        django_capture_on_commit_callbacks,
    ):
        record_school_decision(application=application, release=first_answer, approver_email=HEAD)
        state = Application.objects.get(pk=application.pk).state

        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(ApplicationError) as refused,
        ):
            record_school_decision(
                application=application, release=second_answer, approver_email=HEAD
            )

        assert refused.value.code == "already_answered"
        assert Application.objects.get(pk=application.pk).state == state
        assert application.history.count() == 1
        assert callbacks == []


class TestDecideApplication:
    @pytest.mark.parametrize(
        ("decision", "state"),
        [
            ("accept", State.ACCEPTED),
            ("waitlist", State.WAITLISTED),
            ("decline", State.DECLINED),
        ],
    )
    def test_a_decision_moves_the_application_with_history_and_an_audit_entry(
        self, offering, staff, decision, state, email_tasks, django_capture_on_commit_callbacks
    ):
        application = in_state(offering, State.SUBMITTED)

        with django_capture_on_commit_callbacks(execute=True):
            decide_application(
                application=application, decision=decision, by=staff, reason="Panel decision"
            )

        application.refresh_from_db()
        assert application.state == state
        assert application.state_reason == "Panel decision"
        (transition,) = application.history.all()
        assert transition.from_state == State.SUBMITTED
        assert transition.to_state == state
        assert transition.by == staff
        assert transition.reason == "Panel decision"
        entry = AuditEntry.objects.get()
        assert entry.actor == staff
        assert entry.action == f"applications.application.{state}"
        assert (entry.object_type, entry.object_id) == (
            "applications.application",
            str(application.pk),
        )
        assert entry.hub == offering.hub
        assert entry.data == {"reason": "Panel decision"}
        assert email_tasks() == [transition.pk]

    def test_waitlisting_records_when_the_wait_began(self, offering, staff, email_tasks):
        application = in_state(offering, State.SUBMITTED)

        before = timezone.now()
        decide_application(application=application, decision="waitlist", by=staff)

        application.refresh_from_db()
        assert before <= application.waitlisted_at <= timezone.now()

    def test_a_waitlisted_application_can_be_accepted_while_places_last(
        self, offering, staff, email_tasks
    ):
        application = in_state(offering, State.WAITLISTED, waitlisted_at=timezone.now())

        decide_application(application=application, decision="accept", by=staff)

        application.refresh_from_db()
        assert application.state == State.ACCEPTED

    @pytest.mark.parametrize("holder_state", [State.ACCEPTED, State.PLACE_OFFERED, State.COMPLETED])
    def test_accepting_beyond_capacity_is_refused_and_changes_nothing(
        self,
        offering,
        staff,
        holder_state,
        email_tasks,
        django_capture_on_commit_callbacks,
    ):
        # Given both places held
        in_state(offering, State.ACCEPTED)
        in_state(offering, holder_state)
        application = in_state(offering, State.SUBMITTED)

        # When one more is accepted, then it is refused
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(NoPlacesLeft) as refused,
        ):
            decide_application(application=application, decision="accept", by=staff)

        assert refused.value.code == "no_places_left"
        application.refresh_from_db()
        assert application.state == State.SUBMITTED
        assert not Transition.objects.exists()
        assert not AuditEntry.objects.exists()
        assert callbacks == []

    def test_the_last_place_can_be_taken(self, offering, staff, email_tasks):
        in_state(offering, State.ACCEPTED)
        application = in_state(offering, State.SUBMITTED)

        decide_application(application=application, decision="accept", by=staff)

        application.refresh_from_db()
        assert application.state == State.ACCEPTED

    def test_declined_and_withdrawn_applications_do_not_hold_places(
        self, offering, staff, email_tasks
    ):
        in_state(offering, State.ACCEPTED)
        in_state(offering, State.DECLINED)
        in_state(offering, State.WITHDRAWN)
        application = in_state(offering, State.SUBMITTED)

        decide_application(application=application, decision="accept", by=staff)

        application.refresh_from_db()
        assert application.state == State.ACCEPTED

    @pytest.mark.parametrize(
        ("state", "decision"),
        [
            (State.WITHDRAWN, "accept"),
            (State.WITHDRAWN, "decline"),
            (State.DECLINED, "accept"),
            (State.ACCEPTED, "waitlist"),
            (State.AWAITING_SCHOOL_APPROVAL, "accept"),
            (State.COMPLETED, "decline"),
        ],
    )
    def test_a_decision_the_state_does_not_allow_is_refused_and_changes_nothing(
        self, offering, staff, state, decision, email_tasks, django_capture_on_commit_callbacks
    ):
        application = in_state(offering, state)

        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(ApplicationError) as refused,
        ):
            decide_application(application=application, decision=decision, by=staff)

        assert refused.value.code == "invalid_transition"
        assert refused.value.reason.startswith("An application that is ")
        application.refresh_from_db()
        assert application.state == state
        assert not Transition.objects.exists()
        assert not AuditEntry.objects.exists()
        assert callbacks == []

    def test_an_unknown_decision_is_refused(self, offering, staff, email_tasks):
        application = in_state(offering, State.SUBMITTED)

        with pytest.raises(ApplicationError) as refused:
            decide_application(application=application, decision="maybe", by=staff)

        assert refused.value.code == "bad_decision"
        application.refresh_from_db()
        assert application.state == State.SUBMITTED


class TestWithdrawAndWaitingList:
    @pytest.fixture
    def full_offering(self, offering):
        """Both places taken, and two teachers waiting: Early (waiting longest) and Late."""
        now = timezone.now()
        accepted = in_state(offering, State.ACCEPTED)
        in_state(offering, State.ACCEPTED)
        late = in_state(offering, State.WAITLISTED, waitlisted_at=now - DAY)
        early = in_state(offering, State.WAITLISTED, waitlisted_at=now - 5 * DAY)
        return {"accepted": accepted, "early": early, "late": late}

    def test_withdrawing_a_place_offers_it_to_the_longest_waiting_teacher(
        self, full_offering, settings, email_tasks, django_capture_on_commit_callbacks
    ):
        settings.WAITLIST_OFFER_DAYS = 3
        accepted = full_offering["accepted"]
        before = timezone.now()

        with django_capture_on_commit_callbacks(execute=True):
            withdraw_application(application=accepted, by=accepted.applicant, reason="Moved job")
        after = timezone.now()

        accepted.refresh_from_db()
        assert accepted.state == State.WITHDRAWN
        withdrawn = accepted.history.get()
        assert (withdrawn.from_state, withdrawn.to_state) == (State.ACCEPTED, State.WITHDRAWN)
        assert (withdrawn.by, withdrawn.reason) == (accepted.applicant, "Moved job")
        early = Application.objects.get(pk=full_offering["early"].pk)
        assert early.state == State.PLACE_OFFERED
        assert before + 3 * DAY <= early.offer_expires_at <= after + 3 * DAY
        offered = early.history.get()
        assert (offered.from_state, offered.to_state) == (State.WAITLISTED, State.PLACE_OFFERED)
        assert offered.reason == "A place came free"
        assert Application.objects.get(pk=full_offering["late"].pk).state == State.WAITLISTED
        assert email_tasks() == [withdrawn.pk, offered.pk]

    def test_of_two_teachers_waiting_since_the_same_moment_the_earlier_applicant_goes_first(
        self, offering, email_tasks
    ):
        accepted = in_state(offering, State.ACCEPTED)
        in_state(offering, State.ACCEPTED)
        same_time = timezone.now() - DAY
        first = in_state(offering, State.WAITLISTED, waitlisted_at=same_time)
        second = in_state(offering, State.WAITLISTED, waitlisted_at=same_time)

        withdraw_application(application=accepted, by=accepted.applicant)

        assert Application.objects.get(pk=first.pk).state == State.PLACE_OFFERED
        assert Application.objects.get(pk=second.pk).state == State.WAITLISTED

    def test_withdrawing_from_the_waiting_list_offers_no_place(
        self, full_offering, email_tasks, django_capture_on_commit_callbacks
    ):
        late = full_offering["late"]

        with django_capture_on_commit_callbacks(execute=True):
            withdraw_application(application=late, by=late.applicant)

        assert Application.objects.get(pk=late.pk).state == State.WITHDRAWN
        assert Application.objects.get(pk=full_offering["early"].pk).state == State.WAITLISTED
        assert Transition.objects.count() == 1
        assert email_tasks() == [Transition.objects.get().pk]

    def test_withdrawing_without_a_reason_gives_a_default_one(self, offering, email_tasks):
        application = in_state(offering, State.SUBMITTED)

        withdraw_application(application=application, by=application.applicant)

        application.refresh_from_db()
        assert application.state_reason == "Withdrawn by the teacher"

    def test_withdrawing_a_declined_application_is_refused(self, offering, email_tasks):
        application = in_state(offering, State.DECLINED)

        with pytest.raises(ApplicationError) as refused:
            withdraw_application(application=application, by=application.applicant)

        assert refused.value.code == "invalid_transition"
        assert Application.objects.get(pk=application.pk).state == State.DECLINED

    def test_a_teacher_takes_up_the_place_offered(
        self, offering, email_tasks, django_capture_on_commit_callbacks
    ):
        application = in_state(offering, State.PLACE_OFFERED, offer_expires_at=timezone.now() + DAY)

        with django_capture_on_commit_callbacks(execute=True):
            take_up_offered_place(application=application, by=application.applicant)

        application.refresh_from_db()
        assert application.state == State.ACCEPTED
        transition = application.history.get()
        assert (transition.from_state, transition.to_state) == (
            State.PLACE_OFFERED,
            State.ACCEPTED,
        )
        assert transition.by == application.applicant
        assert email_tasks() == [transition.pk]

    def test_an_offer_that_ran_out_cannot_be_taken_up(
        self, offering, email_tasks, django_capture_on_commit_callbacks
    ):
        application = in_state(offering, State.PLACE_OFFERED, offer_expires_at=timezone.now() - DAY)

        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(ApplicationError) as refused,
        ):
            take_up_offered_place(application=application, by=application.applicant)

        assert refused.value.code == "offer_expired"
        assert Application.objects.get(pk=application.pk).state == State.PLACE_OFFERED
        assert not Transition.objects.exists()
        assert callbacks == []

    def test_a_place_that_was_not_offered_cannot_be_taken_up(self, offering, email_tasks):
        application = in_state(offering, State.WAITLISTED, waitlisted_at=timezone.now())

        with pytest.raises(ApplicationError) as refused:
            take_up_offered_place(application=application, by=application.applicant)

        assert refused.value.code == "no_offer"
        assert Application.objects.get(pk=application.pk).state == State.WAITLISTED


class TestExpireOverdueApplications:
    def test_overdue_approvals_and_expired_offers_lapse_and_the_place_moves_on(
        self, offering, settings, email_tasks, django_capture_on_commit_callbacks
    ):
        # Given, at a moment `now`: one approval overdue, one not yet due; one offer run out
        # (the other place is held), one teacher waiting
        now = timezone.now()
        overdue = in_state(offering, State.AWAITING_SCHOOL_APPROVAL, approval_due_at=now - DAY)
        due_later = in_state(offering, State.AWAITING_SCHOOL_APPROVAL, approval_due_at=now + DAY)
        run_out = in_state(offering, State.PLACE_OFFERED, offer_expires_at=now - DAY)
        in_state(offering, State.ACCEPTED)
        waiting = in_state(offering, State.WAITLISTED, waitlisted_at=now - 2 * DAY)

        # When the expiry runs
        with django_capture_on_commit_callbacks(execute=True):
            counts = expire_overdue_applications(now=now)

        # Then it reports one lapsed approval and one lapsed offer
        assert counts == (1, 1)
        overdue.refresh_from_db()
        assert overdue.state == State.DECLINED
        assert overdue.state_reason == "The school did not answer in time"
        lapsed_approval = overdue.history.get()
        assert lapsed_approval.from_state == State.AWAITING_SCHOOL_APPROVAL
        assert (lapsed_approval.by, lapsed_approval.by_label) == (None, "cpdnet")
        assert Application.objects.get(pk=due_later.pk).state == State.AWAITING_SCHOOL_APPROVAL
        run_out.refresh_from_db()
        assert run_out.state == State.DECLINED
        assert run_out.state_reason == "The place offered was not taken up in time"
        lapsed_offer = run_out.history.get()
        assert lapsed_offer.from_state == State.PLACE_OFFERED
        # And the next teacher waiting is offered the place
        waiting.refresh_from_db()
        assert waiting.state == State.PLACE_OFFERED
        assert waiting.offer_expires_at > now
        offered = waiting.history.get()
        # And each change is emailed once
        assert sorted(email_tasks()) == sorted([lapsed_approval.pk, lapsed_offer.pk, offered.pk])

    def test_an_approval_due_exactly_now_lapses(self, offering, email_tasks):
        now = timezone.now()
        application = in_state(offering, State.AWAITING_SCHOOL_APPROVAL, approval_due_at=now)

        assert expire_overdue_applications(now=now) == (1, 0)
        assert Application.objects.get(pk=application.pk).state == State.DECLINED

    def test_nothing_overdue_changes_nothing(self, offering, email_tasks):
        now = timezone.now()
        in_state(offering, State.AWAITING_SCHOOL_APPROVAL, approval_due_at=now + DAY)
        in_state(offering, State.PLACE_OFFERED, offer_expires_at=now + DAY)
        in_state(offering, State.SUBMITTED, approval_due_at=now - DAY)

        assert expire_overdue_applications(now=now) == (0, 0)
        assert not Transition.objects.exists()

    def test_running_twice_lapses_each_application_once(
        self, offering, email_tasks, django_capture_on_commit_callbacks
    ):
        now = timezone.now()
        in_state(offering, State.AWAITING_SCHOOL_APPROVAL, approval_due_at=now - DAY)
        in_state(offering, State.PLACE_OFFERED, offer_expires_at=now - DAY)

        with django_capture_on_commit_callbacks(execute=True):
            assert expire_overdue_applications(now=now) == (1, 1)
        with django_capture_on_commit_callbacks(execute=True):
            assert expire_overdue_applications(now=now) == (0, 0)
        assert Transition.objects.count() == 2
        assert len(email_tasks()) == 2
