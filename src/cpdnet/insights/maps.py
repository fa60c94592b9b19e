"""A choropleth of England's local authorities coloured by engagement rate, drawn as SVG.

It reuses the authority shapes of `cpdnet.hubs.maps`. Server-rendered SVG works without
JavaScript, needs no chart library, is styled in the page and carries its own text: each area
has a <title> naming the authority and its figures, and the page shows the same numbers in a
table. Bands differ by pattern and label as well as colour, so no meaning rests on colour alone.
"""

from dataclasses import dataclass

from cpdnet.hubs.maps import load_shapes

from .selectors import ReachRow


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    low: float  # lowest rate in the band, 0 to 1
    colour: str
    mark: str  # the pattern drawn over the colour: "", "dots", "lines", "cross", "solid"
    ink: str


BANDS = (
    Band("band-0", "Under 10%", 0.0, "#f3f7fb", "", "#0b0c0c"),
    Band("band-1", "10% to 19.9%", 0.10, "#c6dbef", "dots", "#0b0c0c"),
    Band("band-2", "20% to 29.9%", 0.20, "#6baed6", "lines", "#0b0c0c"),
    Band("band-3", "30% to 39.9%", 0.30, "#2171b5", "cross", "#ffffff"),
    Band("band-4", "40% or more", 0.40, "#08306b", "solid", "#ffffff"),
)
NO_DATA = Band("band-none", "No schools counted", 0.0, "#ffffff", "none", "#505a5f")


def band_for(rate: float) -> Band:
    chosen = BANDS[0]
    for band in BANDS:
        if rate >= band.low:
            chosen = band
    return chosen


@dataclass(frozen=True)
class ChoroplethArea:
    code: str
    name: str
    path: str
    band: Band
    title: str


# The map's drawn size in CSS pixels (its <svg> width and height).
MAP_WIDTH, MAP_HEIGHT = 640, 720


@dataclass(frozen=True)
class Choropleth:
    view_box: str
    areas: list[ChoroplethArea]
    bands: tuple[Band, ...]
    attribution: str
    has_no_data: bool
    # Map units per screen pixel: the fill patterns are drawn 6 pixels square on screen,
    # like the key's, whatever the map's extent (England, or one hub's few authorities).
    pattern_scale: float = 1.0


def choropleth(rows: list[ReachRow], *, codes: set[str] | None = None) -> Choropleth:
    """Return a map of every authority (or only `codes`), banded by its row's engagement rate.

    `rows` are a local-authority breakdown: `key` is the DfE authority code.
    """
    shapes, attribution = load_shapes()
    by_code = {row.key: row for row in rows}
    chosen = [shape for code, shape in sorted(shapes.items()) if codes is None or code in codes]
    areas = []
    for shape in chosen:
        row = by_code.get(shape.code)
        if row is None or not row.schools:
            band, title = NO_DATA, f"{shape.name}: no schools counted"
        else:
            band = band_for(row.rate)
            title = (
                f"{shape.name}: {row.engaged} of {row.schools} schools engaged "
                f"({row.percent}%), band {band.label}"
            )
        areas.append(ChoroplethArea(shape.code, shape.name, shape.path, band, title))
    if chosen:
        min_x = min(shape.bounds[0] for shape in chosen)
        min_y = min(shape.bounds[1] for shape in chosen)
        max_x = max(shape.bounds[2] for shape in chosen)
        max_y = max(shape.bounds[3] for shape in chosen)
    else:
        min_x = min_y = 0.0
        max_x = max_y = 1.0
    margin = 2
    width, height = max_x - min_x + 2 * margin, max_y - min_y + 2 * margin
    view_box = f"{min_x - margin:g} {min_y - margin:g} {width:g} {height:g}"
    has_no_data = any(area.band is NO_DATA for area in areas)
    pixels_per_unit = min(MAP_WIDTH / width, MAP_HEIGHT / height)
    return Choropleth(
        view_box,
        areas,
        BANDS,
        attribution,
        has_no_data,
        pattern_scale=round(1 / pixels_per_unit, 4),
    )
