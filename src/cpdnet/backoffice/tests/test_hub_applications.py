"""Hub staff list, filter and decide the applications to their hub's offerings."""

import datetime

import pytest
from django.utils import timezone

from cpdnet.applications.models import Application, Transition
from cpdnet.audit.models import AuditEntry
from tests.factories import ApplicationFactory

from .helpers import applicant, count_queries


def list_url(offering) -> str:
    return f"/backoffice/hub/offerings/{offering.pk}/applications/"


def decide_url(application) -> str:
    return f"/backoffice/hub/applications/{application.pk}/decide/"


def state_of(application) -> str:
    return Application.objects.get(pk=application.pk).state


class TestList:
    def test_hub_staff_see_their_offerings_applications(self, hub_world, signed_in):
        ours = applicant("ours@school.example.org", offering=hub_world.offering_a)
        applicant("theirs@school.example.org", offering=hub_world.offering_b)

        response = signed_in(hub_world.staff_a).get(list_url(hub_world.offering_a))

        assert response.status_code == 200
        assert list(response.context["applications"]) == [ours]
        text = response.content.decode()
        assert "ours@school.example.org" in text
        assert "theirs@school.example.org" not in text

    def test_hub_staff_cannot_see_another_hubs_applications(self, hub_world, signed_in):
        # The denied twin: the same page, for hub B's offering
        applicant("theirs@school.example.org", offering=hub_world.offering_b)

        response = signed_in(hub_world.staff_a).get(list_url(hub_world.offering_b))

        assert response.status_code == 404
        assert "theirs@school.example.org" not in response.content.decode()

    def test_a_missing_offering_is_not_found_the_same_way(self, hub_world, signed_in):
        response = signed_in(hub_world.staff_a).get(
            "/backoffice/hub/offerings/999999/applications/"
        )

        assert response.status_code == 404

    def test_national_staff_see_any_hubs_applications(self, hub_world, signed_in):
        theirs = applicant("theirs@school.example.org", offering=hub_world.offering_b)

        response = signed_in(hub_world.national).get(list_url(hub_world.offering_b))

        assert list(response.context["applications"]) == [theirs]

    def test_the_counts_by_state_cover_every_application(self, hub_world, signed_in):
        for state in ["submitted", "submitted", "waitlisted", "accepted"]:
            ApplicationFactory(offering=hub_world.offering_a, state=state)

        response = signed_in(hub_world.staff_a).get(
            list_url(hub_world.offering_a) + "?state=accepted"
        )

        counts = {state.value: count for state, count in response.context["state_counts"]}
        assert counts["submitted"] == 2
        assert counts["waitlisted"] == 1
        assert counts["accepted"] == 1
        assert counts["declined"] == 0
        assert response.context["total"] == 4
        assert response.context["places_left"] == 1
        assert "Applications by state (4 in all)" in response.content.decode()

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("state=waitlisted", ["ada@one.example.org"]),
            ("school=riverside", ["bob@two.example.org"]),
            ("email=ADA@", ["ada@one.example.org"]),
            ("state=submitted&school=riverside", ["bob@two.example.org"]),
            ("state=accepted", []),
        ],
    )
    def test_filters_narrow_the_list(self, hub_world, signed_in, query, expected):
        applicant(
            "ada@one.example.org",
            "Hillside Primary",
            offering=hub_world.offering_a,
            state="waitlisted",
        )
        applicant("bob@two.example.org", "Riverside Primary", offering=hub_world.offering_a)

        response = signed_in(hub_world.staff_a).get(f"{list_url(hub_world.offering_a)}?{query}")

        emails = [application.applicant.email for application in response.context["applications"]]
        assert emails == expected

    def test_the_list_has_pages_of_fifty(self, hub_world, signed_in):
        ApplicationFactory.create_batch(51, offering=hub_world.offering_a)
        client = signed_in(hub_world.staff_a)

        first = client.get(list_url(hub_world.offering_a))
        second = client.get(list_url(hub_world.offering_a) + "?page=2")

        assert len(first.context["applications"]) == 50
        assert len(second.context["applications"]) == 1
        assert "Page 2 of 2" in second.content.decode()

    @pytest.mark.parametrize("applications", [3, 30])
    def test_the_list_takes_the_same_queries_however_many_applications(
        self, hub_world, signed_in, applications
    ):
        ApplicationFactory.create_batch(applications, offering=hub_world.offering_a)

        queries = count_queries(signed_in(hub_world.staff_a), list_url(hub_world.offering_a))

        assert queries == 8


