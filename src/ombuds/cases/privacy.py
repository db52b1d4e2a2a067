"""How a message's text is shown: signal evidence marked, personal data masked for those who may not see it.

Pure: works on the text and the spans analysis stored (character offsets into the original text).
Masking happens here, before anything reaches a page or the API, so a viewer's browser never
receives the values.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from ombuds.cases.schemas import CaseDetailRead, CaseList, CaseMentionRead, TextSegment
from ombuds.enrichment.analyzers.pii import MASKS, find_pii, redact
from ombuds.enrichment.findings import PII, SIGNALS, FindingDataError, PiiData, PiiSpan, SignalsData

logger = logging.getLogger(__name__)

#: A masked value must not leak through a cut-off copy either (subjects end in "…"): mask any
#: tail of at least this many characters that starts a value.
_MIN_TAIL = 4


@dataclass(frozen=True, slots=True)
class TextMark:
    """Characters ``start:end`` of a text, labelled (a signal name or a kind of personal data)."""

    start: int
    end: int
    label: str


def mask_token(kind: str) -> str:
    return MASKS.get(kind, f"[{kind.replace('_', ' ')}]")


def _valid(marks: Iterable[TextMark], length: int) -> list[TextMark]:
    return [s for s in marks if 0 <= s.start < s.end <= length]


def signal_marks(data: Mapping[str, Any] | None, *, where: str = "") -> list[TextMark]:
    """Evidence in the message text from a signals finding (evidence in the profile is not marked).

    Marks only decorate the text: a finding that cannot be read is logged and the text shown plain.
    """
    try:
        found = SignalsData.parse(data, where=where)
    except FindingDataError as exc:
        logger.warning("%s; its evidence is not marked", exc)
        return []
    return [
        TextMark(item.start, item.end, hit.name)
        for hit in found.signals
        for item in hit.evidence
        if item.field == "text"
    ]


def pii_marks(data: Mapping[str, Any] | None, *, text: str, where: str = "") -> list[TextMark]:
    """Personal data from a PII finding; one that cannot be read is logged and the text searched anew.

    Searching anew keeps the promise that a viewer never sees personal data, whatever is stored.
    """
    try:
        spans: Sequence[PiiSpan] = PiiData.parse(data, where=where).spans
    except FindingDataError as exc:
        logger.warning("%s; personal data is found anew in the text", exc)
        spans = find_pii(text)
    return [TextMark(span.start, span.end, span.kind or "personal data") for span in spans]


def segments(
    text: str, *, marks: Sequence[TextMark] = (), pii: Sequence[TextMark] = (), mask: bool
) -> list[TextSegment]:
    """The text cut where marks and personal data begin and end; masked values replaced by a token.

    Overlapping marks are fine (a piece can carry several signals). With ``mask``, each piece
    of personal data becomes one token, whatever marks overlap it.
    """
    marks = _valid(marks, len(text))
    pii = sorted(_valid(pii, len(text)), key=lambda s: (s.start, s.end))
    bounds = sorted({0, len(text), *(s.start for s in (*marks, *pii)), *(s.end for s in (*marks, *pii))})
    pieces: list[TextSegment] = []
    masked_from = -1  # the end of the last masked value: pieces before it are already replaced
    for start, end in pairwise(bounds):
        personal = next((s for s in pii if s.start <= start and end <= s.end), None)
        if mask and personal is not None:
            if personal.end > masked_from:
                pieces.append(TextSegment(text=mask_token(personal.label), pii=personal.label, masked=True))
                masked_from = personal.end
            continue
        signals = sorted({s.label for s in marks if s.start <= start and end <= s.end})
        piece = TextSegment(text=text[start:end], signals=signals, pii=personal.label if personal else None)
        last = pieces[-1] if pieces else None
        if last is not None and not last.masked and (last.signals, last.pii) == (piece.signals, piece.pii):
            pieces[-1] = TextSegment(text=last.text + piece.text, signals=last.signals, pii=last.pii)
        else:
            pieces.append(piece)
    return pieces


def copies(text: str, secrets: Sequence[tuple[str, str]], *, besides: Sequence[TextMark]) -> list[TextMark]:
    """Where known personal values appear in ``text`` outside the spans found in it already."""
    taken = [(mark.start, mark.end) for mark in besides]
    found: list[TextMark] = []
    for value, kind in sorted(set(secrets), key=lambda pair: -len(pair[0])):
        start = text.find(value)
        while start >= 0:
            end = start + len(value)
            if all(end <= a or b <= start for a, b in taken):
                found.append(TextMark(start, end, kind))
                taken.append((start, end))
            start = text.find(value, end)
    return found


def values(text: str, pii: Sequence[TextMark]) -> list[tuple[str, str]]:
    """The personal values themselves, with their kind, to mask wherever copies of them appear."""
    return [(text[s.start : s.end], s.label) for s in _valid(pii, len(text)) if text[s.start : s.end].strip()]


def mask_text(text: str, secrets: Sequence[tuple[str, str]]) -> str:
    """``text`` with every known personal value masked, including one cut off at the end."""
    for value, kind in sorted(secrets, key=lambda pair: -len(pair[0])):
        text = text.replace(value, mask_token(kind))
    for value, kind in secrets:
        bare = text.rstrip("…. ")
        for size in range(min(len(value) - 1, len(bare)), _MIN_TAIL - 1, -1):
            if bare.endswith(value[:size]):
                text = bare[: len(bare) - size] + mask_token(kind) + text[len(bare) :]
                break
    return text


def mask_json(value: Any, secrets: Sequence[tuple[str, str]]) -> Any:
    """Any stored JSON (analysis details) with personal values masked in every string."""
    if isinstance(value, str):
        return mask_text(value, secrets)
    if isinstance(value, Mapping):
        return {key: mask_json(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_json(item, secrets) for item in value]
    return value


# --- whole cases, as the API and the pages show them ------------------------------------------------


def _findings(mention: CaseMentionRead, analyzer: str) -> Mapping[str, Any]:
    found = next((e for e in mention.enrichments if e.analyzer == analyzer), None)
    return found.data if found is not None else {}


def present_case(detail: CaseDetailRead, *, mask: bool) -> CaseDetailRead:
    """Each message cut into segments (evidence marked); with ``mask``, personal data masked everywhere.

    Masking covers the texts, the subject, the latest message, other cases' subjects and every
    string in the analysis details, using the values at the PII spans of this case's messages.
    """
    found = {
        mention.id: pii_marks(_findings(mention, PII), text=mention.text, where=f"mention {mention.id}")
        for mention in detail.mentions
    }
    secrets = [value for mention in detail.mentions for value in values(mention.text, found[mention.id])]
    mentions = []
    for mention in detail.mentions:
        # a value found in one message (a booking reference after "booking ref") is personal in
        # every other, where nothing around it says so ("still nothing for QX7Y92")
        pii = [*found[mention.id], *copies(mention.text, secrets, besides=found[mention.id])]
        marks = signal_marks(_findings(mention, SIGNALS), where=f"mention {mention.id}")
        pieces = segments(mention.text, marks=marks, pii=pii, mask=mask)
        mentions.append(mention.model_copy(update={"segments": pieces}))
    if not mask:
        return detail.model_copy(update={"mentions": mentions})
    for index, mention in enumerate(mentions):
        mentions[index] = mention.model_copy(
            update={
                "text": "".join(piece.text for piece in mention.segments),
                "enrichments": [
                    e.model_copy(update={"data": mask_json(e.data, secrets)}) for e in mention.enrichments
                ],
            }
        )
    latest = detail.latest_mention
    return detail.model_copy(
        update={
            "subject": mask_text(detail.subject, secrets),
            "mentions": mentions,
            "latest_mention": latest.model_copy(update={"text": mask_text(latest.text, secrets)})
            if latest
            else None,
            "other_cases": [
                o.model_copy(update={"subject": mask_text(o.subject, secrets)}) for o in detail.other_cases
            ],
            # an agent may have copied the customer's booking or card into a task
            "tasks": [
                t.model_copy(
                    update={
                        "title": mask_text(t.title, secrets),
                        "description": mask_text(t.description, secrets),
                        "note": mask_text(t.note, secrets) if t.note else t.note,
                    }
                )
                for t in detail.tasks
            ],
            "pii_masked": True,
        }
    )


def mask_case_list(cases: CaseList, secrets_by_case: Mapping[int, Sequence[tuple[str, str]]]) -> CaseList:
    """The inbox's subjects and previews with the personal values of each case's messages masked."""
    items = []
    for case in cases.items:
        secrets = secrets_by_case.get(case.id, ())
        latest = case.latest_mention
        items.append(
            case.model_copy(
                update={
                    "subject": mask_text(case.subject, secrets),
                    "latest_mention": latest.model_copy(update={"text": mask_text(latest.text, secrets)})
                    if latest
                    else None,
                }
            )
            if secrets
            else case
        )
    return cases.model_copy(update={"items": items})


# --- any text, found anew: the last line of defence every answer passes through -------------------

#: The end of a text cut short ("…"): a value that lost its end no longer matches the analyzer's
#: patterns, so a trailing run of digit groups, or a word with an ``@``, counts as personal.
_CUT_TAIL = re.compile(r"(?:[+(]?\d[\d()]*[ .-])*[\w.+@()-]*$")
_ELLIPSIS = "…"


def _cut_tail(text: str) -> str:
    bare = text.rstrip(". ")
    if not bare.endswith(_ELLIPSIS):
        return text
    bare = bare[: -len(_ELLIPSIS)]
    match = _CUT_TAIL.search(bare)
    tail = match.group(0).strip() if match else ""
    if "@" not in tail and sum(char.isdigit() for char in tail) < _MIN_TAIL:
        return text
    start = len(bare) - len(bare[match.start() :].lstrip()) if match else len(bare)
    return bare[:start] + mask_token("personal data") + text[len(bare) :]


#: A link: post ids in URLs look like card and phone numbers to the analyzer, so only an email
#: address (``?email=``, ``mailto:``) is masked in one; the analyzer never reads URLs either.
_URL = re.compile(r"(?:https?://|mailto:)\S+", re.IGNORECASE)


def mask_found(text: str) -> str:
    """``text`` with the personal data the PII analyzer finds in it masked, a cut-off value included."""
    spans = find_pii(text)
    if _URL.fullmatch(text):
        spans = [span for span in spans if span.kind == "email"]
    return _cut_tail(redact(text, spans))
