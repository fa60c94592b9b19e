"""The "We work with a different hub" form on a school's page."""

import re

import pytest

from cpdnet.hubs.models import HubChangeRequest, HubChangeRequestStatus

URL = "/find-your-hub/schools/107999/different-hub/"


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def valid(hubs):
    return {
        "requested_hub": str(hubs["north"].pk),
        "contact_name": "Ada Teacher",
        "contact_email": "ada@school.example.org",
        "contact_role": "Head of maths",
        "reason": "We have worked with them for years.",
    }


def test_the_form_offers_every_hub_with_its_network(client, leeds_school, hubs):
    response = client.get(URL)

    text = _text(response)
    assert response.status_code == 200
    assert "There is a problem" not in text
    assert "North Lancs Maths Hub (Maths Hubs)" in text
    assert "Science Yorkshire (Science Learning Partnerships)" in text


def test_a_complete_request_is_recorded_and_confirmed(client, leeds_school, hubs, valid):
    response = client.post(URL, valid)

    assert response.status_code == 200
    text = _text(response)
    assert "Thank you" in text
    assert "to work with North Lancs Maths Hub" in text
    change = HubChangeRequest.objects.get()
    assert change.school == leeds_school
    assert change.requested_hub == hubs["north"]
    assert change.current_hub == hubs["maths"]
    assert change.status == HubChangeRequestStatus.PENDING
    assert (change.contact_name, change.contact_email) == ("Ada Teacher", "ada@school.example.org")


def test_the_optional_fields_may_be_left_empty(client, leeds_school, valid):
    response = client.post(URL, {**valid, "contact_role": "", "reason": ""})

    assert "Thank you" in _text(response)
    assert HubChangeRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        (
            {"requested_hub": "", "contact_name": "", "contact_email": ""},
            [
                "Choose the hub your school works with",
                "Enter your full name",
                "Enter your email address",
            ],
        ),
        ({"contact_email": "not-an-email"}, ["Enter an email address in the correct format"]),
        ({"requested_hub": "999999"}, ["Select a valid choice"]),
    ],
    ids=["all-required-missing", "bad-email", "unknown-hub"],
)
def test_a_request_with_errors_is_shown_again_and_nothing_is_recorded(
    client, leeds_school, valid, changes, messages
):
    response = client.post(URL, {**valid, **changes})

    assert response.status_code == 200
    text = _text(response)
    assert "There is a problem" in text
    assert "<title>Error: " in text
    for message in messages:
        assert message in text
    assert HubChangeRequest.objects.count() == 0


def test_a_request_with_errors_keeps_what_was_typed(client, leeds_school, valid):
    text = _text(client.post(URL, {**valid, "contact_email": ""}))

    assert 'value="Ada Teacher"' in text
    assert "We have worked with them for years." in text
    assert re.search(rf'<option value="{valid["requested_hub"]}" selected>', text)


def test_the_error_summary_links_to_the_fields(client, leeds_school, valid):
    text = _text(client.post(URL, {name: "" for name in valid}))

    targets = re.findall(r'<li><a href="#([^"]+)">', text)
    assert len(targets) == 3
    for target in targets:
        assert f'id="{target}"' in text


def test_an_unknown_school_is_not_found(client, hubs, valid):
    assert client.get("/find-your-hub/schools/999998/different-hub/").status_code == 404
    assert client.post("/find-your-hub/schools/999998/different-hub/", valid).status_code == 404
    assert HubChangeRequest.objects.count() == 0
