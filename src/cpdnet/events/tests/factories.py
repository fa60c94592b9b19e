"""Factories for webinars and registrations."""

import factory

from cpdnet.events.models import Registration, RegistrationStatus
from tests.factories import OfferingFactory


class WebinarFactory(OfferingFactory):
    """A webinar open for registration now, with 10 places, for anyone anywhere."""

    programme__kind = "webinar"
    programme__title = factory.Sequence(lambda n: f"Webinar {n}: reasoning with fractions")
    planned_sessions = 1
    local_only = False
    requires_school_approval = False


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registration made directly in a status (use the services to test the journey)."""

    class Meta:
        model = Registration

    offering = factory.SubFactory(WebinarFactory)
    name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"registrant{n}@school.example.org")
    job_role = "class_teacher"
    status = RegistrationStatus.CONFIRMED
