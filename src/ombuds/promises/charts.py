"""The alignment trend as plain geometry for an inline SVG (no script, no chart library). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ombuds.promises.scoring import WindowScore


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    low_y: float
    high_y: float
    label: str
    title: str


@dataclass
class TrendChart:
    width: int
    height: int
    points: list[Point] = field(default_factory=list)
    path: str = ""
    band: str = ""  # polygon points of the confidence band
    summary: str = ""


def trend_chart(series: Sequence[WindowScore], *, width: int = 360, height: int = 120) -> TrendChart:
    """Score per window as a line with its interval as a band; windows without voices are gaps."""
    chart = TrendChart(width, height)
    if not series:
        chart.summary = "No data yet."
        return chart
    left, right, top, bottom = 22.0, width - 22.0, 8.0, height - 20.0
    step = (right - left) / max(len(series) - 1, 1)

    def y(value: float) -> float:
        return round(bottom - value * (bottom - top), 1)

    for index, window in enumerate(series):
        scored = window.alignment
        if scored.score is None or scored.low is None or scored.high is None:
            continue
        x = round(left + index * step, 1)
        label = window.starts_at.strftime("%d %b")
        chart.points.append(
            Point(
                x,
                y(scored.score),
                y(scored.low),
                y(scored.high),
                label,
                f"{label}: {scored.score:.0%} aligned ({scored.low:.0%}–{scored.high:.0%}), "
                f"{scored.messages} message{'' if scored.messages == 1 else 's'}",
            )
        )
    if chart.points:
        chart.path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(chart.points))
        upper = [f"{p.x},{p.high_y}" for p in chart.points]
        lower = [f"{p.x},{p.low_y}" for p in reversed(chart.points)]
        chart.band = " ".join(upper + lower)
        chart.summary = "; ".join(point.title for point in chart.points)
    else:
        chart.summary = "No confirming or contradicting experiences in these weeks."
    return chart
