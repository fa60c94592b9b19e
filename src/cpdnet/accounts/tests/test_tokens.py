"""API tokens: made by a command, shown once, stored hashed, revocable."""

import datetime
import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cpdnet.accounts.models import ApiToken
from cpdnet.accounts.selectors import get_user_for_token
from cpdnet.accounts.services import create_api_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _create_token(email: str) -> str:
    out = StringIO()
    call_command("create_token", email, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_create_token_prints_a_token_that_is_accepted_and_stored_only_as_a_hash():
    person = UserFactory(email="analyst@hub.example.org")

    token = _create_token("Analyst@hub.example.org")

    assert len(token) >= 40
    assert get_user_for_token(token) == person
    stored = ApiToken.objects.get()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.prefix == token[:8]
    assert token not in {stored.token_hash, stored.prefix}


def test_create_token_for_an_unknown_email_exits_with_a_plain_message():
    with pytest.raises(CommandError, match="No active person has the email address"):
        call_command("create_token", "nobody@example.org", stdout=StringIO())

    assert not ApiToken.objects.exists()


def test_cpdnet_console_command_exits_non_zero_for_an_unknown_email(monkeypatch, capsys):
    from cpdnet.__main__ import main

    monkeypatch.setattr("sys.argv", ["cpdnet", "create-token", "nobody@example.org"])

    with pytest.raises(SystemExit) as exited:
        main()

    assert exited.value.code != 0
    assert "No active person has the email address nobody@example.org" in capsys.readouterr().err


@pytest.mark.parametrize("token", ["", "not-a-token"])
def test_unknown_tokens_are_refused(token):
    create_api_token(user=UserFactory())

    assert get_user_for_token(token) is None


def test_revoked_tokens_and_closed_accounts_are_refused():
    revoked_owner, closed_owner = UserFactory(), UserFactory()
    revoked = create_api_token(user=revoked_owner)
    closed = create_api_token(user=closed_owner)
    out = StringIO()
    call_command("revoke_tokens", revoked_owner.email, stdout=out)
    closed_owner.is_active = False
    closed_owner.save()

    assert "Revoked 1 token for" in out.getvalue()
    assert get_user_for_token(revoked) is None
    assert get_user_for_token(closed) is None


def test_last_used_is_noted_at_most_once_a_minute(django_assert_num_queries):
    token = create_api_token(user=UserFactory())
    get_user_for_token(token)
    first_use = ApiToken.objects.get().last_used_at

    with django_assert_num_queries(1):
        get_user_for_token(token)
    ApiToken.objects.update(last_used_at=timezone.now() - datetime.timedelta(minutes=2))
    get_user_for_token(token)

    assert first_use is not None
    assert ApiToken.objects.get().last_used_at > first_use
