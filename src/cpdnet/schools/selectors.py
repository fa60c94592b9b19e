"""Reads of the schools register."""

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from django.db import connection
from django.db.models import BooleanField, Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from .models import LocalAuthority, School, SchoolStatus
from .postcodes import Place, get_postcode_index, looks_like_outcode, looks_like_postcode
from .search import query_words, search_text

NEAREST_SCHOOLS_RADIUS_METRES = 10_000
# Half the side of the first square searched for nearest schools; elsewhere the square doubles
# (see list_nearest_schools). At 2.5 km, 65% of 577 postcodes and outcodes of open schools
# are answered by the first query (at 1.25 km, 21%): a query less is a round trip less on
# PostgreSQL, and the wider square reads a few hundred index entries at most.
NEAREST_SCHOOLS_FIRST_HALF_WIDTH_METRES = 2_500


@dataclass(frozen=True)
class SchoolQuery:
    """What a search box text means: a URN, a postcode, an outcode or words of a name."""

    kind: str  # "urn", "postcode", "outcode", "name" or "empty"
    text: str


def classify_query(text: str) -> SchoolQuery:
    text = (text or "").strip()[:100]
    if not text:
        return SchoolQuery("empty", "")
    if text.isascii() and text.isdigit() and len(text) <= 7:
        return SchoolQuery("urn", text)
    if looks_like_postcode(text):
        return SchoolQuery("postcode", text)
    if looks_like_outcode(text) and get_postcode_index().has_outcode(text.replace(" ", "").upper()):
        return SchoolQuery("outcode", text)
    return SchoolQuery("name", text)


def _word_condition(word: str) -> Q:
    # Names store "St" as "saint"; a typed "st" may mean Saint or start "Stoke".
    condition = Q(search_text__contains=f" {word}")
    if word == "st":
        condition |= Q(search_text__contains=" saint ")
    return condition


def _match_terms(words: list[str], vendor: str) -> str:
    """The full-text query of typed words for the database's index (see _words_condition)."""
    if vendor == "sqlite":
        return " AND ".join('("st"* OR "saint")' if w == "st" else f'"{w}"*' for w in words)
    return " & ".join("(st:* | saint)" if w == "st" else f"{w}:*" for w in words)


def _words_condition(words: list[str]) -> Q | RawSQL:
    """Schools whose search text has a word starting with each typed word.

    Through the database's full-text index (see migration schools 0005): SQLite's FTS5 table
    and PostgreSQL's tsvector index both match word prefixes; other databases scan with LIKE.
    The words are [a-z0-9] only (search.query_words), so they need no quoting beyond this.
    """
    vendor = connection.vendor
    if vendor == "sqlite":
        matching = "SELECT rowid FROM school_search WHERE school_search MATCH %s"
        terms = [_match_terms(words, vendor)]
        return Q(urn__in=RawSQL(matching, terms))  # noqa: S611 - the terms are a parameter
    if vendor == "postgresql":
        column = f"{School._meta.db_table}.search_text"
        return RawSQL(  # noqa: S611 - a parameter; the column name is from the model
            f"to_tsvector('simple', {column}) @@ to_tsquery('simple', %s)",
            [_match_terms(words, vendor)],
            output_field=BooleanField(),
        )
    condition = Q()
    for word in words:
        condition &= _word_condition(word)
    return condition


