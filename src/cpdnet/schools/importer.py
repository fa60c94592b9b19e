"""Import the Get Information about Schools register (edubasealldataYYYYMMDD.csv) and links.

The whole file (and the links file) is read and checked before anything is written: a bad row
stops the import with its file, line and column, and the database is left as it was. The
checked rows are then written in batches that each commit on their own, so other writers (on
SQLite, one at a time) wait for one batch at most, never for the whole import. Were the import
stopped half-way, running it again completes it: every step is an upsert by URN.
"""

import codecs
import csv
import datetime
import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from .funding import classify_establishment, is_state_funded
from .models import District, PhaseSource, School, SchoolImport, SchoolStatus
from .postcodes import get_postcode_index, normalise_postcode
from .search import school_search_text

REQUIRED_COLUMNS = ("URN", "EstablishmentName", "LA (code)", "EstablishmentStatus (name)")
MISSING_MARKERS = {"", "..", "x", "X", "SUPP", "NA", "N/A"}

STATUSES = {
    "open": SchoolStatus.OPEN,
    "open, but proposed to close": SchoolStatus.OPEN_PROPOSED_TO_CLOSE,
    "proposed to open": SchoolStatus.PROPOSED_TO_OPEN,
    "closed": SchoolStatus.CLOSED,
    "": SchoolStatus.UNKNOWN,
}
# Census school types (CensusSchoolType2019) give a phase where GIAS leaves it blank.
PHASE_FROM_CENSUS = {
    "State-funded primary": "Primary",
    "State-funded secondary": "Secondary",
    "State-funded nursery": "Nursery",
    "State-funded special school": "Not applicable",
    "Pupil referral unit": "Not applicable",
    "Non-maintained special school": "Not applicable",
}
# Fields compared to decide whether a school changed, in School field order.
COMPARED_FIELDS = (
    "name",
    "search_text",
    "status",
    "la_code",
    "la_name",
    "district_code",
    "establishment_number",
    "type_name",
    "type_group",
    "funding_category",
    "is_state_funded",
    "phase",
    "phase_source",
    "census_school_type",
    "statutory_low_age",
    "statutory_high_age",
    "postcode",
    "town",
    "easting",
    "northing",
    "pupils",
    "percentage_fsm",
    "trust_name",
    "urban_rural",
    "region_name",
    "open_date",
    "close_date",
)
BATCH_SIZE = 1000
# The largest values the columns hold on every database (PostgreSQL's integer and smallint).
INTEGER_MAX = 2_147_483_647
SMALL_INTEGER_MAX = 32_767


class ImportFileError(Exception):
    """A problem with the file, located by line and column where that is known."""

    def __init__(self, message: str, *, line: int | None = None, column: str | None = None):
        self.message = message
        self.line = line
        self.column = column
        self.file_name = ""  # set by _parse_file: the main file or the links file
        where = []
        if line is not None:
            where.append(f"line {line}")
        if column:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    successors_linked: int = 0
    phase_from_census: int = 0
    located_from_postcode: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.successors_linked)


ProgressCallback = Callable[[int], None]


@contextmanager
def _open_binary(path: Path) -> Iterator[io.BufferedIOBase]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as binary:
            yield binary
    except (OSError, EOFError, zlib.error) as error:
        reason = getattr(error, "strerror", None) or error
        raise ImportFileError(f"cannot read the file ({reason})") from error


@contextmanager
def _open_text(path: Path, encoding: str) -> Iterator[io.TextIOBase]:
    errors = "strict" if encoding.startswith("utf-8") else "replace"
    with (
        _open_binary(path) as binary,
        io.TextIOWrapper(binary, encoding=encoding, errors=errors, newline="") as text,
    ):
        yield text


