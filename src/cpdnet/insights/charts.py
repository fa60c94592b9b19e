"""Bar and trend charts as server-rendered SVG, drawn from the same rows the tables show."""

from dataclasses import dataclass

from .selectors import ReachRow

WIDTH = 640
LABEL_WIDTH = 220
BAR_HEIGHT = 22
GAP = 8
VALUE_SPACE = 110


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
    counted = [row for row in rows if row.schools]
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
    for index, row in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = round(plot * row.rate, 1)
        target_x = None
        if row.target is not None:
            target_x = round(LABEL_WIDTH + plot * float(row.target) / 100, 1)
        bars.append(
            Bar(
                label=row.label[:34],
                value_label=f"{row.percent}% ({row.engaged}/{row.schools})",
                x=LABEL_WIDTH,
                y=y,
                width=width,
                height=BAR_HEIGHT,
                text_x=LABEL_WIDTH + width + 6,
                text_y=y + BAR_HEIGHT * 0.7,
                target_x=target_x,
            )
        )
    height = GAP + len(rows) * (BAR_HEIGHT + GAP)
    return Chart(WIDTH, height, bars, _summary(rows), axis_x=LABEL_WIDTH)


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
