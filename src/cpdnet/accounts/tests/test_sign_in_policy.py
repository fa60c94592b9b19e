"""One sign-in policy for every way in: the same lockout, limits and audit entries."""

import datetime

import pytest
from django.contrib.auth import authenticate, get_user
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cpdnet.accounts.models import SignInLockout
from cpdnet.audit.models import AuditEntry
from tests.factories import HubFactory, RoleAssignmentFactory, UserFactory

from .conftest import read_sign_in_email

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual phrase"
PASSWORD_URL = "/sign-in/password/"


@pytest.fixture
def national(settings):
    settings.SIGN_IN_MAX_FAILURES = 3
    person = UserFactory(email="national@example.org", is_staff=True, is_superuser=True)
    person.set_password(PASSWORD)
    person.save()
    return person


def _wrong_passwords(client, email: str, times: int) -> list:
    return [
        client.post(PASSWORD_URL, {"email": email, "password": "wrong guess"}) for _ in range(times)
    ]


def test_a_portal_lockout_refuses_the_admin_sign_in_with_the_right_password(client, national):
    # Given national staff locked out by wrong passwords in the portal
    _wrong_passwords(client, national.email, 3)

    # When the right password is sent to the admin's sign-in page, and straight to Django's
    # authenticate() as the admin's own login form did
    admin = client.post(
        "/admin/login/?next=/admin/", {"username": national.email, "password": PASSWORD}
    )
    direct = authenticate(None, username=national.email, password=PASSWORD)

    # Then neither signs in, and the back office still asks for sign-in
    assert not get_user(client).is_authenticated
    assert direct is None
    assert admin.status_code == 302 and admin.url.startswith("/sign-in/")
    assert client.get("/admin/").status_code == 302


def test_the_admin_signs_in_through_the_portal_and_comes_back(client, national):
    start = client.get("/admin/")
    sign_in_page = client.get(start.url)
    client.get(sign_in_page.url)  # the portal's sign-in page keeps `next`

    signed_in = client.post(
        reverse("accounts:sign-in-password") + "?next=/admin/",
        {"email": national.email, "password": PASSWORD},
    )

    assert start.url.startswith("/admin/login/")
    assert sign_in_page.url.startswith("/sign-in/?next=")
    assert signed_in.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_sign_in_is_forbidden_to_people_without_admin_access(client):
    client.force_login(UserFactory())

    assert client.get("/admin/login/").status_code == 403


def test_wrong_codes_lock_passwords_too_and_the_lock_outlives_the_cache(client, national, emailed):
    # Given three wrong codes for the account
    client.post(reverse("accounts:sign-in"), {"email": national.email})
    for _ in range(3):
        client.post(reverse("accounts:sign-in-code"), {"code": "000000"})

    # When the cache is emptied (a restart of Redis or of every worker) and the password is right
    cache.clear()
    response = client.post(PASSWORD_URL, {"email": national.email, "password": PASSWORD})

    # Then the account is still locked, and each wrong code and the lock were audited
    assert response.status_code == 429
    assert "too many wrong passwords or codes" in response.content.decode()
    assert not get_user(client).is_authenticated
    assert SignInLockout.objects.get().locked_until > timezone.now()
    assert list(AuditEntry.objects.order_by("id").values_list("action", "data__way")) == [
        ("accounts.sign_in.failed", "code"),
        ("accounts.sign_in.failed", "code"),
        ("accounts.sign_in.failed", "code"),
        ("accounts.sign_in.locked", "code"),
    ]


def test_an_emailed_link_still_signs_in_when_locked_and_clears_the_lock(client, national, emailed):
    _wrong_passwords(client, national.email, 3)
    email = emailed(national.email)

    client.post(email.link_path)

    assert get_user(client) == national
    assert not SignInLockout.objects.exists()


def test_the_lock_ends_after_its_minutes(client, national):
    _wrong_passwords(client, national.email, 3)
    SignInLockout.objects.update(locked_until=timezone.now() - datetime.timedelta(seconds=1))

    response = client.post(PASSWORD_URL, {"email": national.email, "password": PASSWORD})

    assert response.status_code == 302
    assert get_user(client) == national


def test_success_failure_and_lockout_are_audited_with_the_way_in(client, national, emailed):
    _wrong_passwords(client, national.email, 3)
    client.post(emailed(national.email).link_path)

    entries = list(AuditEntry.objects.order_by("id").values_list("action", "data__way"))

    assert entries == [
        ("accounts.sign_in.failed", "password"),
        ("accounts.sign_in.failed", "password"),
        ("accounts.sign_in.failed", "password"),
        ("accounts.sign_in.locked", "password"),
        ("accounts.sign_in.succeeded", "link"),
    ]
    assert AuditEntry.objects.filter(action="accounts.sign_in.succeeded").get().actor == national


def test_wrong_secrets_from_one_address_are_limited_across_accounts(client, settings):
    # Given an address that has sent the limit of wrong passwords, each to another account
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_failure": {"ip": "4/600"}}
    for number in range(4):
        client.post(PASSWORD_URL, {"email": f"t{number}@example.org", "password": "guess"})
    person = UserFactory(email="teacher@example.org")
    person.set_password(PASSWORD)
    person.save()

    # When a fifth account is tried, even with its right password or a code
    password = client.post(PASSWORD_URL, {"email": person.email, "password": PASSWORD})
    client.post(reverse("accounts:sign-in"), {"email": person.email})
    code = client.post(reverse("accounts:sign-in-code"), {"code": "123456"})

    # Then both are refused with 429 and Retry-After; no one is signed in
    for response in (password, code):
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 600
        assert "Too many tries from here" in response.content.decode()
    assert not get_user(client).is_authenticated


