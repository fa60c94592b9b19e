"""Production (debug off) fails closed: no start without a real secret key or a shared cache,
HTTPS and secure cookies by default, and `cpdnet check --deploy` finds nothing to warn about."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = secrets.token_urlsafe(60)


def _cpdnet(*arguments: str, **env: str | None) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cpdnet.settings",
        "PYTHONPATH": str(ROOT / "src"),
        "CPDNET_ALLOWED_HOSTS": "cpd.example.org",
        "CPDNET_SECRET_KEY": GOOD_KEY,
        "CPDNET_CACHE_URL": "database",
    }
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; a deployment never does.
    for name in ("CPDNET_DEBUG", "CPDNET_SECURE_COOKIES", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        environment.pop(name, None)
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(  # noqa: S603 (our own console command, fixed arguments)
        [sys.executable, "-m", "cpdnet", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"CPDNET_SECRET_KEY": None}, "Set CPDNET_SECRET_KEY to a random value of 50"),
        ({"CPDNET_SECRET_KEY": "short-key"}, "CPDNET_SECRET_KEY is too short"),
        (
            {"CPDNET_SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production"},
            "CPDNET_SECRET_KEY is the public development key",
        ),
        ({"CPDNET_CACHE_URL": None}, "Set CPDNET_CACHE_URL to redis://... or database"),
    ],
    ids=["no-key", "short-key", "development-key", "no-shared-cache"],
)
def test_production_refuses_to_start_with_one_line_saying_why(env, reason):
    result = _cpdnet("check", **env)

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert reason in result.stderr


def test_development_runs_with_the_development_key_and_a_process_cache():
    result = _cpdnet("check", CPDNET_DEBUG="1", CPDNET_SECRET_KEY=None, CPDNET_CACHE_URL=None)

    assert result.returncode == 0, result.stderr


def test_check_deploy_with_production_settings_has_no_warnings():
    result = _cpdnet("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_defaults_are_https_only_with_hsts_and_secure_cookies():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS >= 31536000)"
    )
    production = _cpdnet("shell", "-c", code)
    plain_http_demo = _cpdnet("shell", "-c", code, CPDNET_SECURE_COOKIES="0")

    assert production.stdout.splitlines()[-1].split() == ["True", "True", "True", "True"]
    assert plain_http_demo.stdout.splitlines()[-1].split() == ["False", "False", "False", "False"]
