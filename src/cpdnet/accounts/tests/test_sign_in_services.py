"""Sign-in by an emailed code or link: hashed secrets, single use, expiry, lockout."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from cpdnet.accounts.models import SignInCode, User
from cpdnet.accounts.services import (
    SignInError,
    delete_expired_sign_in_codes,
    verify_sign_in_code,
    verify_sign_in_link,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_request_emails_a_code_and_link_and_stores_only_hashes(emailed, mailoutbox, settings):
    settings.SITE_URL = "https://cpd.example.org"

    sent = emailed("Teacher@School.example.org")

    assert sent.to == "teacher@school.example.org"
    assert "https://cpd.example.org/sign-in/link/" in mailoutbox[0].body
    stored = SignInCode.objects.get()
    assert stored.email == "teacher@school.example.org"
    assert stored.link_hash == hashlib.sha256(sent.token.encode()).hexdigest()
    assert sent.code not in stored.code_hash
    assert sent.token not in stored.link_hash
    assert stored.expires_at > timezone.now() + datetime.timedelta(minutes=14)


def test_right_code_signs_in_the_existing_person_and_uses_the_code(emailed):
    person = UserFactory(email="teacher@school.example.org")
    sent = emailed(person.email)

    user = verify_sign_in_code(email="TEACHER@school.example.org", code=sent.code)

    assert user == person
    assert SignInCode.objects.get().used_at is not None


def test_unknown_email_gets_a_code_but_no_account_until_the_code_is_proved(emailed):
    sent = emailed("new.teacher@school.example.org")
    assert not User.objects.filter(email="new.teacher@school.example.org").exists()

    user = verify_sign_in_code(email="new.teacher@school.example.org", code=sent.code)

    assert user.email == "new.teacher@school.example.org"
    assert not user.has_usable_password()
    assert User.objects.filter(email="new.teacher@school.example.org").count() == 1


def test_wrong_code_counts_a_failure_and_creates_no_account(emailed):
    sent = emailed("someone@school.example.org")

    with pytest.raises(SignInError) as refused:
        verify_sign_in_code(email="someone@school.example.org", code=_wrong(sent.code))

    assert refused.value.code == "wrong"
    assert SignInCode.objects.get().failed_attempts == 1
    assert not User.objects.filter(email="someone@school.example.org").exists()


def test_after_the_failure_limit_even_the_right_code_is_refused(emailed, settings):
    settings.SIGN_IN_MAX_FAILURES = 3
    sent = emailed("someone@school.example.org")
    codes = []
    for _attempt in range(3):
        with pytest.raises(SignInError) as refused:
            verify_sign_in_code(email=sent.to, code=_wrong(sent.code))
        codes.append(refused.value.code)

    with pytest.raises(SignInError) as refused:
        verify_sign_in_code(email=sent.to, code=sent.code)

    assert codes == ["wrong", "wrong", "locked"]
    assert refused.value.code == "locked"
    assert "too many times" in refused.value.reason
    assert SignInCode.objects.get().used_at is None


def test_expired_code_is_refused(emailed):
    sent = emailed("someone@school.example.org")
    SignInCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    with pytest.raises(SignInError) as refused:
        verify_sign_in_code(email=sent.to, code=sent.code)

    assert refused.value.code == "expired"


def test_a_code_works_once(emailed):
    sent = emailed("someone@school.example.org")
    verify_sign_in_code(email=sent.to, code=sent.code)

    with pytest.raises(SignInError) as refused:
        verify_sign_in_code(email=sent.to, code=sent.code)

    assert refused.value.code == "used"


def test_a_new_code_replaces_the_earlier_one(emailed):
    first = emailed("someone@school.example.org")
    second = emailed("someone@school.example.org")

    with pytest.raises(SignInError):
        verify_sign_in_link(token=first.token)
    assert verify_sign_in_code(email=second.to, code=second.code).email == second.to


def test_codes_stop_being_sent_after_five_requests_in_the_validity_period(emailed, mailoutbox):
    for _request in range(5):
        emailed("someone@school.example.org")

    emailed("someone@school.example.org")

    assert len(mailoutbox) == 5
    assert SignInCode.objects.count() == 5


def test_link_signs_in_once(emailed):
    person = UserFactory(email="teacher@school.example.org")
    sent = emailed(person.email)

    assert verify_sign_in_link(token=sent.token) == person
    with pytest.raises(SignInError) as refused:
        verify_sign_in_link(token=sent.token)

    assert refused.value.code == "used"


def test_expired_or_unknown_link_is_refused(emailed):
    sent = emailed("someone@school.example.org")
    SignInCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    with pytest.raises(SignInError) as expired:
        verify_sign_in_link(token=sent.token)
    with pytest.raises(SignInError) as unknown:
        verify_sign_in_link(token="not-a-token")

    assert (expired.value.code, unknown.value.code) == ("expired", "missing")


def test_closed_account_cannot_sign_in_with_the_right_code(emailed):
    UserFactory(email="closed@school.example.org", is_active=False)
    sent = emailed("closed@school.example.org")

    with pytest.raises(SignInError) as refused:
        verify_sign_in_code(email=sent.to, code=sent.code)

    assert refused.value.code == "inactive"


def test_wrong_codes_across_new_codes_lock_codes_for_the_day_but_not_the_link(emailed, settings):
    settings.SIGN_IN_MAX_FAILURES = 2
    for _request in range(3):  # 3 codes, each locked after 2 wrong guesses: 6 in the day
        sent = emailed("someone@school.example.org")
        for _attempt in range(2):
            with pytest.raises(SignInError):
                verify_sign_in_code(email=sent.to, code=_wrong(sent.code))
    sent = emailed("someone@school.example.org")

    with pytest.raises(SignInError) as refused:
        verify_sign_in_code(email=sent.to, code=sent.code)

    assert refused.value.code == "locked_today"
    assert verify_sign_in_link(token=sent.token).email == sent.to


def test_expired_codes_are_deleted_a_day_later(emailed):
    emailed("old@school.example.org")
    SignInCode.objects.update(expires_at=timezone.now() - datetime.timedelta(days=2))
    emailed("new@school.example.org")

    assert delete_expired_sign_in_codes() == 1
    assert list(SignInCode.objects.values_list("email", flat=True)) == ["new@school.example.org"]