class TestHistory:
    def test_the_application_page_shows_its_history(self, hub_world, signed_in):
        application = applicant("ada@one.example.org", offering=hub_world.offering_a)
        Transition.objects.create(
            application=application, from_state="", to_state="submitted", by=application.applicant
        )
        Transition.objects.create(
            application=application,
            from_state="submitted",
            to_state="waitlisted",
            by=hub_world.staff_a,
            reason="Full for now",
        )

        response = signed_in(hub_world.staff_a).get(
            f"/backoffice/hub/applications/{application.pk}/"
        )

        text = response.content.decode()
        assert "Submitted: waiting for the hub to On the waiting list" in text
        assert "Full for now" in text
        assert "Ann Staff" in text

    def test_another_hubs_application_page_is_not_found(self, hub_world, signed_in):
        application = applicant("theirs@school.example.org", offering=hub_world.offering_b)

        response = signed_in(hub_world.staff_a).get(
            f"/backoffice/hub/applications/{application.pk}/"
        )

        assert response.status_code == 404


class TestDeciding:
    def test_accepting_writes_the_history_and_the_audit_trail(self, hub_world, signed_in):
        application = applicant("ada@one.example.org", offering=hub_world.offering_a)

        response = signed_in(hub_world.staff_a).post(
            decide_url(application), {"decision": "accept", "reason": "Welcome"}, follow=True
        )

        assert state_of(application) == "accepted"
        transition = Transition.objects.get(application=application)
        assert (transition.from_state, transition.to_state, transition.by, transition.reason) == (
            "submitted",
            "accepted",
            hub_world.staff_a,
            "Welcome",
        )
        entry = AuditEntry.objects.get()
        assert (entry.action, entry.actor, entry.hub) == (
            "applications.application.accepted",
            hub_world.staff_a,
            hub_world.hub_a,
        )
        assert "accepted." in response.content.decode()

    def test_a_decline_emails_the_applicant_the_reason(
        self, hub_world, signed_in, django_capture_on_commit_callbacks, mailoutbox
    ):
        application = applicant("ada@one.example.org", offering=hub_world.offering_a)

        with django_capture_on_commit_callbacks(execute=True):
            signed_in(hub_world.staff_a).post(
                decide_url(application), {"decision": "decline", "reason": "Full this year"}
            )

        assert [email.to for email in mailoutbox] == [["ada@one.example.org"]]
        assert "Reason: Full this year." in mailoutbox[0].body

    def test_hub_staff_cannot_decide_another_hubs_application(self, hub_world, signed_in):
        # The denied twin: the same decision, on hub B's application
        application = applicant("theirs@school.example.org", offering=hub_world.offering_b)

        response = signed_in(hub_world.staff_a).post(
            decide_url(application), {"decision": "accept", "reason": "Welcome"}
        )

        assert response.status_code == 404
        assert state_of(application) == "submitted"
        assert not Transition.objects.exists()
        assert not AuditEntry.objects.exists()

    def test_accepting_beyond_capacity_says_no_places_and_changes_nothing(
        self, hub_world, signed_in
    ):
        ApplicationFactory.create_batch(2, offering=hub_world.offering_a, state="accepted")
        application = applicant("ada@one.example.org", offering=hub_world.offering_a)

        response = signed_in(hub_world.staff_a).post(
            decide_url(application), {"decision": "accept"}, follow=True
        )

        assert "There are no places left on this offering." in response.content.decode()
        assert state_of(application) == "submitted"
        assert not Transition.objects.exists()
        assert not AuditEntry.objects.exists()

    def test_a_decision_not_allowed_from_the_state_is_refused_with_a_reason(
        self, hub_world, signed_in
    ):
        application = applicant(
            "ada@one.example.org", offering=hub_world.offering_a, state="declined"
        )

        response = signed_in(hub_world.staff_a).post(
            decide_url(application), {"decision": "accept"}, follow=True
        )

        text = response.content.decode()
        assert "An application that is declined cannot become accepted." in text
        assert "Save decision" not in text  # no decision is left to make
        assert state_of(application) == "declined"
        assert not AuditEntry.objects.exists()

    def test_no_decision_chosen_shows_an_error_summary(self, hub_world, signed_in):
        application = applicant("ada@one.example.org", offering=hub_world.offering_a)

        response = signed_in(hub_world.staff_a).post(decide_url(application), {"reason": "Hmm"})

        text = response.content.decode()
        assert "<title>Error: Application from" in text
        assert 'href="#id_decision_0"' in text
        assert state_of(application) == "submitted"

    def test_decisions_answer_post_only(self, hub_world, signed_in):
        application = applicant("ada@one.example.org", offering=hub_world.offering_a)

        assert signed_in(hub_world.staff_a).get(decide_url(application)).status_code == 405


