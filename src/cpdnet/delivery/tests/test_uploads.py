"""Uploads are checked by content and size, and stored under random names in private storage."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cpdnet.delivery.uploads import UploadRefused, check_upload, clean_name, private_storage, store

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa75\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 300


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def office_file(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{part}document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("notes.pdf", PDF, "application/pdf"),
        ("board.png", PNG, "image/png"),
        ("plan.docx", office_file("word/"), None),
        ("marks.xlsx", office_file("xl/"), None),
        ("slides.pptx", office_file("ppt/"), None),
        ("notes.txt", "Café au lait, £3".encode(), "text/plain"),
        ("marks.csv", b"name,score\nAda,10\n", "text/csv"),
    ],
)
def test_allowed_types_whose_content_matches_their_name_are_accepted(name, content, content_type):
    checked = check_upload(upload(name, content))

    assert checked.original_name == name
    assert checked.size_bytes == len(content)
    if content_type:
        assert checked.content_type == content_type


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("slides.pdf", PNG, "not what its name says"),  # a PNG renamed .pdf
        ("report.pdf", ELF, "not what its name says"),  # an executable renamed .pdf
        ("tool.exe", ELF, "must be a"),
        ("script.sh", b"#!/bin/sh\nrm -rf /\n", "must be a"),
        ("page.html", b"<script>alert(1)</script>", "must be a"),
        ("archive.docx", office_file("other/"), "not what its name says"),  # any zip renamed
        ("binary.txt", b"\x00\x01\x02\xff\xfe", "not what its name says"),
        ("noextension", PDF, "must be a"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_files_that_are_not_what_they_say_or_not_allowed_are_refused(name, content, reason):
    with pytest.raises(UploadRefused) as refused:
        check_upload(upload(name, content))

    assert reason in refused.value.reason


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.UPLOAD_MAX_MB = 1

    with pytest.raises(UploadRefused) as refused:
        check_upload(upload("big.txt", b"a" * (1024 * 1024 + 1)))

    assert "smaller than 1 MB" in refused.value.reason


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\evil.pdf", "evil.pdf"),
        ("/absolute/path/report.pdf", "report.pdf"),
        ("my lesson plan (v2).docx", "my_lesson_plan_v2.docx"),
        ('quote"s;and\r\nheaders.pdf', "quotesandheaders.pdf"),
        ("..", "file"),
        ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
    ],
)
def test_file_names_are_cleaned_of_paths_and_unsafe_characters(typed, cleaned):
    assert clean_name(typed) == cleaned


def test_a_stored_file_gets_a_random_name_in_private_storage(media):
    checked = check_upload(upload("../../Ada Lovelace report.pdf", PDF))

    first, second = store(checked), store(checked)

    assert first != second
    assert "Ada" not in first and ".." not in first
    assert first.endswith(".pdf")
    assert private_storage().path(first).startswith(str(media / "private"))
    assert private_storage().open(first).read() == PDF
