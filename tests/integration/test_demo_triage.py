"""The demo's desk triages like people would: praise is not urgent, angry emoji read angry, money goes
to billing, and the priorities spread like a real airline desk's."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Team
from ombuds.cases.models import Case, Priority
from ombuds.cases.queries import get_case_detail
from ombuds.demo.run import seed_demo
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.models import Direction, Mention
from ombuds.settings import Settings


def test_the_demos_praise_is_not_urgent_and_priorities_spread_believably(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    seed_demo(session_factory, seed=3, settings=Settings(data_dir=tmp_path))
    with session_factory() as session:
        passports = list(
            session.scalars(
                select(Case)
                .join(Mention, Mention.case_id == Case.id)
                .where(Mention.text.contains("found my lost passport"))
            )
        )
        assert passports, "the demo has its passport praise"
        assert all(case.priority > Priority.HIGH for case in passports), "thanks is never urgent"

        nudges = session.scalars(select(Mention).where(Mention.text.endswith("hello?? 🤬"))).all()
        for nudge in nudges:
            assert nudge.case_id is not None
            detail = get_case_detail(session, nudge.case_id, brand_ids=[nudge.brand_id])
            assert detail is not None
            assert detail.sentiment is not None
            assert detail.sentiment.label == "negative", nudge.text

        replies = select(Mention.id).where(Mention.direction == Direction.OUTBOUND)
        scored = session.scalars(
            select(Enrichment.label).where(
                Enrichment.mention_id.in_(replies), Enrichment.analyzer == "sentiment"
            )
        ).all()
        assert scored == [], "the brand's own replies carry no sentiment"

        teams = dict(session.execute(select(Team.id, Team.slug)).all())
        double_charges = session.scalars(
            select(Case)
            .join(Mention, Mention.case_id == Case.id)
            .where(Mention.text.contains("charged twice"))
        ).all()
        assert double_charges, "the demo has a double charge"
        assert {teams[case.team_id] for case in double_charges if case.team_id} == {"billing"}

        spread = Counter(Priority(case.priority) for case in session.scalars(select(Case)))
        total = sum(spread.values())
        assert 1 <= spread[Priority.URGENT] <= total * 0.05, spread
        assert total * 0.08 <= spread[Priority.HIGH] <= total * 0.35, f"High is used, not once: {spread}"
        assert spread[Priority.LOW] >= total * 0.05, spread
