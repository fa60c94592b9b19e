"""The server-drawn map of a hub's area."""

import pytest

from cpdnet.hubs.maps import hub_area_map, load_shapes
from cpdnet.hubs.selectors import get_hub
from tests.factories import HubAreaFactory, HubFactory

from .conftest import LANCASTER, PRESTON

HUB = "app-map__area app-map__area--hub"
PART = "app-map__area app-map__area--part"
OTHER = "app-map__area"


def _classes(area_map) -> dict[str, str]:
    return {area.shape.code: area.css_class for area in area_map.areas}


def _view_box(area_map) -> tuple[float, float, float, float]:
    x, y, width, height = (float(part) for part in area_map.view_box.split())
    return x, y, x + width, y + height


def _inside(bounds, frame) -> bool:
    return (
        frame[0] <= bounds[0]
        and frame[1] <= bounds[1]
        and bounds[2] <= frame[2]
        and (bounds[3] <= frame[3])
    )


@pytest.fixture
def hub(maths):
    """Serves the whole of Leeds and two districts of Lancashire."""
    hub = HubFactory(network=maths)
    HubAreaFactory(hub=hub, local_authority_id="383")
    HubAreaFactory(hub=hub, local_authority_id="888", district_id=LANCASTER[1])
    HubAreaFactory(hub=hub, local_authority_id="888", district_id=PRESTON[1])
    return get_hub(hub.slug)


def test_marks_whole_authorities_as_the_hubs_and_split_ones_as_part(hub):
    area_map = hub_area_map(hub)

    classes = _classes(area_map)
    assert classes["383"] == HUB
    assert classes["888"] == PART
    assert {code for code, css in classes.items() if css != OTHER} == {"383", "888"}
    assert next(area for area in area_map.areas if area.shape.code == "888").is_part
    assert not next(area for area in area_map.areas if area.shape.code == "383").is_part


def test_frames_the_hubs_area_with_its_neighbours(hub):
    shapes, _ = load_shapes()

    area_map = hub_area_map(hub)

    frame = _view_box(area_map)
    assert _inside(shapes["383"].bounds, frame)
    assert _inside(shapes["888"].bounds, frame)
    # Neighbours drawn for context, far-away authorities left out
    classes = _classes(area_map)
    assert OTHER in classes.values()
    assert len(classes) < len(shapes)


def test_a_small_area_is_framed_closer_than_a_large_one(maths, science):
    leeds_hub, wide_hub = HubFactory(network=maths), HubFactory(network=science)
    HubAreaFactory(hub=leeds_hub, local_authority_id="383")
    HubAreaFactory(hub=wide_hub, local_authority_id="383")
    HubAreaFactory(hub=wide_hub, local_authority_id="888")

    small = _view_box(hub_area_map(get_hub(leeds_hub.slug)))
    large = _view_box(hub_area_map(get_hub(wide_hub.slug)))

    assert small[2] - small[0] < large[2] - large[0]


def test_an_authority_with_a_whole_row_and_a_district_row_is_whole(maths):
    hub = HubFactory(network=maths)
    HubAreaFactory(hub=hub, local_authority_id="888")
    HubAreaFactory(hub=hub, local_authority_id="888", district_id=LANCASTER[1])

    area_map = hub_area_map(get_hub(hub.slug))

    assert _classes(area_map)["888"] == HUB


def test_carries_the_boundaries_attribution(hub):
    area_map = hub_area_map(hub)

    assert area_map.attribution
    assert area_map.attribution == load_shapes()[1]


def test_there_is_no_map_for_a_hub_without_areas(maths):
    hub = HubFactory(network=maths)

    assert hub_area_map(get_hub(hub.slug)) is None
