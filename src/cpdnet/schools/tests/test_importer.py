"""Importing the GIAS register: counts, encodings, all-or-nothing errors, successors, places."""

import datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from cpdnet.schools import importer as importer_module
from cpdnet.schools.importer import ImportFileError, import_schools
from cpdnet.schools.models import PhaseSource, School, SchoolImport, SchoolStatus
from cpdnet.schools.selectors import search_schools
from tests.factories import SchoolFactory

from .gias_files import GIAS_COLUMNS, csv_text, school_row, write_gias_csv, write_links_csv

GIAS_SAMPLE_2017 = Path("/work/shared/data/gias_edubasealldata_format_sample_2017.csv")


def three_schools() -> list[dict[str, str]]:
    return [
        school_row(100001, "Oakwood Primary School"),
        school_row(
            100002,
            "Beech Hill Academy",
            **{
                "TypeOfEstablishment (name)": "Academy converter",
                "EstablishmentTypeGroup (name)": "Academies",
                "PhaseOfEducation (name)": "Secondary",
                "CensusSchoolType2019": "State-funded secondary",
                "Trusts (name)": "White Rose Learning Trust",
                "OpenDate": "01-09-2012",
                "StatutoryLowAge": "11",
                "StatutoryHighAge": "18",
                "NumberOfPupils": "1180",
                "PercentageFSM": "23.4",
            },
        ),
        school_row(
            100003,
            "Castle Mount School",
            **{"EstablishmentStatus (name)": "Open, but proposed to close"},
        ),
    ]


def snapshot_of_the_register() -> tuple[list[dict], int]:
    return list(School.objects.order_by("urn").values()), SchoolImport.objects.count()


@pytest.mark.django_db
def test_importing_a_new_file_creates_every_school_from_the_known_columns(tmp_path):
    path = write_gias_csv(tmp_path / "edubasealldata20250422.csv", three_schools())

    result = import_schools(path=path)

    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    assert result.changed_anything is True
    academy = School.objects.get(urn=100002)
    assert academy.name == "Beech Hill Academy"
    assert academy.search_text == f" beech hill academy / {academy.town.lower()} "
    assert academy.status == SchoolStatus.OPEN
    assert academy.la_code == "383"
    assert academy.la_name == "Leeds"
    assert academy.type_name == "Academy converter"
    assert academy.type_group == "Academies"
    assert academy.phase == "Secondary"
    assert academy.phase_source == PhaseSource.GIAS
    assert (academy.statutory_low_age, academy.statutory_high_age) == (11, 18)
    assert academy.pupils == 1180
    assert academy.percentage_fsm == Decimal("23.4")
    assert academy.trust_name == "White Rose Learning Trust"
    assert academy.open_date == datetime.date(2012, 9, 1)
    assert academy.close_date is None
    assert (academy.postcode, academy.town) == ("LS1 4AP", "Leeds")
    assert (academy.easting, academy.northing) == (430000, 433000)
    assert academy.district_code == "E08000035"
    assert School.objects.get(urn=100003).status == SchoolStatus.OPEN_PROPOSED_TO_CLOSE


@pytest.mark.django_db
def test_each_import_is_recorded_with_its_counts(tmp_path):
    path = write_gias_csv(tmp_path / "edubasealldata20250422.csv", three_schools())

    import_schools(path=path)

    record = SchoolImport.objects.get()
    assert record.file_name == "edubasealldata20250422.csv"
    assert (record.rows, record.created, record.updated, record.unchanged) == (3, 3, 0, 0)


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = write_gias_csv(tmp_path / "edubasealldata.csv", three_schools())
    import_schools(path=path)
    before, _ = snapshot_of_the_register()

    result = import_schools(path=path)

    assert (result.created, result.updated, result.unchanged, result.closed) == (0, 0, 3, 0)
    assert result.changed_anything is False
    after, _ = snapshot_of_the_register()
    assert after == before  # not even updated_at moved


