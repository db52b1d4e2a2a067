"""The demo's outbox rounds. No connector sends in the demo, so each reply the outbox leaves to be
posted by hand is posted by the demo's agent, who says so, as a desk without connectors works."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.queries import get_user_by_email
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case
from ombuds.db import transaction
from ombuds.responses.actions import mark_posted
from ombuds.responses.models import Reply
from ombuds.responses.sending import deliver_due_replies

AGENT_EMAIL = "agent@larkspur.example"


def deliver_and_post(factory: sessionmaker[Session], *, keep: Collection[int] = ()) -> list[int]:
    """One round of the outbox, then every reply it left to post by hand posted, but those on the
    cases ``keep`` (left waiting, to show the state); the ids of the replies left waiting."""
    waiting = deliver_due_replies(factory).manual
    left = []
    with transaction(factory) as session:
        agent = get_user_by_email(session, AGENT_EMAIL)
        assert agent is not None, f"the demo seeds {AGENT_EMAIL} first"
        for reply_id in waiting:
            reply = session.get(Reply, reply_id)
            assert reply is not None
            if reply.case_id in keep:
                left.append(reply_id)
                continue
            case = session.get(Case, reply.case_id)
            assert case is not None
            mark_posted(session, reply=reply, case=case, actor=Actor(agent))
    return left
