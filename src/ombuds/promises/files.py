"""Reading promise YAML and labelled CSV files, with errors that say what is wrong and where."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from ombuds.errors import InvalidInput
from ombuds.promises.models import KEY_MAX_CHARS, NAME_MAX_CHARS

PROMISE_FIELDS = ("id", "text", "label", "campaign", "channels", "starts_at", "ends_at", "owner", "examples")


@dataclass(frozen=True)
class PromiseEntry:
    """One promise as written in a YAML file."""

    key: str
    text: str
    label: str | None = None
    campaign: str | None = None
    channels: tuple[str, ...] = ()
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    owner: str | None = None
    #: (text, "confirms" | "contradicts") pairs.
    examples: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def _moment(value: Any, where: str) -> datetime | None:
    from ombuds.clock import as_utc

    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):
        return as_utc(datetime(value.year, value.month, value.day))
    try:
        return as_utc(datetime.fromisoformat(str(value)))
    except ValueError as exc:
        raise InvalidInput(f"{where}: {value!r} is not a date (use YYYY-MM-DD)") from exc


def _examples(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise InvalidInput(f"{where}: examples must map 'confirms'/'contradicts' to lists of messages")
    pairs: list[tuple[str, str]] = []
    for kind, texts in value.items():
        if kind not in ("confirms", "contradicts"):
            raise InvalidInput(f"{where}: unknown example kind {kind!r} (use confirms or contradicts)")
        if not isinstance(texts, list) or not all(isinstance(t, str) and t.strip() for t in texts):
            raise InvalidInput(f"{where}.{kind}: must be a list of non-empty messages")
        pairs.extend((text.strip(), str(kind)) for text in texts)
    return tuple(pairs)


def _name(item: dict[Any, Any], name: str, where: str) -> str | None:
    """An optional short field as text; refused, naming it, when its column cannot hold it."""
    value = item.get(name)
    if value is None:
        return None
    text = str(value)
    if len(text) > NAME_MAX_CHARS:
        raise InvalidInput(f"{where}.{name}: at most {NAME_MAX_CHARS} characters (this has {len(text)})")
    return text


def read_promises(path: Path) -> list[PromiseEntry]:
    """Promises from a YAML list (or a mapping with a ``promises`` list)."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise InvalidInput(f"{path}: not valid YAML{where}: {problem}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 text") from exc
    if isinstance(loaded, dict) and "promises" in loaded:
        loaded = loaded["promises"]
    if not isinstance(loaded, list) or not loaded:
        raise InvalidInput(f"{path}: expected a non-empty list of promises (each with id and text)")
    entries: list[PromiseEntry] = []
    seen: set[str] = set()
    for number, item in enumerate(loaded, start=1):
        where = f"{path}: promise #{number}"
        if not isinstance(item, dict):
            raise InvalidInput(f"{where}: expected a mapping with id and text, got {type(item).__name__}")
        unknown = sorted(set(map(str, item)) - set(PROMISE_FIELDS))
        if unknown:
            raise InvalidInput(f"{where}: unknown field(s) {', '.join(unknown)}")
        key = str(item.get("id") or "").strip()
        if not key:
            raise InvalidInput(f"{where}: missing 'id'")
        if len(key) > KEY_MAX_CHARS:
            raise InvalidInput(f"{where}.id: at most {KEY_MAX_CHARS} characters (this has {len(key)})")
        where = f"{path}: promise {key!r}"
        if key in seen:
            raise InvalidInput(f"{where}: id used twice")
        seen.add(key)
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput(f"{where}: missing 'text' (the claim, e.g. 'On time, every time')")
        channels = item.get("channels") or []
        if isinstance(channels, str):
            channels = [channels]
        entries.append(
            PromiseEntry(
                key=key,
                text=text.strip(),
                label=_name(item, "label", where),
                campaign=_name(item, "campaign", where),
                channels=tuple(str(channel) for channel in channels),
                starts_at=_moment(item.get("starts_at"), f"{where}.starts_at"),
                ends_at=_moment(item.get("ends_at"), f"{where}.ends_at"),
                owner=_name(item, "owner", where),
                examples=_examples(item.get("examples"), f"{where}.examples"),
            )
        )
    return entries


@dataclass(frozen=True)
class LabelledRows:
    texts: list[str]
    labels: list[str]


def read_labelled_csv(path: Path, *, text_col: str, label_col: str, keep: set[str]) -> LabelledRows:
    """Rows whose label is one of ``keep``; clear errors for missing files, columns or rows."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            if not columns:
                raise InvalidInput(f"{path}: empty file (no header row)")
            for wanted, option in ((text_col, "--text-col"), (label_col, "--label-col")):
                if wanted not in columns:
                    raise InvalidInput(
                        f"{path}: no column {wanted!r} ({option}); columns are {', '.join(columns)}"
                    )
            texts: list[str] = []
            labels: list[str] = []
            total = 0
            for row in reader:
                total += 1
                label = (row.get(label_col) or "").strip()
                text = row.get(text_col) or ""
                if label in keep and text.strip():
                    texts.append(text)
                    labels.append(label)
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 text") from exc
    except csv.Error as exc:
        raise InvalidInput(f"{path}: malformed CSV: {exc}") from exc
    if total == 0:
        raise InvalidInput(f"{path}: empty file (a header but no rows)")
    if not texts:
        raise InvalidInput(
            f"{path}: no row has a {label_col!r} value that a promise's 'label' names "
            f"({', '.join(sorted(keep))})"
        )
    return LabelledRows(texts, labels)
