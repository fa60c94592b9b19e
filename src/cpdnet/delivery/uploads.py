"""Checking and keeping uploaded files: type by content, size limit, random stored names.

Files live in private storage (`MEDIA_ROOT/private`), which no URL serves: downloads go
through views that check who is asking. The person's file name is cleaned and kept only to be
offered back on download.
"""

import io
import posixpath
import secrets
import zipfile
from dataclasses import dataclass
from functools import cache

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.utils.text import get_valid_filename

# Extensions a person may give a file, by the type its content must have.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "txt": "text/plain",
    "csv": "text/csv",
}
# How a file's type is named next to its download link.
TYPE_LABELS = {
    "pdf": "PDF",
    "png": "PNG image",
    "jpg": "JPEG image",
    "jpeg": "JPEG image",
    "gif": "GIF image",
    "docx": "Word document",
    "xlsx": "Excel spreadsheet",
    "pptx": "PowerPoint presentation",
    "txt": "Text file",
    "csv": "CSV file",
}
# The folder a real Office Open XML file of each kind must contain.
OFFICE_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
TEXT_EXTENSIONS = {"txt", "csv"}
ALLOWED_LABEL = "PDF, Word, Excel, PowerPoint, PNG, JPEG, GIF, plain text or CSV"
NAME_LIMIT = 100
HEAD_BYTES = 8192


class UploadRefused(Exception):
    """An upload that is not kept, with a reason for the person who sent it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CheckedUpload:
    file: UploadedFile
    original_name: str
    extension: str
    content_type: str
    size_bytes: int


@cache
def _storage(location: str) -> FileSystemStorage:
    return FileSystemStorage(location=location, base_url=None)


def private_storage() -> FileSystemStorage:
    """The storage no URL serves; read from settings at call time (tests move MEDIA_ROOT)."""
    return _storage(str(settings.MEDIA_ROOT / "private"))


def clean_name(name: str) -> str:
    """The last part of a file name, with anything but letters, digits, dots, dashes and
    underscores taken out, so that it can be offered back safely on download."""
    base = posixpath.basename((name or "").replace("\\", "/"))
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    stem = _valid(stem.strip(". ")) or "file"
    extension = _valid(extension)[:10]
    stem = stem[: NAME_LIMIT - len(extension) - 1]
    return f"{stem}.{extension}" if extension else stem


def _valid(part: str) -> str:
    try:
        return get_valid_filename(part)
    except SuspiciousFileOperation:  # nothing usable was left, such as ".."
        return ""


def _extension(name: str) -> str:
    _stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot else ""


def _read_all(file: UploadedFile) -> bytes:
    file.seek(0)
    data = file.read()
    file.seek(0)
    return data


def _is_office_file(file: UploadedFile, extension: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(_read_all(file))) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    return "[Content_Types].xml" in names and any(
        name.startswith(OFFICE_PARTS[extension]) for name in names
    )


def _is_utf8_text(file: UploadedFile) -> bool:
    data = _read_all(file)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


def _content_matches(file: UploadedFile, extension: str) -> bool:
    file.seek(0)
    guessed = filetype.guess(file.read(HEAD_BYTES))
    file.seek(0)
    if extension in TEXT_EXTENSIONS:
        return guessed is None and _is_utf8_text(file)
    if extension in OFFICE_PARTS:
        # filetype reads only the first bytes; a renamed zip of anything would pass that.
        looks_zipped = guessed is not None and guessed.extension in {"zip", extension}
        return looks_zipped and _is_office_file(file, extension)
    return guessed is not None and guessed.mime == CONTENT_TYPES[extension]


def check_upload(file: UploadedFile) -> CheckedUpload:
    """Accept a file whose name and content agree on an allowed type, within the size limit;
    raise UploadRefused with the reason otherwise."""
    limit = settings.UPLOAD_MAX_MB * 1024 * 1024
    if file.size is None or file.size == 0:
        raise UploadRefused("The file is empty.")
    if file.size > limit:
        raise UploadRefused(f"The file must be smaller than {settings.UPLOAD_MAX_MB} MB.")
    original_name = clean_name(file.name)
    extension = _extension(original_name)
    if extension not in CONTENT_TYPES:
        raise UploadRefused(f"The file must be a {ALLOWED_LABEL} file.")
    if not _content_matches(file, extension):
        raise UploadRefused(
            f"The file's content is not what its name says (.{extension}). "
            f"Upload a {ALLOWED_LABEL} file."
        )
    return CheckedUpload(
        file=file,
        original_name=original_name,
        extension=extension,
        content_type=CONTENT_TYPES[extension],
        size_bytes=file.size,
    )


def store(upload: CheckedUpload) -> str:
    """Save a checked upload under a random name and return that name."""
    upload.file.seek(0)
    return keep(upload.file, extension=upload.extension)


def keep(file, *, extension: str) -> str:
    """Save a file whose content is known to be safe under a new random name; return it."""
    token = secrets.token_urlsafe(24)
    return private_storage().save(f"{token[:2]}/{token}.{extension}", file)


def delete_stored(name: str) -> None:
    """Remove a stored file; a file already gone is fine (erasure and retries run twice)."""
    if name:
        private_storage().delete(name)


class UploadField(forms.FileField):
    """A form field that checks the upload and cleans to a CheckedUpload."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            f"{ALLOWED_LABEL}, smaller than {settings.UPLOAD_MAX_MB} MB.",
        )
        kwargs.setdefault("widget", forms.FileInput(attrs={"class": "govuk-file-upload"}))
        kwargs.setdefault("error_messages", {"invalid": "Choose a file to upload"})
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        file = super().clean(data, initial)
        if not file:
            return None
        try:
            return check_upload(file)
        except UploadRefused as refused:
            raise forms.ValidationError(refused.reason, code="upload_refused") from None


def file_response(stored) -> FileResponse:
    """Send a privately stored file (a Resource or Submission) as a download under its
    cleaned original name; call only after checking who is asking."""
    if not stored.has_file:
        raise Http404("There is no file")
    try:
        handle = private_storage().open(stored.stored_name, "rb")
    except FileNotFoundError:
        raise Http404("The file is no longer kept") from None
    response = FileResponse(
        handle, as_attachment=True, filename=stored.original_name, content_type=stored.content_type
    )
    # Never let a browser guess a type from the content and run it as a page.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