@pytest.mark.django_db
def test_an_edited_row_counts_as_updated_and_the_others_as_unchanged(tmp_path):
    rows = three_schools()
    import_schools(path=write_gias_csv(tmp_path / "first.csv", rows))
    rows[0]["NumberOfPupils"] = "215"
    rows[0]["EstablishmentName"] = "Oakwood Primary School and Nursery"

    result = import_schools(path=write_gias_csv(tmp_path / "second.csv", rows))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert result.changed_anything is True
    oakwood = School.objects.get(urn=100001)
    assert oakwood.pupils == 215
    assert oakwood.name == "Oakwood Primary School and Nursery"
    assert oakwood.search_text == f" oakwood primary school and nursery / {oakwood.town.lower()} "


@pytest.mark.django_db
def test_a_school_whose_status_becomes_closed_counts_as_newly_closed_once(tmp_path):
    rows = three_schools()
    import_schools(path=write_gias_csv(tmp_path / "open.csv", rows))
    rows[1]["EstablishmentStatus (name)"] = "Closed"
    rows[1]["CloseDate"] = "31-08-2024"
    closing = write_gias_csv(tmp_path / "closed.csv", rows)

    first = import_schools(path=closing)
    again = import_schools(path=closing)

    assert (first.updated, first.closed) == (1, 1)
    assert (again.updated, again.closed) == (0, 0)
    academy = School.objects.get(urn=100002)
    assert academy.status == SchoolStatus.CLOSED
    assert academy.close_date == datetime.date(2024, 8, 31)


@pytest.mark.django_db
def test_a_school_that_is_already_closed_when_first_imported_counts_as_closed(tmp_path):
    rows = [school_row(100009, "Old Mill School", **{"EstablishmentStatus (name)": "Closed"})]

    result = import_schools(path=write_gias_csv(tmp_path / "edubasealldata.csv", rows))

    assert (result.created, result.closed) == (1, 1)


WELSH_NAME = "Ysgol Gymraeg Caerffili \u2014 Ffion\u2019s"  # em dash and curly apostrophe


@pytest.mark.parametrize(
    ("file_name", "encoding"),
    [
        ("edubasealldata.csv", "cp1252"),
        ("edubasealldata.csv", "utf-8-sig"),
        ("edubasealldata.csv", "utf-8"),
        ("edubasealldata.csv.gz", "utf-8"),
        ("edubasealldata.csv.gz", "cp1252"),
    ],
)
@pytest.mark.django_db
def test_files_in_each_published_encoding_import_with_the_right_names(
    tmp_path, file_name, encoding
):
    rows = [school_row(100010, WELSH_NAME, Town="Caerffili"), school_row(100011, "Plain School")]
    path = write_gias_csv(tmp_path / file_name, rows, encoding=encoding)

    result = import_schools(path=path)

    assert result.created == 2
    school = School.objects.get(urn=100010)
    assert school.name == WELSH_NAME
    assert school.search_text == " ysgol gymraeg caerffili ffions / caerffili "
    assert School.objects.get(urn=100011).name == "Plain School"


def test_the_windows_1252_test_file_is_not_valid_utf8(tmp_path):
    # Guards the test above: a cp1252 file that happened to be valid UTF-8 would prove nothing.
    path = write_gias_csv(
        tmp_path / "edubasealldata.csv", [school_row(1, WELSH_NAME)], encoding="cp1252"
    )

    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")


def _bad_file_changing_a_good_row(tmp_path: Path, spoil) -> Path:
    """A file that renames school 100001 (line 2), adds 100004 (line 3), then goes wrong."""
    rows = three_schools()
    rows[0]["EstablishmentName"] = "Oakwood Primary School RENAMED"
    rows[1] = school_row(100004, "Brand New School")
    rows[2] = school_row(100002, "Beech Hill Academy")
    text = spoil(rows)
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return path


def _with_row_4(**changes):
    def spoil(rows):
        rows[2].update(changes)
        return csv_text(rows)

    return spoil


def _line_4_with_an_extra_field(rows):
    lines = csv_text(rows).split("\r\n")
    lines[3] += ',"surplus"'
    return "\r\n".join(lines)


def _line_4_with_a_missing_field(rows):
    lines = csv_text(rows).split("\r\n")
    lines[3] = lines[3].rsplit(",", 1)[0]
    return "\r\n".join(lines)


