"""The preflight's pure parts: what a draft claim may be, and the shortlist of a large window."""

from __future__ import annotations

import numpy as np
import pytest

from ombuds.errors import InvalidInput
from ombuds.promises.preflight import check_draft, nearest


def test_a_claim_is_trimmed_and_its_window_bounded() -> None:
    assert check_draft("  On time,\n every time ", 8) == ("On time, every time", 8)
    with pytest.raises(InvalidInput, match="text: the draft needs a claim"):
        check_draft("   ", 8)
    with pytest.raises(InvalidInput, match="weeks: between 1 and 52, not 0"):
        check_draft("On time", 0)
    with pytest.raises(InvalidInput, match="500 characters"):
        check_draft("late " * 200, 8)


def test_the_shortlist_keeps_the_messages_nearest_the_claim_in_their_order() -> None:
    claim = np.array([1.0, 0.0], dtype=np.float32)
    vectors = np.array([[0.1, 0.99], [0.9, 0.1], [0.0, 1.0], [0.7, 0.7], [1.0, 0.0]], dtype=np.float32)

    assert nearest(claim, vectors, 3) == [1, 3, 4]
    assert nearest(claim, vectors, 10) == [0, 1, 2, 3, 4], "a small window is read whole"
