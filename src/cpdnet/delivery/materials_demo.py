"""Demo programme documents, national materials library and webinar slides for
`cpdnet load-demo`: information sheets for the PD Lead programme and the A level residential,
assessment criteria for PD Leads, library materials that several offerings reuse, and slides
next to a finished webinar's recording. Made through the services (so files are checked like
any upload) by the demo national account; safe to run again: nothing is added twice."""

from django.core.files.uploadedfile import SimpleUploadedFile
from fpdf import FPDF

from cpdnet.accounts.models import User
from cpdnet.programmes.models import Kind, Offering, Programme

from . import services
from .models import DocumentKind, Material, ProgrammeDocument, Resource
from .uploads import check_upload

NATIONAL = "national@example.org"
FACILITATOR = "facilitator@example.org"
PD_LEAD_PROGRAMMES = (
    "pd-lead-early-years",
    "pd-lead-primary",
    "pd-lead-secondary",
    "pd-lead-post-16",
)
# (programme slugs, kind, title, text of the demo PDF)
DOCUMENTS = (
    (
        PD_LEAD_PROGRAMMES,
        DocumentKind.INFORMATION_SHEET,
        "PD Lead programme: information sheet",
        "Before you apply: what the PD Lead programme asks of you. It is for teachers who already "
        "design, lead and evaluate maths professional development beyond their own school. The "
        "equivalent of three one-day workshops, face to face and online; leading and refining a "
        "programme of PD for other teachers; and an Accreditation Evidence Document reviewed by "
        "an assessor. Your school must release you, and your hub lead endorse your application.",
    ),
    (
        PD_LEAD_PROGRAMMES,
        DocumentKind.ASSESSMENT_CRITERIA,
        "PD Lead accreditation: assessment criteria",
        "Each section of the evidence document is marked met or not yet met: 1. a rationale for "
        "the PD you lead and its range of activity; 2. the principles of maths CPD design and "
        "what they meant for your programme; 3. a critical evaluation of your programme against "
        "its intended outcomes; 4. teachers' knowledge of maths and of teaching maths.",
    ),
    (
        ("a-level-residential",),
        DocumentKind.INFORMATION_SHEET,
        "A level residential: information sheet",
        "Two days in York with one night's accommodation. Meals are provided. A bursary pays "
        "your school towards supply cover and your travel. Tell us your dietary and access "
        "needs once your place is confirmed.",
    ),
)
# (title, description, phase, programme slugs, link or None for a PDF, is_public)
MATERIALS = (
    (
        "Bar models: planning guide",
        "A one-page guide to planning a lesson around a bar model, for any phase.",
        "",
        ("primary-mastery-specialists",),
        None,
        False,
    ),
    (
        "Teaching for mastery: the five big ideas",
        "The NCETM's summary of coherence, representation and structure, mathematical "
        "thinking, fluency and variation.",
        "",
        (),
        "https://www.ncetm.org.uk/teaching-for-mastery/mastery-explained/five-big-ideas-in-teaching-for-mastery/",
        True,
    ),
    (
        "Required practicals: technician preparation sheets",
        "Preparation lists for the GCSE required practicals, for teachers and technicians.",
        "secondary",
        ("secondary-effective-practical-work", "science-technicians-course"),
        None,
        False,
    ),
    (
        "Retrieval practice in science: slides",
        "The slides of the national retrieval practice webinar.",
        "",
        ("science-webinar-retrieval-practice",),
        None,
        False,
    ),
)
REUSES_PER_MATERIAL = 3


def _pdf(title: str, text: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_compression(False)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=18)
    pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 7, text)
    return bytes(pdf.output())


def _upload(title: str, text: str, name: str):
    return check_upload(SimpleUploadedFile(name, _pdf(title, text)))


def _file_name(title: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")[:60] + ".pdf"


def load_demo_materials() -> dict:
    """Add the demo's programme documents, library materials and their reuse; return counts."""
    national = User.objects.filter(email=NATIONAL).first()
    programmes = {programme.slug: programme for programme in Programme.objects.all()}
    documents = 0
    for slugs, kind, title, text in DOCUMENTS:
        for slug in slugs:
            programme = programmes.get(slug)
            if programme is None or ProgrammeDocument.objects.filter(
                programme=programme, title=title
            ):
                continue
            services.add_programme_document(
                programme=programme,
                by=national,
                kind=kind,
                title=title,
                upload=_upload(title, text, _file_name(title)),
            )
            documents += 1
    materials = reused = 0
    for title, description, phase, slugs, url, is_public in MATERIALS:
        material = Material.objects.filter(title=title).first()
        tagged = tuple(programmes[slug] for slug in slugs if slug in programmes)
        if material is None:
            material = services.save_material(
                by=national,
                details=services.MaterialDetails(
                    title=title,
                    description=description,
                    phase=phase,
                    programmes=tagged,
                    url=url or "",
                    is_public=is_public,
                ),
                upload=None if url else _upload(title, description, _file_name(title)),
            )
            materials += 1
        reused += _reuse(material, tagged, national)
    return {"documents": documents, "materials": materials, "reused": reused}


def _reuse(material: Material, programmes: tuple, national: User | None) -> int:
    """Reuse a material in a few offerings of its programmes, or of the demo facilitator."""
    if Resource.objects.filter(material=material).count() >= REUSES_PER_MATERIAL:
        return 0
    if programmes:
        offerings = Offering.objects.filter(programme__in=programmes)
    else:
        offerings = Offering.objects.filter(facilitator__email=FACILITATOR)
    # The earliest first: finished webinars, whose registrants then see the slides.
    chosen = list(
        offerings.exclude(resources__material=material).order_by("starts_on", "id")[
            :REUSES_PER_MATERIAL
        ]
    )
    for offering in chosen:
        services.add_library_resource(offering=offering, by=national, material=material)
    return len(chosen)


def finished_webinar_with_slides() -> Offering | None:
    """The demo's finished webinar whose registrants see slides next to the recording."""
    return (
        Offering.objects.filter(
            programme__kind=Kind.WEBINAR,
            resources__isnull=False,
            sessions__recording_url__gt="",
        )
        .order_by("id")
        .first()
    )
