"""factory_boy factories shared by every app's tests."""

import datetime

import factory
from django.utils import timezone

from cpdnet.accounts.models import User
from cpdnet.hubs.models import Hub, HubArea, Network
from cpdnet.schools.models import FundingCategory, School, SchoolStatus
from cpdnet.schools.search import school_search_text


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(None)  # no usable password, like a new teacher


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
    funding_category = FundingCategory.STATE_SCHOOL
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


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programmes.Programme"

    network = factory.SubFactory(NetworkFactory)
    slug = factory.Sequence(lambda n: f"programme-{n}")
    title = factory.Sequence(lambda n: f"Primary Mastery Work Group {n}")
    phase = "primary"
    key_stages = "KS1,KS2"
    kind = "work_group"
    audience = "class_teacher,subject_lead,early_career_teacher"
    funding_model = "funded"
    summary = "Develop teaching for mastery in your school."
    description = "Teachers work together over a year to develop teaching for mastery."


class OfferingFactory(factory.django.DjangoModelFactory):
    """An offering open for applications now, with 10 places."""

    class Meta:
        model = "programmes.Offering"

    programme = factory.SubFactory(ProgrammeFactory)
    hub = factory.SubFactory(HubFactory, network=factory.SelfAttribute("..programme.network"))
    # A hub's offering is provided by the hub's own provider (made when the hub is saved).
    provider = factory.LazyAttribute(lambda offering: offering.hub.provider)
    academic_year = 2026
    capacity = 10
    mode = "online"
    planned_sessions = 4
    starts_on = datetime.date(2027, 1, 15)
    ends_on = datetime.date(2027, 6, 30)
    applications_open_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))
    applications_close_at = factory.LazyFunction(
        lambda: timezone.now() + datetime.timedelta(days=30)
    )
    local_only = True
    requires_school_approval = True


class TeacherFactory(UserFactory):
    """A class teacher at a school (in Leeds unless told otherwise)."""

    school = factory.SubFactory(SchoolFactory)
    job_role = "class_teacher"


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.RoleAssignment"

    user = factory.SubFactory(UserFactory)
    role = "hub_staff"


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application made directly in a state (use the services to test the journey)."""

    class Meta:
        model = "applications.Application"

    offering = factory.SubFactory(OfferingFactory)
    applicant = factory.SubFactory(TeacherFactory)
    school = factory.SelfAttribute("applicant.school")
    job_role = "class_teacher"
    approver_email = "head@school.example.org"
    state = "submitted"
    school_confirmed = True  # the school has confirmed the teacher works there


class SessionFactory(factory.django.DjangoModelFactory):
    """An online session of two hours, a week from now, with a meeting link."""

    class Meta:
        model = "programmes.Session"

    offering = factory.SubFactory(OfferingFactory)
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=7)).replace(second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda session: session.starts_at + datetime.timedelta(hours=2))
    mode = "online"
    join_url = factory.Sequence(lambda n: f"https://meet.example.org/session-{n}")


class VerifiedDomainFactory(factory.django.DjangoModelFactory):
    """An email domain a school has verified: its addresses may release the school's staff."""

    class Meta:
        model = "applications.VerifiedDomain"
        django_get_or_create = ("domain", "school")

    domain = "school.example.org"
    school = factory.SubFactory(SchoolFactory)
