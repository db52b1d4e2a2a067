"""Each analysis path's speed and share of mentions, from the minutes it read."""

from __future__ import annotations

import pytest

from ombuds.enrichment.paths import ACCURATE, FAST, REREAD, path_figures


def test_speed_is_mentions_per_second_of_reading_and_share_counts_first_reads_only() -> None:
    figures = path_figures(
        [(ACCURATE, 300, 3.0), (FAST, 600, 0.25), (FAST, 100, 0.05), (REREAD, 700, 7.0), ("other", 5, 1.0)]
    )

    assert figures[ACCURATE].messages_per_second == pytest.approx(100.0)
    assert figures[FAST].messages_per_second == pytest.approx(700 / 0.3)
    assert figures[REREAD].messages_per_second == pytest.approx(100.0)
    # A burst's share: 700 of the 1,000 mentions read first went the fast path; re-reads are apart.
    assert figures[FAST].share == pytest.approx(0.7)
    assert figures[ACCURATE].share == pytest.approx(0.3)
    assert figures[REREAD].share is None


def test_a_path_that_read_nothing_has_no_speed_and_no_share() -> None:
    figures = path_figures([])

    assert set(figures) == {ACCURATE, FAST, REREAD}
    assert all(figure.messages_per_second is None for figure in figures.values())
    assert figures[ACCURATE].share == 0.0
    assert figures[FAST].mentions == 0
