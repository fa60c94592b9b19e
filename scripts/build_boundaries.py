"""Build src/cpdnet/hubs/data/local_authorities.json: England's upper-tier authorities, compact.

    python scripts/build_boundaries.py ../shared/data/england_upper_tier_la_2025.geojson

Keeps the DfE code, name and rings of each authority with coordinates rounded to 3 decimal
places (about 100 m; the source is super-generalised anyway) and repeated points dropped.
Source: Office for National Statistics licensed under the Open Government Licence v3.0.
Contains OS data (c) Crown copyright and database right.
"""

import argparse
import json
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "src/cpdnet/hubs/data/local_authorities.json"


def compact_ring(ring: list[list[float]]) -> list[list[float]]:
    points: list[list[float]] = []
    for lon, lat in ring:
        point = [round(lon, 3), round(lat, 3)]
        if not points or points[-1] != point:
            points.append(point)
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("geojson", type=Path)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    features = json.loads(args.geojson.read_text(encoding="utf-8"))["features"]
    authorities = []
    for feature in features:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        rings = [compact_ring(ring) for polygon in polygons for ring in polygon]
        authorities.append(
            {
                "code": feature["properties"]["la_code_dfe"],
                "name": feature["properties"]["la_name"],
                "rings": [ring for ring in rings if len(ring) >= 4],
            }
        )
    payload = {
        "attribution": (
            "Source: Office for National Statistics licensed under the Open Government Licence "
            "v3.0. Contains OS data (c) Crown copyright and database right."
        ),
        "authorities": sorted(authorities, key=lambda authority: authority["code"]),
    }
    args.output.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {args.output} ({len(authorities)} authorities)")


if __name__ == "__main__":
    main()
