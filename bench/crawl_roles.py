"""Sign in as each demo role on a served portal and follow links, counting pages and any 5xx.

    python3 dev.py serve --port 8600 &      # the quick start, demo data loaded
    .venv/bin/python bench/crawl_roles.py --base http://127.0.0.1:8600 [--pages 60]

Prints one line per role: where sign-in landed, pages fetched and every 5xx. Exits 1 on a 5xx.
"""

import argparse
import re
import sys
from urllib.parse import urlsplit

import requests

ROLES = (
    "teacher@example.org",
    "approver@example.org",
    "facilitator@example.org",
    "hub@example.org",
    "provider@example.org",
    "national@example.org",
    "finance@example.org",
    "bursar@example.org",
    "assessor@example.org",
    "moderator@example.org",
    "pdlead.primary.0@demo.example.org",
    "college.teacher@example.org",
)
PASSWORD = "demo-password-2026"  # noqa: S105 - the published demo password
SKIP = ("sign-out", "/static/", "delete", "/admin/", ".csv", ".pdf", ".ics", "download")


def sign_in(base: str, email: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    page = session.get(f"{base}/sign-in/password/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{base}/sign-in/password/",
        data={"csrfmiddlewaretoken": token, "email": email, "password": PASSWORD},
        headers={"Referer": f"{base}/sign-in/password/"},
        timeout=30,
    )
    return session, urlsplit(answer.url).path


def crawl(session: requests.Session, base: str, limit: int) -> tuple[int, list]:
    seen, queue, errors = set(), ["/my/", "/backoffice/"], []
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        answer = session.get(base + path, timeout=60)
        if answer.status_code >= 500:
            errors.append((answer.status_code, path))
        if "text/html" in answer.headers.get("content-type", ""):
            links = re.findall(r'href="(/[^"#]*)"', answer.text)
            queue += [link for link in links if not any(part in link for part in SKIP)]
    return len(seen), errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--pages", type=int, default=60)
    arguments = parser.parse_args()
    failed = False
    for email in ROLES:
        session, landed = sign_in(arguments.base, email)
        pages, errors = crawl(session, arguments.base, arguments.pages)
        failed = failed or bool(errors)
        print(f"{email}: landed on {landed}, {pages} pages, 5xx: {errors or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
