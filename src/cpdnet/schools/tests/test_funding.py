"""Establishment funding: the truth table over every GIAS establishment type.

`establishment_funding_cases.csv` has one row per type (and further education type) present in
GIAS (../shared/data/gias_establishment_types_20250422.csv), then rows where GIAS leaves the
type blank and the school census type decides.
"""

import csv
from pathlib import Path

import pytest

from cpdnet.schools.funding import classify_establishment, is_state_funded
from cpdnet.schools.importer import import_schools
from cpdnet.schools.models import FundingCategory, School

from .gias_files import school_row, write_gias_csv

TABLE = Path(__file__).with_name("establishment_funding_cases.csv")
GIAS_TYPES = Path("/work/shared/data/gias_establishment_types_20250422.csv")
STATE_FUNDED = {"yes": True, "no": False, "unknown": None}


def _cases() -> list[dict]:
    with TABLE.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


CASES = _cases()


def _case_id(row: dict) -> str:
    parts = [row["type_group"], row["type_name"], row["further_education_type"], row["census_type"]]
    return " / ".join(part for part in parts if part) or "nothing known"


@pytest.mark.parametrize("row", CASES, ids=[_case_id(row) for row in CASES])
def test_establishment_is_classified_as_the_table_says(row):
    # Given an establishment's GIAS type group, type and census type
    # When it is classified
    category = classify_establishment(
        type_group=row["type_group"], type_name=row["type_name"], census_type=row["census_type"]
    )

    # Then its category and state funding are those in the table
    assert category == FundingCategory(row["expected_category"])
    assert is_state_funded(category) is STATE_FUNDED[row["expected_state_funded"]]


def test_table_covers_every_gias_establishment_type():
    # Given every establishment type GIAS lists (a new type must get a row in the table)
    assert GIAS_TYPES.exists(), f"{GIAS_TYPES} is missing: ../shared/data must be available"
    with GIAS_TYPES.open(newline="", encoding="utf-8") as file:
        gias = {
            (
                row["establishment-type-group-name"],
                row["type-of-establishment-name"],
                row["further-education-type-name-applicable"],
            )
            for row in csv.DictReader(file)
        }

    # Then the table has a row for each of them
    table = {(row["type_group"], row["type_name"], row["further_education_type"]) for row in CASES}
    assert gias - table == set()
    assert len(gias) == 50


def test_colleges_academies_and_state_schools_are_the_state_funded_categories():
    funded = {category for category in FundingCategory if is_state_funded(category)}

    assert funded == {
        FundingCategory.STATE_SCHOOL,
        FundingCategory.ACADEMY,
        FundingCategory.COLLEGE,
    }


@pytest.mark.django_db
def test_import_stores_a_college_as_state_funded(tmp_path):
    # Given a sixth-form college in the register
    row = school_row(
        130001,
        "Riverside Sixth Form College",
        **{
            "EstablishmentTypeGroup (name)": "Colleges",
            "TypeOfEstablishment (name)": "Further education",
        },
    )

    # When it is imported
    import_schools(path=write_gias_csv(tmp_path / "edubasealldata.csv", [row]))

    # Then it is stored as a state-funded college
    school = School.objects.get(urn=130001)
    assert (school.funding_category, school.is_state_funded) == (FundingCategory.COLLEGE, True)
