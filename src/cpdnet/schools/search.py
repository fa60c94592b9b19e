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


def school_search_text(name: str, town: str) -> str:
    """Return what school search matches: the name's words, then "/", then the town's words.

    People type the town with the name ("St Mary's Leeds"); the "/" keeps ranking on the name
    (see selectors.list_schools_matching) and never matches a typed word.
    """
    return f"{search_text(name)}/{search_text(town)}"


def query_words(query: str) -> list[str]:
    """Return the words of a search query, keeping "st" as typed (it may start "Stoke")."""
    text = unicodedata.normalize("NFKD", query).encode("ascii", "ignore").decode("ascii")
    text = _APOSTROPHES.sub("", text.lower().replace("&", " and "))
    return [word for word in _NON_WORD.split(text) if word][:8]
