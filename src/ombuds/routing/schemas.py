"""SLA policy over JSON: what a manager reads and writes at /api/v1/sla-policy."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ombuds.fields import Id, WholeNumber

PriorityName = Literal["urgent", "high", "normal", "low"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
TargetName = Literal["first_response", "next_response", "resolution"]
#: JSON true/false is no number of minutes (pydantic would read true as 1).
Minutes = dict[PriorityName, WholeNumber]


class SlaPolicyRead(BaseModel):
    """Targets are minutes of business time; a brand that never set a policy reads the default."""

    #: IANA time zone the opening hours and holidays are in, such as "Europe/London"
    timezone: str
    #: opening windows per weekday, "HH:MM-HH:MM" local time ("24:00" ends the day); a missing day is closed
    hours: dict[Weekday, list[str]]
    #: local dates with no business time
    holidays: list[date]
    #: target → priority → minutes; first_response and resolution need every priority
    targets: dict[TargetName, Minutes]
    #: channel → target → priority → minutes, overriding ``targets`` on that channel
    channel_targets: dict[str, dict[TargetName, Minutes]] = Field(default_factory=dict)
    #: share of the allowed business time after which a case shows "near breach"
    near_breach_percent: WholeNumber = 80
    #: on breach: raise the priority one step
    raise_priority_on_breach: bool = True
    #: on breach: tell the brand's managers (an event on the case naming them)
    notify_managers_on_breach: bool = True
    #: on breach: hand the case to this team (of the same brand); null keeps its team
    move_to_team_id: Id | None = None


class SlaPolicyWrite(SlaPolicyRead):
    model_config = ConfigDict(extra="forbid")
