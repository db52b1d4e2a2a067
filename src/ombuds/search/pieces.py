"""Whether a search found a message by a piece of its personal data: pure, so a caller who sees
personal data masked is shown only what the words find in the open.

The index stems words and ignores accents and case ("linds" finds "lind", "lïnd" finds "lind"), so
a searched word counts as found in a piece of text when one of its words begins with the word or
the word begins with it (three letters at least), both folded to plain lower-case letters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

_TOKEN = re.compile(r"\w+")
#: the shortest word of a text taken as the stem of a longer searched word ("lind" of "linds")
_STEM = 3
#: what a stemmer takes off a word, so "linds" finds "lind" and "booked" "book"; not any ending, or
#: "mailbox" would be found in the open by a "mail" beside jane.doe@mailbox.example
_ENDINGS = frozenset({"s", "es", "ed", "d", "ing", "er", "ers", "ly", "y", "ies", "ment", "ness"})


def folded(text: str) -> str:
    """Lower-case, accents taken off: "Lïnd" is "lind"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _found_in(word: str, text: str) -> bool:
    return any(
        token.startswith(word)
        or (len(token) >= _STEM and word.startswith(token) and word[len(token) :] in _ENDINGS)
        for token in _TOKEN.findall(folded(text))
    )


def found_only_in_personal_data(words: Iterable[str], text: str, personal: Sequence[str]) -> bool:
    """Whether a searched word finds ``text`` inside one of its ``personal`` values and nowhere else."""
    open_text = text
    for value in sorted(personal, key=len, reverse=True):
        open_text = open_text.replace(value, " ")
    for word in {folded(word) for word in words if word.strip()}:
        if any(_found_in(word, value) for value in personal) and not _found_in(word, open_text):
            return True
    return False
