"""API tokens expire, can be read-only, and bad ones are limited per address."""

import datetime
import json

import pytest
from django.utils import timezone

from cpdnet.accounts.models import ApiToken
from cpdnet.accounts.services import create_api_token
from cpdnet.applications.models import State

from .test_applications_api import API, _bearer, world  # noqa: F401 (world is a fixture)


def _decide(client, world, token: str):  # noqa: F811
    application = world["applications"]["oakfield_leeds"]
    return client.post(
        f"{API}/applications/{application.pk}/decision",
        json.dumps({"decision": "decline", "reason": "Full"}),
        content_type="application/json",
        **_bearer(token),
    )


def test_a_read_only_token_reads_but_is_refused_on_writes_with_a_reason(client, world):  # noqa: F811
    token = create_api_token(user=world["people"]["leeds_staff"], read_only=True)

    listed = client.get(f"{API}/applications", **_bearer(token))
    decided = _decide(client, world, token)

    assert listed.status_code == 200
    assert decided.status_code == 403
    assert "read-only" in decided.json()["detail"]
    world["applications"]["oakfield_leeds"].refresh_from_db()
    assert world["applications"]["oakfield_leeds"].state != State.DECLINED


def test_a_full_token_of_the_same_person_may_write(client, world):  # noqa: F811
    token = create_api_token(user=world["people"]["leeds_staff"])

    assert _decide(client, world, token).status_code == 200


def test_tokens_expire_after_their_days(client, world, settings):  # noqa: F811
    settings.API_TOKEN_DAYS = 30
    token = create_api_token(user=world["people"]["leeds_staff"])
    made = ApiToken.objects.order_by("-id").first()

    fresh = client.get(f"{API}/applications", **_bearer(token))
    ApiToken.objects.filter(pk=made.pk).update(expires_at=timezone.now())
    expired = client.get(f"{API}/applications", **_bearer(token))

    assert made.expires_at - made.created_at == pytest.approx(
        datetime.timedelta(days=30), abs=datetime.timedelta(seconds=5)
    )
    assert fresh.status_code == 200
    assert expired.status_code == 401


def test_bad_tokens_from_one_address_get_429_with_retry_after(client, world, settings):  # noqa: F811
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token_failure": {"ip": "3/600"}}

    statuses = [
        client.get(f"{API}/applications", **_bearer(f"guess-{n}")).status_code for n in range(3)
    ]
    limited = client.get(f"{API}/applications", **_bearer(world["tokens"]["leeds_staff"]))

    assert statuses == [401, 401, 401]
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 600
    assert limited.json()["code"] == "rate_limited"
