"""Events open to organisations beyond schools, counted apart from school reach; and webinar
slides for confirmed registrants, who have no account, through their signed link."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpdnet.delivery.services import (
    MaterialDetails,
    add_library_resource,
    add_resource,
    save_material,
)
from cpdnet.delivery.uploads import check_upload
from cpdnet.events import selectors, services
from cpdnet.events.models import Registration, RegistrationStatus
from cpdnet.events.tests.factories import RegistrationFactory, WebinarFactory
from cpdnet.notifications.sessions import send_recording_emails
from tests.factories import RoleAssignmentFactory, SchoolFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
OPEN_WIDELY = "school,college,university,itt_provider,industry,policy,other"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _form(**changes) -> dict:
    return {
        "name": "Dr Ada Shah",
        "email": "ada.shah@leeds.example.ac.uk",
        "job_role": "class_teacher",
        "organisation_kind": "university",
        "organisation_name": "University of Leeds",
        "urn": "",
        **changes,
    }


# --- audiences ---------------------------------------------------------------------------------


def test_a_university_lecturer_registers_for_an_event_open_to_universities(client, mailoutbox):
    webinar = WebinarFactory(open_to_organisations=OPEN_WIDELY)
    url = reverse("public:event-register", kwargs={"offering_id": webinar.pk})
    assert "Which kind of organisation are you from?" in client.get(url).content.decode()

    response = client.post(url, _form())

    assert "You are registered" in response.content.decode()
    registration = Registration.objects.get()
    assert (registration.organisation_kind, registration.organisation_name) == (
        "university",
        "University of Leeds",
    )
    assert not registration.counts_in_school_reach


def test_someone_not_from_a_school_must_name_their_organisation(client):
    webinar = WebinarFactory(open_to_organisations=OPEN_WIDELY)
    url = reverse("public:event-register", kwargs={"offering_id": webinar.pk})

    response = client.post(url, _form(organisation_kind="industry", organisation_name=""))

    assert "Enter the name of your organisation" in response.content.decode()
    assert not Registration.objects.exists()


def test_an_event_for_schools_only_offers_and_accepts_only_schools_and_colleges(client):
    webinar = WebinarFactory()  # the default: schools and colleges
    url = reverse("public:event-register", kwargs={"offering_id": webinar.pk})
    assert 'value="university"' not in client.get(url).content.decode()

    response = client.post(url, _form())

    assert "Choose one of the kinds of organisation" in response.content.decode()
    assert not Registration.objects.exists()
    with pytest.raises(services.RegistrationError) as refused:
        services.register(
            offering=webinar,
            name="Dr Ada Shah",
            email="ada@example.org",
            job_role="class_teacher",
            organisation_kind="university",
            organisation_name="University of Leeds",
        )
    assert refused.value.code == "not_open_to_organisation"


def _post(client, offering_id, **body):
    payload = {"name": "Ada Shah", "email": "ada@example.org", "role": "class_teacher", **body}
    return client.post(
        f"/api/v1/events/{offering_id}/registrations", payload, content_type="application/json"
    )


def test_the_api_takes_the_organisation_and_answers_422_with_reasons(client):
    webinar = WebinarFactory(open_to_organisations="school,college,university,industry")

    missing_name = _post(client, webinar.pk, organisation_kind="industry")
    unknown_kind = _post(client, webinar.pk, organisation_kind="charity")
    not_open = _post(client, webinar.pk, organisation_kind="policy", organisation_name="DfE")
    accepted = _post(client, webinar.pk, organisation_kind="industry", organisation_name="Arup")

    assert missing_name.status_code == 422
    assert missing_name.json()["errors"] == [
        {"field": "organisation_name", "reason": "Name the organisation, unless a school."}
    ]
    assert unknown_kind.status_code == 422
    assert unknown_kind.json()["errors"][0]["field"] == "organisation_kind"
    assert not_open.status_code == 422
    assert (
        "open to: school, college, university, industry" in not_open.json()["errors"][0]["reason"]
    )
    assert (accepted.status_code, accepted.json()) == (201, {"status": "confirmed"})
    assert Registration.objects.get().organisation_name == "Arup"


def test_a_urn_is_only_for_people_from_schools_and_colleges(client):
    webinar = WebinarFactory(open_to_organisations=OPEN_WIDELY)
    school = SchoolFactory()
    url = reverse("public:event-register", kwargs={"offering_id": webinar.pk})

    page = client.post(url, _form(urn=str(school.urn)))
    api = _post(
        client,
        webinar.pk,
        organisation_kind="industry",
        organisation_name="Arup",
        urn=school.urn,
    )

    assert "Leave the URN blank" in page.content.decode()
    assert api.status_code == 422
    assert api.json()["errors"][0]["field"] == "urn"
    assert not Registration.objects.exists()


def test_registrants_from_other_organisations_are_counted_apart_from_school_reach(
    client, django_assert_max_num_queries
):
    webinar = WebinarFactory(open_to_organisations=OPEN_WIDELY, capacity=20)
    RegistrationFactory.create_batch(3, offering=webinar, organisation_kind="school")
    RegistrationFactory(offering=webinar, organisation_kind="college")
    RegistrationFactory.create_batch(
        2, offering=webinar, organisation_kind="university", organisation_name="Leeds"
    )
    RegistrationFactory(offering=webinar, organisation_kind="industry", organisation_name="Arup")
    RegistrationFactory(
        offering=webinar,
        organisation_kind="industry",
        organisation_name="BAE",
        status=RegistrationStatus.CANCELLED,
    )

    with django_assert_max_num_queries(1):
        counts = selectors.count_by_organisation(webinar)

    assert (counts.from_schools, counts.from_other_organisations) == (4, 3)
    assert counts.other_by_kind == [("University", 2), ("Industry or business", 1)]
    staff = UserFactory()
    RoleAssignmentFactory(user=staff, role="national_staff")
    client.force_login(staff)
    page = client.get(reverse("backoffice:event-registrations", kwargs={"offering_id": webinar.pk}))
    html = page.content.decode()
    assert "From schools and colleges: 4. From other organisations: 3" in html
    assert "university 2, industry or business 1" in html


def test_erasure_forgets_the_organisation_name(client):
    registration = RegistrationFactory(
        organisation_kind="industry", organisation_name="Arup", email="ada@arup.example.com"
    )

    services.erase_registrations(email="ada@arup.example.com")

    registration.refresh_from_db()
    assert (registration.organisation_name, registration.organisation_kind) == ("", "industry")


# --- slides ------------------------------------------------------------------------------------


@pytest.fixture
def slides():
    webinar = WebinarFactory()
    resource = add_resource(
        offering=webinar,
        by=None,
        title="Slides",
        upload=check_upload(SimpleUploadedFile("slides.pdf", PDF)),
    )
    material = save_material(
        by=None,
        details=MaterialDetails(title="Reasoning toolkit"),
        upload=check_upload(SimpleUploadedFile("toolkit.pdf", PDF)),
    )
    add_library_resource(offering=webinar, by=None, material=material)
    return webinar, resource


def test_a_confirmed_registrant_sees_and_downloads_the_slides_through_their_link(client, slides):
    webinar, resource = slides
    registration = RegistrationFactory(offering=webinar)
    token = services.manage_token(registration)

    page = client.get(reverse("public:event-registration", kwargs={"token": token}))
    html = page.content.decode()
    assert "Slides and resources" in html
    assert "Reasoning toolkit" in html  # a library item reused by the webinar
    download = client.get(
        reverse("public:event-slides", kwargs={"token": token, "resource_id": resource.pk})
    )
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="slides.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("status", [RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED])
def test_slides_are_only_for_confirmed_registrants(client, slides, status):
    webinar, resource = slides
    token = services.manage_token(RegistrationFactory(offering=webinar, status=status))

    page = client.get(reverse("public:event-registration", kwargs={"token": token}))
    download = client.get(
        reverse("public:event-slides", kwargs={"token": token, "resource_id": resource.pk})
    )

    assert "Slides and resources" not in page.content.decode()
    assert download.status_code == 404


def test_a_forged_link_or_another_webinars_slides_are_refused(client, slides):
    webinar, resource = slides
    other = RegistrationFactory(offering=WebinarFactory())
    token = services.manage_token(other)

    assert (
        client.get(
            reverse("public:event-slides", kwargs={"token": token, "resource_id": resource.pk})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("public:event-slides", kwargs={"token": "forged", "resource_id": resource.pk})
        ).status_code
        == 404
    )


def test_the_recording_email_mentions_the_slides_and_the_registrants_link(slides, mailoutbox):
    webinar, _resource = slides
    registration = RegistrationFactory(offering=webinar)
    session = SessionFactory(offering=webinar, recording_url="https://video.example.org/1")

    assert send_recording_emails(session=session) == 1

    body = mailoutbox[0].body
    assert "https://video.example.org/1" in body
    assert "The slides and resources are there too (Slides, Reasoning toolkit)" in body
    assert services.manage_url(registration) in body


def test_national_insights_count_event_registrants_apart_from_school_reach(client):
    webinar = WebinarFactory(open_to_organisations=OPEN_WIDELY)
    RegistrationFactory(offering=webinar, organisation_kind="school")
    RegistrationFactory(offering=webinar, organisation_kind="policy", organisation_name="DfE")
    network = webinar.programme.network

    counts = selectors.count_event_registrants_by_organisation(network, webinar.academic_year)

    assert (counts.from_schools, counts.from_other_organisations) == (1, 1)
    staff = UserFactory()
    RoleAssignmentFactory(user=staff, role="national_staff")
    client.force_login(staff)
    page = client.get(
        reverse("backoffice:insights"),
        {"network": network.slug, "year": webinar.academic_year},
    )
    html = page.content.decode()
    assert "Webinar and event registrants" in html
    assert "of which: Policy or government" in html
