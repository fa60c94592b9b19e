"""factory_boy factories shared by every app's tests."""

import factory

from cpdnet.accounts.models import User
from cpdnet.hubs.models import Hub, HubArea, Network
from cpdnet.schools.models import School, SchoolStatus
from cpdnet.schools.search import school_search_text


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    urn = factory.Sequence(lambda n: 900000 + n)
    name = factory.Sequence(lambda n: f"Test School {n}")
    search_text = factory.LazyAttribute(lambda school: school_search_text(school.name, school.town))
    status = SchoolStatus.OPEN
    la_code = "383"  # Leeds
    la_name = "Leeds"
    district_code = "E08000035"
    is_state_funded = True
    phase = "Primary"
    postcode = "LS1 4AP"
    town = "Leeds"
    easting = 430000
    northing = 433000


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        django_get_or_create = ["slug"]

    slug = "maths"
    name = "Maths Hubs"
    subject = "maths"
    hub_noun = "maths hub"


class HubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hub

    network = factory.SubFactory(NetworkFactory)
    slug = factory.Sequence(lambda n: f"hub-{n}")
    name = factory.Sequence(lambda n: f"Hub {n}")
    region = "Yorkshire and The Humber"
    lead_school_name = "A lead school"
    email = factory.LazyAttribute(lambda hub: f"hello@{hub.slug}.example.org")


class HubAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HubArea

    hub = factory.SubFactory(HubFactory)
    local_authority_id = "383"
    district = None
