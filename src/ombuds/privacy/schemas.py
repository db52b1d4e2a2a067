"""Pydantic shapes of the privacy API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class ErasureRecordRead(BaseModel):
    """That a customer was erased: who asked, when, and how many rows of each kind went."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    brand_id: int
    customer_id: int
    actor: str
    erased_at: datetime
    counts: dict[str, int]
