"""Charts drawn on the server as plain geometry for an inline SVG: no chart library, no script.

Pure: series in, shapes out. The template turns shapes into ``<rect>``/``<text>`` elements and
the stylesheet colours them by class, so the page works under a strict content policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from ombuds.incidents.schemas import SeriesPoint
from ombuds.timezones import in_zone

SENTIMENT_ORDER = ("negative", "neutral", "positive")  # bottom to top


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str  # negative / neutral / positive
    title: str


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    baseline_y: float = 0.0
    plot_left: float = 0.0
    plot_right: float = 0.0
    summary: str = ""  # for screen readers


def _nice_max(value: int) -> int:
    """The least of 1, 2, 5, 10, 20, 50, … at or above ``value``: the count axis's top."""
    for scale in (1, 10, 100, 1000, 10000, 100000):
        for step in (1, 2, 5):
            if step * scale >= value:
                return step * scale
    return value


def volume_chart(
    points: Sequence[SeriesPoint], *, width: int = 760, height: int = 220, timezone: str = "UTC"
) -> Chart:
    """Stacked bars of mentions per time bucket, split by sentiment, with time and count axes; the
    times on ``timezone``'s clock (the brand's, as the rest of its pages)."""
    left, right, top, bottom = 40.0, 8.0, 10.0, 28.0
    chart = Chart(width=width, height=height, plot_left=left, plot_right=width - right)
    chart.baseline_y = height - bottom
    if not points:
        chart.summary = "No mentions yet."
        return chart
    peak = _nice_max(max(1, max(point.total for point in points)))
    plot_width = width - left - right
    plot_height = height - top - bottom
    slot = plot_width / len(points)
    gap = min(2.0, slot * 0.2)
    for index, point in enumerate(points):
        x = left + index * slot + gap / 2
        y = chart.baseline_y
        for kind in SENTIMENT_ORDER:
            count = getattr(point, kind)
            if not count:
                continue
            bar_height = plot_height * count / peak
            y -= bar_height
            label = f"{in_zone(point.start, timezone):%d %b %H:%M %Z}: {count} {kind} of {point.total}"
            chart.bars.append(Bar(x, y, max(1.0, slot - gap), bar_height, kind, label))
    for value in sorted({0, peak // 2, peak}):
        chart.y_ticks.append(Tick(left - 6, chart.baseline_y - plot_height * value / peak + 4, str(value)))
    every = max(1, len(points) // 6)
    bucket = points[1].start - points[0].start if len(points) > 1 else timedelta(hours=1)
    fmt = (
        "%H:%M"
        if bucket < timedelta(hours=6) and points[-1].start - points[0].start < timedelta(days=2)
        else "%d %b"
    )
    # a day's label is read at its bucket's middle: a day bucket starting at midnight UTC starts
    # the evening before in New York, and most of it is the day after
    shift = bucket / 2 if fmt == "%d %b" else timedelta(0)
    for index in range(0, len(points), every):
        label = in_zone(points[index].start + shift, timezone).strftime(fmt)
        chart.x_ticks.append(Tick(left + index * slot + slot / 2, height - 8, label))
    total = sum(point.total for point in points)
    negative = sum(point.negative for point in points)
    chart.summary = (
        f"{total} mentions between {in_zone(points[0].start, timezone):%d %b %H:%M} and "
        f"{in_zone(points[-1].start + bucket, timezone):%d %b %H:%M %Z}, "
        f"{negative} negative; busiest bucket {max(point.total for point in points)}."
    )
    return chart


def sparkline(points: Sequence[SeriesPoint], *, width: int = 120, height: int = 28) -> Chart:
    """A small bar strip of the same series, for lists."""
    chart = Chart(width=width, height=height, plot_left=0, plot_right=width, baseline_y=height)
    if not points:
        return chart
    peak = max(1, max(point.total for point in points))
    slot = width / len(points)
    for index, point in enumerate(points):
        bar_height = max(1.0, (height - 2) * point.total / peak) if point.total else 0.0
        kind = "negative" if point.negative * 2 >= point.total and point.total else "neutral"
        chart.bars.append(
            Bar(index * slot, height - bar_height, max(1.0, slot - 1), bar_height, kind, f"{point.total}")
        )
    chart.summary = f"{sum(point.total for point in points)} mentions"
    return chart