def _without_the_urn_column(rows):
    return csv_text(rows, columns=tuple(c for c in GIAS_COLUMNS if c != "URN"))


@pytest.mark.parametrize(
    ("spoil", "line", "column", "explanation"),
    [
        pytest.param(_with_row_4(URN=""), 4, "URN", "empty", id="missing-urn"),
        pytest.param(
            _with_row_4(NumberOfPupils="about 200"),
            4,
            "NumberOfPupils",
            "'about 200' is not a whole number",
            id="pupils-not-a-number",
        ),
        pytest.param(
            _with_row_4(OpenDate="31-02-2024"), 4, "OpenDate", "'31-02-2024'", id="bad-date"
        ),
        pytest.param(_with_row_4(URN="100001"), 4, "URN", "first on line 2", id="duplicate-urn"),
        pytest.param(_line_4_with_an_extra_field, 4, None, "fields", id="too-many-fields"),
        pytest.param(_line_4_with_a_missing_field, 4, None, "fields", id="too-few-fields"),
        pytest.param(_without_the_urn_column, 1, None, "'URN'", id="header-without-urn"),
    ],
)
@pytest.mark.django_db
def test_a_bad_file_names_the_line_and_column_and_leaves_the_register_unchanged(
    tmp_path, spoil, line, column, explanation
):
    import_schools(path=write_gias_csv(tmp_path / "good.csv", three_schools()))
    before = snapshot_of_the_register()
    bad = _bad_file_changing_a_good_row(tmp_path, spoil)

    with pytest.raises(ImportFileError) as raised:
        import_schools(path=bad)

    error = raised.value
    assert (error.line, error.column) == (line, column)
    assert str(error).startswith(f"line {line}")
    if column:
        assert f"column '{column}'" in str(error)
    assert explanation in str(error)
    assert snapshot_of_the_register() == before
    assert School.objects.get(urn=100001).name == "Oakwood Primary School"
    assert not School.objects.filter(urn=100004).exists()


@pytest.mark.django_db
def test_line_numbers_count_blank_lines_and_lines_inside_quoted_fields(tmp_path):
    rows = three_schools()
    rows[0]["Street"] = "1 School Lane\nOakwood"  # a quoted field over lines 2 and 3
    rows[2]["OpenDate"] = "not a date"
    lines = csv_text(rows).split("\r\n")
    # Header 1, first row 2-3, second row 4, a blank line 5, third row 6.
    text = "\r\n".join([*lines[:3], "", *lines[3:]])
    path = tmp_path / "edubasealldata.csv"
    path.write_text(text, encoding="utf-8", newline="")

    with pytest.raises(ImportFileError) as raised:
        import_schools(path=path)

    assert raised.value.line == 6


@pytest.mark.django_db
def test_a_blank_phase_is_filled_from_the_census_school_type(tmp_path):
    rows = [
        school_row(
            100020,
            "Hillside High",
            **{"PhaseOfEducation (name)": "", "CensusSchoolType2019": "State-funded secondary"},
        ),
        school_row(
            100021,
            "Meadow Nursery",
            **{"PhaseOfEducation (name)": "", "CensusSchoolType2019": "State-funded nursery"},
        ),
        school_row(100022, "Given Phase Primary"),
        school_row(
            100023,
            "No Phase At All",
            **{"PhaseOfEducation (name)": "", "CensusSchoolType2019": ""},
        ),
    ]

    result = import_schools(path=write_gias_csv(tmp_path / "edubasealldata.csv", rows))

    phases = dict(School.objects.values_list("urn", "phase"))
    sources = dict(School.objects.values_list("urn", "phase_source"))
    assert phases == {100020: "Secondary", 100021: "Nursery", 100022: "Primary", 100023: ""}
    assert sources == {
        100020: PhaseSource.CENSUS,
        100021: PhaseSource.CENSUS,
        100022: PhaseSource.GIAS,
        100023: PhaseSource.NONE,
    }
    assert result.phase_from_census == 2


