"""Certificates of completion: issued only for a verified completed place, checkable by anyone
with the code, and rendered as a one-page PDF.

A code is 12 characters from an alphabet without 0, O, 1 and I (easy to read aloud and type),
in groups of four: 32**12 = 2**60 possible codes, so codes cannot be guessed. Hours are the
length of the sessions the participant attended, rounded to the nearest half hour.

When the holder erases their account, the certificate row stays (national counts of
certificates issued stay right) but its holder has no name any more: the verification page
then says the certificate was withdrawn at the holder's request.

When staff undo a completion (`delivery.services.undo_completion`), the certificates it issued
are withdrawn whether or not they were downloaded: a PDF may already be in someone's hands, so
the row stays and checking its code says it was withdrawn and why. Confirming completion again
issues a new certificate with a new code.
"""

import datetime
import secrets
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from fpdf import FPDF
from fpdf.prefs import ViewerPreferences

from cpdnet.applications.models import Application, State
from cpdnet.audit.services import record

from .models import Attendance, AttendanceStatus, Certificate

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
CODE_GROUP = 4


class CertificateError(Exception):
    """A certificate that may not be issued; `reason` says why in plain English."""

    def __init__(self, reason: str, *, code: str):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _grouped(raw: str) -> str:
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def new_code() -> str:
    return _grouped("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))


def normalise_code(typed: str) -> str:
    """A code as stored, from what a person typed: any case, spaces or dashes; '' if it
    cannot be a code."""
    raw = "".join(typed.split()).replace("-", "").upper()
    if len(raw) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in raw):
        return ""
    return _grouped(raw)


def attended_hours(application: Application) -> Decimal:
    """Hours of the sessions the participant attended, to the nearest half hour."""
    spans = Attendance.objects.filter(
        application=application,
        status=AttendanceStatus.ATTENDED,
        session__cancelled_at__isnull=True,
    ).values_list("session__starts_at", "session__ends_at")
    seconds = sum((ends - starts).total_seconds() for starts, ends in spans)
    halves = (Decimal(seconds) / 1800).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (halves / 2).quantize(Decimal("0.1"))


def issue_certificate(*, application: Application) -> Certificate:
    """Issue the certificate of a completed place, or return the one in force.

    Refuses any place that is not completed: a certificate is proof of verified completion.
    """
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("offering__programme", "offering__hub")
            .get(pk=application.pk)
        )
        existing = Certificate.objects.filter(
            application=application, withdrawn_at__isnull=True
        ).first()
        if existing is not None:
            return existing
        if application.state != State.COMPLETED:
            raise CertificateError(
                f"Application {application.pk} is {application.state}, not completed: "
                "a certificate is issued only for a completed place.",
                code="not_completed",
            )
        hours = attended_hours(application)
        certificate = _create_with_unique_code(application, hours)
        record(
            actor=None,
            action="delivery.certificate.issued",
            obj=certificate,
            hub=application.offering.hub,
            summary=(
                f"Certificate {certificate.code} issued for application {application.pk} "
                f"({hours} hours)"
            ),
            data={"application": application.pk, "hours": str(hours)},
        )
    return certificate


def _create_with_unique_code(application: Application, hours: Decimal) -> Certificate:
    # A clash is one in 2**60 per pair of codes; retry rather than fail a completion.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    application=application, code=new_code(), hours=hours
                )
        except IntegrityError:
            if Certificate.objects.filter(
                application=application, withdrawn_at__isnull=True
            ).exists():
                raise
    raise CertificateError("Could not find an unused certificate code.", code="no_code")


def withdraw_certificate(*, application: Application, by, reason: str) -> Certificate | None:
    """Withdraw the certificate in force for a place, saying why; call inside the transaction
    that takes the completion back. Returns None when there is none."""
    certificate = (
        Certificate.objects.select_for_update()
        .filter(application=application, withdrawn_at__isnull=True)
        .first()
    )
    if certificate is None:
        return None
    certificate.withdrawn_at = timezone.now()
    certificate.withdrawn_reason = reason[:300]
    certificate.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    record(
        actor=by,
        action="delivery.certificate.withdrawn",
        obj=certificate,
        hub=application.offering.hub,
        summary=f"Certificate {certificate.code} withdrawn: completion undone",
        data={"application": application.pk, "reason": reason},
    )
    return certificate


