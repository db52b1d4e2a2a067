"""Moments a client may send that name no time Ombuds can keep, with the words each is refused in."""

from __future__ import annotations

#: Each value with a phrase of the 422 that refuses it. The first two have no UTC equivalent at all
#: (converting them overflows past year 9999 or before year 1); the last two carry no time zone.
UNKEEPABLE_MOMENTS = {
    "9999-12-31T23:59:59-05:00": "must be in the years 1970 to 2100",
    "0001-01-01T00:00:00+14:00": "must be in the years 1970 to 2100",
    "2026-03-02T09:00:00": "must have a time zone",
    "9999-12-31": "must have a time zone",
}
