"""A fetched record as a mention, or the reason it cannot be one. Pure: no database, no network."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from ombuds.connectors.base import RawRecord
from ombuds.mentions.schemas import IncomingMention, MentionCreate


@dataclass(frozen=True, slots=True)
class Unusable:
    """Why a record is a dead letter: the error, naming the field at fault where there is one."""

    record: RawRecord
    error: str
    field: str | None

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.record.raw).hexdigest()

    def plain_fields(self) -> dict[str, Any] | None:
        return plain(self.record.fields) if self.record.fields is not None else None


def plain(fields: Mapping[str, object]) -> dict[str, Any]:
    """The fields as JSON can hold them (datetimes as ISO text), so a dead letter can keep them."""
    values: dict[str, Any] = json.loads(json.dumps(dict(fields), default=_text))
    return values


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime | date) else str(value)


def mention_from_fields(fields: Mapping[str, object]) -> MentionCreate:
    """The mention the fields describe; ``ValidationError`` says which field is wrong."""
    return MentionCreate.model_validate(dict(fields))


def first_error(exc: ValidationError) -> tuple[str, str | None]:
    """The first problem as "field: message", and the field."""
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or None
    message = str(error["msg"]).removeprefix("Value error, ")
    return (f"{field}: {message}" if field else message), field


def sort_records(records: list[RawRecord]) -> tuple[list[IncomingMention], list[Unusable]]:
    """The records that are mentions, in order, and those that are dead letters."""
    accepted: list[IncomingMention] = []
    unusable: list[Unusable] = []
    for record in records:
        if record.fields is None or record.problem is not None:
            problem = record.problem
            reason = problem.reason if problem else "the record could not be read"
            unusable.append(Unusable(record, reason, problem.field if problem else None))
            continue
        try:
            mention = mention_from_fields(record.fields)
        except ValidationError as exc:
            error, field = first_error(exc)
            unusable.append(Unusable(record, error, field))
            continue
        accepted.append(IncomingMention(mention=mention, raw=record.raw, raw_format=record.raw_format))
    return accepted, unusable
