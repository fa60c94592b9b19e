"""People's names: one line of printable text, since names go into email subjects and pages.

A line break in a name once made the approver's email fail to send (an email header cannot hold
one); bidirectional overrides would let a name display as something else.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Unicode categories never part of a name: control characters (line breaks, tabs) and the
# line and paragraph separators.
_FORBIDDEN_CATEGORIES = {"Cc", "Zl", "Zp"}
# Bidirectional embeddings, overrides and isolates (zero-width joiners stay: some scripts
# need them).
_BIDI_CONTROLS = {chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def _is_forbidden(character: str) -> bool:
    return unicodedata.category(character) in _FORBIDDEN_CATEGORIES or character in _BIDI_CONTROLS


def validate_person_name(value: str) -> None:
    """Refuse a name with a line break, tab or other control character."""
    if any(_is_forbidden(character) for character in value):
        raise ValidationError(
            _("Enter your name on one line, without tabs or other special characters"),
            code="invalid_name",
        )


def clean_person_name(value: str) -> str:
    """Return a name from elsewhere (a sign-in provider) on one line of printable text."""
    return " ".join(
        "".join(" " if _is_forbidden(character) else character for character in value).split()
    )
