"""Search results over JSON."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Kind = Literal["case", "mention", "customer"]


class SearchResultRead(BaseModel):
    kind: Kind
    id: int
    case_id: int | None = Field(
        default=None, description="The case a message belongs to (a case's own id); none for a customer."
    )
    snippet: str = Field(description="Where it matched, one line; personal data masked as for the caller.")
    highlights: list[tuple[int, int]] = Field(
        default_factory=list, description="[start, end) offsets in `snippet` of the words searched for."
    )


class SearchResults(BaseModel):
    results: list[SearchResultRead]
    total: int = Field(description="Matches of every kind, of which `results` holds the best.")