class TestBulkDeciding:
    def _bulk(self, client, offering, applications, decision, **extra):
        """Decide as confirmed on the preview page."""
        return client.post(
            f"/backoffice/hub/offerings/{offering.pk}/applications/decide/",
            {
                "applications": [a.pk for a in applications],
                "decision": decision,
                "confirmed": "yes",
                **extra,
            },
            follow=True,
        )

    def test_the_preview_names_people_shows_the_email_and_changes_nothing(
        self, hub_world, signed_in
    ):
        # Given one submitted application and one already declined
        waiting = applicant("ada@school.example.org", offering=hub_world.offering_a)
        declined = ApplicationFactory(offering=hub_world.offering_a, state="declined")
        # When staff choose both and "decline", before confirming
        response = self._bulk(
            signed_in(hub_world.staff_a),
            hub_world.offering_a,
            [waiting, declined],
            "decline",
            confirmed="",
            reason="The cohort is full",
        )
        text = response.content.decode()
        # Then one summary says who cannot be moved and why, and the email is shown
        assert "Check before you send" in text
        assert text.count('class="govuk-error-summary"') == 1
        person = declined.applicant.get_full_name() or declined.applicant.email
        assert f"{person}: An application that is declined cannot be declined." in text
        assert "Subject: Your application was not successful" in text
        assert "Reason: The cohort is full." in text
        assert "Confirm and send 1 email" in text
        # And nothing has changed or been sent yet
        assert state_of(waiting) == "submitted"
        assert not Transition.objects.exists() and not AuditEntry.objects.exists()

    def test_select_all_works_without_javascript(self, hub_world, signed_in):
        ApplicationFactory.create_batch(3, offering=hub_world.offering_a)
        text = (
            signed_in(hub_world.staff_a)
            .get(list_url(hub_world.offering_a), {"select": "all"})
            .content.decode()
        )
        assert text.count('name="applications" type="checkbox"') == 3
        assert text.count(" checked>") >= 3 and "Clear the selection" in text

    def test_the_selected_applications_are_decided_and_counted(self, hub_world, signed_in):
        chosen = ApplicationFactory.create_batch(3, offering=hub_world.offering_a)
        other = ApplicationFactory(offering=hub_world.offering_a)

        response = self._bulk(
            signed_in(hub_world.staff_a), hub_world.offering_a, chosen, "waitlist"
        )

        assert "3 applications put on the waiting list." in response.content.decode()
        assert {state_of(application) for application in chosen} == {"waitlisted"}
        assert state_of(other) == "submitted"
        assert Transition.objects.count() == 3
        assert AuditEntry.objects.filter(action="applications.application.waitlisted").count() == 3

    def test_accepting_more_than_the_places_accepts_the_earliest_and_explains_the_rest(
        self, hub_world, signed_in
    ):
        # Given 2 places and 3 applications, made a day apart
        chosen = []
        for days_ago in [3, 2, 1]:
            application = applicant(
                f"t{days_ago}@school.example.org", offering=hub_world.offering_a
            )
            Application.objects.filter(pk=application.pk).update(
                submitted_at=timezone.now() - datetime.timedelta(days=days_ago)
            )
            chosen.append(application)

        response = self._bulk(signed_in(hub_world.staff_a), hub_world.offering_a, chosen, "accept")

        text = response.content.decode()
        assert "2 applications accepted." in text
        last = chosen[2].applicant
        assert f"{last.get_full_name()}: There are no places left on this offering." in text
        assert [state_of(application) for application in chosen] == [
            "accepted",
            "accepted",
            "submitted",
        ]

    def test_another_hubs_application_in_the_selection_changes_nothing(self, hub_world, signed_in):
        ours = ApplicationFactory(offering=hub_world.offering_a)
        theirs = ApplicationFactory(offering=hub_world.offering_b)

        response = self._bulk(
            signed_in(hub_world.staff_a), hub_world.offering_a, [ours, theirs], "decline"
        )

        assert "Select applications from the list" in response.content.decode()
        assert (state_of(ours), state_of(theirs)) == ("submitted", "submitted")
        assert not AuditEntry.objects.exists()

    def test_hub_staff_cannot_bulk_decide_on_another_hubs_offering(self, hub_world, signed_in):
        theirs = ApplicationFactory(offering=hub_world.offering_b)

        response = self._bulk(
            signed_in(hub_world.staff_a), hub_world.offering_b, [theirs], "decline"
        )

        assert response.status_code == 404
        assert state_of(theirs) == "submitted"

    def test_nothing_selected_is_explained(self, hub_world, signed_in):
        response = self._bulk(signed_in(hub_world.staff_a), hub_world.offering_a, [], "decline")

        assert "Select at least one application" in response.content.decode()

    def test_the_list_keeps_its_filters_after_a_decision(self, hub_world, signed_in):
        chosen = ApplicationFactory(offering=hub_world.offering_a)

        response = signed_in(hub_world.staff_a).post(
            f"/backoffice/hub/offerings/{hub_world.offering_a.pk}/applications/decide/",
            {
                "applications": [chosen.pk],
                "decision": "decline",
                "filters": "state=submitted&x=1",
                "confirmed": "yes",
            },
        )

        assert response["Location"] == (
            f"/backoffice/hub/offerings/{hub_world.offering_a.pk}/applications/?state=submitted"
        )


