"""The demo a new user sees first: a busy desk with the stories the README promises."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Team
from ombuds.cases.models import OPEN_STATUSES, Case, CaseStatus, Priority
from ombuds.demo.run import seed_demo
from ombuds.incidents.models import Incident
from ombuds.mentions.models import Mention, Stage
from ombuds.promises.models import Promise, PromiseMatch, Stance
from ombuds.settings import Settings


def test_demo_seeds_a_processed_desk_with_its_stories(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    summary = seed_demo(session_factory, seed=3, settings=Settings(data_dir=tmp_path))

    assert len(summary.credentials) == 5
    assert {c.role.value for c in summary.credentials} == {"admin", "manager", "agent", "pr", "viewer"}
    with session_factory() as session:
        assert session.scalar(select(func.count()).where(Mention.stage != Stage.DETECTED)) == 0
        open_cases = session.scalar(
            select(func.count()).select_from(Case).where(Case.status.in_(OPEN_STATUSES))
        )
        assert open_cases == summary.open_cases
        assert open_cases >= 100
        journalist = session.scalars(select(Case).where(Case.subject.contains("tarmac"))).one()
        assert journalist.priority == Priority.URGENT, "the angry journalist goes to the top of the inbox"
        teams = dict(session.execute(select(Team.id, Team.slug)).all())
        assert teams[journalist.team_id] == "comms", "press goes to Communications"
        routed = {teams[team_id] for team_id in session.scalars(select(Case.team_id))}
        assert {"care", "baggage", "digital"} <= routed, "routing rules spread the work over the teams"
        private = session.scalars(select(Mention).where(Mention.is_public.is_(False))).one()
        public_ask = session.scalars(
            select(Mention).where(Mention.case_id == private.case_id).order_by(Mention.created_at)
        ).first()
        assert public_ask is not None
        assert "DM" in public_ask.text, "the private message continues the public case"
        reposts = select(Mention).where(Mention.text.like("RT @%"))
        assert all(m.case_id is None for m in session.scalars(reposts)), "reposts are echoes, not cases"
        assert session.scalar(select(func.count()).where(Case.status == CaseStatus.RESOLVED)) > 0
        storms = [
            i for i in session.scalars(select(Incident)) if "enjoy the airport" in i.representative_text
        ]
        assert len(storms) == 1, "the mocked post became one incident"
        storm = storms[0]
        assert storm.mention_count >= 50
        on_time = session.scalars(select(Promise).where(Promise.key == "on-time")).one()
        contradicting = session.scalar(
            select(func.count()).where(
                PromiseMatch.promise_id == on_time.id, PromiseMatch.stance == Stance.CONTRADICTS
            )
        )
        assert (contradicting or 0) >= 20, "delays contradict the punctuality promise"