@pytest.mark.parametrize(
    ("type_group", "type_name", "census_type", "state_funded"),
    [
        ("Local authority maintained schools", "Community school", "", True),
        ("Academies", "Academy converter", "", True),
        ("Free Schools", "Free schools", "", True),
        ("Independent schools", "Other independent school", "State-funded primary", False),
        ("Special schools", "Non-maintained special school", "", False),
        ("Colleges", "Further education", "", True),
        ("", "", "State-funded primary", True),
        ("", "", "Pupil referral unit", True),
        ("", "", "Independent school", False),
        ("", "", "Non-maintained special school", False),
        ("", "", "", None),
    ],
)
@pytest.mark.django_db
def test_state_funding_is_derived_from_the_type_group_then_the_census_type(
    tmp_path, type_group, type_name, census_type, state_funded
):
    row = school_row(
        100030,
        "Any School",
        **{
            "EstablishmentTypeGroup (name)": type_group,
            "TypeOfEstablishment (name)": type_name,
            "CensusSchoolType2019": census_type,
        },
    )

    import_schools(path=write_gias_csv(tmp_path / "edubasealldata.csv", [row]))

    assert School.objects.get(urn=100030).is_state_funded is state_funded


def _register_with_a_merger(tmp_path: Path) -> Path:
    return write_gias_csv(
        tmp_path / "edubasealldata.csv",
        [
            school_row(100040, "Old Infants", **{"EstablishmentStatus (name)": "Closed"}),
            school_row(100041, "New Primary"),
            school_row(100042, "Older Successor"),
        ],
    )


def _links_for_the_merger(tmp_path: Path) -> Path:
    return write_links_csv(
        tmp_path / "links_edubasealldata.csv",
        [
            # Newest first, so a "last row wins" reading would pick the older link.
            (100040, 100041, "Successor - merged", "01-09-2020"),
            (100040, 100042, "Successor", "01-09-2015"),
            (100041, 100040, "Predecessor - merged", "01-09-2020"),
            (100040, 999999, "Successor - merged", "01-09-2010"),  # not in the register
        ],
    )


@pytest.mark.django_db
def test_successor_links_point_a_closed_school_at_the_school_that_took_it_over(tmp_path):
    result = import_schools(
        path=_register_with_a_merger(tmp_path), links_path=_links_for_the_merger(tmp_path)
    )

    assert result.successors_linked == 1
    assert School.objects.get(urn=100040).successor_id == 100041
    assert School.objects.get(urn=100041).successor_id is None  # predecessor rows are ignored


@pytest.mark.django_db
def test_reimporting_with_the_same_links_changes_nothing(tmp_path):
    register, links = _register_with_a_merger(tmp_path), _links_for_the_merger(tmp_path)
    import_schools(path=register, links_path=links)

    result = import_schools(path=register, links_path=links)

    assert (result.created, result.updated, result.successors_linked) == (0, 0, 0)
    assert result.unchanged == 3
    assert result.changed_anything is False
    assert School.objects.get(urn=100040).successor_id == 100041


@pytest.mark.django_db
def test_an_edited_school_keeps_its_successor_when_imported_without_links(tmp_path):
    import_schools(
        path=_register_with_a_merger(tmp_path), links_path=_links_for_the_merger(tmp_path)
    )
    rows = [
        school_row(100040, "Old Infants (closed)", **{"EstablishmentStatus (name)": "Closed"}),
        school_row(100041, "New Primary"),
        school_row(100042, "Older Successor"),
    ]

    result = import_schools(path=write_gias_csv(tmp_path / "later.csv", rows))

    assert result.updated == 1
    assert School.objects.get(urn=100040).successor_id == 100041


@pytest.mark.django_db
def test_current_successor_follows_the_chain_to_the_school_that_carries_on():
    today = SchoolFactory()
    middle = SchoolFactory(status=SchoolStatus.CLOSED, successor=today)
    first = SchoolFactory(status=SchoolStatus.CLOSED, successor=middle)

    assert first.current_successor() == today
    assert middle.current_successor() == today
    assert today.current_successor() is None


