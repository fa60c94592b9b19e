"""Hardening: a Content Security Policy with no inline script but the one hashed line, API docs
from our own static files, and /.well-known/security.txt (RFC 9116)."""

import base64
import datetime
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings

SRC = Path(__file__).resolve().parent.parent / "src" / "cpdnet"
TEMPLATES = sorted(SRC.rglob("templates/**/*.html"))

pytestmark = pytest.mark.django_db


def test_every_page_carries_a_policy_without_unsafe_inline(client):
    policy = client.get("/").headers["Content-Security-Policy"]

    assert "script-src 'self' 'sha256-" in policy
    assert "style-src 'self'" in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_one_inline_script_is_allowed_by_its_hash():
    base = (SRC / "templates" / "base.html").read_text()
    (script,) = re.findall(r"<script>(.*?)</script>", base, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()

    assert f"'sha256-{digest}'" == settings.BASE_INLINE_SCRIPT_HASH


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(SRC)))
def test_no_template_has_inline_styles_handlers_or_unhashed_scripts(template):
    text = template.read_text()
    inline_scripts = [tag for tag in re.findall(r"<script\b[^>]*>", text) if "src=" not in tag]

    assert not re.search(r"\sstyle=|<style\b|\son[a-z]+=", text)
    is_site_base = template == SRC / "templates" / "base.html"
    assert inline_scripts == (["<script>"] if is_site_base else [])


def test_api_docs_load_only_our_own_static_files(client):
    page = client.get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)

    assert "/static/ninja/swagger-ui-bundle.js" in sources
    assert all(source.startswith("/") for source in sources), sources


def test_security_txt_has_the_rfc_9116_fields(client, settings):
    settings.SECURITY_CONTACT = "mailto:security@cpd.example.org"
    settings.SITE_URL = "https://cpd.example.org"

    response = client.get("/.well-known/security.txt")
    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert fields["Contact"] == "mailto:security@cpd.example.org"
    assert fields["Canonical"] == "https://cpd.example.org/.well-known/security.txt"
    expires = datetime.datetime.fromisoformat(fields["Expires"])
    now = datetime.datetime.now(datetime.UTC)
    assert now < expires < now + datetime.timedelta(days=366)
