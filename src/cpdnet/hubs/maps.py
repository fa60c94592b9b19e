"""Server-rendered SVG maps of England's local authorities.

SVG drawn on the server works without JavaScript, is styled by the page's CSS and carries its
own text alternative; the same shapes serve the hub area map and, later, choropleths.
"""

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .models import Hub

BOUNDARIES = Path(__file__).resolve().parent / "data" / "local_authorities.json"
# Equirectangular projection scaled for England's latitude: simple, and fine at this size.
_X_SCALE = 100 * math.cos(math.radians(53))
_Y_SCALE = 100
_WEST, _NORTH = -6.5, 56.0


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    path: str
    bounds: tuple[float, float, float, float]  # min x, min y, max x, max y


@dataclass(frozen=True)
class MapArea:
    shape: Shape
    css_class: str

    @property
    def is_part(self) -> bool:
        return self.css_class.endswith("--part")


@dataclass(frozen=True)
class AreaMap:
    view_box: str
    areas: list[MapArea]
    attribution: str


def _project(lon: float, lat: float) -> tuple[float, float]:
    return round((lon - _WEST) * _X_SCALE, 1), round((_NORTH - lat) * _Y_SCALE, 1)


@lru_cache(maxsize=1)
def load_shapes() -> tuple[dict[str, Shape], str]:
    """Return authority shapes by DfE code, projected once per process, and the attribution."""
    payload = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    shapes = {}
    for authority in payload["authorities"]:
        parts, xs, ys = [], [], []
        for ring in authority["rings"]:
            points = [_project(lon, lat) for lon, lat in ring]
            xs += [x for x, _ in points]
            ys += [y for _, y in points]
            parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z")
        shapes[authority["code"]] = Shape(
            authority["code"],
            authority["name"],
            "".join(parts),
            (min(xs), min(ys), max(xs), max(ys)),
        )
    return shapes, payload["attribution"]


def hub_area_map(hub: Hub) -> AreaMap | None:
    """Return a map framed on the hub's area: whole authorities filled, split ones hatched."""
    shapes, attribution = load_shapes()
    whole = {area.local_authority_id for area in hub.areas.all() if area.district_id is None}
    part = {area.local_authority_id for area in hub.areas.all() if area.district_id} - whole
    served = [shapes[code] for code in whole | part if code in shapes]
    if not served:
        return None
    min_x = min(shape.bounds[0] for shape in served)
    min_y = min(shape.bounds[1] for shape in served)
    max_x = max(shape.bounds[2] for shape in served)
    max_y = max(shape.bounds[3] for shape in served)
    margin = max(max_x - min_x, max_y - min_y) * 0.15 + 5
    view_box = (
        f"{min_x - margin:g} {min_y - margin:g} "
        f"{max_x - min_x + 2 * margin:g} {max_y - min_y + 2 * margin:g}"
    )
    frame = (min_x - margin, min_y - margin, max_x + margin, max_y + margin)
    areas = [
        MapArea(shape, _css_class(code, whole, part))
        for code, shape in sorted(shapes.items())
        if _overlaps(shape.bounds, frame)
    ]
    return AreaMap(view_box, areas, attribution)


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _css_class(code: str, whole: set[str], part: set[str]) -> str:
    if code in whole:
        return "app-map__area app-map__area--hub"
    if code in part:
        return "app-map__area app-map__area--part"
    return "app-map__area"
