"""Fixtures for the accounts tests: read the code and link from the sign-in email."""

import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache

from cpdnet.accounts.services import request_sign_in


@pytest.fixture(autouse=True)
def _empty_cache():
    # Password failures are counted in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@dataclass
class SignInEmail:
    to: str
    code: str
    link_path: str
    token: str


def read_sign_in_email(message) -> SignInEmail:
    code = re.search(r"^(\d{6})$", message.body, re.MULTILINE).group(1)
    link = re.search(r"https?://[^/\s]+(/sign-in/link/([^/\s]+)/)", message.body)
    return SignInEmail(to=message.to[0], code=code, link_path=link.group(1), token=link.group(2))


@pytest.fixture
def emailed(mailoutbox):
    """Ask for a sign-in email and return its code and link."""

    def ask(email: str) -> SignInEmail:
        request_sign_in(email=email)
        return read_sign_in_email(mailoutbox[-1])

    return ask


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
