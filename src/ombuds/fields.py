"""Constrained value types shared by every schema, route parameter and form: ids, counts, text, moments.

Pure. Each bound is what both databases can store, so input that does not fit is refused where it
arrives with a message naming the field, the same on SQLite and PostgreSQL, instead of failing in
the driver (an integer past 64 bits, a NUL character PostgreSQL cannot keep in text, a float that
JSON cannot write back, a date whose offset carries it past year 9999 in UTC).
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import UTC, datetime
from typing import Annotated

from annotated_types import Interval
from pydantic import AfterValidator, BeforeValidator, TypeAdapter, ValidationError

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
INT32_MAX = 2**31 - 1
#: The years a moment given to Ombuds may fall in. Outside them it is a typo, and year 1 or 9999
#: with an offset has no UTC equivalent at all (converting it overflows).
EARLIEST_YEAR = 1970
LATEST_YEAR = 2100
#: Shown where a moment lacks its offset.
MOMENT_EXAMPLE = "2026-12-01T12:00:00Z"


_PLAIN = re.compile(r"-?(?:0|[1-9][0-9]*)")


def _whole_number(value: object) -> object:
    # Read leniently, JSON true/false would count as 1/0, 1.0 as 1, and a path's "1.0", "+1", "01",
    # "1_000" or Arabic-Indic digits as a number too: one row would answer to many spellings.
    if isinstance(value, bool):
        raise ValueError("expected a whole number, not true or false")
    if isinstance(value, float):
        raise ValueError("must be a whole number, without a decimal point")
    if isinstance(value, str) and not _PLAIN.fullmatch(value) and _reads_as_number(value):
        raise ValueError("must be a whole number written plainly: the digits 0-9 alone, no leading zero")
    return value  # anything else that is no number is refused by pydantic, as "a valid integer"


def _reads_as_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _metric(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        raise ValueError("expected a whole number that fits in 64 bits")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("expected a finite number")
    return value


def _without_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("contains a NUL character (\\u0000), which cannot be stored")
    return value


def unprintable(text: str) -> str | None:
    """The first character a one-line label must not hold, as ``\\uXXXX``: a control character (a
    line break, an escape that repaints a terminal) or an invisible format character (a
    text-direction override that makes one label read as another); None when there is none."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf"):
            return f"\\u{ord(char):04x}"
    return None


def _as_typed(value: object) -> object:
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    return value


def in_utc(moment: datetime) -> datetime:
    """An aware ``moment`` in UTC; ``ValueError`` when it has no time zone or is outside the years.

    Naive moments are refused rather than read as UTC: guessing the zone would shift them by hours.
    """
    if moment.utcoffset() is None:
        raise ValueError(f"must have a time zone (for example {MOMENT_EXAMPLE})")
    # Checked before converting, which is what overflows for year 1 or 9999.
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError(f"must be in the years {EARLIEST_YEAR} to {LATEST_YEAR}")
    return moment.astimezone(UTC)


#: A whole number: from a path, query or form its digits, from JSON an integer (never true, false
#: or 1.0).
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
#: A row id: what a path, query, form or body names a stored thing by. Ids are INTEGER columns,
#: 32 bits on PostgreSQL, so a larger one cannot name a row on either database.
Id = Annotated[WholeNumber, Interval(ge=1, le=INT32_MAX)]
#: A count of rows to skip, or any other non-negative number a database compares with its rows.
Count = Annotated[WholeNumber, Interval(ge=0, le=INT64_MAX)]
#: A metric such as a retweet count: a JSON number that fits a 64-bit integer, or a finite float.
Metric = Annotated[int | float, BeforeValidator(_metric)]
#: Refuses text that PostgreSQL cannot store. Put it after length constraints
#: (``Annotated[str, StringConstraints(...), NoNul]``) so their messages stay plain.
NoNul = AfterValidator(_without_nul)
#: A text box's value as the person typed it, for its length to be checked as the box counted it:
#: a browser sends each line break as CRLF, yet a textarea's ``maxlength`` counts it once, so a
#: limit checked on what was sent refused (and lost) text the box had let through.
AsTyped = BeforeValidator(_as_typed)
#: Text that both databases store as given.
Text = Annotated[str, NoNul]
#: A point in time from a client: ISO 8601 with its offset, within the years above, kept in UTC.
Moment = Annotated[datetime, AfterValidator(in_utc)]

_ID = TypeAdapter(Id)


def parse_id(value: str) -> int | None:
    """A form's id field as a row id; ``None`` when it is not one (``"²"``, ``"-1"``, 12 digits)."""
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    try:
        return _ID.validate_python(text)
    except ValidationError:
        return None
