"""Chart geometry for server-drawn SVG: no JavaScript, and a table beside every chart.

Functions here turn numbers (already computed by the ranking module) into
coordinates; the templates ``scoring/_chart_*.html`` draw them. Coordinates are
in the SVG's own units (the viewBox), so the charts scale with the page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

# Okabe–Ito first (distinguishable with the common kinds of colour blindness), then Paul Tol's.
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
    "#882255", "#44AA99", "#332288", "#999933", "#555555",
)  # fmt: skip
COST_PART_COLOURS = {"upfront": "#999999", "msp_fees": "#0072B2", "internal": "#E69F00"}
COST_PART_LABELS = {"upfront": "Onboarding and project", "msp_fees": "MSP fees", "internal": "Internal IT staff"}
MAX_SERIES = 8  # a chart stays legible; the table beside it lists every bid

WIDTH = 720
LABEL_WIDTH = 190
RIGHT_MARGIN = 90
BAR_HEIGHT = 24
BAR_GAP = 12
TOP = 28


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


@dataclass
class Segment:
    label: str
    value: float
    x: float
    width: float
    colour: str


@dataclass
class Bar:
    label: str
    y: float
    total_text: str
    segments: list[Segment] = field(default_factory=list)
    penalty: Segment | None = None  # drawn hatched over the end of the bar: points taken off

    @property
    def text_y(self) -> float:
        return self.y + BAR_HEIGHT * 0.68

    @property
    def end_x(self) -> float:
        return LABEL_WIDTH + sum(s.width for s in self.segments) + 6


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class BarChart:
    bars: list[Bar]
    legend: list[tuple[str, str]]  # (label, colour)
    ticks: list[Tick]
    height: float
    width: int = WIDTH
    plot_left: int = LABEL_WIDTH
    plot_bottom: float = 0


def _scale(maximum: float) -> float:
    return (WIDTH - LABEL_WIDTH - RIGHT_MARGIN) / maximum if maximum > 0 else 0.0


def _nice_step(maximum: float, target: int = 5) -> float:
    """A round step (1, 2 or 5 × a power of ten) giving about ``target`` ticks up to ``maximum``."""
    if maximum <= 0:
        return 1.0
    raw = maximum / target
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(multiple * magnitude for multiple in (1, 2, 5, 10) if raw <= multiple * magnitude)


def _ticks(maximum: float, scale: float, fmt) -> list[Tick]:
    step = _nice_step(maximum)
    ticks, value = [], 0.0
    while value <= maximum + step / 1000:
        ticks.append(Tick(x=LABEL_WIDTH + value * scale, label=fmt(value)))
        value += step
    return ticks


def _stacked(
    rows: Sequence[tuple[str, str, Sequence[tuple[str, float]]]], maximum: float, colours: Mapping[str, str], fmt
) -> BarChart:
    """Horizontal stacked bars: rows of (label, total text, [(part, value)])."""
    scale = _scale(maximum)
    bars = []
    for index, (label, total_text, parts) in enumerate(rows):
        bar = Bar(label=label, y=TOP + index * (BAR_HEIGHT + BAR_GAP), total_text=total_text)
        x = float(LABEL_WIDTH)
        for part, value in parts:
            width = max(0.0, value) * scale
            bar.segments.append(Segment(label=part, value=value, x=x, width=width, colour=colours[part]))
            x += width
        bars.append(bar)
    bottom = TOP + len(rows) * (BAR_HEIGHT + BAR_GAP)
    return BarChart(
        bars=bars,
        legend=[(label, colours[label]) for label in colours],
        ticks=_ticks(maximum, scale, fmt),
        height=bottom + 24,
        plot_bottom=bottom,
    )


def contribution_chart(
    ranked: Sequence[Mapping], contributions: Mapping[str, Mapping[str, str]], categories: Sequence[str]
) -> BarChart:
    """Each ranked bid's total, split into the weighted share of each criterion category (0–100 scale)."""
    colours = {category: colour(i) for i, category in enumerate(categories)}
    rows = []
    for row in ranked[:MAX_SERIES]:
        parts = contributions.get(row["vendor"], {})
        rows.append(
            (
                row["vendor"],
                f"{row['total']:.2f}",
                [(category, float(Decimal(parts[category]))) for category in categories if category in parts],
            )
        )
    chart = _stacked(rows, 100.0, colours, lambda v: f"{v:.0f}")
    scale = _scale(100.0)
    for bar, row in zip(chart.bars, ranked, strict=False):
        before = sum(segment.value for segment in bar.segments)
        if before - row["total"] > 0.005:  # under the penalty policy: the part taken off
            bar.penalty = Segment(
                label="Red-flag penalty",
                value=before - row["total"],
                x=LABEL_WIDTH + row["total"] * scale,
                width=(before - row["total"]) * scale,
                colour="#B02A37",
            )
    if any(bar.penalty for bar in chart.bars):
        chart.legend.append(("Red-flag penalty (hatched: taken off the total)", "#B02A37"))
    return chart


