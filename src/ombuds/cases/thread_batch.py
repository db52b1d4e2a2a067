"""What threading a batch needs to know, read in a few queries, and kept current as it decides.

``thread_mentions`` (``cases/actions.py``) used to ask the database once or twice per mention (the
author's identity, the customer's open case, the case a reply answers, the case to reopen), each
query flushing the batch's changes first. ``CaseBook`` reads the same facts for the whole batch at
once and then answers from memory, updating itself with each decision, so a customer's second
message in the batch finds the case their first one opened or reopened, as it did before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.cases.models import OPEN_STATUSES, Case, CaseStatus, Identity, handle_among
from ombuds.cases.outcomes import within_reopen_window
from ombuds.clock import as_utc
from ombuds.mentions.models import Direction, Mention
from ombuds.mentions.values import channel_key

IdentityKey = tuple[int, str, str]  # brand, network (``channel_key``), handle


def identity_key(mention: Mention) -> IdentityKey:
    """Who wrote: a handle on a network, whichever of its names the source gave ("x", "twitter")."""
    return (mention.brand_id, channel_key(mention.channel), mention.author_handle)


@dataclass(slots=True)
class KnownIdentity:
    """What threading reads and writes of an identity: whose it is and the audience last shown
    (``id`` None: made in this batch, not stored yet)."""

    id: int | None
    customer_id: int
    followers: int | None


def load_identities(session: Session, mentions: Sequence[Mention]) -> dict[IdentityKey, KnownIdentity]:
    """The known identities behind the batch's inbound authors, in one query. An author the brand
    knows under another name of the network (imported as "twitter", now on the X connector) is
    the same customer; of two such identities made before that was so, the older one. Rows, not
    objects: a batch of new authors read hundreds, and threading changes only their audience."""
    inbound = [m for m in mentions if m.direction is Direction.INBOUND]
    if not inbound:
        return {}
    wanted = {identity_key(m) for m in inbound}
    rows = session.execute(
        select(
            Identity.brand_id,
            Identity.channel,
            Identity.handle,
            Identity.id,
            Identity.customer_id,
            Identity.followers,
        )
        .where(  # through ix_identity_brand_handle; the handle's own case is matched below
            Identity.brand_id.in_({key[0] for key in wanted}),
            handle_among(session.get_bind().dialect.name, {key[2] for key in wanted}),
        )
        .order_by(Identity.id.desc())  # the older identity is the last one kept
    )
    return {
        key: KnownIdentity(identity_id, customer_id, followers)
        for brand_id, channel, handle, identity_id, customer_id, followers in rows
        if (key := (brand_id, channel_key(channel), handle)) in wanted
    }


@dataclass
class CaseBook:
    """The batch's customers' cases and the cases its replies answer, as the batch changes them."""

    open_cases: dict[int, list[Case]]  # customer id -> their open cases
    resolved: dict[int, Case]  # customer id -> their latest resolved case
    # (brand, channel or None for any, external id) -> the mention of that id, and its case
    replied: dict[tuple[int, str | None, str], tuple[int, Case | None]]
    batch_cases: dict[int, Case | None]  # mention id of the batch -> the case it was put in
    reopen_window_days: dict[int, int]  # brand id -> days
    last_activity: dict[Case, datetime] = field(default_factory=dict)
    reopened: set[Case] = field(default_factory=set)

    @classmethod
    def load(cls, session: Session, *, mentions: Sequence[Mention], customer_ids: Iterable[int]) -> CaseBook:
        customers = set(customer_ids)
        open_cases: dict[int, list[Case]] = defaultdict(list)
        resolved: dict[int, Case] = {}
        if customers:
            for case in session.scalars(
                select(Case)
                .where(
                    Case.customer_id.in_(customers),
                    Case.status.in_((*OPEN_STATUSES, CaseStatus.RESOLVED)),
                )
                .order_by(Case.resolved_at.desc(), Case.id.desc())
            ):
                if case.status in OPEN_STATUSES:
                    open_cases[case.customer_id].append(case)
                elif case.resolved_at is not None:
                    resolved.setdefault(case.customer_id, case)  # the latest, as ordered
        brand_ids = {m.brand_id for m in mentions}
        windows = session.execute(select(Brand.id, Brand.reopen_window_days).where(Brand.id.in_(brand_ids)))
        return cls(
            open_cases=open_cases,
            resolved=resolved,
            replied=_load_replied(session, mentions),
            batch_cases={},
            reopen_window_days={int(brand_id): int(days) for brand_id, days in windows},
        )

    def _activity(self, case: Case) -> datetime:
        return as_utc(self.last_activity.get(case, case.last_activity_at))

    def _is_open(self, case: Case) -> bool:
        return case.status in OPEN_STATUSES or case in self.reopened

    def open_case_of(self, customer_id: int) -> Case | None:
        """The customer's open case with the latest activity."""
        cases = self.open_cases.get(customer_id)
        if not cases:
            return None
        return max(cases, key=lambda case: (self._activity(case), case.id or 0))

    def case_replied_to(self, mention: Mention) -> Case | None:
        """The open case of the message this mention answers, when that message is known to us."""
        if not mention.in_reply_to:
            return None
        # an id is unique on its source only: the message of that id on the same channel first
        found = self.replied.get(
            (mention.brand_id, mention.channel, mention.in_reply_to)
        ) or self.replied.get((mention.brand_id, None, mention.in_reply_to))
        if found is None:
            return None
        replied_id, case = found
        if replied_id in self.batch_cases:  # threaded earlier in this batch
            case = self.batch_cases[replied_id]
        return case if case is not None and self._is_open(case) else None

    def reopenable_case_of(self, mention: Mention, customer_id: int) -> Case | None:
        """The customer's case resolved within their brand's reopen window before ``mention``."""
        case = self.resolved.get(customer_id)
        if case is None or case.resolved_at is None or mention.brand_id not in self.reopen_window_days:
            return None
        inside = within_reopen_window(
            resolved_at=as_utc(case.resolved_at),
            at=as_utc(mention.created_at),
            window_days=self.reopen_window_days[mention.brand_id],
        )
        return case if inside else None

    def put(self, mention: Mention, case: Case | None, *, reopened: bool = False) -> None:
        """Remember where the mention went, as the database will say once the batch is written."""
        self.batch_cases[mention.id] = case
        if case is None:
            return
        if reopened:
            self.reopened.add(case)
            self.resolved.pop(case.customer_id, None)
        cases = self.open_cases.setdefault(case.customer_id, [])
        if case not in cases:
            cases.append(case)
        if as_utc(mention.created_at) > self._activity(case):
            self.last_activity[case] = as_utc(mention.created_at)