def _detect_encoding(path: Path) -> str:
    """Return "utf-8-sig" if the whole file is valid UTF-8, else GIAS's own "cp1252"."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with _open_binary(path) as binary:
        try:
            while chunk := binary.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _parse_file(path: Path, required: tuple[str, ...], parse: Callable):
    """Stream a CSV as published (UTF-8 with or without BOM, else Windows-1252; .gz too)."""
    try:
        with _open_text(path, _detect_encoding(path)) as text:
            return parse(_rows(text, required))
    except ImportFileError as error:
        error.file_name = path.name
        raise


def _rows(text: io.TextIOBase, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(text)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise ImportFileError("the file is empty", line=1) from None
    missing = [name for name in required if name not in header]
    if missing:
        raise ImportFileError(
            "the header does not look like a GIAS file: missing column "
            + ", ".join(f"'{name}'" for name in missing),
            line=1,
        )
    width = len(header)
    line = reader.line_num
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                line = reader.line_num
                continue
            if len(values) != width:
                raise ImportFileError(
                    f"has {len(values)} fields but the header has {width}", line=line + 1
                )
            yield line + 1, dict(zip(header, values, strict=True))
            line = reader.line_num
    except csv.Error as error:
        raise ImportFileError(f"is not valid CSV ({error})", line=reader.line_num) from error


class _RowParser:
    """Turn one GIAS row into School field values, or raise ImportFileError."""

    def __init__(self, line: int, row: dict[str, str]):
        self.line = line
        self.row = row

    def text(self, column: str, max_length: int) -> str:
        value = " ".join(self.row.get(column, "").split())
        if len(value) > max_length:
            self.fail(column, f"is longer than {max_length} characters")
        return value

    def integer(
        self, column: str, *, required: bool = False, maximum: int = INTEGER_MAX
    ) -> int | None:
        value = self.row.get(column, "").strip()
        if value in MISSING_MARKERS:
            if required:
                self.fail(column, "is empty; every row needs one")
            return None
        if not (value.isascii() and value.isdigit()):
            self.fail(column, f"'{value}' is not a whole number")
        if len(value) > len(str(maximum)) or int(value) > maximum:
            shown = value if len(value) <= 30 else value[:30] + "..."
            self.fail(column, f"'{shown}' is too large: the largest allowed is {maximum}")
        return int(value)

    def decimal(self, column: str) -> Decimal | None:
        value = self.row.get(column, "").strip()
        if value in MISSING_MARKERS:
            return None
        try:
            number = Decimal(value).quantize(Decimal("0.1"))
        except InvalidOperation:
            self.fail(column, f"'{value}' is not a number")
        if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
            self.fail(column, f"'{value}' is not a percentage between 0 and 100")
        return number

    def date(self, column: str) -> datetime.date | None:
        value = self.row.get(column, "").strip()
        if value in MISSING_MARKERS:
            return None
        for pattern in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.datetime.strptime(value, pattern).date()  # noqa: DTZ007
            except ValueError:
                continue
        self.fail(column, f"'{value}' is not a date like 31-08-2024")

    def fail(self, column: str, message: str):
        raise ImportFileError(message, line=self.line, column=column)


def parse_school_row(line: int, row: dict[str, str]) -> dict:
    """Return School field values for one row of a GIAS file."""
    parse = _RowParser(line, row)
    urn = parse.integer("URN", required=True)
    name = parse.text("EstablishmentName", 200)
    if not name:
        parse.fail("EstablishmentName", "is empty; every school needs a name")
    la_code = parse.text("LA (code)", 3)
    if la_code and not (la_code.isascii() and la_code.isdigit()):
        parse.fail("LA (code)", f"'{la_code}' is not a three-digit local authority code")
    status_text = parse.text("EstablishmentStatus (name)", 60)
    status = STATUSES.get(status_text.lower())
    if status is None:
        parse.fail("EstablishmentStatus (name)", f"'{status_text}' is not a GIAS status")
    type_name = parse.text("TypeOfEstablishment (name)", 100)
    type_group = parse.text("EstablishmentTypeGroup (name)", 60)
    census_type = parse.text("CensusSchoolType2019", 60)
    funding_category = classify_establishment(
        type_group=type_group,
        type_name=type_name,
        census_type=census_type,
        register_source=parse.text("RegisterSource", 20),
    )
    phase = parse.text("PhaseOfEducation (name)", 40)
    phase_source = PhaseSource.GIAS if phase else PhaseSource.NONE
    if not phase and census_type in PHASE_FROM_CENSUS:
        phase, phase_source = PHASE_FROM_CENSUS[census_type], PhaseSource.CENSUS
    town = parse.text("Town", 100)
    postcode = normalise_postcode(parse.text("Postcode", 10)) if row.get("Postcode") else ""
    return {
        "urn": urn,
        "name": name,
        "search_text": school_search_text(name, town),
        "status": status,
        "la_code": la_code.zfill(3) if la_code else "",
        "la_name": parse.text("LA (name)", 100),
        "district_code": parse.text("DistrictAdministrative (code)", 9),
        "establishment_number": parse.text("EstablishmentNumber", 4),
        "type_name": type_name,
        "type_group": type_group,
        "funding_category": funding_category,
        "is_state_funded": is_state_funded(funding_category),
        "phase": phase,
        "phase_source": phase_source,
        "census_school_type": census_type,
        "statutory_low_age": parse.integer("StatutoryLowAge", maximum=SMALL_INTEGER_MAX),
        "statutory_high_age": parse.integer("StatutoryHighAge", maximum=SMALL_INTEGER_MAX),
        "postcode": postcode[:8],
        "town": town,
        "easting": parse.integer("Easting"),
        "northing": parse.integer("Northing"),
        "pupils": parse.integer("NumberOfPupils"),
        "percentage_fsm": parse.decimal("PercentageFSM"),
        "trust_name": parse.text("Trusts (name)", 200),
        "urban_rural": parse.text("UrbanRural (name)", 80),
        "region_name": parse.text("GOR (name)", 60),
        "open_date": parse.date("OpenDate"),
        "close_date": parse.date("CloseDate"),
    }


LOCATION_FIELDS = ("easting", "northing", "district_code", "la_code")


def _fill_locations(schools: list[dict], existing: dict[int, tuple]) -> int:
    """Fill missing grid position, district and authority; return how many needed the index.

    A school already in the register at the same postcode keeps the place found before, so a
    re-import does not look up the postcodes again.
    """
    postcode_at = COMPARED_FIELDS.index("postcode")
    stored_at = [COMPARED_FIELDS.index(name) for name in LOCATION_FIELDS]
    to_locate = []
    for school in schools:
        if not school["postcode"] or all(school[name] for name in LOCATION_FIELDS):
            continue
        before = existing.get(school["urn"])
        if before is not None and before[postcode_at] == school["postcode"]:
            for name, position in zip(LOCATION_FIELDS, stored_at, strict=True):
                school[name] = school[name] or before[position]
        else:
            to_locate.append(school)
    index = get_postcode_index()
    authority_of = dict(District.objects.values_list("code", "local_authority_id"))
    located = 0
    # Sorted by postcode so each outcode's block of the index is decoded once.
    for school in sorted(to_locate, key=lambda school: school["postcode"]):
        place = index.locate_postcode(school["postcode"])
        if place is None:
            continue
        if school["easting"] is None or school["northing"] is None:
            school["easting"], school["northing"] = place.easting, place.northing
        school["district_code"] = school["district_code"] or place.district_code
        school["la_code"] = school["la_code"] or authority_of.get(place.district_code, "")
        located += 1
    return located


def read_schools(path: Path, progress: ProgressCallback | None = None) -> list[dict]:
    """Read and check a whole GIAS file; raise ImportFileError at the first bad row."""

    def parse(rows: Iterator[tuple[int, dict[str, str]]]) -> list[dict]:
        schools = []
        first_line_of: dict[int, int] = {}
        for count, (line, row) in enumerate(rows, start=1):
            school = parse_school_row(line, row)
            urn = school["urn"]
            if urn in first_line_of:
                raise ImportFileError(
                    f"URN {urn} appears again (first on line {first_line_of[urn]})",
                    line=line,
                    column="URN",
                )
            first_line_of[urn] = line
            schools.append(school)
            if progress and count % 1000 == 0:
                progress(1000)
        if progress:
            progress(len(schools) % 1000)
        return schools

    return _parse_file(path, REQUIRED_COLUMNS, parse)


def read_successor_links(path: Path) -> dict[int, int]:
    """Return {closed URN: successor URN} from a GIAS links file."""

    def parse(rows: Iterator[tuple[int, dict[str, str]]]) -> dict[int, int]:
        links: dict[int, tuple[datetime.date, int]] = {}
        for line, row in rows:
            if not row["LinkType"].strip().lower().startswith("successor"):
                continue
            parser = _RowParser(line, row)
            urn = parser.integer("URN", required=True)
            successor = parser.integer("LinkURN", required=True)
            established = parser.date("LinkEstablishedDate") or datetime.date.min
            # Where a school has several successors, the most recent link wins.
            if urn not in links or established >= links[urn][0]:
                links[urn] = (established, successor)
        return {urn: successor for urn, (_, successor) in links.items()}

    return _parse_file(path, ("URN", "LinkURN", "LinkType"), parse)


def import_schools(
    *, path: Path, links_path: Path | None = None, progress: ProgressCallback | None = None
) -> ImportResult:
    """Upsert the register from a GIAS file by URN and link closed schools to successors."""
    incoming = read_schools(path, progress)
    links = read_successor_links(links_path) if links_path else {}
    result = ImportResult(rows=len(incoming))
    result.phase_from_census = sum(s["phase_source"] == PhaseSource.CENSUS for s in incoming)

    existing = {
        values[0]: values[1:]
        for values in School.objects.values_list("urn", *COMPARED_FIELDS, "successor_id")
    }
    result.located_from_postcode = _fill_locations(incoming, existing)
    to_create, to_update = [], []
    for values in incoming:
        before = existing.get(values["urn"])
        after = tuple(values[name] for name in COMPARED_FIELDS)
        if before is None:
            to_create.append(School(**values))
            result.closed += values["status"] == SchoolStatus.CLOSED
        elif before[:-1] != after:
            to_update.append(values)
            was_closed = before[COMPARED_FIELDS.index("status")] == SchoolStatus.CLOSED
            result.closed += values["status"] == SchoolStatus.CLOSED and not was_closed
        else:
            result.unchanged += 1
    now = timezone.now()
    for school in to_create:
        school.imported_at = school.updated_at = now
    for batch in _batches(to_create):
        with transaction.atomic():
            School.objects.bulk_create(batch)
    for batch in _batches(to_update):
        with transaction.atomic():
            _update_schools(batch, now)
    result.created, result.updated = len(to_create), len(to_update)
    result.successors_linked = _link_successors(
        links, existing, {values["urn"] for values in incoming}
    )
    if to_create or to_update:
        tidy_search_indexes()
    SchoolImport.objects.create(
        file_name=path.name,
        rows=result.rows,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        closed=result.closed,
        successors_linked=result.successors_linked,
        phase_from_census=result.phase_from_census,
    )
    return result


# PostgreSQL's GIN indexes take new entries into a pending list that every search reads in
# full until VACUUM merges it: after the first import that list was 343 pages, and reading it
# took 4.7 ms of each 5.4 ms name search.
SEARCH_INDEXES = ("school_search_text_words", "school_search_text_trgm")


def tidy_search_indexes() -> None:
    """Merge the name search indexes' pending entries and refresh the planner's statistics."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for index in SEARCH_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute(f"ANALYZE {connection.ops.quote_name(School._meta.db_table)}")


