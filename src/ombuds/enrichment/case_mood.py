"""A case's mood from its customer's messages: what the desk reads in the inbox and routing weighs.

Only the customer's own messages count (callers pass inbound ones, oldest first); the brand's
replies never do. A neutral nudge ("any update?") does not dilute an earlier complaint: when any
message leans negative or positive, only those that lean count. Among them a later message
weighs twice the one before, so a customer who complained and then thanked reads positive, and
one who complained twice reads negative. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ombuds.enrichment.findings import ClassifierData

NEUTRAL = "neutral"
#: ``model_version`` shown for a case's mood, which no single model made.
CASE_MOOD_VERSION = "case mood: customer messages, later ones weigh more"


@dataclass(frozen=True, slots=True)
class MessageMood:
    """One customer message's sentiment: its label and, where a model gave them, its probabilities."""

    label: str | None
    probabilities: Mapping[str, float]

    @classmethod
    def from_finding(
        cls, label: str | None, score: float | None, data: Mapping[str, object] | None, *, where: str = ""
    ) -> MessageMood:
        """From a stored sentiment row; one without probabilities (a person's correction, score 1)
        counts with its label's score alone."""
        probabilities = ClassifierData.parse(data, analyzer="sentiment", where=where).probabilities
        if not probabilities and label:
            probabilities = {label: 1.0 if score is None else score}
        return cls(label, probabilities)

    @property
    def leaning(self) -> str | None:
        if not self.probabilities:
            return self.label
        return max(self.probabilities, key=lambda key: self.probabilities[key])


@dataclass(frozen=True, slots=True)
class CaseMood:
    label: str
    score: float  # the weighted probability of ``label``
    probabilities: Mapping[str, float]
    messages: int  # customer messages read


def case_mood(moods: Sequence[MessageMood]) -> CaseMood | None:
    """None when no customer message has a sentiment yet."""
    known = [mood for mood in moods if mood.probabilities]
    if not known:
        return None
    leaning = [mood for mood in known if mood.leaning != NEUTRAL]
    counted = leaning or known
    totals: dict[str, float] = {}
    weight_sum = 0.0
    for position, mood in enumerate(counted):
        weight = 2.0**position
        weight_sum += weight
        for label, probability in mood.probabilities.items():
            totals[label] = totals.get(label, 0.0) + weight * probability
    probabilities = {label: round(total / weight_sum, 4) for label, total in totals.items()}
    label = max(probabilities, key=lambda key: probabilities[key])
    return CaseMood(label, probabilities[label], probabilities, len(known))
