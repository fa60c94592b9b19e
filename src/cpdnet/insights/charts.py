"""Bar and trend charts as server-rendered SVG, drawn from the same rows the tables show.

Text is in the site's font (set in the page's styles), labels wrap rather than being cut, and
a bar's figure is written after its target mark so that the mark never crosses it."""

import textwrap
from dataclasses import dataclass, field

from .selectors import NO_HUB, ReachRow

WIDTH = 640
LABEL_WIDTH = 220
# About the characters of 13 px text that fit the label column, and the lines a label may take.
LABEL_CHARACTERS = 28
LABEL_LINES = 3
LINE_HEIGHT = 15
BAR_HEIGHT = 22
GAP = 8
# Room right of the plot for the figure, such as "100.0% (1234/1234)".
VALUE_SPACE = 150


@dataclass(frozen=True)
class Bar:
    label: str
    value_label: str
    x: float
    y: float
    width: float
    height: float
    text_x: float
    text_y: float
    target_x: float | None
    label_lines: list[str] = field(default_factory=list)
    label_y: float = 0

    @property
    def label_x(self) -> float:
        return self.x - 6

    @property
    def target_top(self) -> float:
        return self.y - 3

    @property
    def target_bottom(self) -> float:
        return self.y + self.height + 3


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    summary: str
    axis_x: float = 0
    axis_y: float = 0

    @property
    def axis_end(self) -> float:
        return self.width - 10

    @property
    def axis_label_y(self) -> float:
        return self.axis_y + 20


def _summary(rows: list[ReachRow]) -> str:
    # Schools in no hub's area are not a hub: never "the lowest hub".
    counted = [row for row in rows if row.schools and row.key != NO_HUB]
    if not counted:
        return "No schools are counted."
    high = max(counted, key=lambda row: row.rate)
    low = min(counted, key=lambda row: row.rate)
    return (
        f"Highest: {high.label}, {high.percent}%. Lowest: {low.label}, {low.percent}%. "
        "The figures are in the table."
    )


def bar_chart(rows: list[ReachRow]) -> Chart:
    """Return horizontal bars of engagement rate (0 to 100%), one per row, with target marks."""
    plot = WIDTH - LABEL_WIDTH - VALUE_SPACE
    bars = []
    y = GAP
    for row in rows:
        lines = _wrap(row.label)
        row_height = max(BAR_HEIGHT, len(lines) * LINE_HEIGHT)
        bar_y = y + (row_height - BAR_HEIGHT) / 2
        width = round(plot * row.rate, 1)
        target_x = None
        if row.target is not None:
            target_x = round(LABEL_WIDTH + plot * float(row.target) / 100, 1)
        # The figure starts after the bar and after the target mark, never under the mark.
        ends = max(LABEL_WIDTH + width, target_x or 0)
        bars.append(
            Bar(
                label=row.label,
                value_label=f"{row.percent}% ({row.engaged}/{row.schools})",
                x=LABEL_WIDTH,
                y=bar_y,
                width=width,
                height=BAR_HEIGHT,
                text_x=round(ends + 6, 1),
                text_y=bar_y + BAR_HEIGHT * 0.7,
                target_x=target_x,
                label_lines=lines,
                # The first line's baseline, so the lines sit centred on the bar.
                label_y=round(y + (row_height - len(lines) * LINE_HEIGHT) / 2 + 11, 1),
            )
        )
        y += row_height + GAP
    return Chart(WIDTH, round(y), bars, _summary(rows), axis_x=LABEL_WIDTH)


def _wrap(label: str) -> list[str]:
    lines = textwrap.wrap(label, LABEL_CHARACTERS) or [""]
    if len(lines) > LABEL_LINES:
        # The full label is in the bar's title and the table; only a very long one is cut.
        lines = [
            *lines[: LABEL_LINES - 1],
            textwrap.shorten(" ".join(lines[LABEL_LINES - 1 :]), LABEL_CHARACTERS, placeholder="…"),
        ]
    return lines


TREND_HEIGHT = 240
TREND_BASE = 200


def trend_chart(rows: list[ReachRow]) -> Chart:
    """Return one column per academic year, height the engagement rate (0 to 100%)."""
    column = (WIDTH - 40) / max(len(rows), 1)
    bars = []
    for index, row in enumerate(rows):
        height = round((TREND_BASE - 30) * row.rate, 1)
        x = 20 + index * column + column * 0.2
        bars.append(
            Bar(
                label=row.label,
                value_label=f"{row.percent}%",
                x=round(x, 1),
                y=TREND_BASE - height,
                width=round(column * 0.6, 1),
                height=height,
                text_x=round(x + column * 0.3, 1),
                text_y=TREND_BASE - height - 6,
                target_x=None,
            )
        )
    if rows:
        first, last = rows[0], rows[-1]
        summary = (
            f"Engagement went from {first.percent}% in {first.label} to {last.percent}% in "
            f"{last.label}. The figures are in the table."
        )
    else:
        summary = "No years to show."
    return Chart(WIDTH, TREND_HEIGHT, bars, summary, axis_y=TREND_BASE)
