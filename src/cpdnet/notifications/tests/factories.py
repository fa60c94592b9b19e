"""Factories for newsletters."""

import factory
from django.utils import timezone

from cpdnet.notifications.models import Audience, NewsletterIssue, Subscriber


class AudienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audience

    slug = factory.Sequence(lambda n: f"audience-{n}")
    name = factory.Sequence(lambda n: f"Round-up {n}")


class SubscriberFactory(factory.django.DjangoModelFactory):
    """A confirmed subscriber; pass audiences=[...] to subscribe them."""

    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"reader{n}@school.example.org")
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        if create and extracted:
            self.audiences.add(*extracted)


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsletterIssue

    audience = factory.SubFactory(AudienceFactory)
    subject = "Spring round-up"
    body = "New Work Groups are open.\n\nRegister for our webinar."
