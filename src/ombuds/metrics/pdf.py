"""The digest as a PDF, printed from the email's own HTML by WeasyPrint (needs Pango, see
scripts/install-system-deps.sh), so the PDF and the email always show the same figures."""

from __future__ import annotations

from typing import Any, NoReturn


def _fetch_nothing(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    # the digest is self-contained; a PDF printer must not reach out to the network or disk
    raise ValueError(f"the digest PDF loads no outside resources ({url})")


def html_to_pdf(html: str) -> bytes:
    """The PDF of one self-contained HTML page."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment, and only the PDF needs it

    pdf: bytes = HTML(string=html, url_fetcher=_fetch_nothing).write_pdf()
    return pdf
