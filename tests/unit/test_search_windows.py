"""How far back PostgreSQL's search looks next, from what the last window of message ids held."""

from __future__ import annotations

from ombuds.search.queries import next_window


def test_the_next_window_holds_half_as_many_again_as_are_still_wanted_at_the_last_density() -> None:
    # 8,000 ids held 1,000 matches (one in eight); 1,000 more are wanted: 12,000 ids hold 1,500
    assert next_window(8000, in_window=1000, still_wanted=1000) == 12_000
    assert next_window(8000, in_window=1999, still_wanted=1) == 7  # nearly done: a few more ids


def test_sparse_matches_are_read_among_every_older_id_at_once() -> None:
    assert next_window(8000, in_window=0, still_wanted=2000) is None  # none lately: a rare word
    assert next_window(8000, in_window=400, still_wanted=1600) is None  # 48,000 ids: read them all