@pytest.mark.django_db
def test_current_successor_stops_when_the_chain_goes_round_in_a_cycle():
    a = SchoolFactory(status=SchoolStatus.CLOSED)
    b = SchoolFactory(status=SchoolStatus.CLOSED, successor=a)
    a.successor = b
    a.save()
    c = SchoolFactory(status=SchoolStatus.CLOSED)
    d = SchoolFactory(status=SchoolStatus.CLOSED, successor=c)
    e = SchoolFactory(status=SchoolStatus.CLOSED, successor=d)
    c.successor = e
    c.save()
    lead_in = SchoolFactory(status=SchoolStatus.CLOSED, successor=c)

    assert School.objects.get(urn=a.urn).current_successor() == b
    assert School.objects.get(urn=lead_in.urn).current_successor() in {c, d, e}


@pytest.mark.django_db
def test_a_missing_la_code_district_and_grid_position_are_filled_from_the_postcode(tmp_path):
    rows = [
        school_row(
            100050,
            "Postcode Only School",
            **{
                "LA (code)": "",
                "DistrictAdministrative (code)": "",
                "Easting": "",
                "Northing": "",
                "Postcode": "ls14ap",
            },
        ),
        school_row(100051, "Fully Described School", Easting="431000", Northing="434000"),
    ]
    path = write_gias_csv(tmp_path / "edubasealldata.csv", rows)

    result = import_schools(path=path)
    again = import_schools(path=path)

    school = School.objects.get(urn=100050)
    assert school.postcode == "LS1 4AP"
    assert school.la_code == "383"
    assert school.district_code == "E08000035"
    assert abs(school.easting - 430000) < 5000
    assert abs(school.northing - 433000) < 5000
    assert result.located_from_postcode == 1
    described = School.objects.get(urn=100051)
    assert (described.easting, described.northing) == (431000, 434000)
    assert (again.updated, again.unchanged) == (0, 2)


@pytest.mark.django_db
def test_the_real_2017_gias_sample_imports_nine_schools():
    assert GIAS_SAMPLE_2017.exists(), (
        f"{GIAS_SAMPLE_2017} is missing: the shared data directory (../shared/data) must be "
        "checked out next to the repository to run this test"
    )

    result = import_schools(path=GIAS_SAMPLE_2017)

    assert (result.rows, result.created) == (9, 9)
    assert School.objects.count() == 9
    first = School.objects.get(urn=100000)
    assert first.name == "Sir John Cass's Foundation Primary School"
    assert first.la_code == "201"
    assert first.phase == "Primary"
    assert School.objects.get(urn=100004).status == SchoolStatus.CLOSED
    assert result.closed == 1


@pytest.mark.django_db
def test_a_truncated_gz_file_is_reported_as_a_bad_file(tmp_path):
    # An interrupted download leaves a .gz without its end-of-stream marker.
    whole = write_gias_csv(tmp_path / "whole.csv.gz", three_schools())
    truncated = tmp_path / "edubasealldata.csv.gz"
    truncated.write_bytes(whole.read_bytes()[:-40])

    with pytest.raises(ImportFileError):
        import_schools(path=truncated)

    assert not School.objects.exists()


@pytest.mark.django_db
def test_a_number_written_with_non_ascii_digits_is_reported_with_its_line_and_column(tmp_path):
    # "²".isdigit() is True but int("²") fails: the row must be refused, not crash the import.
    rows = three_schools()
    rows[1]["NumberOfPupils"] = "²"
    path = write_gias_csv(tmp_path / "edubasealldata.csv", rows)

    with pytest.raises(ImportFileError) as raised:
        import_schools(path=path)

    assert (raised.value.line, raised.value.column) == (3, "NumberOfPupils")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value", "largest"),
    [
        ("NumberOfPupils", "99999999999999999999", 2_147_483_647),
        ("Easting", "2147483648", 2_147_483_647),
        ("StatutoryHighAge", "40000", 32_767),
        ("URN", "99999999999999999999", 2_147_483_647),
    ],
)
def test_a_number_too_large_for_the_register_is_reported_and_changes_nothing(
    tmp_path, column, value, largest
):
    # Given a register, and a new file with one number larger than the database can hold
    rows = three_schools()
    import_schools(path=write_gias_csv(tmp_path / "first.csv", rows))
    rows[0]["EstablishmentName"] = "Oakwood Primary School RENAMED"
    rows[2][column] = value

    # When it is imported, then the line and column are named, with the largest allowed
    with pytest.raises(ImportFileError) as raised:
        import_schools(path=write_gias_csv(tmp_path / "second.csv", rows))

    assert (raised.value.line, raised.value.column) == (4, column)
    assert raised.value.message == f"'{value}' is too large: the largest allowed is {largest}"
    # And nothing changed, not even the row before the bad one
    assert School.objects.get(urn=100001).name == "Oakwood Primary School"
    assert SchoolImport.objects.count() == 1


