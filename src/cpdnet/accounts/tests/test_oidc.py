"""Sign-in through an OpenID Connect provider (DfE Sign-in), on only when configured.

The provider is replaced at the edge (token and user-info calls); no network is used.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from cpdnet.accounts.oidc import VerifiedEmailBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROVIDER = "https://oidc.example.org"


@pytest.fixture
def oidc(settings, monkeypatch):
    """OpenID Connect switched on; set `claims` to what the provider says about the person."""
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "DfE Sign-in"
    settings.OIDC_RP_CLIENT_ID = "cpdnet"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{PROVIDER}/auth"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{PROVIDER}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{PROVIDER}/me"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{PROVIDER}/certs"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_USE_PKCE = True
    settings.OIDC_REQUIRE_EMAIL_VERIFIED = True
    settings.OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc-callback"
    settings.LOGIN_REDIRECT_URL_FAILURE = "/sign-in/?failed=oidc"
    settings.AUTHENTICATION_BACKENDS = [
        "cpdnet.accounts.backends.PolicyPasswordBackend",
        "cpdnet.accounts.oidc.VerifiedEmailBackend",
    ]
    provider = {"claims": {}}
    monkeypatch.setattr(
        VerifiedEmailBackend,
        "get_token",
        lambda self, payload: {"id_token": "id", "access_token": "access"},
    )
    monkeypatch.setattr(
        VerifiedEmailBackend, "verify_token", lambda self, token, **kwargs: {"sub": "1"}
    )
    monkeypatch.setattr(
        VerifiedEmailBackend,
        "get_userinfo",
        lambda self, access_token, id_token, payload: provider["claims"],
    )
    return provider


def _sign_in_through_provider(client, next_url: str = "/hubs/"):
    start = client.get(reverse("accounts:oidc-start"), {"next": next_url})
    state = parse_qs(urlsplit(start.url).query)["state"][0]
    return client.get(reverse("accounts:oidc-callback"), {"code": "from-provider", "state": state})


def test_without_configuration_there_is_no_provider_sign_in(client):
    page = client.get(reverse("accounts:sign-in")).content.decode()

    assert client.get(reverse("accounts:oidc-start")).status_code == 404
    assert client.get(reverse("accounts:oidc-callback")).status_code == 404
    assert "Sign in with DfE Sign-in" not in page


def test_configured_sign_in_sends_the_person_to_the_provider(client, oidc):
    page = client.get(reverse("accounts:sign-in")).content.decode()

    start = client.get(reverse("accounts:oidc-start"))

    assert "Sign in with DfE Sign-in" in page
    assert start.url.startswith(f"{PROVIDER}/auth?")
    query = parse_qs(urlsplit(start.url).query)
    assert query["client_id"] == ["cpdnet"]
    assert query["redirect_uri"] == ["http://testserver/sign-in/oidc/callback/"]
    assert query["code_challenge_method"] == ["S256"]


def test_verified_email_signs_in_the_existing_person(client, oidc):
    person = UserFactory(email="teacher@school.example.org")
    oidc["claims"] = {"email": "Teacher@School.example.org", "email_verified": True}

    response = _sign_in_through_provider(client)

    assert response.url == "/hubs/"
    assert get_user(client) == person


def test_first_sign_in_creates_the_person_with_their_name(client, oidc, django_user_model):
    oidc["claims"] = {
        "email": "new@school.example.org",
        "email_verified": True,
        "given_name": "Ada",
        "family_name": "Lovelace",
    }

    _sign_in_through_provider(client)

    person = django_user_model.objects.get(email="new@school.example.org")
    assert person.full_name == "Ada Lovelace"
    assert get_user(client) == person


@pytest.mark.parametrize(
    "claims",
    [
        {"email": "teacher@school.example.org", "email_verified": False},
        {"email": "teacher@school.example.org"},
        {"email_verified": True},
    ],
    ids=["unverified", "verification-unknown", "no-email"],
)
def test_unverified_or_missing_email_is_refused(client, oidc, claims):
    UserFactory(email="teacher@school.example.org")
    oidc["claims"] = claims

    response = _sign_in_through_provider(client)

    assert response.url == "/sign-in/?failed=oidc"
    assert not get_user(client).is_authenticated
    assert "We could not sign you in with DfE Sign-in" in client.get(response.url).content.decode()


def test_closed_account_is_refused(client, oidc):
    UserFactory(email="closed@school.example.org", is_active=False)
    oidc["claims"] = {"email": "closed@school.example.org", "email_verified": True}

    response = _sign_in_through_provider(client)

    assert response.url == "/sign-in/?failed=oidc"
    assert not get_user(client).is_authenticated


def test_a_provider_sign_in_goes_through_the_policy_and_is_audited(client, oidc):
    from cpdnet.audit.models import AuditEntry

    person = UserFactory(email="teacher@school.example.org")
    oidc["claims"] = {"email": person.email, "email_verified": True}

    _sign_in_through_provider(client)

    entry = AuditEntry.objects.get(action="accounts.sign_in.succeeded")
    assert (entry.actor, entry.data["way"]) == (person, "oidc")


def test_a_provider_sign_in_from_an_address_over_its_limit_is_refused(client, oidc, settings):
    from cpdnet import rate_limits

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_failure": {"ip": "1/600"}}
    UserFactory(email="teacher@school.example.org")
    oidc["claims"] = {"email": "teacher@school.example.org", "email_verified": True}
    # One wrong secret from this address already: its limit of one is used up.
    rate_limits.hit("sign_in_failure", request=client.get("/").wsgi_request)

    response = _sign_in_through_provider(client)

    assert response.status_code == 429
    assert not get_user(client).is_authenticated


def test_staff_who_must_use_single_sign_on_can_use_the_provider(client, oidc, settings):
    settings.STAFF_SIGN_IN = "sso"
    person = UserFactory(email="national@example.org", is_staff=True)
    oidc["claims"] = {"email": person.email, "email_verified": True}

    _sign_in_through_provider(client)

    assert get_user(client) == person
