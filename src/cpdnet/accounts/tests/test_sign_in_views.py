"""The sign-in pages: email, code, link, password, next address, sign-out."""

import re

import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from cpdnet.accounts.models import SignInCode
from tests.factories import UserFactory

from .conftest import read_sign_in_email

pytestmark = pytest.mark.django_db


def _ask_for_code(client, email: str, *, next_url: str | None = None):
    url = reverse("accounts:sign-in")
    if next_url is not None:
        client.get(url, {"next": next_url})
    return client.post(url, {"email": email})


def test_known_and_unknown_emails_get_the_same_page(client, mailoutbox):
    UserFactory(email="known@school.example.org")

    pages = []
    for email in ("known@school.example.org", "unknown@school.example.org"):
        response = _ask_for_code(client, email)
        assert response.status_code == 302
        assert response.url == reverse("accounts:sign-in-code")
        page = client.get(response.url).content.decode().replace(email, "EMAIL")
        pages.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page))

    assert len(mailoutbox) == 2
    assert pages[0] == pages[1]
    assert "Check your email" in pages[0]


def test_invalid_email_shows_an_error_summary(client, mailoutbox):
    response = client.post(reverse("accounts:sign-in"), {"email": "not an email"})

    content = response.content.decode()
    assert "<title>Error: Sign in" in content
    assert 'href="#id_email"' in content
    assert mailoutbox == []


def test_code_page_signs_in_and_goes_to_the_home(client, mailoutbox):
    person = UserFactory(email="teacher@school.example.org")
    _ask_for_code(client, person.email)
    sent = read_sign_in_email(mailoutbox[0])

    response = client.post(reverse("accounts:sign-in-code"), {"code": f" {sent.code} "})

    assert response.status_code == 302
    assert response.url == "/my/"
    assert get_user(client) == person


def test_first_code_creates_the_new_person_account(client, mailoutbox, django_user_model):
    _ask_for_code(client, "new@school.example.org")
    sent = read_sign_in_email(mailoutbox[0])

    client.post(reverse("accounts:sign-in-code"), {"code": sent.code})

    assert get_user(client).email == "new@school.example.org"
    assert django_user_model.objects.filter(email="new@school.example.org").exists()


def test_wrong_code_shows_the_reason_and_does_not_sign_in(client, mailoutbox):
    _ask_for_code(client, "teacher@school.example.org")
    sent = read_sign_in_email(mailoutbox[0])
    wrong = "000000" if sent.code != "000000" else "111111"

    response = client.post(reverse("accounts:sign-in-code"), {"code": wrong})

    content = response.content.decode()
    assert "<title>Error: Check your email" in content
    assert "The code is not right" in content
    assert not get_user(client).is_authenticated
    assert SignInCode.objects.get().failed_attempts == 1


def test_code_page_without_an_email_goes_back_to_sign_in(client):
    response = client.get(reverse("accounts:sign-in-code"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:sign-in")


def test_link_get_only_shows_a_button_and_post_signs_in(client, emailed):
    person = UserFactory(email="teacher@school.example.org")
    sent = emailed(person.email)

    shown = client.get(sent.link_path)
    assert shown.status_code == 200
    assert SignInCode.objects.get().used_at is None
    assert not get_user(client).is_authenticated

    response = client.post(sent.link_path)

    assert response.status_code == 302
    assert get_user(client) == person


def test_used_link_shows_a_plain_reason(client, emailed):
    sent = emailed("teacher@school.example.org")
    client.post(sent.link_path)
    client.logout()

    response = client.post(sent.link_path)

    assert "This link has already been used" in response.content.decode()
    assert not get_user(client).is_authenticated


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/hubs/", "/hubs/"),
        ("https://evil.example.com/steal", "/my/"),
        ("//evil.example.com/", "/my/"),
    ],
)
def test_next_address_is_followed_only_when_it_is_on_this_site(
    client, mailoutbox, next_url, lands_on
):
    _ask_for_code(client, "teacher@school.example.org", next_url=next_url)
    sent = read_sign_in_email(mailoutbox[0])

    response = client.post(reverse("accounts:sign-in-code"), {"code": sent.code})

    assert response.url == lands_on


def test_password_sign_in(client):
    person = UserFactory(email="teacher@school.example.org")
    person.set_password("a long and unusual phrase")
    person.save()

    response = client.post(
        reverse("accounts:sign-in-password") + "?next=/hubs/",
        {"email": "Teacher@school.example.org", "password": "a long and unusual phrase"},
    )

    assert response.url == "/hubs/"
    assert get_user(client) == person


def test_password_failures_are_throttled_even_for_the_right_password(client, settings):
    settings.SIGN_IN_MAX_FAILURES = 2
    person = UserFactory(email="teacher@school.example.org")
    person.set_password("a long and unusual phrase")
    person.save()
    url = reverse("accounts:sign-in-password")
    first = client.post(url, {"email": person.email, "password": "wrong guess"})
    locking = client.post(url, {"email": person.email, "password": "wrong guess"})

    response = client.post(url, {"email": person.email, "password": "a long and unusual phrase"})

    assert "The email address or password is not right" in first.content.decode()
    assert "too many wrong passwords or codes" in locking.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "too many wrong passwords or codes" in response.content.decode()
    assert not get_user(client).is_authenticated


def test_person_without_a_password_cannot_sign_in_with_one(client):
    UserFactory(email="teacher@school.example.org")

    response = client.post(
        reverse("accounts:sign-in-password"),
        {"email": "teacher@school.example.org", "password": ""},
    )

    assert response.status_code == 200
    assert not get_user(client).is_authenticated


def test_sign_out_needs_a_post(client):
    person = UserFactory()
    client.force_login(person)

    client.get(reverse("accounts:sign-out"))
    assert get_user(client) == person
    response = client.post(reverse("accounts:sign-out"))

    assert "You have signed out" in response.content.decode()
    assert not get_user(client).is_authenticated


def test_header_offers_sign_in_or_account_and_sign_out(client):
    signed_out = client.get(reverse("public:home")).content.decode()
    client.force_login(UserFactory())
    signed_in = client.get(reverse("public:home")).content.decode()

    assert ">Sign in</a>" in signed_out and "Sign out" not in signed_out
    assert ">Your account</a>" in signed_in and ">Sign out</button>" in signed_in
    assert ">Sign in</a>" not in signed_in
