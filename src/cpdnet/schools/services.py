"""Writes for the schools register's reference data."""

import csv
from pathlib import Path

from .models import District, LocalAuthority

DISTRICTS_CSV = Path(__file__).resolve().parent / "data" / "england_districts_2025.csv"


def load_local_authorities(*, local_authority_model=LocalAuthority, district_model=District) -> int:
    """Load England's authorities and districts (ONS LAD 2025) if missing; return districts.

    Migrations pass their historical models; everything else uses the defaults.
    """
    with DISTRICTS_CSV.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    authorities = {
        row["la_code_dfe"]: local_authority_model(
            code=row["la_code_dfe"],
            ons_code=row["la_code_ons"],
            name=row["la_name"],
            region_code=row["region_code"],
            region_name=row["region_name"],
        )
        for row in rows
    }
    local_authority_model.objects.bulk_create(authorities.values(), ignore_conflicts=True)
    district_model.objects.bulk_create(
        [
            district_model(
                code=row["lad25_code"], name=row["lad_name"], local_authority_id=row["la_code_dfe"]
            )
            for row in rows
        ],
        ignore_conflicts=True,
    )
    return len(rows)
