"""Turn one record's columns into a validated mention, or say which field is wrong and why.

Pure: works on plain mappings, so the importer, replays and connectors share it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from ombuds.errors import InvalidInput
from ombuds.mentions.presets import METRICS_PREFIX, REQUIRED_FIELDS, Preset
from ombuds.mentions.schemas import MentionCreate
from ombuds.mentions.timestamps import parse_timestamp

_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_DIGITS = re.compile(r"[+-]?[0-9]+")
#: Longer whole numbers are no count: 64 bits hold 19 digits (int() refuses past 4,300 anyway).
MAX_NUMBER_DIGITS = 100


class RecordRejected(Exception):
    """A record that cannot become a mention; ``column`` is where to look in the file."""

    def __init__(self, reason: str, *, column: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.column = column


@dataclass(frozen=True, slots=True)
class FieldMap:
    """A preset resolved against one file: field -> column, and templates for the rest."""

    preset: Preset
    columns: Mapping[str, str]
    defaults: Mapping[str, str]

    def column_of(self, field: str) -> str | None:
        return self.columns.get(field)


def resolve_field_map(
    preset: Preset,
    *,
    overrides: Sequence[tuple[str, str]] = (),
    available: Collection[str] | None = None,
) -> FieldMap:
    """The preset with ``--map`` overrides (column, field), checked against the file's columns.

    ``available`` is the file's header (or the keys its first records use); ``None`` skips the
    checks. Missing required columns and unknown override columns are errors naming what the
    file does have, so a wrong preset fails before anything is imported.
    """
    columns = dict(preset.columns)
    overridden: set[str] = set()
    for column, field in overrides:
        if available is not None and column not in available:
            raise InvalidInput(
                f"--map {column}={field}: the file has no column {column!r}{_found(available)}"
            )
        columns[field] = column
        overridden.add(field)
        # direction and inbound say the same thing; the explicit choice wins
        if field in {"direction", "inbound"}:
            columns.pop("inbound" if field == "direction" else "direction", None)
    if available is not None:
        missing = [
            column
            for field, column in columns.items()
            if column not in available and field not in preset.optional and field not in overridden
        ]
        if missing:
            raise InvalidInput(
                f"the file lacks the column(s) preset {preset.name!r} needs: "
                f"{', '.join(repr(column) for column in missing)}{_found(available)}; "
                "map yours with --map COLUMN=FIELD or choose another --preset"
            )
        columns = {field: column for field, column in columns.items() if column in available}
    defaults = {field: template for field, template in preset.defaults.items() if field not in overridden}
    unfed = [field for field in REQUIRED_FIELDS if field not in columns and field not in defaults]
    if unfed:
        raise InvalidInput(f"no column feeds {', '.join(unfed)}; add --map COLUMN=FIELD")
    return FieldMap(preset=preset, columns=columns, defaults=defaults)


def _found(available: Collection[str]) -> str:
    shown = [repr(column) for column in list(available)[:30]]
    more = ", ..." if len(available) > len(shown) else ""
    return f" (found: {', '.join(shown)}{more})" if shown else " (found no columns)"


def record_keys(records: Iterable[Mapping[str, object]]) -> set[str]:
    """Every key the records use, nested objects as dotted paths (``user.screen_name``)."""
    keys: set[str] = set()
    for record in records:
        _collect_keys(record, "", keys, depth=0)
    return keys


def _collect_keys(value: Mapping[str, object], prefix: str, keys: set[str], depth: int) -> None:
    for key, inner in value.items():
        path = f"{prefix}{key}"
        keys.add(path)
        if isinstance(inner, Mapping) and depth < 3:
            _collect_keys(inner, f"{path}.", keys, depth + 1)


def lookup(record: Mapping[str, object], column: str) -> object:
    """The record's value for ``column``; a dotted path reaches into nested JSON objects."""
    if column in record:
        return record[column]
    value: object = record
    for part in column.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def map_record(record: Mapping[str, object], field_map: FieldMap) -> MentionCreate:
    """The mention a record describes; ``RecordRejected`` naming the field and column otherwise."""
    values: dict[str, Any] = {}
    metrics: dict[str, int | float] = {}
    sources: dict[str, str] = {}
    for field, column in field_map.columns.items():
        value = lookup(record, column)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        converted = _convert(field, value, column)
        if field.startswith(METRICS_PREFIX):
            metrics[field.removeprefix(METRICS_PREFIX)] = converted
            sources[field] = column
        elif field == "inbound":
            values.setdefault("direction", "inbound" if converted else "outbound")
            sources.setdefault("direction", column)
        else:
            values[field] = converted
            sources[field] = column
    for field, template in field_map.defaults.items():
        if field not in values:
            filled = _fill(template, record)
            if filled is not None:
                values[field] = _convert(field, filled, None)
    for field in REQUIRED_FIELDS:
        if field not in values:
            empty = field_map.column_of(field)
            where = f" (column {empty!r} is empty)" if empty else ""
            raise RecordRejected(f"{field}: missing{where}", column=empty)
    if metrics:
        values["metrics"] = metrics
    try:
        return MentionCreate.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = error["loc"]
        wrong = str(loc[0]) if loc else "record"
        if wrong == "metrics" and len(loc) > 1:  # name the metric: its own column is at fault
            wrong = f"{METRICS_PREFIX}{loc[1]}"
        message = error["msg"].removeprefix("Value error, ")
        raise RecordRejected(f"{wrong}: {message}", column=sources.get(wrong)) from None