@pytest.mark.django_db
def test_a_bad_links_file_is_named_as_the_file_at_fault_and_nothing_changes(tmp_path):
    register = _register_with_a_merger(tmp_path)
    links = write_links_csv(
        tmp_path / "links_edubasealldata.csv",
        [(100040, 100041, "Successor", "01-09-2020"), (100040, "next door", "Successor", "")],
    )

    with pytest.raises(ImportFileError) as raised:
        import_schools(path=register, links_path=links)

    assert raised.value.file_name == "links_edubasealldata.csv"
    assert (raised.value.line, raised.value.column) == (3, "LinkURN")
    assert not School.objects.exists()


@pytest.mark.django_db
def test_the_register_is_written_in_batches_that_each_commit_on_their_own(tmp_path, monkeypatch):
    # Given batches of 2 schools, and a file of 5 new schools
    monkeypatch.setattr("cpdnet.schools.importer.BATCH_SIZE", 2)
    rows = [school_row(100100 + number, f"School {number}") for number in range(5)]
    transactions = []

    def counted_atomic(*args, **kwargs):
        transactions.append(School.objects.count())
        return transaction.atomic(*args, **kwargs)

    monkeypatch.setattr(importer_module, "transaction", SimpleNamespace(atomic=counted_atomic))

    # When it is imported
    import_schools(path=write_gias_csv(tmp_path / "edubasealldata.csv", rows))

    # Then three transactions wrote 2, 2 and 1 schools, each starting after the last ended
    assert transactions == [0, 2, 4]
    assert School.objects.count() == 5


@pytest.mark.django_db
def test_a_reimport_where_every_school_changed_writes_every_field(tmp_path):
    # Given a register
    rows = three_schools()
    import_schools(path=write_gias_csv(tmp_path / "first.csv", rows))
    # When every school changes in every kind of column (text, number, decimal, date, flag)
    for row in rows:
        row["EstablishmentName"] += " Renamed"
        row["NumberOfPupils"] = "321"
        row["PercentageFSM"] = "12.5"
        row["CloseDate"] = "31-08-2026"
        row["EstablishmentStatus (name)"] = "Closed"
        row["TypeOfEstablishment (name)"] = "Other independent school"
        row["EstablishmentTypeGroup (name)"] = "Independent schools"

    result = import_schools(path=write_gias_csv(tmp_path / "second.csv", rows))

    # Then each school has every new value, read back from the database
    assert (result.created, result.updated, result.closed) == (0, 3, 3)
    for school in School.objects.all():
        assert school.name.endswith(" Renamed")
        assert school.search_text.startswith(" " + school.name.lower().split()[0])
        assert (school.pupils, school.percentage_fsm) == (321, Decimal("12.5"))
        assert school.close_date == datetime.date(2026, 8, 31)
        assert (school.status, school.is_state_funded) == (SchoolStatus.CLOSED, False)
    # And a second run finds nothing to change
    again = import_schools(path=write_gias_csv(tmp_path / "third.csv", rows))
    assert (again.updated, again.unchanged) == (0, 3)


@pytest.mark.django_db
def test_an_import_leaves_the_name_search_ready_with_nothing_pending(tmp_path):
    import_schools(path=write_gias_csv(tmp_path / "schools.csv", three_schools()))

    found = search_schools("beech hill", offset=0, limit=20)
    assert [school["urn"] for school in found.schools] == [100002]
    if connection.vendor == "postgresql":
        # A pending GIN entry is read by every search until merged: 4.7 ms a search after
        # the first real import.
        with connection.cursor() as cursor:
            for index in importer_module.SEARCH_INDEXES:
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
                assert cursor.fetchone() == (0,), f"{index} had pages pending"
