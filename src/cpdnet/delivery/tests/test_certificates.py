"""Certificates: issued only for a completed place, once, with an unguessable code; the PDF for
its holder and a public check that shows what it says and nothing more."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from cpdnet.accounts.selectors import export_person
from cpdnet.accounts.services import erase_person
from cpdnet.audit.models import AuditEntry
from cpdnet.delivery import certificates
from cpdnet.delivery.models import AttendanceStatus, Certificate
from cpdnet.evaluation.tests.conftest import build_world, signed_in
from cpdnet.evaluation.tests.factories import AttendanceFactory
from tests.factories import ApplicationFactory, SessionFactory


@pytest.fixture
def world(db):
    return build_world()


CODE = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


def _complete(world, *, minutes: tuple[int, ...] = (120, 75)):
    """Mark the participant attended sessions of these lengths, and their place completed."""
    start = timezone.now() - datetime.timedelta(days=60)
    for index, length in enumerate(minutes):
        starts_at = start + datetime.timedelta(days=index)
        session = SessionFactory(
            offering=world.offering,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=length),
        )
        AttendanceFactory(session=session, application=world.place)
    world.place.state = "completed"
    world.place.save()
    return world.place


def test_a_place_that_is_not_completed_gets_no_certificate(world):
    for state in ["accepted", "not_completed", "withdrawn"]:
        world.place.state = state
        world.place.save()

        with pytest.raises(certificates.CertificateError) as refused:
            certificates.issue_certificate(application=world.place)

        assert refused.value.code == "not_completed"
    assert not Certificate.objects.exists()


def test_hours_count_the_attended_sessions_to_the_nearest_half_hour(world):
    place = _complete(world, minutes=(120, 75))
    AttendanceFactory(session=world.held[0], application=place, status=AttendanceStatus.ABSENT)

    certificate = certificates.issue_certificate(application=place)

    assert certificate.hours == Decimal("3.5")  # 3 h 15 min rounds up
    assert CODE.match(certificate.code)


def test_issuing_twice_returns_the_same_certificate_and_audits_once(world):
    place = _complete(world)

    first = certificates.issue_certificate(application=place)
    second = certificates.issue_certificate(application=place)

    assert first.pk == second.pk
    assert first.code == second.code
    entries = AuditEntry.objects.filter(action="delivery.certificate.issued")
    assert [entry.object_id for entry in entries] == [str(first.pk)]


def test_codes_are_random_and_use_no_ambiguous_characters():
    codes = {certificates.new_code() for _ in range(200)}

    assert len(codes) == 200
    assert all(CODE.match(code) for code in codes)
    assert not set("".join(codes)) & set("01OI")


def test_a_typed_code_is_read_in_any_case_with_or_without_spaces_and_dashes():
    assert certificates.normalise_code(" abcd efgh-jkLM ") == "ABCD-EFGH-JKLM"
    assert certificates.normalise_code("ABCD-EFGH-JKL0") == ""
    assert certificates.normalise_code("ABCD-EFGH") == ""


def test_accented_and_other_names_fit_the_pdf_font():
    assert certificates.pdf_text("Zoë Ødegaard-Nguyễn") == "Zoë Ødegaard-Nguyen"
    assert certificates.pdf_text("Łukasz Żółć") == "Lukasz Zólc"
    assert certificates.pdf_text("O’Brien – 李") == "O'Brien - ?"


def _download(world):
    return signed_in(world.participant).get(f"/my/offerings/{world.offering.pk}/certificate.pdf")


def test_the_holder_downloads_a_pdf_with_their_name_and_the_code(world):
    certificate = certificates.issue_certificate(application=_complete(world))

    response = _download(world)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    assert certificate.code.encode() in response.content
    assert "Zoë Ødegaard-Nguyen".encode("latin-1") in response.content
    assert b"Mastering Number" in response.content
    assert b"3.5 hours" in response.content
    assert f"/certificates/{certificate.code}/".encode() in response.content
    # Its language and a text alternative for screen readers
    assert b"/Lang (en-GB)" in response.content
    assert b"/Subject" in response.content  # the facts in one sentence (UTF-16 here: "Zoë")
    # Tagged: a structure tree of one heading and paragraphs, the border an artifact, the
    # title shown by readers, and the verification page (the HTML version) a link
    content = response.content
    assert b"/StructTreeRoot" in content and b"/MarkInfo" in content
    assert content.count(b"/S /H1") == 1 and content.count(b"/S /P") == 9
    assert b"/Artifact BMC" in content
    assert b"/DisplayDocTitle true" in content
    assert b"/URI" in content


def test_no_certificate_download_for_a_place_not_completed_or_another_person(world):
    assert _download(world).status_code == 404  # accepted, no certificate
    certificates.issue_certificate(application=_complete(world))

    response = signed_in(world.outsider).get(f"/my/offerings/{world.offering.pk}/certificate.pdf")

    assert response.status_code == 404


def test_the_verification_page_shows_what_the_certificate_says_and_nothing_more(world, client):
    certificate = certificates.issue_certificate(application=_complete(world))

    response = client.get(f"/certificates/{certificate.code}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "This certificate is valid" in html
    for text in ["Zoë Ødegaard-Nguyễn", "Mastering Number", "West Yorkshire Maths Hub", "3.5"]:
        assert text in html
    assert world.participant.email not in html
    assert world.participant.school.name not in html
    assert "noindex" in response["X-Robots-Tag"]


def test_an_unknown_code_is_not_found_with_status_404(db, client):
    response = client.get("/certificates/ABCD-EFGH-JKLM/")

    assert response.status_code == 404
    assert "Certificate not found" in response.content.decode()


def test_the_check_form_sends_a_typed_code_to_its_page(db, client):
    found = client.get("/certificates/", {"code": "abcd efgh jklm"})
    wrong = client.get("/certificates/", {"code": "abc"})

    assert found.status_code == 302
    assert found["Location"] == "/certificates/ABCD-EFGH-JKLM/"
    assert "There is a problem" in wrong.content.decode()
    assert 'href="#id_code"' in wrong.content.decode()


def test_verification_lookups_are_limited_per_visitor(db, client):
    statuses = [client.get("/certificates/ABCD-EFGH-JKLM/").status_code for _ in range(32)]

    assert statuses == [404] * 30 + [429] * 2


def test_erasure_withdraws_the_certificate_and_exports_list_it(world, client):
    certificate = certificates.issue_certificate(application=_complete(world))
    exported = export_person(world.participant)

    erase_person(user=world.participant)
    response = client.get(f"/certificates/{certificate.code}/")

    assert exported["certificates"][0]["code"] == certificate.code
    html = response.content.decode()
    assert "This certificate was withdrawn" in html
    assert "Ødegaard" not in html
    assert AuditEntry.objects.filter(action="delivery.certificate.withdrawn").count() == 1


def test_a_certificate_for_another_place_has_another_code(world):
    other = ApplicationFactory(offering=world.offering, state="completed")

    first = certificates.issue_certificate(application=_complete(world))
    second = certificates.issue_certificate(application=other)

    assert first.code != second.code
    assert second.hours == Decimal("0.0")
