"""Normalise school names so that search ignores case, punctuation, word order and "St"."""

import re
import unicodedata

_APOSTROPHES = re.compile(r"['\u2019`]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_SYNONYMS = {"st": "saint", "&": "and"}


def words(text: str) -> list[str]:
    """Split text into lower-case ASCII words; "St. Mary's C of E" -> saint marys c of e."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _APOSTROPHES.sub("", text.lower().replace("&", " and "))
    return [_SYNONYMS.get(word, word) for word in _NON_WORD.split(text) if word]


def search_text(name: str) -> str:
    """Return the stored search form of a name: its words padded with spaces."""
    return f" {' '.join(words(name))} "


def query_words(query: str) -> list[str]:
    """Return the words of a search query, keeping "st" as typed (it may start "Stoke")."""
    text = unicodedata.normalize("NFKD", query).encode("ascii", "ignore").decode("ascii")
    text = _APOSTROPHES.sub("", text.lower().replace("&", " and "))
    return [word for word in _NON_WORD.split(text) if word][:8]
