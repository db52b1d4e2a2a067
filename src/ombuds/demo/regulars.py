"""Customers who came back: some of the demo's people had a case with the airline a couple of weeks
before, answered and resolved, so their case page lists it under "Other cases of this customer".

Without them no demo case had another case of its customer: every scenario author is a new person,
and someone who writes again within the brand's reopen window (7 days) reopens their case rather
than opening a second one. The earlier cases lie further back than that window, before the
scenario starts, and are threaded and resolved before the scenario's messages arrive.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from ombuds.demo import phrases as p
from ombuds.demo.scenario import DemoMention

#: How many of the scenario's customers have an earlier case.
REGULARS = 10
#: The earlier case began this many days before the seeding moment (the scenario covers the last 4).
HISTORY_DAYS = (12.0, 24.0)
EARLIER_PROBLEMS = (
    "@LarkspurAir my seat was changed without asking and I lost the aisle I paid for",
    "@LarkspurAir the refund for my cancelled flight still has not arrived",
    "@LarkspurAir your app logged me out at check-in and I nearly missed boarding",
    "@LarkspurAir my bag came back from Denver with a broken wheel",
    "@LarkspurAir the lounge voucher from my delayed flight was refused at the desk",
)
EARLIER_REPLIES = (
    "Sorry about that, {name}. We've sorted it on our side; let us know if anything is still wrong. ^{agent}",
    "Thanks for your patience, {name}: it's fixed now, and we've noted it on your booking. ^{agent}",
)


def earlier_conversations(scenario: list[DemoMention], *, now: datetime, seed: int) -> list[DemoMention]:
    """One earlier complaint and the brand's answer for a few customers who write in the scenario."""
    rng = random.Random(seed * 7919 + 1)
    first_of: dict[str, DemoMention] = {}
    for mention in scenario:
        if mention.direction == "inbound" and mention.in_reply_to is None:
            first_of.setdefault(mention.author_handle, mention)
    # people whose scenario message comes after their earlier case's reopen window has passed
    latest_start = now - timedelta(days=HISTORY_DAYS[0] - 8)
    candidates = sorted(
        (m for m in first_of.values() if m.created_at >= latest_start and not m.author_bio),
        key=lambda m: (m.created_at, m.external_id),
    )
    chosen = rng.sample(candidates, min(REGULARS, len(candidates)))
    earlier: list[DemoMention] = []
    for index, person in enumerate(sorted(chosen, key=lambda m: m.external_id)):
        at = now - timedelta(days=rng.uniform(*HISTORY_DAYS), minutes=rng.randrange(600))
        complaint = DemoMention(
            external_id=f"demo-earlier-{index}",
            channel=person.channel,
            author_handle=person.author_handle,
            author_name=person.author_name,
            text=rng.choice(EARLIER_PROBLEMS),
            created_at=at,
            followers=person.followers,
        )
        answer = DemoMention(
            external_id=f"demo-earlier-{index}-reply",
            channel=person.channel,
            author_handle=p.BRAND_HANDLE,
            author_name=p.BRAND_NAME,
            text=f"@{person.author_handle} "
            + rng.choice(EARLIER_REPLIES).format(name=person.author_name, agent=rng.choice(p.AGENT_INITIALS)),
            created_at=at + timedelta(minutes=rng.choice((25, 50, 95))),
            followers=182_000,
            direction="outbound",
            in_reply_to=complaint.external_id,
        )
        earlier += [complaint, answer]
    return sorted(earlier, key=lambda m: m.created_at)