def _link_successors(links: dict[int, int], existing: dict, incoming_urns: set[int]) -> int:
    """Point closed schools at their successors; return how many links changed."""
    if not links:
        return 0
    present = incoming_urns | existing.keys()
    current = {urn: values[-1] for urn, values in existing.items()}
    changes = [
        School(urn=urn, successor_id=successor)
        for urn, successor in links.items()
        if urn in present
        and successor in present
        and urn != successor
        and current.get(urn) != successor
    ]
    for batch in _batches(changes):
        with transaction.atomic():
            School.objects.bulk_update(batch, ["successor"])
    return len(changes)


def _batches(items: list) -> Iterator[list]:
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]


def _update_schools(schools: list[dict], now: datetime.datetime) -> None:
    """Write the imported fields of schools already in the register.

    One prepared UPDATE run for every row: bulk_update's CASE WHEN over 27 columns took three
    minutes for a register where everything changed, against seconds for this.
    """
    quote = connection.ops.quote_name
    fields = [School._meta.get_field(name) for name in (*COMPARED_FIELDS, "updated_at")]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    # Table and column names come from the model, never from the file.
    sql = f"UPDATE {quote(School._meta.db_table)} SET {assignments} WHERE {quote('urn')} = %s"  # noqa: S608
    rows = [
        [
            field.get_db_prep_save(
                now if field.name == "updated_at" else school[field.name], connection
            )
            for field in fields
        ]
        + [school["urn"]]
        for school in schools
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
