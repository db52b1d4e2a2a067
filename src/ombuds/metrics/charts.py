"""Chart geometry for the dashboard's inline SVG: where each bar goes. Pure: no I/O.

The templates draw the shapes (``metrics/_charts.html``); nothing is fetched from elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 360
HEIGHT = 120
#: room under the bars for the first and last labels
AXIS = 18
GAP = 2


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str  # what a pointer over it says
    href: str | None = None


@dataclass(frozen=True, slots=True)
class BarChart:
    width: int
    height: int
    baseline: float
    bars: tuple[Bar, ...]
    first_label: str
    last_label: str
    summary: str  # for screen readers, and said when there is nothing to draw
    target: float | None = None  # y of a goal line (12-to-1), when it falls inside the chart


def bar_chart(
    values: Sequence[float | None],
    *,
    labels: Sequence[str],
    titles: Sequence[str],
    summary: str,
    hrefs: Sequence[str | None] | None = None,
    target: float | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> BarChart:
    """Bars side by side, scaled to the largest value (or the target); a None is a gap, not a 0."""
    baseline = float(height - AXIS)
    top = max([v for v in values if v is not None] + ([target] if target is not None else []) + [0.0])
    slot = width / len(values) if values else float(width)
    bars = []
    for index, value in enumerate(values):
        if value is None:
            continue
        tall = (value / top) * (baseline - 4) if top else 0.0
        bars.append(
            Bar(
                x=round(index * slot + GAP / 2, 2),
                y=round(baseline - tall, 2),
                width=round(max(slot - GAP, 1.0), 2),
                height=round(tall, 2),
                title=titles[index],
                href=hrefs[index] if hrefs else None,
            )
        )
    goal = round(baseline - (target / top) * (baseline - 4), 2) if target is not None and top else None
    return BarChart(
        width=width,
        height=height,
        baseline=baseline,
        bars=tuple(bars),
        first_label=labels[0] if labels else "",
        last_label=labels[-1] if labels else "",
        summary=summary,
        target=goal,
    )


def meter(value: float | None, *, width: int = 120) -> float | None:
    """The filled width of a 0–1 figure's bar; None: nothing to fill."""
    if value is None:
        return None
    return round(max(0.0, min(value, 1.0)) * width, 2)
