"""Signing in with the emailed code in a real browser, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from cpdnet.accounts.tests.conftest import read_sign_in_email
from tests.factories import TeacherFactory

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _assert_accessible_signed_in_without_javascript(page) -> None:
    # assert_accessible(javascript=False) opens the page in a fresh context, which would be
    # signed out; check the same markup with this session's cookies and the site's scripts off.
    context = page.context.browser.new_context(locale="en-GB")
    context.add_cookies(page.context.cookies())
    context.route("**/*.js", lambda route: route.abort())
    try:
        checked = context.new_page()
        checked.goto(page.url)
        expect(checked).to_have_url(page.url)
        assert_accessible(checked)
    finally:
        context.close()


def _sign_in_with_emailed_code(page, live_server, mailoutbox, *, javascript: bool) -> None:
    check = (
        (lambda: assert_accessible(page))
        if javascript
        else (lambda: assert_accessible(page, javascript=False))
    )
    page.goto(f"{live_server.url}/account/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/account/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    check()

    page.get_by_label("Email address").fill("Teacher@School.example.org")
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    if javascript:
        check()  # without JavaScript the check opens a new session, which has no email to show

    sent = read_sign_in_email(mailoutbox[-1])
    page.get_by_label("Sign-in code").fill(sent.code)
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/account/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_label("Full name")).to_have_value("Ada Lovelace")


@pytest.fixture
def teacher(transactional_db):
    return TeacherFactory(email="teacher@school.example.org", full_name="Ada Lovelace")


def test_sign_in_with_the_emailed_code_with_javascript(page, live_server, mailoutbox, teacher):
    _sign_in_with_emailed_code(page, live_server, mailoutbox, javascript=True)
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()


def test_sign_in_with_the_emailed_code_without_javascript(
    page_without_javascript, live_server, mailoutbox, teacher
):
    page = page_without_javascript
    _sign_in_with_emailed_code(page, live_server, mailoutbox, javascript=False)
    _assert_accessible_signed_in_without_javascript(page)

    page.get_by_label("Full name").fill("Ada King")
    page.get_by_role("button", name="Save your details").click()
    expect(page.get_by_text("Your details have been saved.")).to_be_visible()
    _assert_accessible_signed_in_without_javascript(page)
