"""Every accreditation page renders for the demo's people: each candidate in every state, the
assessor and the moderator on their assignments, and national staff on every list."""

import pytest

from cpdnet.accounts.models import User
from cpdnet.accreditation.models import Accreditation, Appeal, Assessment, Candidacy, Renewal
from cpdnet.accreditation.tests.test_demo import demo  # noqa: F401 (fixture)

BASE = "/backoffice/accreditation"


def _ok(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)


# One test: loading the demo is the slow part.
@pytest.mark.usefixtures("demo")
def test_every_accreditation_page_renders_for_the_demo_people(client):
    for candidacy in Candidacy.objects.select_related("candidate"):
        client.force_login(candidacy.candidate)
        base = f"/my/accreditation/{candidacy.pk}/"
        for url in (base, f"{base}sections/evaluation/", f"{base}check/", f"{base}offerings/"):
            _ok(client, url)
        for version in candidacy.versions.all():
            _ok(client, f"{base}versions/{version.number}/")
    for accreditation in Accreditation.objects.select_related("holder"):
        client.force_login(accreditation.holder)
        _ok(client, "/my/accreditation/")
        _ok(client, "/my/")
        _ok(client, f"/my/accreditation/awards/{accreditation.pk}/register/")
        _ok(client, f"/my/accreditation/awards/{accreditation.pk}/renewal/")
    for assessment in Assessment.objects.select_related("assessor"):
        client.force_login(assessment.assessor)
        _ok(client, f"{BASE}/assignments/{assessment.pk}/")
    for email in ("assessor@example.org", "moderator@example.org"):
        client.force_login(User.objects.get(email=email))
        _ok(client, f"{BASE}/assignments/")
        _ok(client, "/my/")
    client.force_login(User.objects.get(email="national@example.org"))
    for path in ("/", "/submissions/", "/workload/", "/deadlines/", "/moderation/", "/awarding/"):
        _ok(client, BASE + path)
    for path in ("/appeals/", "/renewals/", "/register/", "/register/?ended=yes"):
        _ok(client, BASE + path)
    for candidacy in Candidacy.objects.all():
        _ok(client, f"{BASE}/submissions/{candidacy.pk}/")
        if candidacy.versions.exists():
            _ok(client, f"{BASE}/submissions/{candidacy.pk}/moderation/")
    for appeal in Appeal.objects.filter(outcome="pending"):
        _ok(client, f"{BASE}/appeals/{appeal.pk}/")
    for renewal in Renewal.objects.filter(state="submitted"):
        _ok(client, f"{BASE}/renewals/{renewal.pk}/")
    _ok(client, "/accreditation/register/")
