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


def test_the_time_axis_and_the_bars_read_on_the_brand_s_clock() -> None:
    chart = volume_chart(_series(2, 12, 5), timezone="America/New_York")
    assert chart.x_ticks[0].label == "04:00"  # 09:00 UTC on 2 March is 04:00 in New York
    assert chart.bars[0].title == "02 Mar 04:00 EST: 2 negative of 2"
    assert chart.summary.startswith("19 mentions between 02 Mar 04:00 and 02 Mar 04:45 EST")


def test_a_day_bucket_is_labelled_with_the_day_most_of_it_falls_on_there() -> None:
    days = [
        SeriesPoint(start=datetime(2026, 12, 1 + i, tzinfo=UTC), total=3, negative=3, neutral=0, positive=0)
        for i in range(3)
    ]
    chart = volume_chart(days, timezone="America/New_York")
    assert [tick.label for tick in chart.x_ticks] == ["01 Dec", "02 Dec", "03 Dec"]
