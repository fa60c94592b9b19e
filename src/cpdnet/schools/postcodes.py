"""Locate English postcodes and outcodes from the compact ONS postcode index.

The index is a zip archive with one LZMA-compressed member per outcode ("B33"). A member's
first line lists the districts (ONS LAD 2025 codes) its postcodes fall in; each further line is
`INCODE DEASTING DNORTHING [DISTRICT_INDEX]`, with eastings and northings (British National
Grid, metres) as differences from the previous line. scripts/build_postcode_index.py writes it.
"""

import re
import zipfile
from array import array
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

FULL_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
OUTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


@dataclass(frozen=True)
class Place:
    """Where a postcode or outcode is: grid position and the district holding it."""

    label: str
    easting: int
    northing: int
    district_code: str
    is_outcode: bool = False


def normalise_postcode(text: str) -> str:
    """Return a postcode in its usual form ("sw1a1aa" -> "SW1A 1AA"), or the cleaned text."""
    compact = re.sub(r"[^A-Za-z0-9]", "", text).upper()
    match = FULL_POSTCODE.match(compact)
    if match:
        return f"{match.group(1)} {match.group(2)}"
    return compact


def looks_like_postcode(text: str) -> bool:
    return bool(FULL_POSTCODE.match(normalise_postcode(text)))


def looks_like_outcode(text: str) -> bool:
    return bool(OUTCODE.match(re.sub(r"\s", "", text).upper()))


@dataclass(frozen=True, slots=True)
class _Block:
    """One outcode's postcodes, decoded and kept compact (about 13 bytes a postcode)."""

    incodes: str  # every incode, three characters each, in the member's order
    eastings: array
    northings: array
    district_numbers: array
    districts: tuple[str, ...]

    def find(self, incode: str) -> tuple[int, int, str] | None:
        # An incode is a digit and two letters, so a match can only start at a multiple of
        # three: "1AB2CD" holds no other digit-letter-letter run than the two incodes.
        position = self.incodes.find(incode)
        if len(incode) != 3 or position < 0:
            return None
        number = position // 3
        district = self.districts[self.district_numbers[number]]
        return self.eastings[number], self.northings[number], district


class PostcodeIndex:
    def __init__(self, path: Path):
        self._zip = zipfile.ZipFile(path)
        self._outcodes = frozenset(self._zip.namelist())
        # Each outcode is decoded once per process and kept: decoding takes about 1.8 ms,
        # and the whole of England (2.3 million postcodes) takes about 30 MB decoded.
        self._block = lru_cache(maxsize=None)(self._read_block)
        # About 2,300 outcodes: each centre is worked out once per process.
        self.locate_outcode = lru_cache(maxsize=4096)(self._locate_outcode)

    def has_outcode(self, outcode: str) -> bool:
        return outcode in self._outcodes

    def _read_block(self, outcode: str) -> _Block:
        lines = self._zip.read(outcode).decode("ascii").split("\n")
        districts = tuple(lines[0].split(" "))
        incodes = []
        eastings, northings, district_numbers = array("i"), array("i"), array("H")
        easting = northing = 0
        for line in lines[1:]:
            parts = line.split(" ")
            easting += int(parts[1])
            northing += int(parts[2])
            incodes.append(parts[0])
            eastings.append(easting)
            northings.append(northing)
            district_numbers.append(int(parts[3]) if len(parts) > 3 else 0)
        return _Block("".join(incodes), eastings, northings, district_numbers, districts)

    def locate_postcode(self, postcode: str) -> Place | None:
        """Return the place of a full postcode, or None when England has no such postcode."""
        normalised = normalise_postcode(postcode)
        if not FULL_POSTCODE.match(normalised):
            return None
        outcode, incode = normalised.split(" ")
        if outcode not in self._outcodes:
            return None
        found = self._block(outcode).find(incode)
        if found is None:
            return None
        return Place(normalised, found[0], found[1], found[2])

    def _locate_outcode(self, outcode: str) -> Place | None:
        """Return the centre of an outcode's postcodes and the district holding most of them."""
        outcode = re.sub(r"\s", "", outcode).upper()
        if outcode not in self._outcodes:
            return None
        block = self._block(outcode)
        count = len(block.eastings)
        easting = round(sum(block.eastings) / count)
        northing = round(sum(block.northings) / count)
        district = block.districts[Counter(block.district_numbers).most_common(1)[0][0]]
        return Place(outcode, easting, northing, district, is_outcode=True)


@lru_cache(maxsize=1)
def get_postcode_index() -> PostcodeIndex:
    return PostcodeIndex(settings.CPDNET_POSTCODE_INDEX)
