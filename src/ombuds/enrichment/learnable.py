"""Which analyzers learn from people's labels, and which labels each accepts."""

from __future__ import annotations

from ombuds.enrichment.analyzers.intent import INTENTS
from ombuds.enrichment.analyzers.sentiment import SENTIMENTS
from ombuds.errors import InvalidInput

LEARNABLE = ("sentiment", "intent", "category")
#: Analyzers with a fixed set of labels; a category is any name the brand gives it.
FIXED_LABELS: dict[str, tuple[str, ...]] = {"sentiment": SENTIMENTS, "intent": INTENTS}


def check_label(analyzer: str, label: str) -> str:
    """The label, trimmed, if the analyzer can learn it; InvalidInput otherwise."""
    label = label.strip()
    if analyzer not in LEARNABLE:
        raise InvalidInput(
            f"analyzer {analyzer!r} does not learn from labels (one of {', '.join(LEARNABLE)})"
        )
    if not label:
        raise InvalidInput("label is empty")
    allowed = FIXED_LABELS.get(analyzer)
    if allowed and label not in allowed:
        raise InvalidInput(f"{analyzer} label {label!r} is not one of {', '.join(allowed)}")
    if len(label) > 200:
        raise InvalidInput("label is longer than 200 characters")
    return label
