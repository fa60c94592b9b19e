"""Build src/cpdnet/schools/data/postcodes.zip from the ONSPD England extract.

    python scripts/build_postcode_index.py ../shared/data/onspd_nov2025_england_postcodes.csv.gz

Source: Office for National Statistics licensed under the Open Government Licence v3.0.
Contains OS data (c) Crown copyright and database right. Contains Royal Mail data (c) Royal Mail
copyright and database right. Format: see cpdnet.schools.postcodes.
"""

import argparse
import csv
import gzip
import zipfile
from collections import defaultdict
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "src/cpdnet/schools/data/postcodes.zip"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("onspd_csv_gz", type=Path)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()

    blocks: dict[str, list[tuple[str, int, int, str]]] = defaultdict(list)
    with gzip.open(args.onspd_csv_gz, "rt", encoding="utf-8") as source:
        for row in csv.DictReader(source):
            outcode, incode = row["postcode"].split(" ")
            blocks[outcode].append(
                (incode, int(row["easting"]), int(row["northing"]), row["lad25_code"])
            )

    with zipfile.ZipFile(args.output, "w", compression=zipfile.ZIP_LZMA) as archive:
        for outcode in sorted(blocks):
            rows = sorted(blocks[outcode])
            districts = sorted({district for *_, district in rows})
            lines = [" ".join(districts)]
            easting = northing = 0
            for incode, row_easting, row_northing, district in rows:
                line = f"{incode} {row_easting - easting} {row_northing - northing}"
                if len(districts) > 1:
                    line += f" {districts.index(district)}"
                lines.append(line)
                easting, northing = row_easting, row_northing
            archive.writestr(outcode, "\n".join(lines))
    print(f"wrote {args.output} ({len(blocks)} outcodes)")


if __name__ == "__main__":
    main()
