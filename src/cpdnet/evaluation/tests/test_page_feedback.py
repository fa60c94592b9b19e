"""Page feedback: on every page, posted without JavaScript, stored for national staff only."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cpdnet.evaluation.models import PageFeedback

from .conftest import signed_in
from .factories import PageFeedbackFactory

FEEDBACK = "/feedback/page/"
LIST = "/backoffice/evaluation/page-feedback/"
COUNTS = "/backoffice/evaluation/page-feedback/pages/"


@pytest.fixture
def visitor() -> Client:
    # A browser without JavaScript: and CSRF checked, as in production.
    return Client(enforce_csrf_checks=True)


def test_every_page_carries_the_feedback_form(db, visitor):
    for url in ["/certificates/", "/no-such-page/"]:
        html = visitor.get(url).content.decode()

        assert f'<form method="post" action="{FEEDBACK}"' in html
        assert "Is this page useful?" in html
        assert "Was this written in plain English?" in html
        assert f'name="path" value="{url}"' in html


def test_feedback_is_stored_and_the_visitor_goes_back_to_the_page_with_thanks(db, visitor):
    response = visitor.post(
        FEEDBACK,
        {
            "path": "/programmes/?phase=primary",
            "is_useful": "no",
            "is_plain_english": "yes",
            "comment": "  Which hub runs this?  ",
        },
    )
    thanks = visitor.get("/certificates/?page_feedback=sent")

    assert response.status_code == 302
    assert response["Location"] == "/programmes/?phase=primary&page_feedback=sent#page-feedback"
    feedback = PageFeedback.objects.get()
    assert (feedback.path, feedback.is_useful, feedback.is_plain_english, feedback.comment) == (
        "/programmes/",
        False,
        True,
        "Which hub runs this?",
    )
    assert "Thank you for your feedback." in thanks.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example.org/",
        "//evil.example.org/",
        "/\\evil.example.org",
        "programmes/",
        "javascript:alert(1)",
        "",
        "/" + "a" * 2100,
    ],
)
def test_a_path_that_is_not_on_this_site_is_refused(db, visitor, path):
    response = visitor.post(FEEDBACK, {"path": path, "is_useful": "yes"})

    assert response.status_code == 400
    assert "We could not tell which page this feedback is about." in response.content.decode()
    assert "evil.example.org" not in response.get("Location", "")
    assert not PageFeedback.objects.exists()


def test_feedback_with_no_answer_is_refused_with_an_error(db, visitor):
    response = visitor.post(FEEDBACK, {"path": "/hubs/"})

    assert response.status_code == 400
    assert "Answer at least one question, or write a comment" in response.content.decode()
    assert 'href="/hubs/"' in response.content.decode()
    assert not PageFeedback.objects.exists()


def test_a_visitor_flooding_one_page_is_stopped_after_five_answers(db, visitor):
    statuses = [
        visitor.post(FEEDBACK, {"path": "/hubs/", "is_useful": "yes"}).status_code for _ in range(7)
    ]

    assert statuses == [302] * 5 + [429] * 2
    assert PageFeedback.objects.count() == 5


def _show(count: int) -> None:
    PageFeedbackFactory.create_batch(count, comment="Too long")


def test_national_staff_see_the_answers_and_counts_per_page(world):
    PageFeedbackFactory(path="/hubs/", is_useful=False, comment="Could not find my hub")
    PageFeedbackFactory(path="/hubs/", is_useful=True)
    PageFeedbackFactory(path="/programmes/", is_plain_english=False)
    client = signed_in(world.national)

    answers = client.get(LIST).content.decode()
    filtered = client.get(LIST, {"path": "/programmes/"}).content.decode()
    counts = client.get(COUNTS).content.decode()

    assert "Could not find my hub" in answers
    assert "3 answers" in answers
    assert "1 answer about /programmes/" in filtered
    assert "Could not find my hub" not in filtered
    hubs_row = counts[counts.index("<code>/hubs/</code>") :].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in hubs_row.split("</td>")[:-1]] == [
        "2",
        "1",
        "1",
        "2",
        "0",
        "1",
    ]


@pytest.mark.parametrize("url", [LIST, COUNTS])
def test_a_teacher_gets_403_on_the_page_feedback_lists(world, url):
    PageFeedbackFactory(comment="Only for national staff")

    response = signed_in(world.participant).get(url)

    assert response.status_code == 403
    assert b"Only for national staff" not in response.content


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", [LIST, COUNTS])
def test_page_feedback_lists_take_the_same_queries_for_3_and_30_rows(world, url):
    client = signed_in(world.national)
    _show(3)
    client.get(url)
    few = _queries(client, url)
    _show(27)

    assert _queries(client, url) == few