def _convert(field: str, value: object, column: str | None) -> Any:
    try:
        if field == "created_at":
            return _timestamp(value)
        if field == "followers":
            return _whole_number(value)
        if field.startswith(METRICS_PREFIX):
            return _number(value)
        if field in {"is_public", "inbound"}:
            return _boolean(value)
        if field == "direction":
            return _direction(value)
    except ValueError as exc:
        raise RecordRejected(f"{field}: {exc}", column=column) from None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    where = f"column {column!r}" if column else "it"
    raise RecordRejected(f"{field}: {where} holds a {type(value).__name__}, not text", column=column)


def _timestamp(value: object) -> datetime:
    if isinstance(value, bool):
        raise ValueError(f"cannot read {value!r} as a date and time")
    if isinstance(value, int | float):
        return parse_timestamp(str(value))
    if isinstance(value, str):
        return parse_timestamp(value)
    raise ValueError(f"cannot read a {type(value).__name__} as a date and time")


def _whole_number(value: object) -> int:
    number = _number(value)
    if isinstance(number, float):
        if not number.is_integer():
            raise ValueError(f"{value!r} is not a whole number")
        return int(number)
    return number


def _number(value: object) -> int | float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a finite number")
        return value
    if isinstance(value, str):
        text = value.strip().replace(",", "")  # thousands separators, as spreadsheets write them
        # int() and float() also read "1_000" and other scripts' digits ("١٢"): a file holds ASCII
        if not text.isascii() or "_" in text:
            raise ValueError(f"{value[:40]!r} is not a number (write plain digits 0-9)")
        digits = len(text.lstrip("+-"))
        if _DIGITS.fullmatch(text) and digits > MAX_NUMBER_DIGITS:
            raise ValueError(f"the number is too long ({digits:,} digits)")
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{value[:40]!r} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{value[:40]!r} is not a finite number")
        return number
    raise ValueError(f"a {type(value).__name__} is not a number")


def _boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{str(value)[:40]!r} is not true or false")


def _direction(value: object) -> str:
    text = str(value).strip().lower()
    if text in {"inbound", "in"}:
        return "inbound"
    if text in {"outbound", "out"}:
        return "outbound"
    raise ValueError(f"{text[:40]!r} is neither inbound nor outbound")


def _fill(template: str, record: Mapping[str, object]) -> str | None:
    """The template with the record's values put in; ``None`` when one of them is empty."""
    missing = False

    def value_of(match: re.Match[str]) -> str:
        nonlocal missing
        value = lookup(record, match.group(1))
        if value is None or not str(value).strip():
            missing = True
            return ""
        return str(value).strip()

    filled = _PLACEHOLDER.sub(value_of, template)
    return None if missing else filled
