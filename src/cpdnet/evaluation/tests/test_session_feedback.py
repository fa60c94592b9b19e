"""Session feedback: a participant rates a session of their offering once it has started."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cpdnet.evaluation.models import Answer, Question, SessionFeedback, SurveyResponse
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    RoleAssignmentFactory,
    SessionFactory,
    UserFactory,
)

from .conftest import signed_in


def _url(session) -> str:
    return f"/my/sessions/{session.pk}/feedback/"


def test_a_participant_rates_a_session_that_has_started(world):
    session = world.held[0]
    client = signed_in(world.participant)

    form = client.get(_url(session))
    response = client.post(
        _url(session), {"rating": "5", "comment": "Very practical."}, follow=True
    )

    assert 'govuk-fieldset__legend--m">How good was this session?' in form.content.decode()
    feedback = SessionFeedback.objects.get(session=session)
    assert (feedback.application, feedback.rating, feedback.comment) == (
        world.place,
        5,
        "Very practical.",
    )
    assert "Thank you for your feedback on this session." in response.content.decode()


def test_a_second_rating_of_the_same_session_is_not_stored(world):
    session = world.held[0]
    client = signed_in(world.participant)
    client.post(_url(session), {"rating": "5"})

    response = client.post(_url(session), {"rating": "1"})

    assert "You have given feedback on this session" in response.content.decode()
    assert list(SessionFeedback.objects.values_list("rating", flat=True)) == [5]


def test_a_session_that_has_not_started_takes_no_feedback(world):
    client = signed_in(world.participant)

    response = client.post(_url(world.coming), {"rating": "5"})

    assert "This session has not started yet" in response.content.decode()
    assert not SessionFeedback.objects.exists()


def test_a_missing_rating_is_shown_in_the_error_summary(world):
    response = signed_in(world.participant).post(_url(world.held[0]), {"rating": "9"})

    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_rating_0"' in html
    assert not SessionFeedback.objects.exists()


def test_a_teacher_without_a_place_gets_404_and_stores_nothing(world):
    client = signed_in(world.outsider)

    assert client.get(_url(world.held[0])).status_code == 404
    assert client.post(_url(world.held[0]), {"rating": "1"}).status_code == 404
    assert not SessionFeedback.objects.exists()


def test_a_participant_of_another_offering_gets_404(world):
    elsewhere = SessionFactory(starts_at=timezone.now() - timezone.timedelta(days=1))
    elsewhere.ends_at = elsewhere.starts_at + timezone.timedelta(hours=1)
    elsewhere.save()

    response = signed_in(world.participant).get(_url(elsewhere))

    assert response.status_code == 404


def test_a_withdrawn_applicant_and_a_cancelled_session_get_404(world):
    withdrawn = ApplicationFactory(offering=world.offering, state="withdrawn")
    cancelled = world.held[1]
    cancelled.cancelled_at = timezone.now()
    cancelled.save()

    assert signed_in(withdrawn.applicant).get(_url(world.held[0])).status_code == 404
    assert signed_in(world.participant).get(_url(cancelled)).status_code == 404
    assert signed_in(world.participant).get("/my/sessions/999999/feedback/").status_code == 404


def _feedback_page(user, offering):
    return signed_in(user).get(f"/backoffice/offerings/{offering.pk}/feedback/")


def test_the_facilitator_sees_ratings_and_comments_without_names(world):
    facilitator = UserFactory(email="fran@hub.example.org")
    world.offering.facilitator = facilitator
    world.offering.save()
    SessionFeedback.objects.create(
        session=world.held[0], application=world.place, rating=4, comment="More practice time"
    )
    other = ApplicationFactory(offering=world.offering, state="accepted")
    SessionFeedback.objects.create(session=world.held[0], application=other, rating=5)

    response = _feedback_page(facilitator, world.offering)

    html = response.content.decode()
    assert response.status_code == 200
    assert "More practice time" in html
    assert ">4.5<" in html
    assert world.participant.full_name not in html
    assert world.participant.email not in html


def test_feedback_of_an_offering_is_hidden_from_other_hubs_and_participants(world):
    other_hub_staff = UserFactory(email="staff@other.example.org")
    RoleAssignmentFactory(user=other_hub_staff, role="hub_staff", hub=HubFactory())

    assert _feedback_page(other_hub_staff, world.offering).status_code == 404
    assert _feedback_page(world.participant, world.offering).status_code == 404


def test_the_feedback_page_takes_the_same_queries_for_3_and_30_comments(world):
    client = signed_in(world.national)
    url = f"/backoffice/offerings/{world.offering.pk}/feedback/"

    def add(count: int) -> None:
        for _ in range(count):
            place = ApplicationFactory(offering=world.offering, state="accepted")
            SessionFeedback.objects.create(
                session=world.held[1], application=place, rating=3, comment="Fine"
            )

    add(3)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(27)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).content.decode().count("rated 3") == 30

    assert len(many.captured_queries) == len(few.captured_queries)


def test_survey_means_show_to_the_facilitator_only_from_five_pairs(world):
    question = Question.objects.get(key="confident-explaining-why")

    def pair() -> None:
        place = ApplicationFactory(offering=world.offering, state="completed")
        for kind, score in (("start", 2), ("end", 4)):
            response = SurveyResponse.objects.create(application=place, kind=kind)
            Answer.objects.create(response=response, question=question, score=score)

    for _ in range(4):
        pair()
    four = _feedback_page(world.national, world.offering).content.decode()
    pair()
    five = _feedback_page(world.national, world.offering).content.decode()

    assert question.text not in four
    assert "Results show once at least 5 participants" in four
    assert question.text in five
