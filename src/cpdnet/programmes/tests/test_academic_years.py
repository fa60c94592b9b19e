import datetime

import pytest
from django.http import QueryDict
from django.utils import timezone

from cpdnet.programmes.academic_years import academic_year_of, requested_academic_year


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (datetime.date(2026, 8, 31), 2025),
        (datetime.date(2026, 9, 1), 2026),
        (datetime.date(2027, 1, 15), 2026),
    ],
)
def test_a_year_runs_from_september_to_august(day, year):
    assert academic_year_of(day) == year


@pytest.mark.parametrize("query", ["", "year=", "year=next", "year=1999", "year=2101"])
def test_a_missing_or_implausible_year_means_this_one(query):
    this_year = academic_year_of(timezone.localdate())
    assert requested_academic_year(QueryDict(query)) == this_year


def test_a_plausible_year_is_taken_as_asked():
    assert requested_academic_year(QueryDict("year=2019")) == 2019