def list_schools_matching(text: str) -> QuerySet[School]:
    """Return schools whose name or town has every typed word (as a word start), or the URN.

    Open schools come first, then exact and leading matches of the name, then by name.
    """
    query = classify_query(text)
    schools = School.objects.all()
    if query.kind == "empty":
        return schools.none()
    if query.kind == "urn":
        return schools.filter(urn=int(query.text))
    words = query_words(query.text)
    if not words:
        return schools.none()
    typed = search_text(" ".join(words))
    return (
        schools.filter(_words_condition(words))
        .annotate(
            closed_rank=Case(
                When(status=SchoolStatus.CLOSED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            match_rank=Case(
                When(search_text__startswith=f"{typed}/", then=Value(0)),
                When(search_text__startswith=typed.rstrip(), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("closed_rank", "match_rank", "name", "urn")
    )


@dataclass(frozen=True)
class SchoolSearchPage:
    """One page of a name search: the schools on it (as dicts of SEARCH_RESULT_FIELDS) and
    how many match in all."""

    count: int
    schools: list[dict]


# What a line of search results shows (the API's SchoolOut without its link).
SEARCH_RESULT_FIELDS = (
    "urn", "name", "status", "town", "postcode", "la_code", "la_name", "phase", "is_state_funded",
)  # fmt: skip


@lru_cache(maxsize=2)
def _search_sql(vendor: str) -> str:
    table = School._meta.db_table
    if vendor == "sqlite":
        matching = "urn IN (SELECT rowid FROM school_search WHERE school_search MATCH %s)"
    else:
        matching = "to_tsvector('simple', search_text) @@ to_tsquery('simple', %s)"
    columns = ", ".join(School._meta.get_field(name).column for name in SEARCH_RESULT_FIELDS)
    # list_schools_matching's ranking, written out; COUNT(*) OVER () gives the total with the
    # page, so the full-text index is read once, not once for the page and again to count.
    return (
        f"SELECT {columns}, COUNT(*) OVER () FROM {table} WHERE {matching} "  # noqa: S608 - names from the model
        "ORDER BY CASE WHEN status = %s THEN 1 ELSE 0 END, "
        "CASE WHEN search_text LIKE %s ESCAPE '\\' THEN 0 "
        "WHEN search_text LIKE %s ESCAPE '\\' THEN 1 ELSE 2 END, name, urn LIMIT %s OFFSET %s"
    )


def search_schools(text: str, *, offset: int, limit: int) -> SchoolSearchPage:
    """Return a page of list_schools_matching(text), in its order, with the total.

    The search pages' hot path: one query of plain SQL built once (the ORM expressions of
    the ranking cost more to build than the query to run) through the full-text index.
    A URN, or a database without a full-text index, goes through list_schools_matching.
    """
    query = classify_query(text)
    words = query_words(query.text) if query.kind == "name" else []
    if not words or connection.vendor not in {"sqlite", "postgresql"}:
        schools = list_schools_matching(text).values(*SEARCH_RESULT_FIELDS)
        return SchoolSearchPage(schools.count(), list(schools[offset : offset + limit]))
    typed = search_text(" ".join(words))
    terms = _match_terms(words, connection.vendor)
    parameters = [terms, SchoolStatus.CLOSED, f"{typed}/%", f"{typed.rstrip()}%", limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(_search_sql(connection.vendor), parameters)
        rows = cursor.fetchall()
    if not rows:
        # Past the last page (or nothing found): the total is not in any row.
        count = 0 if offset == 0 else list_schools_matching(text).count()
        return SchoolSearchPage(count, [])
    schools = []
    for row in rows:
        school = dict(zip(SEARCH_RESULT_FIELDS, row[:-1], strict=True))
        if school["is_state_funded"] is not None:  # SQLite gives 0 or 1
            school["is_state_funded"] = bool(school["is_state_funded"])
        schools.append(school)
    return SchoolSearchPage(rows[0][-1], schools)


API_SCHOOL_FIELDS = (
    "urn", "name", "status", "town", "postcode", "la_code", "la_name", "phase",
    "is_state_funded", "type_name", "type_group", "district_code", "region_name", "pupils",
    "percentage_fsm", "open_date", "close_date", "successor_id",
)  # fmt: skip


@lru_cache(maxsize=1)
def _school_values_sql() -> str:
    table = School._meta.db_table
    columns = ", ".join(
        School._meta.get_field(name.removesuffix("_id")).column for name in API_SCHOOL_FIELDS
    )
    return f"SELECT {columns} FROM {table} WHERE urn = %s"  # noqa: S608 - names from the model


def get_school_values(urn: int) -> dict | None:
    """Return the API's fields of one school, or None.

    The API's hot path: plain SQL built once from the model, because building an ORM query
    costs more than running it.
    """
    with connection.cursor() as cursor:
        cursor.execute(_school_values_sql(), [urn])
        row = cursor.fetchone()
    if row is None:
        return None
    values = dict(zip(API_SCHOOL_FIELDS, row, strict=True))
    # SQLite hands back 0/1, numbers and ISO strings where PostgreSQL gives bool, Decimal, date.
    if values["is_state_funded"] is not None:
        values["is_state_funded"] = bool(values["is_state_funded"])
    if values["percentage_fsm"] is not None:
        values["percentage_fsm"] = float(values["percentage_fsm"])
    for name in ("open_date", "close_date"):
        if values[name] is not None:
            values[name] = str(values[name])
    return values


def get_school(urn: int) -> School:
    """Return one school with its successor loaded, or raise School.DoesNotExist."""
    return School.objects.select_related("successor").get(urn=urn)


def locate(query: SchoolQuery) -> Place | None:
    """Return the place of a postcode or outcode query, or None if it is not in England."""
    index = get_postcode_index()
    if query.kind == "postcode":
        return index.locate_postcode(query.text)
    if query.kind == "outcode":
        return index.locate_outcode(query.text)
    return None


class NearbySchool(NamedTuple):
    """An open school near a place: what find your hub lists of it."""

    urn: int
    name: str
    postcode: str


def list_nearest_schools(place: Place, *, limit: int = 10) -> list[tuple[NearbySchool, int]]:
    """Return the open schools nearest a place (at most 10 km east-west and north-south away)
    with their distance in metres, nearest first.

    Each query reads a square around the place through the open schools' grid index. The square
    starts small and doubles until it holds `limit` schools with the farthest of them no
    farther than its half-width: a school outside the square is then farther than every school
    returned, so the answer is exactly the nearest ones. Most places need one query of a few
    dozen index entries; a remote place needs up to four.
    """
    half_width = NEAREST_SCHOOLS_FIRST_HALF_WIDTH_METRES
    while True:
        rows = _nearest_schools_in_square(place, half_width=half_width, limit=limit)
        complete = len(rows) == limit and rows[-1][3] <= half_width**2
        if complete or half_width >= NEAREST_SCHOOLS_RADIUS_METRES:
            return [
                (NearbySchool(urn, name, postcode), round(distance_squared**0.5))
                for urn, name, postcode, distance_squared in rows
            ]
        half_width = min(2 * half_width, NEAREST_SCHOOLS_RADIUS_METRES)


@lru_cache(maxsize=1)
def _nearest_schools_sql() -> str:
    table = School._meta.db_table
    return (
        f"SELECT urn, name, postcode, "  # noqa: S608 - names from the model
        f"(easting - %s) * (easting - %s) + (northing - %s) * (northing - %s) AS distance_squared "
        f"FROM {table} WHERE status IN (%s, %s) AND easting BETWEEN %s AND %s "
        f"AND northing BETWEEN %s AND %s ORDER BY distance_squared, urn LIMIT %s"
    )


def _nearest_schools_in_square(place: Place, *, half_width: int, limit: int) -> list[tuple]:
    """The open schools in a square around a place: (urn, name, postcode, distance squared),
    nearest first.

    Plain SQL built once, as the page's hot path: building the ORM query (an annotation of
    four expressions) cost several times more than running it through the status_grid index.
    Plain rows, not model instances: making them was a tenth of the page.
    """
    east, north = place.easting, place.northing
    parameters = [east, east, north, north, *SchoolStatus.open_values()]
    parameters += [east - half_width, east + half_width, north - half_width, north + half_width]
    with connection.cursor() as cursor:
        cursor.execute(_nearest_schools_sql(), [*parameters, limit])
        return cursor.fetchall()


def open_state_funded_q(school: str = "") -> Q:
    """Return the condition on a school for being open and state-funded. `school` is the path
    to the school from the model queried (`"school__"` from an application), "" for schools."""
    return Q(
        **{f"{school}status__in": SchoolStatus.open_values(), f"{school}is_state_funded": True}
    )


def list_open_state_funded_schools() -> QuerySet[School]:
    """Return the open, state-funded schools (those reach and PD leadership capacity count)."""
    return School.objects.filter(open_state_funded_q())


def list_local_authorities() -> QuerySet[LocalAuthority]:
    return LocalAuthority.objects.order_by("name")
