"""An incident's headline, and when to change it as the storm grows. Pure: storms and words in, text out.

A storm's title is written when it opens, from the first few dozen messages. As it grows, what
most people say can change (the first voices said "app crashed", the next hundred "lost my
downloads"), and its size matters to whoever scans the list. The title follows: it names the
phrase most of the storm's sampled messages carry, and how many mentions it has past a few
round sizes. Two rules keep it from flickering: a new phrase must clearly lead the current one,
and sizes are coarse bands that only grow. A title a person wrote is never replaced (the caller
knows whether one did).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ombuds.incidents.detectors import Storm
from ombuds.incidents.detectors.text import LINKS, REPLIES_TO_ONE_POST, words
from ombuds.incidents.detectors.types import speaker_of
from ombuds.mentions.values import channel_name

TITLE_CHARS = 300
#: Sizes the title names ("100+ mentions"); a storm crossing one gets its title refreshed.
SIZE_BANDS = (25, 100, 500, 2500, 10_000)
#: A new phrase replaces the one in the title only with this many times its share of messages…
LEAD_RATIO = 1.5
#: …and at least this many messages more, so a few messages do not flip a small storm's title.
LEAD_MARGIN = 3
_QUOTED = re.compile(r"“(.+?)”")


def size_band(mention_count: int) -> int:
    """The largest band the count has reached, or 0 below the first."""
    return max((band for band in SIZE_BANDS if mention_count >= band), default=0)


def phrase_counts(phrases: Iterable[str], texts: Sequence[str]) -> dict[str, int]:
    """How many of ``texts`` say each phrase, word for word (case, links and handles aside)."""
    said = [f" {' '.join(words(text))} " for text in texts]
    return {phrase: sum(1 for text in said if f" {phrase} " in text) for phrase in phrases}


def choose_phrase(counts: dict[str, int], *, current: str | None = None) -> str | None:
    """The phrase most messages say (ties: the longer, which tells more); ``current`` stays unless clearly led.

    With no counts at all (phrases the sample never spells out), the longest phrase.
    """
    if not counts:
        return None
    best = max(counts, key=lambda p: (counts[p], len(p.split()), len(p), p))
    if counts[best] == 0:
        return max(counts, key=lambda p: (len(p.split()), len(p), p))
    if current is not None and current in counts and current != best:
        kept = counts[current]
        if counts[best] < kept * LEAD_RATIO or counts[best] - kept < LEAD_MARGIN:
            return current
    return best


def quoted_phrase(title: str) -> str | None:
    """The phrase a generated title quotes, if any."""
    found = _QUOTED.search(title)
    return found.group(1) if found else None


def storm_title(storm: Storm, *, current: str | None = None) -> str:
    """A headline people can scan: what the detectors saw, in words, and how big it is once that matters.

    ``current``: the title the incident has now, whose phrase is kept unless another clearly leads.
    """
    key = storm.key
    named = [phrase for phrase in storm.phrases.values() if phrase not in LINKS]
    texts = [message.text for message in storm.sample]
    phrase = choose_phrase(
        phrase_counts(named, texts), current=quoted_phrase(current) if current is not None else None
    )
    if phrase:
        title = f"Many people saying “{phrase}”"
    elif REPLIES_TO_ONE_POST in storm.phrases.values():
        title = "Many people answering one post"
    elif storm.phrases:
        title = "Many people posting the same message"
    elif storm.signal.value == "high_reach":
        channel, handle = speaker_of(key.removeprefix("author:"))
        title = f"High-reach author complaining: {handle}" + (
            f" on {channel_name(channel)}" if channel else ""
        )
    elif storm.signal.value == "negative_share":
        title = "Tone turning negative"
    elif storm.signal.value == "signal_rise":
        title = f"Rising: {key.removeprefix('signal:').replace('_', ' ')}"
    elif key == "tone:negative":
        title = "Surge of complaints"
    elif key.startswith("category:"):
        title = f"Surge of mentions about {key.partition(':')[2].replace('_', ' ')}"
    elif key.startswith("channel:"):
        title = f"Surge of mentions on {channel_name(key.partition(':')[2])}"
    else:
        title = "Surge of mentions"
    band = size_band(storm.mention_count)
    suffix = f" · {band:,}+ mentions" if band else ""
    return title[: TITLE_CHARS - len(suffix)] + suffix


def spoken_phrases(phrases: Sequence[str], *, limit: int = 5) -> list[str]:
    """What the storm's people keep saying, for a person: the detectors' own markers left out
    ("(near-duplicates)"), and a phrase inside a longer one listed too said once, longest first
    ("#slowdownwithlarkspur is the", not also "#slowdownwithlarkspur is")."""
    said = sorted(
        {p for p in phrases if p and not (p.startswith("(") and p.endswith(")"))}, key=len, reverse=True
    )
    kept: list[str] = []
    for phrase in said:
        if not any(phrase in longer for longer in kept):
            kept.append(phrase)
    return kept[:limit]


def stream_words(key: str) -> str | None:
    """Which part of the stream an alarm watched, for people ("dana_reports on X", "about lost
    luggage"); None for the whole stream, a phrase (its words are in the title) or a person's own."""
    kind, colon, rest = key.partition(":")
    if not colon:
        return "negative tone" if key == "tone:negative" else None
    if kind == "author":
        channel, handle = speaker_of(rest)
        return handle + (f" on {channel_name(channel)}" if channel else "")
    if kind == "category":
        return f"about {rest.replace('_', ' ')}"
    if kind == "channel":
        return f"on {channel_name(rest)}"
    if kind == "signal":
        return rest.replace("_", " ")
    if kind == "tone":
        return f"{rest} tone"
    return None


def refreshed_title(*, current: str, proposed: str, edited_by_person: bool) -> str | None:
    """The title to change to, or None: unchanged, or a person wrote the current one."""
    if edited_by_person or proposed == current or not proposed.strip():
        return None
    return proposed
