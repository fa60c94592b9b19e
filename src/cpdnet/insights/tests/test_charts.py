"""Charts and the map read well: labels wrap instead of being cut, a figure never sits under
its target mark, schools in no hub's area are never "the lowest hub", and the map's patterns
are drawn at the key's size whatever the map's extent."""

from decimal import Decimal

from cpdnet.insights.charts import LABEL_WIDTH, bar_chart
from cpdnet.insights.maps import MAP_HEIGHT, MAP_WIDTH, choropleth
from cpdnet.insights.selectors import NO_HUB, ReachRow


def test_a_long_label_wraps_onto_lines_and_keeps_every_word():
    label = "North East London and Essex Secondary Mathematics Hub"
    (bar,) = bar_chart([ReachRow("x", label, 10, 5)]).bars

    assert len(bar.label_lines) > 1
    assert " ".join(bar.label_lines) == label


def test_the_figure_is_written_after_the_target_mark():
    (bar,) = bar_chart([ReachRow("x", "Hub", 10, 1, target=Decimal(60))]).bars

    assert bar.target_x is not None and bar.text_x > bar.target_x
    assert bar.x == LABEL_WIDTH


def test_schools_in_no_hubs_area_are_not_named_the_lowest():
    rows = [ReachRow("a", "Abacus", 10, 5), ReachRow(NO_HUB, "No hub", 10, 0)]

    summary = bar_chart(rows).summary

    assert "Lowest: Abacus" in summary and "No hub" not in summary


def test_the_maps_patterns_are_scaled_to_its_extent():
    # A hub's few authorities are drawn much larger than England: their patterns shrink to match
    england = choropleth([])
    some = choropleth([], codes={"383", "380"})  # Leeds and Bradford

    assert some.pattern_scale < england.pattern_scale / 5
    for drawn in (england, some):
        _x, _y, width, height = map(float, drawn.view_box.split())
        pixels_per_unit = min(MAP_WIDTH / width, MAP_HEIGHT / height)
        # 6 pattern units are 6 screen pixels, as in the key
        assert abs(drawn.pattern_scale * pixels_per_unit - 1) < 0.01
