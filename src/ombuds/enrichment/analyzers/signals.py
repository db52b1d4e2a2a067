"""Signals that change who must see a mention, each with the words that triggered it.

Hand-written patterns rather than a learned model: these signals are rare, costly to miss and
must be explainable, so every hit carries its evidence as character offsets into the text (or
into the author's profile for the media signal). A negation just before a cue ("no need to DM
me", "not cancelling") suppresses it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from ombuds.enrichment.base import Finding, MentionFacts
from ombuds.enrichment.findings import SignalEvidence, SignalHit, SignalsData

VERSION = "rules-2026.12.1"

SIGNAL_NAMES = (
    "safety",
    "legal_threat",
    "churn_threat",
    "executive_escalation",
    "media_author",
    "repeat_contact",
    "private_channel",
    "billing",
)
#: Cues that stay true under a negation: "still not refunded" is about money all the same.
NEVER_NEGATED = frozenset({"billing"})

# A cue right after one of these (within the same clause) is negated.
NEGATION = re.compile(
    r"(?:\b(?:no need to|not|never|don't|dont|do not|won't|wont|will not|didn't|didnt|"
    r"no reason to|without|stop|quit|please don't|pls don't|shouldn't|wouldn't|isn't|no)\b"
    r"(?:\s+\w+){0,3}\s*)$",
    re.IGNORECASE,
)


def split_words(text: str) -> list[str]:
    return text.split()


def _cues(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


CUES: dict[str, re.Pattern[str]] = {
    "safety": _cues(
        r"\b(?:caught|catch(?:ing)?) fire\b",
        r"\b(?:engine|cabin|battery|phone|laptop|charger|plane|car|kitchen|it|wing) (?:is |was )?on fire\b",
        r"\bfire (?:on board|alarm|in the)\b",
        r"\bsmoke (?:in|from|coming|filled)\b",
        r"\bsmell(?:s|ed)? (?:of )?(?:smoke|burning|gas|fuel)\b",
        r"\b(?:got|was|were|am|been|is|are|badly|seriously) (?:injured|hurt|burned|burnt|electrocuted)\b",
        r"(?<!insult to )\b(?:injury|injuries|injured passenger)\b",
        r"\b(?:unsafe|dangerous|hazard(?:ous)?|life[- ]threatening)\b",
        r"\bfood poisoning\b",
        r"\ballergic reaction\b",
        r"\banaphyla\w*",
        r"\b(?:exploded|explosion|overheat(?:ed|ing)|sparks? (?:came|flying|from))\b",
        r"\bemergency landing\b",
        r"\bcarbon monoxide\b",
        r"\bchok(?:ed|ing) hazard\b",
        r"\b(?:ambulance|paramedics|hospitali[sz]ed|ended up in (?:the )?(?:er|hospital))\b",
    ),
    "legal_threat": _cues(
        r"\b(?:my|our|a) (?:lawyer|attorney|solicitor)s?\b",
        r"\b(?:lawyer|attorney|solicitor)s? (?:will|is|are)\b",
        r"\b(?:sue|suing)\s+(?:you|u|them|the|your|@\w+|for|over)\b",
        r"\b(?:will|going to|gonna|could|should|might|i'?ll) sue\b",
        r"\b(?:lawsuit|class action|legal action|small claims)\b",
        r"\b(?:take|taking) (?:you|this|them|it) to court\b",
        r"\breport(?:ing|ed)? (?:you|this|them|it)\b[^.!?]{0,30}\b(?:to|with) (?:the )?"
        r"(?:dot|faa|fcc|ftc|cfpb|bbb|better business bureau|attorney general|ombudsman|regulator|"
        r"trading standards|consumer protection|authorities)\b",
        r"\b(?:file|filing|filed|lodge|lodging) (?:a )?(?:formal )?(?:complaint|claim|report) "
        r"(?:with|to) (?:the )?\w+",
        r"\b(?:chargeback|dispute the charge)\b",
        r"\b(?:CFPB|FTC|FCC|BBB|DOT|FAA)\b",
        r"\b(?:attorney general|consumer protection agency|ombudsman)\b",
    ),
    "churn_threat": _cues(
        r"\b(?:cancel(?:l?ing)?|close|closing|terminate|terminating|end(?:ing)?|delete|deleting)\b"
        r" (?:my|our)(?: \w+)? (?:account|subscription|membership|contract|plan|service|card|policy)\b",
        r"\b(?:switch(?:ing)?|mov(?:e|ing)) (?:over )?to (?:a )?(?:competitor|another \w+|@\w+)",
        r"\bswitch(?:ing)? (?:providers?|carriers?|banks?|airlines?)\b",
        r"\b(?:never|won't|will not|not going to) (?:be )?(?:fly(?:ing)?|us(?:e|ing)|shop(?:ping)?|"
        r"buy(?:ing)?|book(?:ing)?|order(?:ing)?|com(?:e|ing) back)\b[^.!?]{0,25}\b(?:again|anymore)\b",
        r"\b(?:taking|take) my (?:business|money) (?:elsewhere|somewhere else)\b",
        r"\b(?:i'?m|we'?re|i am|we are) (?:so )?(?:done|finished) with (?:you|your|@\w+)",
        r"\b(?:last time i|never again)\b",
        r"\bunsubscrib(?:e|ing)\b",
        r"\b(?:lost|losing) (?:a|another) (?:loyal )?customer\b",
    ),
    "executive_escalation": _cues(
        r"(?<!\w)@\w*(?:ceo|cfo|coo|chairman|president|founder)\b",
        r"\b(?:your|the|ur|their|@\w+'?s?) (?:ceo|chief executive|cfo|coo|chairman|president|founder|"
        r"board(?: of directors)?|executives?|exec team|senior management|head office|leadership)\b",
        r"\b(?:ceo|chief executive)\b(?= (?:of|at) @)",
        r"\bescalat(?:e|ing|ed)\b[^.!?]{0,30}\b(?:management|manager|supervisor|executive|ceo|top)\b",
        r"\b(?:email(?:ing|ed)?|writing to|write to|contact(?:ing)?|tell(?:ing)?|cc(?:ing)?) (?:your |the )?"
        r"(?:ceo|chief executive|board|executives?)\b",
    ),
    "repeat_contact": _cues(
        r"\b(?:second|third|fourth|fifth|2nd|3rd|4th|5th|\d+(?:st|nd|rd|th)?|several|multiple|many|"
        r"numerous|countless) (?:times?|calls?|emails?|messages?|tweets?|dms?|attempts?|requests?)\b"
        r"[^.!?]{0,30}\b(?:called|contacted|emailed|messaged|tweeted|asked|reached out|dm'?d|tried|now)\b",
        r"\b(?:called|contacted|emailed|messaged|tweeted|dm'?d|reached out(?: to you)?|asked)"
        r"(?: you)? (?:\d+|two|three|four|five|six|several|multiple|many|numerous) times\b",
        r"\bstill (?:waiting (?:for|on) (?:a |an |your )?(?:reply|response|answer|call ?back|someone)|"
        r"waiting to hear|no (?:reply|response|answer|update)|haven't heard|not resolved)\b",
        r"\byet to (?:hear back|get a (?:reply|response))\b",
        r"\b(?:already|previously) (?:called|contacted|emailed|messaged|tweeted|dm'?d|reported|"
        r"complained|explained|sent)\b",
        r"\b(?:again|once more)\b[^.!?]{0,20}\b(?:no (?:reply|response|answer)|same (?:issue|problem))\b",
        r"\b(?:same|this) (?:issue|problem) (?:again|keeps happening|for (?:the )?\w+ (?:time|days|weeks))\b",
        r"\b(?:for|over) (?:the )?(?:past |last )?(?:\d+|two|three|four|five|several) (?:days|weeks)"
        r" (?:now )?(?:and|with) (?:still )?no\b",
    ),
    # Money the customer wants back or was wrongly taken: work for refunds and billing, whatever
    # the complaint's category (a double charge in the app is not a booking problem for Digital).
    "billing": _cues(
        r"\bdouble[- ]?(?:charged?|charges|billed|billing)\b",
        r"\b(?:charged|billed|debited)\b[^.!?]{0,25}\b(?:twice|two times|double|x ?2|again)\b",
        r"\bover-?(?:charged?|charging|billed|billing)\b",
        r"\brefund(?:s|ed|ing)?\b",
        r"\b(?:charged|billed) (?:me |us )?(?:an? |the )?(?:[$€£]\s?\d[\d.,]*|\w+ fee)\b",
        r"\b(?:wrong|incorrect|unauthori[sz]ed|duplicate) (?:charge|payment|bill)s?\b",
        r"\bmoney back\b",
    ),
    "private_channel": _cues(
        r"(?<!you )(?<!to )(?<!did )(?<!they )(?<!will )(?<!would )(?<!not )"
        r"\b(?:dm|pm|message|inbox|email|e-mail|call|text|ring|phone|contact) me\b(?! at \d)",
        r"\bsend (?:me )?(?:a |an )?(?:dm|pm|private message|direct message|email)\b",
        r"\b(?:can|could|may|shall) (?:i|we) (?:dm|pm|message|email|call) (?:you|u)\b",
        r"\b(?:follow (?:me )?back|follow me) so (?:i|we) can (?:dm|message)\b",
        r"\b(?:don'?t|do not|rather not|prefer not to|not comfortable|wouldn't like to) "
        r"(?:want to )?(?:post|share|say|put|discuss|write)(?: this| it| that| my \w+)?"
        r"(?: here| on here)? (?:publicly|in public|on (?:twitter|here|a public)|online)\b",
        r"\b(?:privately|in private)\b",
        r"\b(?:discuss|talk|continue|take|move) (?:this|it|that)? ?(?:offline|over (?:dm|email|the phone)|"
        r"to (?:dm|email|a private))\b",
        r"\bhow (?:do|can) i (?:dm|message|email|contact) you\b",
    ),
}

# Cheap substring checks before the patterns: most messages carry no signal at all.
TRIGGERS: dict[str, list[str]] = {
    "safety": split_words(
        "fire smoke smell injur hurt burn electrocut unsafe danger hazard threatening poison allerg "
        "anaphyla explo overheat spark emergency carbon chok ambulance paramedic hospital"
    ),
    "legal_threat": split_words(
        "lawyer attorney solicitor sue suing lawsuit class legal claims court report complaint claim "
        "chargeback dispute cfpb ftc fcc bbb dot faa ombudsman general"
    ),
    "churn_threat": split_words(
        "cancel clos terminat end delet switch mov never won't not business money done finished "
        "last unsubscrib customer"
    ),
    "executive_escalation": split_words(
        "ceo cfo coo chairman president founder chief board exec management office leadership escalat"
    ),
    "repeat_contact": split_words(
        "time call email messag tweet dm attempt request still yet already previously again same days weeks"
    ),
    "billing": split_words("charg bill refund overcharg fee twice double"),
    "private_channel": split_words(
        "dm pm message inbox mail call text ring phone contact send follow post share say put "
        "discuss write private offline direct talk take move continue"
    ),
}

# Only the text's own cue counts: these sentence patterns mark someone else's words.
MEDIA_BIO = re.compile(
    r"\b(?:journalist|reporter|correspondent|editor|columnist|news(?:room|desk)?|producer|"
    r"broadcaster|anchor|press|media|writer at|writes for|contributor)\b",
    re.IGNORECASE,
)
MEDIA_TEXT = _cues(
    r"\b(?:i'?m|i am|as) an? (?:journalist|reporter|correspondent|editor|columnist)\b",
    r"\b(?:for|writing) (?:a|an|my|our) (?:story|article|piece|report|segment)\b",
    r"\b(?:press|media) (?:inquiry|enquiry|request)\b",
    r"\b(?:request(?:ing)?|seeking|for) (?:a )?comment\b",
    r"\bon the record\b",
)
MEDIA_TRIGGERS = split_words(
    "journalist reporter correspondent editor columnist story article piece report segment inquiry "
    "enquiry request comment record"
)


def find_cues(name: str, text: str, lowered: str | None = None) -> list[SignalEvidence]:
    """Every non-negated match of one signal's cues in the text."""
    lowered = text.lower() if lowered is None else lowered
    if not any(trigger in lowered for trigger in TRIGGERS[name]):
        return []
    found: list[SignalEvidence] = []
    for match in CUES[name].finditer(text):
        clause_start = max(text.rfind(mark, 0, match.start()) for mark in ".!?;\n,")
        before = text[clause_start + 1 : match.start()]
        if name not in NEVER_NEGATED and NEGATION.search(before) and not _is_own_negation(match.group(0)):
            continue
        if name == "executive_escalation" and SELF_DESCRIPTION.search(text[: match.start()]):
            continue
        found.append(SignalEvidence(match.start(), match.end(), match.group(0)))
    return found


