"""Write small files in the layout of the GIAS download, for the importer's tests."""

import csv
import gzip
import io
from pathlib import Path

# A subset of the real edubasealldata columns, in their published order, plus columns the
# importer does not know (TelephoneNum, HeadLastName, a made-up future one) that it must ignore.
GIAS_COLUMNS = (
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (name)",
    "OpenDate",
    "CloseDate",
    "PhaseOfEducation (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "NumberOfPupils",
    "PercentageFSM",
    "Trusts (name)",
    "Street",
    "Town",
    "Postcode",
    "TelephoneNum",
    "HeadLastName",
    "GOR (name)",
    "DistrictAdministrative (code)",
    "UrbanRural (name)",
    "Easting",
    "Northing",
    "CensusSchoolType2019",
    "FutureColumnNobodyKnowsYet",
)

LINK_COLUMNS = ("URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate")


def school_row(urn: int, name: str, **overrides: str) -> dict[str, str]:
    """Return one register row for an open Leeds primary school, with columns overridden."""
    row = {
        "URN": str(urn),
        "LA (code)": "383",
        "LA (name)": "Leeds",
        "EstablishmentNumber": "2001",
        "EstablishmentName": name,
        "TypeOfEstablishment (name)": "Community school",
        "EstablishmentTypeGroup (name)": "Local authority maintained schools",
        "EstablishmentStatus (name)": "Open",
        "OpenDate": "",
        "CloseDate": "",
        "PhaseOfEducation (name)": "Primary",
        "StatutoryLowAge": "4",
        "StatutoryHighAge": "11",
        "NumberOfPupils": "210",
        "PercentageFSM": "12.5",
        "Trusts (name)": "",
        "Street": "1 School Lane",
        "Town": "Leeds",
        "Postcode": "LS1 4AP",
        "TelephoneNum": "0113 000 0000",
        "HeadLastName": "Smith",
        "GOR (name)": "Yorkshire and the Humber",
        "DistrictAdministrative (code)": "E08000035",
        "UrbanRural (name)": "(England/Wales) Urban major conurbation",
        "Easting": "430000",
        "Northing": "433000",
        "CensusSchoolType2019": "State-funded primary",
        "FutureColumnNobodyKnowsYet": "whatever",
    }
    unknown = set(overrides) - set(row)
    assert not unknown, f"not a test column: {unknown}"
    row.update(overrides)
    return row


def csv_text(rows: list[dict[str, str]], columns: tuple[str, ...] = GIAS_COLUMNS) -> str:
    """Return CSV text quoted like the GIAS download (every field in double quotes)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return out.getvalue()


def write_gias_csv(
    path: Path,
    rows: list[dict[str, str]],
    *,
    columns: tuple[str, ...] = GIAS_COLUMNS,
    encoding: str = "utf-8",
) -> Path:
    """Write rows as a GIAS CSV file; a path ending .gz is gzip-compressed."""
    data = csv_text(rows, columns).encode(encoding)
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def write_links_csv(path: Path, links: list[tuple[int, int, str, str]]) -> Path:
    """Write a GIAS links file from (URN, LinkURN, LinkType, LinkEstablishedDate) tuples."""
    rows = [
        {
            "URN": str(urn),
            "LinkURN": str(link_urn),
            "LinkName": f"School {link_urn}",
            "LinkType": link_type,
            "LinkEstablishedDate": established,
        }
        for urn, link_urn, link_type, established in links
    ]
    path.write_text(csv_text(rows, LINK_COLUMNS), encoding="utf-8", newline="")
    return path
