"""API v1 with a token: applications scoped to the token's person, and hub decisions."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpdnet.accounts.services import create_api_token, revoke_api_tokens
from cpdnet.applications.models import Application, State, Transition
from cpdnet.audit.models import AuditEntry
from cpdnet.hubs.services import ensure_networks
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    OfferingFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)

API = "/api/v1"
UTC = datetime.UTC


@pytest.fixture
def world(db):
    """Two maths hubs with an offering each; three applications from two schools; one person
    of each role, each with a token."""
    networks = ensure_networks()
    leeds = HubFactory(network=networks["maths"], slug="leeds-maths")
    york = HubFactory(network=networks["maths"], slug="york-maths")
    oakfield, elmwood = SchoolFactory(urn=100001), SchoolFactory(urn=100002)
    at_leeds = OfferingFactory(hub=leeds, programme__network=networks["maths"])
    at_york = OfferingFactory(hub=york, programme=at_leeds.programme)
    applications = {
        "oakfield_leeds": ApplicationFactory(
            offering=at_leeds,
            applicant=TeacherFactory(email="ann@oakfield.example.org", school=oakfield),
        ),
        "elmwood_leeds": ApplicationFactory(
            offering=at_leeds, applicant=TeacherFactory(school=elmwood)
        ),
        "oakfield_york": ApplicationFactory(
            offering=at_york, applicant=TeacherFactory(school=oakfield)
        ),
    }
    people = {
        "leeds_staff": RoleAssignmentFactory(role="hub_staff", hub=leeds).user,
        "york_staff": RoleAssignmentFactory(role="hub_staff", hub=york).user,
        "national": RoleAssignmentFactory(role="national_staff").user,
        "oakfield_approver": RoleAssignmentFactory(role="school_approver", school=oakfield).user,
        "leeds_facilitator": RoleAssignmentFactory(role="facilitator", hub=leeds).user,
        "teacher": applications["oakfield_leeds"].applicant,
        "nobody": UserFactory(),
    }
    return {
        "hubs": {"leeds": leeds, "york": york},
        "offerings": {"leeds": at_leeds, "york": at_york},
        "applications": applications,
        "people": people,
        "tokens": {name: create_api_token(user=person) for name, person in people.items()},
    }


def _bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _list(client, world, who: str, **params):
    return client.get(f"{API}/applications", params, **_bearer(world["tokens"][who]))


def _decide(client, world, who: str, application, body, *, raw: bool = False):
    return client.post(
        f"{API}/applications/{getattr(application, 'pk', application)}/decision",
        body if raw else json.dumps(body),
        content_type="application/json",
        **_bearer(world["tokens"][who]),
    )


def _names(world, response) -> set[str]:
    assert response.status_code == 200, response.content
    by_id = {application.pk: name for name, application in world["applications"].items()}
    return {by_id[item["id"]] for item in response.json()["items"]}


def _queries(client, url, headers) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, **headers).status_code == 200
    return len(context.captured_queries)


class TestTokens:
    @pytest.mark.parametrize(
        "authorization",
        [None, "Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000],
        ids=["no-header", "unknown-token", "empty-token", "basic-scheme", "huge-token"],
    )
    def test_a_request_without_a_live_token_is_a_401_with_a_reason(
        self, client, world, authorization
    ):
        headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

        listed = client.get(f"{API}/applications", **headers)
        decided = client.post(
            f"{API}/applications/{world['applications']['oakfield_leeds'].pk}/decision",
            json.dumps({"decision": "accept"}),
            content_type="application/json",
            **headers,
        )

        for response in (listed, decided):
            assert response.status_code == 401
            assert response.json() == {
                "detail": "Send a valid API token: Authorization: Bearer <token>."
            }
            assert response["WWW-Authenticate"] == "Bearer"
        assert world["applications"]["oakfield_leeds"].state == State.SUBMITTED

    def test_a_live_token_is_accepted_and_a_revoked_one_refused(self, client, world):
        # Given a token that works
        assert _list(client, world, "leeds_staff").status_code == 200

        # When its person revokes their tokens
        revoke_api_tokens(user=world["people"]["leeds_staff"])

        # Then the same token is refused
        assert _list(client, world, "leeds_staff").status_code == 401

    def test_the_token_of_a_deactivated_person_is_refused(self, client, world):
        assert _list(client, world, "leeds_staff").status_code == 200

        world["people"]["leeds_staff"].is_active = False
        world["people"]["leeds_staff"].save()

        assert _list(client, world, "leeds_staff").status_code == 401

    def test_a_signed_in_session_without_a_token_is_refused(self, client, world):
        # The API takes tokens only, so a browser session cannot be used for cross-site posts
        client.force_login(world["people"]["national"])

        response = client.get(f"{API}/applications")

        assert response.status_code == 401


class TestApplicationList:
    @pytest.mark.parametrize(
        ("who", "expected"),
        [
            ("leeds_staff", {"oakfield_leeds", "elmwood_leeds"}),
            ("york_staff", {"oakfield_york"}),
            ("national", {"oakfield_leeds", "elmwood_leeds", "oakfield_york"}),
            ("oakfield_approver", {"oakfield_leeds", "oakfield_york"}),
            ("teacher", {"oakfield_leeds"}),
            ("leeds_facilitator", set()),
            ("nobody", set()),
        ],
    )
    def test_each_person_sees_only_the_applications_of_their_role(
        self, client, world, who, expected
    ):
        response = _list(client, world, who)

        assert _names(world, response) == expected
        assert response.json()["count"] == len(expected)

    def test_a_person_with_two_roles_sees_both_scopes(self, client, world):
        # Given the Oakfield approver also works for the York hub
        RoleAssignmentFactory(
            user=world["people"]["oakfield_approver"], role="hub_staff", hub=world["hubs"]["york"]
        )
        york_only = ApplicationFactory(offering=world["offerings"]["york"])

        response = _list(client, world, "oakfield_approver")

        assert {item["id"] for item in response.json()["items"]} == {
            world["applications"]["oakfield_leeds"].pk,
            world["applications"]["oakfield_york"].pk,
            york_only.pk,
        }

    def test_describes_each_application(self, client, world):
        application = world["applications"]["oakfield_leeds"]
        application.refresh_from_db()

        body = _list(client, world, "teacher").json()

        item = body["items"][0]
        assert item == {
            "id": application.pk,
            "state": "submitted",
            "state_reason": "",
            "offering": world["offerings"]["leeds"].pk,
            "programme": world["offerings"]["leeds"].programme.slug,
            "academic_year": 2026,
            "hub": "leeds-maths",
            "applicant_email": "ann@oakfield.example.org",
            "applicant_name": application.applicant.full_name,
            "job_role": "class_teacher",
            "school_urn": 100001,
            "submitted_at": item["submitted_at"],
            "updated_at": item["updated_at"],
        }
        assert datetime.datetime.fromisoformat(item["submitted_at"]) == (
            application.submitted_at.replace(
                microsecond=application.submitted_at.microsecond // 1000 * 1000
            )
        )

    def test_filters_by_state_and_offering_within_the_scope(self, client, world):
        applications = world["applications"]
        Application.objects.filter(pk=applications["elmwood_leeds"].pk).update(
            state=State.WAITLISTED
        )
        york = world["offerings"]["york"].pk

        assert _names(world, _list(client, world, "national", state="waitlisted")) == {
            "elmwood_leeds"
        }
        assert _names(world, _list(client, world, "national", offering=york)) == {"oakfield_york"}
        # hub staff asking for another hub's offering get nothing
        assert _names(world, _list(client, world, "leeds_staff", offering=york)) == set()

    def test_updated_since_lists_changes_at_or_after_the_time_read_as_uk_time(self, client, world):
        # Given one application changed at 11:30 UTC (12:30 in London) on 1 July, others earlier
        Application.objects.update(updated_at=datetime.datetime(2025, 1, 1, tzinfo=UTC))
        Application.objects.filter(pk=world["applications"]["elmwood_leeds"].pk).update(
            updated_at=datetime.datetime(2025, 7, 1, 11, 30, tzinfo=UTC)
        )

        def since(value):
            return _names(world, _list(client, world, "national", updated_since=value))

        # Then a time without an offset is UK time (12:00 BST is 11:00 UTC)
        assert since("2025-07-01T12:00:00") == {"elmwood_leeds"}
        assert since("2025-07-01T12:00:00+00:00") == set()
        assert since("2025-07-01T11:30:00Z") == {"elmwood_leeds"}
        assert since("2024-12-31T00:00:00Z") == set(world["applications"])

    def test_pages_keep_the_total(self, client, world):
        first = _list(client, world, "national", page_size=2).json()
        second = _list(client, world, "national", page_size=2, page=2).json()

        assert (first["count"], len(first["items"]), second["count"], len(second["items"])) == (
            3,
            2,
            3,
            1,
        )
        assert not {item["id"] for item in first["items"]} & {
            item["id"] for item in second["items"]
        }

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"state": "pending"}, "state"),
            ({"offering": "one"}, "offering"),
            ({"updated_since": "last week"}, "updated_since"),
            ({"page_size": 101}, "page_size"),
            ({"page": 0}, "page"),
        ],
        ids=["unknown-state", "offering-not-a-number", "bad-updated-since", "page-size", "page"],
    )
    def test_rejects_invalid_parameters_with_a_reason(self, client, world, params, field):
        response = _list(client, world, "national", **params)

        assert response.status_code == 422
        body = response.json()
        assert body["detail"]
        assert [error["loc"][-1] for error in body["errors"]] == [field]

    @pytest.mark.parametrize("who", ["leeds_staff", "national", "oakfield_approver"])
    def test_takes_the_same_queries_for_3_or_30_applications(
        self, client, world, who, django_assert_max_num_queries
    ):
        # Given a first request (which may note the token's use) and 3 applications seen
        url = f"{API}/applications?page_size=100"
        headers = _bearer(world["tokens"][who])
        assert client.get(url, **headers).status_code == 200
        few = _queries(client, url, headers)

        # When 27 more applications from Oakfield to Leeds arrive
        oakfield = world["applications"]["oakfield_leeds"].school
        for _ in range(27):
            ApplicationFactory(
                offering=world["offerings"]["leeds"], applicant=TeacherFactory(school=oakfield)
            )

        # Then listing them takes no more queries
        with django_assert_max_num_queries(few):
            body = client.get(url, **headers).json()
        assert body["count"] >= 29
        assert few <= 6


class TestDecision:
    @pytest.mark.parametrize(
        ("decision", "state"),
        [("accept", "accepted"), ("waitlist", "waitlisted"), ("decline", "declined")],
    )
    def test_hub_staff_decide_their_hubs_applications(self, client, world, decision, state):
        application = world["applications"]["elmwood_leeds"]

        response = _decide(
            client, world, "leeds_staff", application, {"decision": decision, "reason": "Fits"}
        )

        assert response.status_code == 200
        body = response.json()
        assert (body["id"], body["state"], body["state_reason"], body["hub"]) == (
            application.pk,
            state,
            "Fits",
            "leeds-maths",
        )
        application.refresh_from_db()
        assert application.state == state
        transition = Transition.objects.filter(application=application).latest("id")
        assert (transition.from_state, transition.to_state, transition.by) == (
            "submitted",
            state,
            world["people"]["leeds_staff"],
        )
        entry = AuditEntry.objects.get(object_id=str(application.pk))
        assert (entry.action, entry.actor, entry.hub) == (
            f"applications.application.{state}",
            world["people"]["leeds_staff"],
            world["hubs"]["leeds"],
        )

    def test_the_applicant_is_emailed_the_decision(
        self, client, world, django_capture_on_commit_callbacks, mailoutbox, settings
    ):
        # The root conftest's CPDNET_TASKS_BACKEND comes too late for the settings
        settings.TASKS = {
            "default": {
                "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                "QUEUES": ["default"],
            }
        }
        application = world["applications"]["oakfield_leeds"]

        with django_capture_on_commit_callbacks(execute=True):
            response = _decide(client, world, "leeds_staff", application, {"decision": "accept"})

        assert response.status_code == 200
        assert [(email.to, email.subject.split(":")[0]) for email in mailoutbox] == [
            (["ann@oakfield.example.org"], "You have a place")
        ]

    def test_national_staff_decide_any_hubs_applications(self, client, world):
        application = world["applications"]["oakfield_york"]

        response = _decide(client, world, "national", application, {"decision": "accept"})

        assert (response.status_code, response.json()["state"]) == (200, "accepted")

    @pytest.mark.parametrize("who", ["teacher", "oakfield_approver", "leeds_facilitator", "nobody"])
    def test_people_who_are_not_hub_or_national_staff_are_refused_with_a_403(
        self, client, world, who
    ):
        # The same application hub staff may decide (above); the teacher and the approver can
        # even see it
        application = world["applications"]["oakfield_leeds"]

        response = _decide(client, world, who, application, {"decision": "accept"})

        assert response.status_code == 403
        assert response.json() == {
            "detail": "Only hub staff and national staff can decide applications."
        }
        application.refresh_from_db()
        assert application.state == State.SUBMITTED
        assert not AuditEntry.objects.exists()

    def test_another_hubs_application_is_a_404_like_a_missing_one(self, client, world):
        # Given York staff, who may decide York's applications but not Leeds's
        leeds_application = world["applications"]["oakfield_leeds"]
        york_application = world["applications"]["oakfield_york"]
        own_hub = _decide(client, world, "york_staff", york_application, {"decision": "waitlist"})
        assert own_hub.status_code == 200

        # When they decide a Leeds application, and one that does not exist
        other_hub = _decide(client, world, "york_staff", leeds_application, {"decision": "accept"})
        missing_id = Application.objects.order_by("-pk").first().pk + 1000
        missing = _decide(client, world, "york_staff", missing_id, {"decision": "accept"})

        # Then both are 404s alike, and the Leeds application is untouched
        assert (other_hub.status_code, missing.status_code) == (404, 404)
        assert other_hub.json() == {"detail": f"No application has the id {leeds_application.pk}."}
        assert missing.json() == {"detail": f"No application has the id {missing_id}."}
        leeds_application.refresh_from_db()
        assert leeds_application.state == State.SUBMITTED

    def test_accepting_when_no_places_are_left_is_a_409_and_waitlisting_is_not(self, client, world):
        # Given an offering whose one place is taken
        offering = world["offerings"]["leeds"]
        offering.capacity = 1
        offering.save()
        Application.objects.filter(pk=world["applications"]["oakfield_leeds"].pk).update(
            state=State.ACCEPTED
        )
        application = world["applications"]["elmwood_leeds"]

        # When hub staff accept another applicant
        refused = _decide(client, world, "leeds_staff", application, {"decision": "accept"})

        # Then they are told there are no places, and may waitlist them instead
        assert refused.status_code == 409
        assert refused.json() == {
            "detail": "There are no places left on this offering.",
            "code": "no_places_left",
        }
        application.refresh_from_db()
        assert application.state == State.SUBMITTED
        waitlisted = _decide(client, world, "leeds_staff", application, {"decision": "waitlist"})
        assert (waitlisted.status_code, waitlisted.json()["state"]) == (200, "waitlisted")

    def test_a_decision_the_application_has_moved_past_is_a_409(self, client, world):
        application = world["applications"]["elmwood_leeds"]
        assert (
            _decide(client, world, "leeds_staff", application, {"decision": "decline"}).status_code
            == 200
        )

        response = _decide(client, world, "leeds_staff", application, {"decision": "accept"})

        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "invalid_transition"
        assert body["detail"] == "An application that is declined cannot become accepted."

    def test_an_application_still_waiting_for_its_school_cannot_be_accepted(self, client, world):
        application = world["applications"]["elmwood_leeds"]
        Application.objects.filter(pk=application.pk).update(state=State.AWAITING_SCHOOL_APPROVAL)

        response = _decide(client, world, "leeds_staff", application, {"decision": "accept"})

        assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")

    def test_accepting_a_place_offered_from_the_waiting_list_needs_no_further_place(
        self, client, world
    ):
        # Given a full offering of one place, held by an applicant offered it from the list
        offering = world["offerings"]["leeds"]
        offering.capacity = 1
        offering.save()
        application = world["applications"]["elmwood_leeds"]
        Application.objects.filter(pk=application.pk).update(state=State.PLACE_OFFERED)

        # When hub staff accept them (an allowed move: place offered -> accepted)
        response = _decide(client, world, "leeds_staff", application, {"decision": "accept"})

        # Then they keep the place they already hold
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == "accepted"

    def test_accepting_an_accepted_application_on_a_full_offering_says_it_moved_on(
        self, client, world
    ):
        # Given the offering's one place is held by this application
        offering = world["offerings"]["leeds"]
        offering.capacity = 1
        offering.save()
        application = world["applications"]["elmwood_leeds"]
        Application.objects.filter(pk=application.pk).update(state=State.ACCEPTED)

        response = _decide(client, world, "leeds_staff", application, {"decision": "accept"})

        # Then the reason is that it is already accepted, not that the offering is full
        assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"decision": "maybe"}, "decision"),
            ({"decision": "ACCEPT"}, "decision"),
            ({}, "decision"),
            ({"decision": "accept", "reason": "x" * 301}, "reason"),
            ({"decision": "accept", "reason": 5}, "reason"),
        ],
        ids=["unknown-decision", "upper-case", "no-decision", "reason-too-long", "reason-number"],
    )
    def test_a_bad_body_is_a_422_with_a_reason(self, client, world, body, field):
        application = world["applications"]["elmwood_leeds"]

        response = _decide(client, world, "leeds_staff", application, body)

        assert response.status_code == 422
        payload = response.json()
        assert payload["detail"]
        assert [error["loc"][-1] for error in payload["errors"]] == [field]
        application.refresh_from_db()
        assert application.state == State.SUBMITTED

    @pytest.mark.parametrize("raw", ["", "[]", '"accept"'], ids=["empty", "list", "string"])
    def test_a_body_that_is_not_a_json_object_is_a_422(self, client, world, raw):
        application = world["applications"]["elmwood_leeds"]

        response = _decide(client, world, "leeds_staff", application, raw, raw=True)

        assert response.status_code == 422
        assert response.json()["errors"][0]["msg"] == "Field required"
        application.refresh_from_db()
        assert application.state == State.SUBMITTED

    def test_a_body_that_is_not_json_is_a_400_with_a_reason(self, client, world):
        # Malformed JSON is a syntax error (400); well-formed but wrong is a 422 (above)
        application = world["applications"]["elmwood_leeds"]

        response = _decide(client, world, "leeds_staff", application, "{not json", raw=True)

        assert response.status_code == 400
        assert response.json() == {"detail": "Cannot parse request body"}
        application.refresh_from_db()
        assert application.state == State.SUBMITTED

    @pytest.mark.parametrize("application_id", ["abc", "0", "9" * 30])
    def test_an_id_that_is_not_a_positive_number_is_a_422(self, client, world, application_id):
        response = _decide(client, world, "national", application_id, {"decision": "accept"})

        assert response.status_code == 422
        assert response.json()["detail"]

    def test_a_get_on_the_decision_is_not_allowed(self, client, world):
        response = client.get(
            f"{API}/applications/{world['applications']['elmwood_leeds'].pk}/decision",
            **_bearer(world["tokens"]["national"]),
        )

        assert response.status_code == 405


class TestSchema:
    def test_the_openapi_document_lists_the_application_paths_behind_a_bearer_token(
        self, client, db
    ):
        document = client.get(f"{API}/openapi.json").json()

        paths = document["paths"]
        listing = paths["/api/v1/applications"]["get"]
        decision = paths["/api/v1/applications/{application_id}/decision"]["post"]
        schemes = document["components"]["securitySchemes"]
        assert [scheme["scheme"] for scheme in schemes.values()] == ["bearer"]
        assert listing["security"] == decision["security"] == [{name: []} for name in schemes]
        assert {"200", "401", "403", "404", "409"} <= set(decision["responses"])
        assert {parameter["name"] for parameter in listing["parameters"]} == {
            "state",
            "offering",
            "updated_since",
            "page",
            "page_size",
        }
