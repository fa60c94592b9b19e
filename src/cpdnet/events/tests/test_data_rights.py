"""A person's data download and erasure cover their registrations and newsletter subscription,
found by their email address."""

import pytest

from cpdnet.accounts.selectors import export_person
from cpdnet.accounts.services import erase_person
from cpdnet.events.models import Registration, RegistrationStatus
from cpdnet.events.tests.factories import RegistrationFactory, WebinarFactory
from cpdnet.notifications.models import SentEmail, Subscriber
from cpdnet.notifications.tests.factories import AudienceFactory, SubscriberFactory
from tests.factories import TeacherFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher_with_events():
    teacher = TeacherFactory(email="ada@example.org")
    webinar = WebinarFactory(capacity=1)
    RegistrationFactory(offering=webinar, email="ADA@example.org", name="Ada Lovelace")
    waiting = RegistrationFactory(
        offering=webinar, email="grace@example.org", status=RegistrationStatus.WAITLISTED
    )
    SubscriberFactory(email="Ada@Example.org", audiences=[AudienceFactory(name="Secondary")])
    SubscriberFactory(email="grace@example.org", audiences=[AudienceFactory()])
    SentEmail.objects.create(key="k1", to="ada@example.org", subject="You are registered")
    return teacher, webinar, waiting


def test_the_data_download_has_registrations_and_subscription(teacher_with_events):
    teacher, webinar, _waiting = teacher_with_events

    data = export_person(teacher)

    assert [(row["event"], row["name"]) for row in data["event_registrations"]] == [
        (webinar.programme.title, "Ada Lovelace")
    ]
    assert data["newsletter_subscription"]["audiences"] == ["Secondary"]
    assert [row["subject"] for row in data["emails_sent"]] == ["You are registered"]


def test_erasure_cancels_and_anonymises_registrations_and_deletes_the_subscription(
    teacher_with_events, mailoutbox
):
    teacher, webinar, waiting = teacher_with_events

    erase_person(user=teacher)

    erased = Registration.objects.exclude(pk=waiting.pk).get()
    assert (erased.name, erased.status) == ("", RegistrationStatus.CANCELLED)
    assert erased.email.endswith("@invalid")
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED  # the freed place is given on
    assert [message.to for message in mailoutbox] == [["grace@example.org"]]
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["grace@example.org"]
    assert not SentEmail.objects.filter(to__iexact="ada@example.org").exists()
