"""The words resolutions share between the pure limit logic, the tables and the schemas. No ORM."""

from __future__ import annotations

from enum import StrEnum


class ResolutionKind(StrEnum):
    WAIVE_FEE = "waive_fee"
    CREDIT = "credit"
    REBOOK = "rebook"
    REPLACE = "replace"
    VOUCHER = "voucher"


class ResolutionStatus(StrEnum):
    APPLIED = "applied"
    AWAITING_APPROVAL = "awaiting_approval"
    DECLINED = "declined"
