"""What the author wants: complaint, question, praise, suggestion, or other (spam, noise).

No public labelled intent data matches social customer care, so intent combines explicit cues
(a question form, "you should", promotional spam) with the sentiment model's probabilities:
a negative message is a complaint unless it is plainly a question for information, a positive
one is praise. ``data["cues"]`` says which cue decided.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import ClassVar

from ombuds.enrichment.analyzers.text_classifier import Features, TextClassifier
from ombuds.enrichment.base import Finding, MentionFacts
from ombuds.enrichment.findings import ClassifierData, IntentData

VERSION = "rules+sentiment-2026.12.1"
LEARNED_CONFIDENCE = 0.6
FEW_WORDS_NEGATIVE = 0.5
INTENTS = ("complaint", "question", "praise", "suggestion", "other")

QUESTION = re.compile(
    r"\?|^\s*(?:@\w+\s+)*(?:how|what|when|where|which|who|why|is|are|can|could|do|does|did|will|"
    r"would|should|may|any(?:one|body)?)\b[^.!]*$|\b(?:wondering|anyone know|any idea|"
    r"can (?:you|u|someone) (?:tell|help|confirm|check|explain)|is there (?:a|any)|how (?:do|can) i)\b",
    re.MULTILINE,
)
SUGGESTION = re.compile(
    r"\b(?:you (?:should|could|guys should|need to|ought to)|(?:it )?would be (?:nice|great|good|"
    r"awesome|helpful|better) (?:if|to)|(?:please|pls) (?:add|bring back|consider|make|allow|let us)|"
    r"i (?:suggest|recommend|propose)|suggestion|feature request|why not (?:add|offer|make|have)|"
    r"wish (?:you|there) (?:would|was|were|had|could)|how about (?:adding|offering|making))\b",
)
PRAISE = re.compile(
    r"\b(?:thanks?|thank you|thx|ty|love|loved|awesome|amazing|great|excellent|fantastic|best|"
    r"kudos|shout ?out|props|appreciate|wonderful|perfect|heroe?s?|impressed|lovely|helpful)\b|[❤♥😍👏🙌💙😊]",
)
COMPLAINT = re.compile(
    r"\b(?:delayed|cancel+ed|lost|broken|damaged|refund|charged|worst|terrible|horrible|awful|"
    r"ridiculous|unacceptable|never|still|waiting|rude|disappointed|fail(?:ed|s)?|stuck|missed|"
    r"wrong|issue|problem|complain\w*)\b",
)
SPAM = re.compile(
    r"\b(?:giveaway|win a|click here|free followers|follow (?:me|back)|promo code|crypto|bitcoin|"
    r"forex|earn \$|dm for (?:promo|collab)|check out my|onlyfans)\b",
)
WORD = re.compile(r"[^\W\d_]{2,}")
NOISE = re.compile(r"@\w+|https?://\S+|#\w+")


def classify_intent(text: str, sentiment: Mapping[str, float] | None = None) -> tuple[str, float, list[str]]:
    """The intent, a confidence, and the cues that decided it (patterns are written lower-case)."""
    negative = (sentiment or {}).get("negative", 0.0)
    positive = (sentiment or {}).get("positive", 0.0)
    text = text.lower()
    stripped = NOISE.sub(" ", text)
    if SPAM.search(text):
        return "other", 0.8, ["spam"]
    if len(WORD.findall(stripped)) < 2:
        # "hello?? 🤬" says little in words, but its emoji made sentiment sure: a complaint
        if negative >= FEW_WORDS_NEGATIVE:
            return "complaint", round(negative, 4), ["negative sentiment", "few words"]
        return "other", 0.6, ["no content"]
    if SUGGESTION.search(text) and negative < 0.8:
        return "suggestion", 0.7, ["suggestion"]
    is_question = "?" in stripped or QUESTION.search(stripped) is not None
    complaint_words = bool(COMPLAINT.search(text))
    if negative >= 0.5 and not (is_question and negative < 0.7 and not complaint_words):
        return "complaint", round(negative, 4), ["negative sentiment"]
    if is_question:
        return "question", 0.7, ["question form"]
    # thanks that tells the story of a problem solved ("found my lost passport. Hero") has
    # complaint words and some negative reading; the thanks decides unless negative is the majority
    if positive >= 0.5 or PRAISE.search(text):
        return (
            "praise",
            round(max(positive, 0.6), 4),
            ["positive sentiment" if positive >= 0.5 else "praise words"],
        )
    if complaint_words and negative >= 0.3:
        return "complaint", round(negative, 4), ["complaint words"]
    return "other", 0.5, ["no clear intent"]


#: What a learned intent model's finding names as its cue.
LEARNED_CUES = IntentData(("learned",))


class IntentAnalyzer:
    """Runs after sentiment in the engine (``analyze_with``); alone it judges from text cues only.

    A brand that corrected intents gets a ``learned`` head; where it is confident it decides.
    """

    name: ClassVar[str] = "intent"

    def __init__(self, *, learned: TextClassifier | None = None) -> None:
        self.learned = learned

    @property
    def version(self) -> str:
        return VERSION if self.learned is None else f"{VERSION}+{self.learned.version}"

    def analyze(self, batch: Sequence[MentionFacts]) -> list[Finding]:
        return self.analyze_with(batch, [None] * len(batch))

    def analyze_with(
        self,
        batch: Sequence[MentionFacts],
        sentiments: Sequence[Finding | None],
        *,
        features: Features | None = None,
    ) -> list[Finding]:
        learned: list[Finding | None] = [None] * len(batch)
        if self.learned is not None and batch:
            if features is None:
                features = self.learned.featurizer.transform([facts.text for facts in batch])
            learned = list(self.learned.analyze_features(features))
        findings = []
        version = self.version
        for facts, sentiment, taught in zip(batch, sentiments, learned, strict=True):
            if taught is not None and taught.score is not None and taught.score >= LEARNED_CONFIDENCE:
                findings.append(
                    Finding(self.name, version, taught.label, taught.score, LEARNED_CUES.to_data())
                )
                continue
            probabilities = (
                ClassifierData.parse(sentiment.data, analyzer="sentiment").probabilities
                if sentiment is not None
                else None
            )
            label, score, cues = classify_intent(facts.text, probabilities)
            findings.append(Finding(self.name, version, label, score, IntentData(tuple(cues)).to_data()))
        return findings
