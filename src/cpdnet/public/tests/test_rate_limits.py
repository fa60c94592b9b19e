"""Public forms are limited per address, per email or account, and overall: 429 with a
plain-English page and Retry-After, counted the same in every process (the shared cache)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from cpdnet.events.models import Registration
from cpdnet.events.tests.conftest import _on_commit_at_once  # noqa: F401 - autouse fixture
from cpdnet.events.tests.factories import WebinarFactory
from cpdnet.notifications.tests.factories import AudienceFactory
from tests.factories import OfferingFactory, ProgrammeFactory, TeacherFactory

pytestmark = pytest.mark.django_db


def _limit(settings, scope: str, **kinds: str) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, scope: kinds}


def _assert_limited(response, most_seconds: int) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= most_seconds
    assert "Too many tries from here" in response.content.decode()


def _register(client, webinar, email: str, address: str = "203.0.113.5"):
    form = {
        "name": "Ada Lovelace",
        "email": email,
        "job_role": "class_teacher",
        "urn": "",
        "organisation_kind": "school",
    }
    url = reverse("public:event-register", kwargs={"offering_id": webinar.pk})
    return client.post(url, form, REMOTE_ADDR=address)


def test_webinar_registrations_are_limited_per_address_and_per_email(client, settings):
    _limit(settings, "event_registration", ip="2/600", account="1/3600")
    webinar = WebinarFactory(capacity=50)

    first = _register(client, webinar, "ada@example.org")
    same_email = _register(client, webinar, "ada@example.org", address="198.51.100.7")
    second = _register(client, webinar, "grace@example.org")
    third = _register(client, webinar, "alan@example.org")

    assert first.status_code == 200 and second.status_code == 200
    _assert_limited(same_email, 3600)
    _assert_limited(third, 600)
    assert Registration.objects.count() == 2


def test_the_api_answers_a_limited_registration_with_json_and_retry_after(client, settings):
    _limit(settings, "event_registration", all="1/60")
    webinar = WebinarFactory(capacity=50)
    url = f"/api/v1/events/{webinar.pk}/registrations"

    def post(email: str):
        body = {"name": "Ada Lovelace", "email": email, "role": "class_teacher"}
        return client.post(url, body, content_type="application/json")

    first, second = post("ada@example.org"), post("grace@example.org")

    assert first.status_code == 201
    assert second.status_code == 429
    assert 0 < int(second["Retry-After"]) <= 60
    assert second.json()["code"] == "rate_limited"


def test_newsletter_sign_ups_are_limited_per_email(client, settings, mailoutbox):
    _limit(settings, "newsletter_sign_up", account="1/3600")
    audience = AudienceFactory()
    form = {"email": "ada@example.org", "audiences": [audience.pk]}

    first = client.post(reverse("public:newsletters"), form)
    second = client.post(reverse("public:newsletters"), form, REMOTE_ADDR="198.51.100.7")

    assert first.status_code == 200
    _assert_limited(second, 3600)
    assert len(mailoutbox) == 1


def test_applications_are_limited_per_account(client, settings, hubs, leeds_school):
    _limit(settings, "application", account="1/3600")
    teacher = TeacherFactory(school=leeds_school)
    offering = OfferingFactory(
        hub=hubs["maths"], programme=ProgrammeFactory(network=hubs["maths"].network)
    )
    client.force_login(teacher)
    url = f"/programmes/offerings/{offering.pk}/apply/"

    client.post(url, {"job_role": "class_teacher", "statement": "To learn."})
    second = client.post(url, {"job_role": "class_teacher", "statement": "To learn."})

    _assert_limited(second, 3600)


def test_a_school_network_behind_one_address_is_not_stopped_by_the_default_limits(client):
    # Given the default limits, and the teachers of a local-authority broadband network,
    # behind one address, registering for the same webinar within ten minutes
    webinar = WebinarFactory(capacity=300)

    statuses = {
        _register(client, webinar, f"teacher{n}@school{n % 40}.example.org").status_code
        for n in range(250)
    }

    assert statuses == {200}
    assert Registration.objects.count() == 250


def test_limits_are_counted_in_the_shared_cache(client, settings):
    # Another process counting for the same address writes the same keys: emptying the cache
    # (what a fresh process with a per-process cache would see) gives the address a new start.
    _limit(settings, "certificate_check", ip="1/60")
    client.get("/certificates/ABCD-EFGH-JKLM/")
    limited = client.get("/certificates/ABCD-EFGH-JKLM/")
    cache.clear()
    fresh = client.get("/certificates/ABCD-EFGH-JKLM/")

    _assert_limited(limited, 60)
    assert fresh.status_code == 404
