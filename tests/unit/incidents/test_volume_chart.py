"""The incident page's volume chart: its count axis fits the busiest bucket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ombuds.incidents.charts import volume_chart
from ombuds.incidents.schemas import SeriesPoint

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _series(*totals: int) -> list[SeriesPoint]:
    return [
        SeriesPoint(start=START + timedelta(minutes=15 * i), total=t, negative=t, neutral=0, positive=0)
        for i, t in enumerate(totals)
    ]


@pytest.mark.parametrize(
    ("busiest", "top"), [(1, 1), (3, 5), (12, 20), (11, 20), (37, 50), (60, 100), (120, 200), (4_800, 5_000)]
)
def test_the_count_axis_tops_at_the_next_round_number_above_the_busiest_bucket(
    busiest: int, top: int
) -> None:
    chart = volume_chart(_series(0, busiest, busiest // 2))
    assert chart.y_ticks[-1].label == str(top)


def test_the_busiest_bucket_fills_most_of_the_plot() -> None:
    """A bucket of 12 under an axis of 100 was a sliver against the baseline."""
    chart = volume_chart(_series(2, 12, 5))
    plot_height = chart.baseline_y - 10.0
    tallest = max(bar.height for bar in chart.bars)
    assert tallest >= 0.5 * plot_height