def cost_chart(costs: Sequence[Mapping]) -> BarChart:
    """Each bid's TCO over the horizon, in its three parts: upfront, MSP fees, internal IT staff."""
    maximum = max((float(c["total"]) for c in costs[:MAX_SERIES]), default=0.0)
    rows = [
        (
            c["vendor"],
            _money(float(c["total"])),
            [(COST_PART_LABELS[part], float(c[part])) for part in COST_PART_LABELS],
        )
        for c in costs[:MAX_SERIES]
    ]
    colours = {COST_PART_LABELS[part]: COST_PART_COLOURS[part] for part in COST_PART_LABELS}
    return _stacked(rows, maximum, colours, _money_short)


@dataclass
class Line:
    label: str
    colour: str
    points: str  # "x,y x,y" for <polyline>
    end_x: float
    end_y: float
    dashed: bool


@dataclass
class LineChart:
    lines: list[Line]
    x_ticks: list[Tick]
    y_ticks: list[tuple[float, str]]
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int


def cumulative_chart(costs: Sequence[Mapping], months: int) -> LineChart:
    """Cumulative cost month by month: upfront at month 0, then the monthly fees and internal staff.

    The solid line is everything the buyer pays; for a bid whose internal IT staff
    cost is not zero, a dashed line of the same colour shows the MSP's part alone,
    so the gap between the two is the internal staff.
    """
    width, height, left, right, top, bottom = WIDTH, 300, 80, WIDTH - 20, 16, 260
    maximum = max((float(c["total"]) for c in costs[:MAX_SERIES]), default=0.0) or 1.0
    step = _nice_step(maximum)
    ceiling = step * (int(maximum / step) + (0 if maximum % step == 0 else 1))
    x_per_month = (right - left) / max(months, 1)
    y_per_unit = (bottom - top) / ceiling

    def point(month: float, value: float) -> tuple[float, float]:
        return left + month * x_per_month, bottom - value * y_per_unit

    lines = []
    for index, c in enumerate(costs[:MAX_SERIES]):
        upfront, fees, internal = float(c["upfront"]), float(c["msp_fees"]), float(c["internal"])
        start, end = point(0, upfront), point(months, upfront + fees + internal)
        lines.append(
            Line(
                label=c["vendor"],
                colour=colour(index),
                points=f"{start[0]:.1f},{start[1]:.1f} {end[0]:.1f},{end[1]:.1f}",
                end_x=end[0],
                end_y=end[1],
                dashed=False,
            )
        )
        if internal > 0:
            start, end = point(0, upfront), point(months, upfront + fees)
            lines.append(
                Line(
                    label=f"{c['vendor']} (MSP only)",
                    colour=colour(index),
                    points=f"{start[0]:.1f},{start[1]:.1f} {end[0]:.1f},{end[1]:.1f}",
                    end_x=end[0],
                    end_y=end[1],
                    dashed=True,
                )
            )
    year_step = 12 if months > 12 else 3 if months > 3 else 1
    x_ticks = [
        Tick(x=point(m, 0)[0], label=f"{m // 12} yr" if year_step == 12 else f"{m} mo")
        for m in range(0, months + 1, year_step)
    ]
    y_ticks = []
    value = 0.0
    while value <= ceiling + step / 1000:
        y_ticks.append((point(0, value)[1], _money_short(value)))
        value += step
    return LineChart(
        lines=lines,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        width=width,
        height=height + 10,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
    )


def _money(value: float) -> str:
    return f"${value:,.0f}"


def _money_short(value: float) -> str:
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            scaled = value / limit
            return f"${scaled:.1f}{suffix}".replace(".0" + suffix, suffix)
    return f"${value:,.0f}"
