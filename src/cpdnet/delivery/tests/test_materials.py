"""Programme documents and the national materials library: national staff publish them once;
offerings reuse library materials by reference; downloads are checked like resources."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpdnet.audit.models import AuditEntry
from cpdnet.delivery import selectors
from cpdnet.delivery.models import Material, ProgrammeDocument, Resource
from cpdnet.delivery.services import (
    DeliveryError,
    MaterialDetails,
    add_library_resource,
    add_programme_document,
    remove_material,
    save_material,
)
from cpdnet.delivery.uploads import check_upload, private_storage

from .test_access import PDF, person

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa75\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
DOCUMENTS_URL = "backoffice:programme-documents"


def pdf(name="sheet.pdf", content=PDF):
    return check_upload(SimpleUploadedFile(name, content))


def stored_files(media) -> list:
    root = media / "private"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def as_(client, world):
    def sign_in(who: str):
        if who != "visitor":
            client.force_login(person(world, who))
        return client

    return sign_in


@pytest.fixture
def sheet(world):
    return add_programme_document(
        programme=world.offering.programme,
        by=world.national,
        kind="information_sheet",
        title="Information sheet",
        upload=pdf(),
    )


@pytest.fixture
def material(world):
    return save_material(
        by=world.national,
        details=MaterialDetails(title="Bar models", programmes=(world.offering.programme,)),
        upload=pdf("bar-models.pdf"),
    )


# --- programme documents -----------------------------------------------------------------------


def test_national_staff_publish_a_document_and_anyone_downloads_it_from_the_offering_page(
    as_, world, client
):
    url = reverse(DOCUMENTS_URL, kwargs={"programme_id": world.offering.programme_id})
    response = as_("national").post(
        url,
        {
            "kind": "assessment_criteria",
            "title": "Assessment criteria",
            "file": SimpleUploadedFile("criteria.pdf", PDF),
        },
    )
    assert response.status_code == 302
    document = ProgrammeDocument.objects.get()
    assert AuditEntry.objects.filter(action="delivery.programme_document.added").exists()

    client.logout()
    page = client.get(reverse("public:offering", kwargs={"offering_id": world.offering.pk}))
    html = page.content.decode()
    assert "Read before you apply" in html
    assert "Assessment criteria" in html
    assert f"(PDF, {len(PDF)}\xa0bytes)" in html
    download = client.get(
        reverse(
            "public:programme-document",
            kwargs={"programme_id": world.offering.programme_id, "document_id": document.pk},
        )
    )
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="criteria.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("file", "reason"),
    [
        (SimpleUploadedFile("sheet.exe", b"\x7fELF" + b"\x00" * 100), "The file must be a"),
        (SimpleUploadedFile("sheet.pdf", PNG), "not what its name says"),
    ],
)
def test_a_wrong_file_is_refused_with_a_reason_and_nothing_is_saved(
    as_, world, media, file, reason
):
    url = reverse(DOCUMENTS_URL, kwargs={"programme_id": world.offering.programme_id})
    response = as_("national").post(
        url, {"kind": "information_sheet", "title": "Information sheet", "file": file}
    )

    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not ProgrammeDocument.objects.exists()
    assert stored_files(media) == []


def test_an_oversize_file_is_refused_and_nothing_is_saved(as_, world, media, settings):
    settings.UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("sheet.pdf", PDF + b"0" * (1024 * 1024))
    url = reverse(DOCUMENTS_URL, kwargs={"programme_id": world.offering.programme_id})

    response = as_("national").post(url, {"kind": "handbook", "title": "Handbook", "file": big})

    assert "The file must be smaller than 1 MB." in response.content.decode()
    assert not ProgrammeDocument.objects.exists()
    assert stored_files(media) == []


def test_a_second_information_sheet_is_refused_replace_the_first_instead(world, sheet):
    with pytest.raises(DeliveryError, match="already has an information sheet"):
        add_programme_document(
            programme=world.offering.programme,
            by=world.national,
            kind="information_sheet",
            title="Another",
            upload=pdf(),
        )
    assert selectors.information_sheet(world.offering.programme) == sheet


def test_replacing_a_document_keeps_it_and_drops_the_old_file(
    as_, world, sheet, media, django_capture_on_commit_callbacks
):
    old_name = sheet.stored_name
    url = reverse(
        "backoffice:programme-document",
        kwargs={"programme_id": sheet.programme_id, "document_id": sheet.pk},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = as_("national").post(
            url, {"title": "Information sheet 2026", "file": SimpleUploadedFile("new.pdf", PDF)}
        )

    assert response.status_code == 302
    sheet.refresh_from_db()
    assert (sheet.title, sheet.original_name) == ("Information sheet 2026", "new.pdf")
    assert not private_storage().exists(old_name)


def test_removing_a_document_takes_it_off_the_page(
    as_, world, sheet, django_capture_on_commit_callbacks
):
    url = reverse(
        "backoffice:programme-document-remove",
        kwargs={"programme_id": sheet.programme_id, "document_id": sheet.pk},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert as_("national").post(url).status_code == 302

    assert not ProgrammeDocument.objects.exists()
    assert not private_storage().exists(sheet.stored_name)


@pytest.mark.parametrize("who", ["facilitator", "hub_staff", "other_teacher"])
def test_only_national_staff_manage_documents_and_the_library(as_, world, sheet, who):
    client = as_(who)
    urls = [
        reverse("backoffice:programme-document-list"),
        reverse(DOCUMENTS_URL, kwargs={"programme_id": sheet.programme_id}),
        reverse("backoffice:materials"),
    ]
    for url in urls:
        assert client.get(url).status_code in {403, 404}, url
    remove = reverse(
        "backoffice:programme-document-remove",
        kwargs={"programme_id": sheet.programme_id, "document_id": sheet.pk},
    )
    assert client.post(remove).status_code in {403, 404}
    assert ProgrammeDocument.objects.filter(pk=sheet.pk).exists()


# --- the materials library ---------------------------------------------------------------------


def test_national_staff_add_a_material_once_with_its_tags(as_, world):
    response = as_("national").post(
        reverse("backoffice:materials"),
        {
            "title": "Fluency starters",
            "description": "Ten-minute starters.",
            "phase": "secondary",
            "programmes": [world.offering.programme_id],
            "url": "https://www.example.org/starters",
        },
    )

    assert response.status_code == 302
    material = Material.objects.get()
    assert list(material.programmes.all()) == [world.offering.programme]
    assert material.phase == "secondary"
    assert AuditEntry.objects.filter(action="delivery.material.added").exists()


def test_a_runner_reuses_a_library_item_without_copying_it(as_, world, material, media):
    files_before = stored_files(media)
    url = reverse(
        "backoffice:offering-resource-from-library", kwargs={"offering_id": world.offering.pk}
    )

    response = as_("facilitator").post(url, {"material": material.pk, "session": ""})

    assert response.status_code == 302
    resource = Resource.objects.get()
    assert (resource.material, resource.stored_name, resource.url) == (material, "", "")
    assert stored_files(media) == files_before  # nothing copied
    page = as_("facilitator").get(
        reverse("backoffice:offering-resources", kwargs={"offering_id": world.offering.pk})
    )
    assert "Bar models" in page.content.decode()
    assert "(for this programme)" in page.content.decode()


def test_changing_a_library_item_changes_it_in_every_offering_using_it(as_, world, material):
    for offering in (world.offering, world.other_offering):
        add_library_resource(offering=offering, by=world.national, material=material)

    save_material(
        by=world.national,
        details=MaterialDetails(title="Bar models, revised"),
        upload=pdf("bar-models-v2.pdf", PDF + b"% revised\n"),
        material=material,
    )

    for application, offering in (
        (world.participant, world.offering),
        (world.other_participant, world.other_offering),
    ):
        client = as_("visitor")
        client.force_login(application.applicant)
        page = client.get(reverse("public:my-offering", kwargs={"offering_id": offering.pk}))
        assert "Bar models, revised" in page.content.decode()
        resource = offering.resources.get()
        download = client.get(
            reverse("public:resource-download", kwargs={"resource_id": resource.pk})
        )
        assert download["Content-Disposition"] == 'attachment; filename="bar-models-v2.pdf"'
        assert b"".join(download.streaming_content).endswith(b"% revised\n")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("participant", 200),  # their offering reuses it
        ("facilitator", 200),  # people who run offerings pick from the library
        ("other_facilitator", 200),
        ("national", 200),
        ("other_teacher", 404),
        ("participant_elsewhere", 404),  # the other offering does not reuse it
        ("withdrawn", 404),
        ("visitor", 302),
    ],
)
def test_who_may_download_a_library_material_that_is_not_public(as_, world, material, who, status):
    add_library_resource(offering=world.offering, by=world.facilitator, material=material)
    url = reverse("public:material-download", kwargs={"material_id": material.pk})

    response = as_(who).get(url)

    assert response.status_code == status
    if status == 200:
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_public_library_material_is_for_anyone_and_decides_for_its_resources(
    as_, world, material
):
    resource = add_library_resource(
        offering=world.offering, by=world.facilitator, material=material
    )
    resource_url = reverse("public:resource-download", kwargs={"resource_id": resource.pk})
    assert as_("other_teacher").get(resource_url).status_code == 404

    Material.objects.filter(pk=material.pk).update(is_public=True)

    assert as_("other_teacher").get(resource_url).status_code == 200
    url = reverse("public:material-download", kwargs={"material_id": material.pk})
    assert as_("visitor").get(url).status_code == 200


def test_a_material_in_use_cannot_leave_the_library(world, material):
    add_library_resource(offering=world.offering, by=world.facilitator, material=material)

    with pytest.raises(DeliveryError, match="still reuse this material"):
        remove_material(material=material, by=world.national)
    assert Material.objects.filter(pk=material.pk).exists()


def test_an_upload_refused_for_the_library_saves_nothing(as_, world, media):
    response = as_("national").post(
        reverse("backoffice:materials"),
        {"title": "Slides", "file": SimpleUploadedFile("slides.pdf", PNG)},
    )

    assert "not what its name says" in response.content.decode()
    assert not Material.objects.exists()
    assert stored_files(media) == []


def test_the_library_lists_in_a_fixed_number_of_queries(
    as_, world, material, django_assert_max_num_queries
):
    for number in range(5):
        extra = save_material(
            by=world.national,
            details=MaterialDetails(
                title=f"Item {number}",
                url=f"https://example.org/{number}",
                programmes=(world.offering.programme,),
            ),
        )
        add_library_resource(offering=world.offering, by=world.national, material=extra)
    client = as_("national")

    with django_assert_max_num_queries(12):
        response = client.get(reverse("backoffice:materials"))

    assert response.content.decode().count("Item ") >= 5
