"""Pydantic shapes of resolutions in and out. Amounts travel as exact decimal strings ("120.00");
a JSON number is accepted on the way in, a string that is not a number, NaN, infinity, a negative
amount or one past a billion are refused with a message naming the field."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ombuds.fields import Id, NoNul
from ombuds.responses.resolutions.limits import check_amount, dump_limits, parse_limits
from ombuds.responses.resolutions.values import ResolutionKind, ResolutionStatus

#: A sum of money: at most two decimal places, from 0 up to a billion.
Amount = Annotated[Decimal, Field(allow_inf_nan=False), AfterValidator(check_amount)]
#: An ISO 4217 code such as EUR.
Currency = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{3}$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoNul]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), NoNul]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), NoNul]

LIMITS_DESCRIPTION = (
    'Per role, the highest amount it gives without approval, e.g. {"agent": 50, "manager": 500}; '
    "null means no limit; a role not listed may only ask a manager."
)


def _limits(value: dict[str, Any]) -> dict[str, str | None]:
    return dump_limits(parse_limits(value))


class ResolutionOptionCreate(BaseModel):
    kind: ResolutionKind
    label: Label
    currency: Currency
    limits: dict[str, Any] = Field(default_factory=dict, description=LIMITS_DESCRIPTION)
    is_active: bool = True

    @field_validator("limits")
    @classmethod
    def _check_limits(cls, value: dict[str, Any]) -> dict[str, str | None]:
        return _limits(value)


class ResolutionOptionUpdate(BaseModel):
    """Only the fields sent change."""

    label: Label | None = None
    currency: Currency | None = None
    limits: dict[str, Any] | None = Field(default=None, description=LIMITS_DESCRIPTION)
    is_active: bool | None = None

    @field_validator("limits")
    @classmethod
    def _check_limits(cls, value: dict[str, Any] | None) -> dict[str, str | None] | None:
        return None if value is None else _limits(value)


class ResolutionOptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: ResolutionKind
    label: str
    currency: str
    limits: dict[str, str | None]
    is_active: bool


class CaseResolutionCreate(BaseModel):
    option_id: Id
    amount: Amount
    currency: Currency | None = Field(default=None, description="Defaults to the option's; must match it.")
    reason: Reason


class ResolutionDecision(BaseModel):
    note: Note = ""


class CaseResolutionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    option_id: int
    option_label: str
    kind: ResolutionKind
    amount: Decimal
    currency: str
    reason: str
    status: ResolutionStatus
    requested_by_id: int | None
    requested_by_name: str | None
    decided_by_id: int | None
    decided_by_name: str | None
    decided_at: datetime | None
    decision_note: str | None
    created_at: datetime
