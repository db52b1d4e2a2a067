"""When a brand's accurate model is tuned again by itself (pure: ``background`` asks the database)."""

from __future__ import annotations

from datetime import datetime, timedelta


def accurate_retraining_due(
    *, new_examples: int, trained_at: datetime, now: datetime, min_examples: int, every: timedelta
) -> bool:
    """Whether a brand's accurate model is to be tuned again: ``min_examples`` or more examples
    it has not learnt (0: never in the background), and not tuned within ``every``."""
    return min_examples > 0 and new_examples >= min_examples and now - trained_at >= every