# "I'm the CEO of a bakery" describes the author, it does not escalate to the brand's executives.
SELF_DESCRIPTION = re.compile(r"\b(?:i'?m|im|i am|as|was|we'?re)\s*$", re.IGNORECASE)


def _is_own_negation(cue: str) -> bool:
    """Cues like "never flying again" carry their own negation; the negation is the threat."""
    return cue.lower().startswith(("never", "won't", "will not", "not going", "don't", "do not", "rather"))


class SignalAnalyzer:
    """Flags safety, legal, churn, executive, media, repeat-contact, private-channel and billing signals."""

    name: ClassVar[str] = "signals"

    def __init__(self, *, repeat_similarity: float = 0.3) -> None:
        self.repeat_similarity = repeat_similarity

    @property
    def version(self) -> str:
        return VERSION

    def analyze(self, batch: Sequence[MentionFacts]) -> list[Finding]:
        return [self.analyze_one(facts) for facts in batch]

    def analyze_one(self, facts: MentionFacts) -> Finding:
        found: dict[str, list[SignalEvidence]] = {}
        lowered = facts.text.lower()
        for name in SIGNAL_NAMES:
            evidence = (
                self._media(facts, lowered)
                if name == "media_author"
                else find_cues(name, facts.text, lowered)
            )
            if name == "repeat_contact" and not evidence:
                evidence = self._history(facts)
            if evidence:
                found[name] = evidence
        data = SignalsData(tuple(SignalHit(name, tuple(evidence)) for name, evidence in found.items()))
        label = next(iter(found), None)
        return Finding(self.name, VERSION, label, float(len(found)), data.to_data())

    def _media(self, facts: MentionFacts, lowered: str) -> list[SignalEvidence]:
        evidence = []
        if any(trigger in lowered for trigger in MEDIA_TRIGGERS):
            evidence = [
                SignalEvidence(m.start(), m.end(), m.group(0)) for m in MEDIA_TEXT.finditer(facts.text)
            ]
        bio = facts.author_bio
        evidence.extend(
            SignalEvidence(m.start(), m.end(), m.group(0), "author_bio") for m in MEDIA_BIO.finditer(bio)
        )
        if facts.author_type in {"media", "journalist"}:
            evidence.append(SignalEvidence(0, len(facts.author_type), facts.author_type, "author_type"))
        return evidence

    def _history(self, facts: MentionFacts) -> list[SignalEvidence]:
        """Same customer, same issue within days: the pipeline passes the customer's recent texts."""
        words = _content_words(facts.text)
        if not words:
            return []
        for earlier in facts.recent_texts:
            other = _content_words(earlier)
            if other and len(words & other) / len(words | other) >= self.repeat_similarity:
                return [SignalEvidence(0, len(earlier), earlier, "recent_texts")]
        return []


STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "am",
        "i",
        "you",
        "me",
        "my",
        "your",
        "we",
        "our",
        "it",
        "this",
        "that",
        "they",
        "them",
        "he",
        "she",
        "his",
        "her",
        "its",
        "not",
        "no",
        "so",
        "just",
        "have",
        "has",
        "had",
        "do",
        "did",
        "does",
        "can",
        "could",
        "will",
        "would",
        "should",
        "please",
        "thanks",
        "thank",
        "hi",
        "hello",
        "hey",
    ]
)
TOKEN = re.compile(r"[a-z0-9']+")


def _content_words(text: str) -> set[str]:
    return {w for w in TOKEN.findall(re.sub(r"@\w+|https?://\S+", " ", text.lower())) if w not in STOPWORDS}
