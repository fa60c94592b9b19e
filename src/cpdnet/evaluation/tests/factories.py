"""Factories for surveys, feedback and attendance (used by the certificate tests too)."""

import factory

from cpdnet.delivery.models import Attendance, AttendanceStatus
from cpdnet.evaluation.models import PageFeedback, SessionFeedback
from tests.factories import ApplicationFactory, SessionFactory


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    application = factory.SubFactory(
        ApplicationFactory, offering=factory.SelfAttribute("..session.offering"), state="accepted"
    )
    status = AttendanceStatus.ATTENDED


class SessionFeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionFeedback

    session = factory.SubFactory(SessionFactory)
    application = factory.SubFactory(
        ApplicationFactory, offering=factory.SelfAttribute("..session.offering"), state="accepted"
    )
    rating = 4


class PageFeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PageFeedback

    path = factory.Sequence(lambda n: f"/hubs/hub-{n}/")
    is_useful = True
    is_plain_english = True