def _load_replied(
    session: Session, mentions: Sequence[Mention]
) -> dict[tuple[int, str | None, str], tuple[int, Case | None]]:
    """For each message the batch answers: the first stored mention with that id on each channel
    (keyed by brand, channel and id) and on any (channel None), and its case."""
    wanted = {(m.brand_id, m.in_reply_to) for m in mentions if m.in_reply_to}
    if not wanted:
        return {}
    rows = session.execute(
        select(Mention.brand_id, Mention.channel, Mention.external_id, Mention.id, Mention.case_id)
        .where(
            Mention.brand_id.in_({brand for brand, _ in wanted}),
            Mention.external_id.in_({external for _, external in wanted}),
        )
        .order_by(Mention.id)
    ).all()
    case_ids = {row.case_id for row in rows if row.case_id is not None}
    cases = (
        {case.id: case for case in session.scalars(select(Case).where(Case.id.in_(case_ids)))}
        if case_ids
        else {}
    )
    found: dict[tuple[int, str | None, str], tuple[int, Case | None]] = {}
    for brand_id, channel, external_id, mention_id, case_id in rows:
        if (brand_id, external_id) in wanted:
            replied = (mention_id, cases.get(case_id) if case_id is not None else None)
            found.setdefault((brand_id, channel, external_id), replied)
            found.setdefault((brand_id, None, external_id), replied)
    return found