def test_guessed_links_are_counted_against_the_address(client, settings, emailed):
    # Given an address that has tried two made-up sign-in links
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_failure": {"ip": "2/600"}}
    person = UserFactory(email="teacher@example.org")
    guesses = [client.post(f"/sign-in/link/guess-{n}/").status_code for n in range(2)]

    # When it uses a real link
    response = client.post(emailed(person.email).link_path)

    # Then it is refused until the window has passed
    assert guesses == [200, 200]
    assert response.status_code == 429
    assert not get_user(client).is_authenticated


def test_sign_in_emails_are_limited_per_address_and_overall(client, settings, mailoutbox):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "sign_in_code_request": {"ip": "3/600", "all": "5/60"},
    }
    from_one_address = [
        client.post(reverse("accounts:sign-in"), {"email": f"t{n}@example.org"}).status_code
        for n in range(4)
    ]
    from_others = [
        client.post(
            reverse("accounts:sign-in"),
            {"email": f"o{n}@example.org"},
            REMOTE_ADDR=f"192.0.2.{n}",
        ).status_code
        for n in range(3)
    ]

    # The refused fourth request used none of everyone's allowance.
    assert from_one_address == [302, 302, 302, 429]
    assert from_others == [302, 302, 429]
    assert len(mailoutbox) == 5


def test_a_client_address_header_counts_only_from_a_trusted_proxy(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_code_request": {"ip": "1/600"}}

    def ask(number: int, real_ip: str, remote: str) -> int:
        return client.post(
            reverse("accounts:sign-in"),
            {"email": f"t{number}@example.org"},
            REMOTE_ADDR=remote,
            HTTP_X_REAL_IP=real_ip,
        ).status_code

    # A visitor cannot dodge the limit by making up a header...
    spoofed = [ask(n, f"198.51.100.{n}", "203.0.113.9") for n in range(2)]
    # ...but behind the trusted proxy each teacher's own address counts.
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxied = [ask(n + 2, f"198.51.100.{n}", "10.1.2.3") for n in range(2)]

    assert spoofed == [302, 429]
    assert proxied == [302, 302]


def _make_staff(settings, rule: str):
    settings.STAFF_SIGN_IN = rule
    person = UserFactory(email="hub@example.org")
    person.set_password(PASSWORD)
    person.save()
    RoleAssignmentFactory(user=person, role="hub_staff", hub=HubFactory())
    return person


def test_staff_who_must_use_a_second_factor_add_an_emailed_code(client, settings, mailoutbox):
    staff = _make_staff(settings, "second_factor")

    after_password = client.post(PASSWORD_URL, {"email": staff.email, "password": PASSWORD})
    signed_in_after_password = get_user(client).is_authenticated
    code = read_sign_in_email(mailoutbox[-1]).code
    after_code = client.post(reverse("accounts:sign-in-code"), {"code": code})

    assert after_password.url == reverse("accounts:sign-in-code")
    assert not signed_in_after_password
    assert after_code.status_code == 302
    assert get_user(client) == staff


def test_staff_who_must_use_a_second_factor_cannot_sign_in_with_a_code_alone(
    client, settings, mailoutbox
):
    staff = _make_staff(settings, "second_factor")
    teacher = UserFactory(email="teacher@example.org")

    client.post(reverse("accounts:sign-in"), {"email": staff.email})
    refused = client.post(
        reverse("accounts:sign-in-code"), {"code": read_sign_in_email(mailoutbox[-1]).code}
    )
    staff_signed_in = get_user(client).is_authenticated
    client.post(reverse("accounts:sign-in"), {"email": teacher.email})
    client.post(reverse("accounts:sign-in-code"), {"code": read_sign_in_email(mailoutbox[-1]).code})

    assert "Staff accounts sign in with their password first" in refused.content.decode()
    assert not staff_signed_in
    assert get_user(client) == teacher


def test_staff_who_must_use_single_sign_on_cannot_use_a_password(client, settings):
    staff = _make_staff(settings, "sso")

    response = client.post(PASSWORD_URL, {"email": staff.email, "password": PASSWORD})

    assert "Staff accounts sign in with DfE Sign-in" in response.content.decode()
    assert not get_user(client).is_authenticated


def _idle(client, minutes: int) -> None:
    session = client.session
    session["accounts:last-seen"] = session.get("accounts:last-seen", 0) - minutes * 60
    session.save()


def test_staff_are_signed_out_after_their_idle_minutes(client, settings):
    # Given a hub staff member and a teacher, both signed in and seen once
    settings.STAFF_IDLE_MINUTES = 30
    staff = _make_staff(settings, "any")
    teacher = UserFactory(email="teacher@example.org")
    teacher.set_password(PASSWORD)
    teacher.save()
    teacher_client = type(client)()
    for each, person in ((client, staff), (teacher_client, teacher)):
        each.post(PASSWORD_URL, {"email": person.email, "password": PASSWORD})
        each.get("/account/")

    # When both come back after 31 minutes, and the staff member signs in again
    _idle(client, 31)
    _idle(teacher_client, 31)
    staff_page = client.get("/account/")
    staff_signed_out = not get_user(client).is_authenticated
    teacher_page = teacher_client.get("/account/")

    # Then only the staff member had to sign in again
    assert staff_page.status_code == 302 and staff_page.url.startswith("/sign-in/")
    assert staff_signed_out
    assert teacher_page.status_code == 200


def test_staff_active_within_their_idle_minutes_stay_signed_in(client, settings):
    settings.STAFF_IDLE_MINUTES = 30
    staff = _make_staff(settings, "any")
    client.post(PASSWORD_URL, {"email": staff.email, "password": PASSWORD})
    client.get("/account/")

    _idle(client, 29)

    assert client.get("/account/").status_code == 200
