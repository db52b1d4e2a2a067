"""The typed ``data`` of each analyzer's finding: one type per analyzer, one parser per type.

Analyzers build these values and store ``to_data()``; every reader (routing, detectors, the case
pages) gets them back with ``parse``, which says clearly what is wrong with a stored row instead
of failing later on a missing key. Unknown keys are ignored, so rows written by newer or older
versions still read. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar

from pydantic import TypeAdapter, ValidationError

SIGNALS = "signals"
PII = "pii"

_T = TypeVar("_T")


class FindingDataError(ValueError):
    """A stored finding's ``data`` does not have the shape its analyzer writes."""


_adapters: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(kind: type[Any]) -> TypeAdapter[Any]:
    """Built on first use: a validator costs milliseconds to build, and nothing is made at import."""
    if kind not in _adapters:
        _adapters[kind] = TypeAdapter(kind)
    return _adapters[kind]


def _parse(kind: type[_T], analyzer: str, data: Mapping[str, Any] | None, where: str) -> _T:
    try:
        parsed: _T = _adapter(kind).validate_python(dict(data or {}))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'data'}: {error['msg']}"
            for error in exc.errors()
        )
        place = f" of {where}" if where else ""
        raise FindingDataError(f"{analyzer} finding{place} is malformed: {problems}") from None
    return parsed


# --- signals ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignalEvidence:
    """The words that raised a signal: characters ``start:end`` of ``field`` (the text or the profile)."""

    start: int
    end: int
    text: str = ""
    field: str = "text"

    def to_data(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "field": self.field}


@dataclass(frozen=True, slots=True)
class SignalHit:
    """One signal found in a message, with its evidence."""

    name: str
    evidence: tuple[SignalEvidence, ...] = ()

    def to_data(self) -> dict[str, Any]:
        return {"name": self.name, "evidence": [item.to_data() for item in self.evidence]}


@dataclass(frozen=True, slots=True)
class SignalsData:
    """The ``signals`` analyzer's data: ``{"signals": [{"name", "evidence": [...]}]}``."""

    signals: tuple[SignalHit, ...] = ()

    @property
    def names(self) -> frozenset[str]:
        """The signals found, without their evidence."""
        return frozenset(hit.name for hit in self.signals)

    def to_data(self) -> dict[str, Any]:
        return {"signals": [hit.to_data() for hit in self.signals]}

    @classmethod
    def parse(cls, data: Mapping[str, Any] | None, *, where: str = "") -> Self:
        """Read stored data back; ``where`` (say ``"mention 12"``) names the row in errors."""
        return _parse(cls, SIGNALS, data, where)


# --- personal data ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PiiSpan:
    """Characters ``start:end`` of a message's text hold personal data of one ``kind`` (email, phone…)."""

    kind: str
    start: int
    end: int

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class PiiData:
    """The ``pii`` analyzer's data: where the personal data is, its kinds, and the text redacted."""

    spans: tuple[PiiSpan, ...] = ()
    kinds: tuple[str, ...] = ()
    redacted: str = ""

    def to_data(self) -> dict[str, Any]:
        return {
            "spans": [span.to_data() for span in self.spans],
            "kinds": list(self.kinds),
            "redacted": self.redacted,
        }

    @classmethod
    def parse(cls, data: Mapping[str, Any] | None, *, where: str = "") -> Self:
        return _parse(cls, PII, data, where)


# --- labels: sentiment, category, intent -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClassifierData:
    """A learned classifier's data (sentiment, category): the probability of each class."""

    probabilities: dict[str, float] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        return {"probabilities": dict(self.probabilities)}

    @classmethod
    def parse(cls, data: Mapping[str, Any] | None, *, analyzer: str, where: str = "") -> Self:
        return _parse(cls, analyzer, data, where)


@dataclass(frozen=True, slots=True)
class IntentData:
    """The ``intent`` analyzer's data: the cues that decided the intent (``["learned"]`` for a model)."""

    cues: tuple[str, ...] = ()

    def to_data(self) -> dict[str, Any]:
        return {"cues": list(self.cues)}

    @classmethod
    def parse(cls, data: Mapping[str, Any] | None, *, where: str = "") -> Self:
        return _parse(cls, "intent", data, where)
