"""An email body as the words the customer wrote this time: HTML made plain, quoted history cut off.

Pure. quotequail finds the quoted part ("On ... wrote:", Outlook's "-----Original Message-----",
forwarded headers, in plain text or in Gmail's and Apple Mail's HTML); inscriptis lays the HTML
that is left out as plain text, lists and tables readable. What the libraries miss, a trailing
run of "> " lines or a lone quote between answers, is dropped line by line here.
"""

from __future__ import annotations

import re

import quotequail
from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig

_QUOTED_LINE = re.compile(r"^\s*>")
# Three or more blank lines say no more than two do.
_BLANK_RUN = re.compile(r"\n{3,}")
# "strict": block elements as HTML lays them out; the default ("relaxed") indents every <div>.
_LAYOUT = ParserConfig(css=CSS_PROFILES["strict"])


def html_to_text(html: str) -> str:
    """The text a reader sees on the page: no markup, scripts or styles; paragraphs kept apart."""
    if not html.strip():
        return ""
    return _tidy(get_text(html, _LAYOUT))


def strip_quoted(text: str) -> str:
    """The customer's own words: the history their mail program quoted below (or above) them removed.

    A message that is nothing but a quote (a forward with no word added) keeps the forwarded text,
    so the desk still sees what the customer sent.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = quotequail.unwrap(text)
    if found is not None:
        own = "\n\n".join(part for part in (found.get("text_top"), found.get("text_bottom")) if part)
        text = own or found.get("text", "")
    kept = _without_quoted_lines(text)
    return _tidy(kept) or _tidy(text)


def strip_quoted_html(html: str) -> str:
    """``strip_quoted`` for an HTML-only message: the quote is cut in the markup, then made plain."""
    found = quotequail.unwrap_html(html)
    if found is not None:
        own = "".join(part for part in (found.get("html_top"), found.get("html_bottom")) if part)
        html = own or found.get("html", "") or html
    return strip_quoted(html_to_text(html))


def _without_quoted_lines(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not _QUOTED_LINE.match(line))


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.split("\n")]
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip()