def withdraw_certificates(*, user) -> int:
    """Record that a person's certificates are withdrawn as their account is erased.

    Call inside the erasure's transaction, before the person is anonymised.
    """
    certificates = list(
        Certificate.objects.filter(application__applicant=user).select_related("application")
    )
    for certificate in certificates:
        record(
            actor=user,
            action="delivery.certificate.withdrawn",
            obj=certificate,
            summary=f"Certificate {certificate.code} withdrawn at the holder's request",
            data={"application": certificate.application_id},
        )
    return len(certificates)


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate says: on the PDF, and to anyone checking its code."""

    code: str
    participant: str
    programme: str
    hub: str
    starts_on: datetime.date
    ends_on: datetime.date
    hours: Decimal
    issued_on: datetime.date
    is_withdrawn: bool
    # Staff withdrew it (its completion was undone), rather than the holder's erasure. The
    # reason goes to the holder and their export, never to the public verification page.
    withdrawn_by_hub: bool = False
    withdrawn_reason: str = ""


def _facts(certificate: Certificate) -> CertificateFacts:
    application = certificate.application
    holder = application.applicant
    offering = application.offering
    return CertificateFacts(
        code=certificate.code,
        participant=holder.full_name,
        programme=offering.programme.title,
        hub=offering.runner_name,
        starts_on=offering.starts_on,
        ends_on=offering.ends_on,
        hours=certificate.hours,
        issued_on=timezone.localdate(certificate.issued_at),
        # Erasure leaves the holder inactive and nameless: nothing left to certify.
        is_withdrawn=certificate.withdrawn_at is not None
        or (not holder.is_active and not holder.full_name),
        withdrawn_by_hub=certificate.withdrawn_at is not None,
        withdrawn_reason=certificate.withdrawn_reason if certificate.withdrawn_at else "",
    )


def _with_context():
    return Certificate.objects.select_related(
        "application__applicant", "application__offering__programme", "application__offering__hub"
    )


def get_certificate_facts(code: str) -> CertificateFacts:
    """The facts of the certificate with this code, or raise Certificate.DoesNotExist."""
    return _facts(_with_context().get(code=code))


def get_own_certificate_facts(user, offering_id: int) -> CertificateFacts:
    """The person's certificate for an offering; Certificate.DoesNotExist alike for none,
    another person's and a place that is not completed."""
    return _facts(
        _with_context().get(
            application__applicant=user,
            application__offering_id=offering_id,
            application__state=State.COMPLETED,
            withdrawn_at__isnull=True,
        )
    )


# PDF


# Letters and marks with no Latin-1 form that Unicode does not decompose into one.
PDF_SUBSTITUTES = str.maketrans(
    {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Œ": "OE", "œ": "oe",
     "‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"}
)  # fmt: skip


def pdf_text(text: str) -> str:
    """Text the PDF core fonts can show (Latin-1): accents kept where Latin-1 has the letter,
    else the letter without its accents ("Nguyễn" becomes "Nguyen"), else "?"."""
    out = []
    for char in unicodedata.normalize("NFC", text).translate(PDF_SUBSTITUTES):
        if ord(char) < 256:
            out.append(char)
            continue
        plain = "".join(
            part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part)
        )
        out.append(plain if plain and all(ord(part) < 256 for part in plain) else "?")
    return "".join(out)


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


def render_certificate_pdf(facts: CertificateFacts, *, verify_url: str) -> bytes:
    """A one-page A4 landscape certificate. Uncompressed: it is a couple of kilobytes either
    way, and its text stays searchable."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_compression(False)
    pdf.set_title(pdf_text(f"Certificate of completion: {facts.programme}"))
    pdf.set_author("cpdnet")
    # Readers show the title, not the file name (PDF/UA asks for it).
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    # The text is tagged (a heading and paragraphs, in reading order; the border an artifact),
    # with the language and a one-sentence text alternative in the subject. Not checked against
    # PDF/UA: fpdf2 has no public tagging API for text, so `_tagged` uses its structure
    # builder. The verification page is the same facts in accessible HTML, linked from the PDF.
    pdf.set_lang("en-GB")
    pdf.set_subject(
        pdf_text(
            f"{facts.participant} completed {facts.programme} with {facts.hub} from "
            f"{_date(facts.starts_on)} to {_date(facts.ends_on)}: {facts.hours} hours. "
            f"Verification code {facts.code}."
        )
    )
    pdf.set_creation_date(
        datetime.datetime.combine(facts.issued_on, datetime.time(12), tzinfo=datetime.UTC)
    )
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf._out("/Artifact BMC")  # the decorative border is not content
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf._out("EMC")
    width = pdf.w - 50

    def line(text: str, size: int, *, tag: str = "P", style: str = "", space: float = 4,
             link: str = "") -> None:  # fmt: skip
        pdf.set_font("Helvetica", style=style, size=size)
        pdf.set_x(25)
        with _tagged(pdf, tag):
            pdf.multi_cell(width, size * 0.5, pdf_text(text), align="C", link=link)
        pdf.ln(space)

    pdf.set_y(30)
    line("Certificate of completion", 30, tag="H1", style="B", space=10)
    line("This certifies that", 14)
    line(facts.participant, 26, style="B", space=8)
    line("completed", 14)
    line(facts.programme, 20, style="B", space=6)
    line(f"with {facts.hub}", 14)
    line(f"from {_date(facts.starts_on)} to {_date(facts.ends_on)}", 14)
    line(f"{facts.hours} hours of professional development", 14, space=12)
    line(f"Issued on {_date(facts.issued_on)}. Verification code: {facts.code}", 11, space=1)
    line(f"Check this certificate, or read it as a web page, at {verify_url}", 11, link=verify_url)
    return bytes(pdf.output())


@contextmanager
def _tagged(pdf: FPDF, tag: str):
    """Mark what is drawn inside as one structure element (`H1`, `P`) in reading order."""
    mcid = pdf.struct_builder.next_mcid_for_page(pdf.page)
    pdf._add_marked_content(struct_type=f"/{tag}", mcid=mcid)
    pdf._out(f"/{tag} <</MCID {mcid}>> BDC")
    yield
    pdf._out("EMC")


def export_person_certificates(user) -> list[dict]:
    """A person's certificates, for their data export."""
    return [
        {
            "code": facts.code,
            "programme": facts.programme,
            "hub": facts.hub,
            "starts_on": facts.starts_on.isoformat(),
            "ends_on": facts.ends_on.isoformat(),
            "hours": str(facts.hours),
            "issued_on": facts.issued_on.isoformat(),
            "withdrawn": facts.is_withdrawn,
            "withdrawn_reason": facts.withdrawn_reason,
        }
        for facts in map(
            _facts, _with_context().filter(application__applicant=user).order_by("issued_at", "id")
        )
    ]
