"""Browser tests: Playwright drives Debian's Chromium against Django's live server.

A browser that cannot start fails the test; nothing here skips.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# body (factories) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CPDNET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not at {CHROMIUM}: install Debian's chromium package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    # Every journey also checks that the Content Security Policy blocks nothing the pages need.
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert blocked == [], f"The Content Security Policy blocked: {blocked}"


@pytest.fixture
def page_without_javascript(chromium):
    context = chromium.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def assert_accessible(page, *, javascript: bool = True) -> None:
    """Run axe-core on the page and fail with the WCAG 2.2 A/AA violations it finds.

    axe needs JavaScript, so a page seen without it is checked again in a context that runs
    axe but blocks the site's own scripts, which gives the same markup.
    """
    if javascript:
        _assert_axe_clean(page)
        return
    context = page.context.browser.new_context(locale="en-GB")
    context.add_cookies(page.context.cookies())  # the same person, signed in or not
    context.route("**/*.js", lambda route: route.abort())
    try:
        checked = context.new_page()
        checked.goto(page.url)
        _assert_axe_clean(checked)
    finally:
        context.close()


def _assert_axe_clean(page) -> None:
    # Evaluated, not added as an inline <script>, which the Content Security Policy blocks.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations = [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} nodes, e.g. "
        f"{violation['nodes'][0]['target']})"
        for violation in result["violations"]
    ]
    assert violations == [], f"axe-core found WCAG violations on {page.url}: {violations}"


def sign_in(page, live_server, user) -> None:
    """Give the browser the session cookie of a signed-in client (signing in itself is tested
    in test_sign_in.py)."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def assert_accessible_as_shown(page, *, javascript: bool) -> None:
    """Check the markup the page shows, also after a POST or behind sign-in.

    Without JavaScript axe runs in a second context that blocks the site's scripts (as
    `assert_accessible` does), given this page's markup on the same origin.
    """
    if javascript:
        assert_accessible(page)
        return
    context = page.context.browser.new_context(locale="en-GB")
    context.route("**/*.js", lambda route: route.abort())
    try:
        checked = context.new_page()
        checked.goto(page.url)  # the origin, so that styles load as they did
        checked.set_content(page.content())
        _assert_axe_clean(checked)
    finally:
        context.close()
