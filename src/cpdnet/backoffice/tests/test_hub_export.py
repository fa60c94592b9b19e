"""CSV downloads of applications: streamed, scoped to the person's hubs."""

import csv
import io

import pytest
from django.utils import timezone

from tests.factories import ApplicationFactory, OfferingFactory

from .helpers import applicant

HEADER = [
    "application id",
    "state",
    "submitted_at",
    "applicant name",
    "applicant email",
    "job role",
    "school URN",
    "school name",
    "offering id",
    "programme",
    "hub slug",
    "provider slug",
    "academic year",
]


def read_csv(response) -> list[list[str]]:
    assert response.streaming is True
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def offering_csv(offering) -> str:
    return f"/backoffice/hub/offerings/{offering.pk}/applications.csv"


def test_an_offerings_applications_stream_as_csv_with_their_columns(hub_world, signed_in):
    application = applicant(
        "ada@one.example.org", "Hillside Primary", offering=hub_world.offering_a, state="waitlisted"
    )
    application.applicant.full_name = "Ada Lovelace"
    application.applicant.save()
    applicant("theirs@school.example.org", offering=hub_world.offering_b)

    response = signed_in(hub_world.staff_a).get(offering_csv(hub_world.offering_a))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = read_csv(response)
    submitted = timezone.localtime(application.submitted_at).isoformat(timespec="seconds")
    assert rows == [
        HEADER,
        [
            str(application.pk),
            "On the waiting list",
            submitted,
            "Ada Lovelace",
            "ada@one.example.org",
            "Class or subject teacher",
            str(application.school_id),
            "Hillside Primary",
            str(hub_world.offering_a.pk),
            "Primary Mastery Work Group",
            "hub-a",
            "hub-a",
            str(hub_world.year),
        ],
    ]


def test_another_hubs_offering_cannot_be_downloaded(hub_world, signed_in):
    # The denied twin of the test above
    applicant("theirs@school.example.org", offering=hub_world.offering_b)

    response = signed_in(hub_world.staff_a).get(offering_csv(hub_world.offering_b))

    assert response.status_code == 404
    assert not getattr(response, "streaming", False)


def test_a_hubs_year_of_applications_streams_across_its_offerings(hub_world, signed_in):
    second = OfferingFactory(
        hub=hub_world.hub_a, programme=hub_world.programme, academic_year=hub_world.year
    )
    last_year = OfferingFactory(
        hub=hub_world.hub_a, programme=hub_world.programme, academic_year=hub_world.year - 1
    )
    expected = {
        ApplicationFactory(offering=hub_world.offering_a).pk,
        ApplicationFactory(offering=second).pk,
    }
    ApplicationFactory(offering=last_year)
    ApplicationFactory(offering=hub_world.offering_b)

    response = signed_in(hub_world.staff_a).get(
        f"/backoffice/hub/applications.csv?hub=hub-a&year={hub_world.year}"
    )

    rows = read_csv(response)
    assert rows[0] == HEADER
    assert {int(row[0]) for row in rows[1:]} == expected
    assert {row[10] for row in rows[1:]} == {"hub-a"}


def test_without_a_hub_the_download_holds_only_the_persons_hubs(hub_world, signed_in):
    ours = ApplicationFactory(offering=hub_world.offering_a)
    ApplicationFactory(offering=hub_world.offering_b)

    rows = read_csv(signed_in(hub_world.staff_a).get("/backoffice/hub/applications.csv"))

    assert [int(row[0]) for row in rows[1:]] == [ours.pk]


def test_national_staff_download_every_hub(hub_world, signed_in):
    ApplicationFactory(offering=hub_world.offering_a)
    ApplicationFactory(offering=hub_world.offering_b)

    rows = read_csv(signed_in(hub_world.national).get("/backoffice/hub/applications.csv"))

    assert sorted(row[10] for row in rows[1:]) == ["hub-a", "hub-b"]


def test_another_hubs_download_is_not_found(hub_world, signed_in):
    response = signed_in(hub_world.staff_a).get("/backoffice/hub/applications.csv?hub=hub-b")

    assert response.status_code == 404


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)"])
def test_cells_that_spreadsheets_would_run_as_formulas_are_defused(hub_world, signed_in, name):
    application = ApplicationFactory(offering=hub_world.offering_a)
    application.applicant.full_name = name
    application.applicant.save()

    rows = read_csv(signed_in(hub_world.staff_a).get(offering_csv(hub_world.offering_a)))

    assert rows[1][3] == "'" + name
