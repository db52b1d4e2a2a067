"""Read the timestamps that exports actually contain, always as timezone-aware UTC.

One reader for every preset, so a file whose dates look different from the public samples
still imports as long as each date says when it happened in an unambiguous way.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_FORMATS_WITH_OFFSET = (
    "%Y-%m-%d %H:%M:%S %z",  # 2015-02-24 11:35:52 -0800 (airline tweets)
    "%a %b %d %H:%M:%S %z %Y",  # Tue Oct 31 22:10:47 +0000 2017 (Twitter API v1)
    "%Y-%m-%d %H:%M:%S.%f %z",
    "%Y/%m/%d %H:%M:%S %z",
)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EPOCH = re.compile(r"^\d{9,13}(\.\d+)?$")
EARLIEST_YEAR = 1970
LATEST_YEAR = 2100


def parse_timestamp(value: str) -> datetime:
    """``value`` as aware UTC, or ``ValueError`` saying why it cannot be read.

    Accepted: ISO 8601 with an offset (``Z`` too), the Twitter and RFC 2822 formats,
    ``YYYY-MM-DD HH:MM:SS ±HHMM``, Unix seconds or milliseconds, and a bare date
    (``YYYY-MM-DD``, read as midnight UTC because it names a day, not a moment).
    Times without an offset are refused: guessing the zone would shift them by hours.
    """
    text = value.strip()
    if not text:
        raise ValueError("no date given")
    moment = _read(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset (write e.g. 2017-10-31T22:10:47+00:00)")
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError(f"{text!r} is outside {EARLIEST_YEAR}-{LATEST_YEAR}")
    return moment.astimezone(UTC)


def _read(text: str) -> datetime:
    if _DATE_ONLY.match(text):
        try:
            return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise ValueError(f"{text!r} is not a calendar date") from None
    if _EPOCH.match(text):
        seconds = float(text)
        return datetime.fromtimestamp(seconds / 1000 if seconds > 1e11 else seconds, tz=UTC)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for pattern in _FORMATS_WITH_OFFSET:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    raise ValueError(f"cannot read {text[:60]!r} as a date and time")
