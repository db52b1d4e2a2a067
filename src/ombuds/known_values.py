"""Personal values already found in a customer's messages, masked wherever a copy of them appears.

The PII analyzer finds a booking reference only after a word that says what it is ("booking ref
QX7Y92"); when the customer repeats it bare ("still nothing for QX7Y92") nothing in that message
says so. The values found in their other messages are known, though, so every text an answer
shows is searched for them too (``ombuds.shown_messages`` gathers them for a request).

Pure: plain strings in, plain strings out.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from ombuds.cases.privacy import mask_token

#: A value cut off by "…" at either end of a copy (a subject, an excerpt) is masked from this many
#: characters on, as ``cases.privacy.mask_text`` does at the end.
MIN_PIECE = 4
_ELLIPSIS = "…"
_WORD = re.compile(r"\w+")


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _joined(before: str, after: str) -> bool:
    """Whether two characters side by side belong to one word (so a match there is not a value)."""
    return _is_word(before) and _is_word(after)


def _key_word(value: str) -> re.Match[str] | None:
    """The word of a value it is looked up by: the one other values are least likely to share.

    An email's last word before the "@" (every address at one domain shares the rest), otherwise
    the longest, the last of equals: a phone's line number rather than "1" or "415".
    """
    words = list(_WORD.finditer(value))
    at = value.find("@")
    if at > 0 and any(word.end() <= at for word in words):
        words = [word for word in words if word.end() <= at]
        return words[-1]
    return max(reversed(words), key=lambda word: len(word.group(0)), default=None)


class KnownValues:
    """A set of personal values with their kinds; :meth:`mask` replaces each wherever it appears.

    Case does not matter ("qx7y92" in a lower-cased phrase is the same reference), and a value is
    not found inside a longer word or number ("QX7Y92" in "AQX7Y921"). Values are looked up by
    one of their words (``_key_word``), so a text is read once, word by word, however many values
    there are: an answer listing hundreds of customers' messages holds as many values.
    """

    __slots__ = ("_by_word", "_heads", "_kinds", "_longest", "_tails", "_unpieced")

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._kinds: dict[str, str] = {}
        #: key word -> (where it starts in the value, value), longest value first
        self._by_word: dict[str, list[tuple[int, str]]] = {}
        #: what is left of a value cut off at its end ("…" after it) or its start, with its kind
        self._heads: dict[str, str] = {}
        self._tails: dict[str, str] = {}
        self._unpieced: list[str] = []  # values not in those two yet: few texts are cut
        self._longest = 0
        self.add(pairs)

    def add(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Know these values too (a request reads more messages as its answer is made)."""
        for value, kind in pairs:
            value = value.strip()
            if len(value.lower()) == len(value):  # not so "İ": offsets would no longer agree
                value = value.lower()
            key = _key_word(value)
            if key is None or value in self._kinds:
                continue
            self._kinds[value] = kind
            same_word = self._by_word.setdefault(key.group(0).lower(), [])
            bisect.insort(same_word, (key.start(), value), key=lambda found: -len(found[1]))
            self._unpieced.append(value)
            self._longest = max(self._longest, len(value))

    def _index_pieces(self) -> None:
        for value in self._unpieced:
            for size in range(MIN_PIECE, len(value)):
                self._heads.setdefault(value[:size].lower(), self._kinds[value])
                self._tails.setdefault(value[-size:].lower(), self._kinds[value])
        self._unpieced.clear()

    def __len__(self) -> int:
        return len(self._kinds)

    def __bool__(self) -> bool:
        return bool(self._kinds)

    def mask(self, text: str) -> str:
        """``text`` with every known value masked, and a piece of one cut off at either end by "…"."""
        if not self._kinds or not text:
            return text
        text = self._mask_whole(text)
        if _ELLIPSIS in text:
            self._index_pieces()
            text = self._mask_cut_start(self._mask_cut_end(text))
        return text

    def _mask_whole(self, text: str) -> str:
        found: list[tuple[int, int, str]] = []  # (start, end, kind), in the order of the text
        done = 0  # the end of the last value found
        for word in _WORD.finditer(text):
            candidates = self._by_word.get(word.group(0).lower())
            if not candidates:
                continue
            for offset, value in candidates:
                start = word.start() - offset
                end = start + len(value)
                if (
                    start >= done
                    and text[start:end].lower() == value.lower()
                    and not (start and _joined(text[start - 1], value[0]))
                    and not (end < len(text) and _joined(value[-1], text[end]))
                ):
                    found.append((start, end, self._kinds[value]))
                    done = end
                    break
        if not found:
            return text
        parts: list[str] = []
        copied = 0
        for start, end, kind in found:
            parts += [text[copied:start], mask_token(kind)]
            copied = end
        return "".join([*parts, text[copied:]])

    def _mask_cut_end(self, text: str) -> str:
        bare = text.rstrip(". ")
        if not bare.endswith(_ELLIPSIS):
            return text
        bare = bare[: -len(_ELLIPSIS)]
        for start in range(max(0, len(bare) - self._longest), len(bare) - MIN_PIECE + 1):
            if start and _joined(bare[start - 1], bare[start]):
                continue  # a value starts a word
            kind = self._heads.get(bare[start:].lower())
            if kind is not None:
                return bare[:start] + mask_token(kind) + text[len(bare) :]
        return text

    def _mask_cut_start(self, text: str) -> str:
        bare = text.lstrip(". ")
        if not bare.startswith(_ELLIPSIS):
            return text
        head = len(text) - len(bare) + len(_ELLIPSIS)
        rest = text[head:]
        for end in range(min(len(rest), self._longest), MIN_PIECE - 1, -1):
            if end < len(rest) and _joined(rest[end - 1], rest[end]):
                continue  # a value ends a word
            kind = self._tails.get(rest[:end].lower())
            if kind is not None:
                return text[:head] + mask_token(kind) + rest[end:]
        return text