class TestWaitingList:
    def test_the_waiting_list_is_in_order_with_positions_and_offers_with_expiry(
        self, hub_world, signed_in
    ):
        now = timezone.now()
        offering = hub_world.offering_a
        ago = lambda days: now - datetime.timedelta(days=days)  # noqa: E731
        second = applicant(
            "second@school.example.org", offering=offering, state="waitlisted", waitlisted_at=ago(1)
        )
        first = applicant(
            "first@school.example.org", offering=offering, state="waitlisted", waitlisted_at=ago(2)
        )
        offered = applicant(
            "offered@school.example.org",
            offering=offering,
            state="place_offered",
            offer_expires_at=ago(-4),
        )
        applicant(
            "theirs@school.example.org",
            offering=hub_world.offering_b,
            state="waitlisted",
            waitlisted_at=ago(9),
        )

        response = signed_in(hub_world.staff_a).get(
            f"/backoffice/hub/offerings/{hub_world.offering_a.pk}/waiting-list/"
        )

        assert response.context["waiting"] == [(1, first), (2, second)]
        assert list(response.context["offered"]) == [offered]
        text = response.content.decode()
        assert text.index("first@school.example.org") < text.index("second@school.example.org")
        assert "theirs@school.example.org" not in text
        assert "Offer runs out" in text

    def _offer(self, client, application, reason):
        url = (
            f"/backoffice/hub/offerings/{application.offering_id}/waiting-list/"
            f"{application.pk}/offer/"
        )
        return client.post(url, {"reason": reason}, follow=True)

    def test_staff_offer_a_free_place_out_of_turn_with_a_reason_kept_and_audited(
        self, hub_world, signed_in
    ):
        # Given a free place and two people waiting
        offering = hub_world.offering_a
        applicant("first@school.example.org", offering=offering, state="waitlisted")
        later = applicant("later@school.example.org", offering=offering, state="waitlisted")
        # When staff offer it to the later one, saying why
        response = self._offer(
            signed_in(hub_world.staff_a), later, "Only teacher of KS5 physics at the school"
        )
        # Then that person has the offer, with the reason in the history and the audit trail
        assert "has been offered the place and emailed" in response.content.decode()
        assert state_of(later) == "place_offered"
        transition = Transition.objects.get(application=later)
        assert transition.reason == "Only teacher of KS5 physics at the school"
        entry = AuditEntry.objects.get(action="applications.application.place_offered")
        assert entry.data == {"reason": "Only teacher of KS5 physics at the school"}

    def test_offering_by_hand_without_a_reason_is_refused_with_the_field_marked(
        self, hub_world, signed_in
    ):
        waiting = applicant(
            "w@school.example.org", offering=hub_world.offering_a, state="waitlisted"
        )
        response = self._offer(signed_in(hub_world.staff_a), waiting, "  ")
        text = response.content.decode()
        assert response.status_code == 400
        assert f'href="#offer-reason-{waiting.pk}"' in text
        assert "Say why this person is offered the place" in text
        assert state_of(waiting) == "waitlisted" and not AuditEntry.objects.exists()

    def test_no_place_can_be_offered_by_hand_when_the_offering_is_full(self, hub_world, signed_in):
        offering = hub_world.offering_a
        waiting = applicant("w@school.example.org", offering=offering, state="waitlisted")
        ApplicationFactory.create_batch(offering.capacity, offering=offering, state="accepted")
        response = self._offer(signed_in(hub_world.staff_a), waiting, "Urgent")
        assert "There are no places left on this offering." in response.content.decode()
        assert state_of(waiting) == "waitlisted"

    def test_another_hubs_waiting_list_cannot_be_offered_from(self, hub_world, signed_in):
        theirs = applicant(
            "t@school.example.org", offering=hub_world.offering_b, state="waitlisted"
        )
        response = self._offer(signed_in(hub_world.staff_a), theirs, "Because")
        assert response.status_code == 404 and state_of(theirs) == "waitlisted"

    def test_another_hubs_waiting_list_is_not_found(self, hub_world, signed_in):
        response = signed_in(hub_world.staff_a).get(
            f"/backoffice/hub/offerings/{hub_world.offering_b.pk}/waiting-list/"
        )

        assert response.status_code == 404


