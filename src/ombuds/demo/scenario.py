"""A few days of a fictional airline's customer voice, generated from a seed (pure: no I/O)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from ombuds.demo import phrases as p


@dataclass(frozen=True, slots=True)
class DemoMention:
    external_id: str
    channel: str
    author_handle: str
    author_name: str
    text: str
    created_at: datetime
    followers: int
    author_bio: str | None = None
    direction: Literal["inbound", "outbound"] = "inbound"
    is_public: bool = True
    in_reply_to: str | None = None
    metrics: dict[str, int] = field(default_factory=dict)


@dataclass
class _Writer:
    """Fills templates with varied slots and hands out ids; one per scenario."""

    rng: random.Random
    start: datetime
    days: int
    out: list[DemoMention] = field(default_factory=list)
    _next_id: int = 1000

    def fill(self, template: str, **extra: str) -> str:
        r = self.rng
        slots = {
            "brand": p.BRAND_HANDLE,
            "open": r.choice(p.OPENERS),
            "flight": f"LK{r.randint(100, 989)}",
            "city": r.choice(p.CITIES),
            "hours": str(r.choice((2, 3, 3, 4, 5, 6, 7, 9))),
            "minutes": str(r.choice((45, 70, 90, 120, 150))),
            "days": str(r.randint(2, 9)),
            "amount": str(r.choice((35, 49, 60, 89, 120, 245, 310, 480))),
            "gate": f"{r.choice('ABCDE')}{r.randint(1, 40)}",
            "seat": f"{r.randint(8, 34)}{r.choice('ABCDEF')}",
            "ref": "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6)),
            "count": str(r.randint(18, 60)),
            "angry": r.choice(p.EMOJI_ANGRY),
            "happy": r.choice(p.EMOJI_HAPPY),
        }
        slots.update(extra)
        text = template.format(**slots).strip()
        if r.random() < 0.08:
            text = text.lower()
        return " ".join(text.split())

    def new_id(self) -> str:
        self._next_id += self.rng.randint(1, 7)
        return f"demo-{self._next_id}"

    def moment(self, *, day: int | None = None) -> datetime:
        """A time with a daily rhythm: quiet at night, busy in the morning and evening."""
        day = self.rng.randrange(self.days) if day is None else day
        hour = self.rng.choices(
            range(24), weights=[1, 1, 1, 1, 1, 2, 4, 7, 8, 8, 7, 6, 6, 6, 6, 6, 7, 8, 9, 8, 6, 4, 3, 2]
        )[0]
        return self.start + timedelta(
            days=day, hours=hour, minutes=self.rng.randrange(60), seconds=self.rng.randrange(60)
        )

    def add(self, **fields: object) -> DemoMention:
        mention = DemoMention(external_id=self.new_id(), **fields)  # type: ignore[arg-type]
        self.out.append(mention)
        return mention


def _person(rng: random.Random, used: set[str]) -> tuple[str, str, int]:
    while True:
        name = rng.choice(p.FIRST_NAMES)
        handle = f"{name.lower()}{rng.choice(p.HANDLE_TAILS)}{rng.choice(('', str(rng.randint(1, 99))))}"
        if handle not in used:
            used.add(handle)
            followers = int(rng.lognormvariate(5.3, 1.4))  # most have a few hundred, a few have thousands
            return handle, name, followers


def _reply(
    w: _Writer, to: DemoMention, *, template: str | None = None, kind: str = "complaint"
) -> DemoMention:
    delay = timedelta(minutes=w.rng.choice((6, 14, 25, 40, 75, 130, 240)))
    text = (template or w.rng.choice(p.BRAND_REPLIES[kind])).format(
        name=to.author_name, agent=w.rng.choice(p.AGENT_INITIALS)
    )
    return w.add(
        channel=to.channel,
        author_handle=p.BRAND_HANDLE,
        author_name=p.BRAND_NAME,
        text=f"@{to.author_handle} {text}",
        created_at=to.created_at + delay,
        followers=182_000,
        direction="outbound",
        is_public=to.is_public,
        in_reply_to=to.external_id,
    )


def _everyday(w: _Writer, used: set[str], count: int) -> None:
    kinds = [("complaint", 0.55), ("question", 0.2), ("praise", 0.15), ("suggestion", 0.1)]
    for _ in range(count):
        kind = w.rng.choices([k for k, _ in kinds], weights=[wt for _, wt in kinds])[0]
        if kind == "complaint":
            topic = w.rng.choice(list(p.COMPLAINTS))
            template = w.rng.choice(p.COMPLAINTS[topic])
        else:
            template = w.rng.choice(
                {"question": p.QUESTIONS, "praise": p.PRAISE, "suggestion": p.SUGGESTIONS}[kind]
            )
        handle, name, followers = _person(w.rng, used)
        first = w.add(
            channel=w.rng.choices(("x", "facebook", "reviews"), weights=(8, 2, 1))[0],
            author_handle=handle,
            author_name=name,
            text=w.fill(template),
            created_at=w.moment(),
            followers=followers,
            metrics={"likes": int(w.rng.expovariate(0.3)), "reposts": int(w.rng.expovariate(0.8))},
        )
        if kind == "complaint" and w.rng.random() < 0.35:
            for step in range(w.rng.randint(1, 2)):
                w.add(
                    channel=first.channel,
                    author_handle=handle,
                    author_name=name,
                    text=w.fill(w.rng.choice(p.FOLLOW_UPS)),
                    created_at=first.created_at + timedelta(hours=2 + 3 * step, minutes=w.rng.randrange(50)),
                    followers=followers,
                )
        if w.rng.random() < 0.4:
            _reply(w, first, kind=kind)


DANA_BIO = "Travel correspondent at The Meridian. Airlines, airports, consumer rights. Views my own."


def _high_reach_journalist(w: _Writer) -> None:
    journalist = w.add(
        channel="x",
        author_handle="dana_reports",
        author_name="Dana Whitfield",
        author_bio=DANA_BIO,
        text=(
            "Three hours on the tarmac on Larkspur LK212, no water, no information from the crew. "
            "@LarkspurAir is this how you treat passengers? Writing this up for tomorrow's paper."
        ),
        created_at=w.moment(day=w.days - 1),
        followers=251_000,
        metrics={"likes": 1840, "reposts": 612, "replies": 233},
    )
    w.add(
        channel="x",
        author_handle="dana_reports",
        author_name=journalist.author_name,
        author_bio=DANA_BIO,
        text="@LarkspurAir Still waiting for a statement. Your CEO might want to see this.",
        created_at=journalist.created_at + timedelta(minutes=55),
        followers=251_000,
        metrics={"likes": 420, "reposts": 97},
    )


def _private_continuation(w: _Writer) -> None:
    asked = w.add(
        channel="x",
        author_handle="tomas_k",
        author_name="Tomás",
        text=(
            "@LarkspurAir I was double charged on my booking and don't want to post the details "
            "publicly. Can I DM you?"
        ),
        created_at=w.moment(day=w.days - 2),
        followers=312,
    )
    reply = _reply(
        w, asked, template="Of course, {name}. Our DMs are open: send us the details there. ^{agent}"
    )
    w.add(
        channel="x",  # a direct message: same network and identity, not public
        author_handle="tomas_k",
        author_name="Tomás",
        text=(
            "Hi, booking ref QX7P2M, charged $412.60 twice on my card ending 4417. "
            "You can reach me at tomas.k@example.org or +1 514 555 0147."
        ),
        created_at=reply.created_at + timedelta(minutes=9),
        followers=312,
        is_public=False,
    )


def _backfired_post(w: _Writer, used: set[str]) -> None:
    """A marketing post mocked during a disruption: a burst of reactions within two hours."""
    posted = w.start + timedelta(days=w.days - 2, hours=16, minutes=5)
    post = w.add(
        channel="x",
        author_handle=p.BRAND_HANDLE,
        author_name=p.BRAND_NAME,
        text=p.MARKETING_POST,
        created_at=posted,
        followers=182_000,
        direction="outbound",
        metrics={"likes": 96, "reposts": 410, "replies": 388},
    )
    viral_author, viral_name, _ = _person(w.rng, used)
    viral = w.add(
        channel="x",
        author_handle=viral_author,
        author_name=viral_name,
        text=w.fill(p.VIRAL_TWEET),
        created_at=posted + timedelta(minutes=11),
        followers=38_400,
        in_reply_to=post.external_id,
        metrics={"likes": 5200, "reposts": 1900},
    )
    for _ in range(w.rng.randint(70, 90)):
        handle, name, followers = _person(w.rng, used)
        at = posted + timedelta(minutes=12 + w.rng.expovariate(1 / 35))
        if w.rng.random() < 0.3:
            text = f"RT @{viral.author_handle}: {viral.text}"
        else:
            text = w.fill(w.rng.choice(p.BURST_REACTIONS))
        w.add(
            channel="x",
            author_handle=handle,
            author_name=name,
            text=text,
            created_at=at,
            followers=followers,
            in_reply_to=post.external_id,
        )


def build_scenario(*, now: datetime, days: int = 4, seed: int = 7, everyday: int = 260) -> list[DemoMention]:
    """Several hundred mentions over ``days`` days ending at ``now``, in time order."""
    w = _Writer(rng=random.Random(seed), start=now - timedelta(days=days), days=days)
    used: set[str] = set()
    _everyday(w, used, everyday)
    _high_reach_journalist(w)
    _private_continuation(w)
    _backfired_post(w, used)
    return sorted((m for m in w.out if m.created_at <= now), key=lambda m: m.created_at)
