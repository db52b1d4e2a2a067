"""Dates from exports become exact UTC instants, or a clear refusal; never a guessed zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ombuds.mentions.timestamps import parse_timestamp


@pytest.mark.parametrize(
    ("written", "instant"),
    [
        ("2015-02-24 11:35:52 -0800", datetime(2015, 2, 24, 19, 35, 52, tzinfo=UTC)),
        ("Tue Oct 31 22:10:47 +0000 2017", datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)),
        ("2017-10-23 22:55:01+00:00", datetime(2017, 10, 23, 22, 55, 1, tzinfo=UTC)),
        ("2017-10-31T22:10:47Z", datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)),
        ("2017-11-01T03:40:47+05:30", datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)),
        ("Tue, 31 Oct 2017 22:10:47 +0000", datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)),
        ("2019-10-25", datetime(2019, 10, 25, tzinfo=UTC)),
        ("1509487847", datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)),
        ("1509487847000", datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)),
    ],
)
def test_the_formats_exports_use_read_as_the_same_instant(written: str, instant: datetime) -> None:
    parsed = parse_timestamp(written)

    assert parsed == instant
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("written", "complaint"),
    [
        ("2017-10-31 22:10:47", "no UTC offset"),
        ("2015-02-31", "not a calendar date"),
        ("yesterday", "cannot read"),
        ("", "no date given"),
        ("1869-01-01T00:00:00+00:00", "outside"),
    ],
)
def test_dates_that_would_need_a_guess_are_refused(written: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_timestamp(written)