class TestReorderingTheWaitingList:
    def _move(self, client, application, **data):
        url = (
            f"/backoffice/hub/offerings/{application.offering_id}/waiting-list/"
            f"{application.pk}/move/"
        )
        return client.post(url, data, follow=True)

    def _waiting(self, offering):
        now = timezone.now()
        return [
            applicant(
                f"{name}@school.example.org",
                offering=offering,
                state="waitlisted",
                waitlisted_at=now - datetime.timedelta(days=3 - index),
            )
            for index, name in enumerate(("ann", "bob", "cat"))
        ]

    def test_staff_move_someone_up_one_and_to_a_position_with_a_reason(self, hub_world, signed_in):
        ann, bob, cat = self._waiting(hub_world.offering_a)
        client = signed_in(hub_world.staff_a)

        up = self._move(client, cat, direction="up", reason="Priority school")
        assert "moved from position 3 to 2" in up.content.decode()
        first = self._move(client, ann, direction="to", position="3", reason="Asked to wait")

        assert [pair[1] for pair in first.context["waiting"]] == [cat, bob, ann]
        assert AuditEntry.objects.filter(action="applications.waiting_list.moved").count() == 2
        detail = client.get(f"/backoffice/hub/applications/{ann.pk}/").content.decode()
        assert "From position 1 to 3" in detail and "Asked to wait" in detail

    def test_a_move_without_a_reason_or_position_names_the_field(self, hub_world, signed_in):
        ann, _bob, _cat = self._waiting(hub_world.offering_a)
        client = signed_in(hub_world.staff_a)

        response = self._move(client, ann, direction="to", position="", reason="")

        text = response.content.decode()
        assert response.status_code == 400
        assert f'href="#move-{ann.pk}-reason"' in text
        assert f'href="#move-{ann.pk}-position"' in text
        assert "Say why this person moves on the waiting list" in text

    def test_moving_the_first_up_says_they_are_already_first(self, hub_world, signed_in):
        ann, _bob, _cat = self._waiting(hub_world.offering_a)

        response = self._move(signed_in(hub_world.staff_a), ann, direction="up", reason="Priority")

        assert response.status_code == 400
        assert "already at position 1" in response.content.decode()

    def test_another_hubs_waiting_list_cannot_be_reordered(self, hub_world, signed_in):
        theirs = applicant(
            "t@school.example.org", offering=hub_world.offering_b, state="waitlisted"
        )
        response = self._move(signed_in(hub_world.staff_a), theirs, direction="up", reason="x")
        assert response.status_code == 404

    def test_the_waiting_list_asks_the_same_number_of_queries_for_3_or_30_waiting(
        self, hub_world, signed_in
    ):
        client = signed_in(hub_world.staff_a)
        url = f"/backoffice/hub/offerings/{hub_world.offering_a.pk}/waiting-list/"
        counts = []
        for start, end in ((0, 3), (3, 30)):
            for n in range(start, end):
                applicant(
                    f"w{n}@school.example.org", offering=hub_world.offering_a, state="waitlisted"
                )
            counts.append(count_queries(client, url))
        assert counts[0] == counts[1]
