"""PR deciding held replies: an approver's edited words go out as the checker read them, and a
reject that comes after another approver let the reply go is refused instead of undoing it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, User
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.errors import Conflict
from ombuds.responses import actions
from ombuds.responses.models import Reply, ReplyStatus
from ombuds.responses.sending import deliver_due_replies
from ombuds.responses.values import Visibility
from tests.integration.test_web_cases import PASSWORD, add_case, add_mention


def _member(session: Session, brand: Brand, email: str, role: Role) -> User:
    user = accounts.create_user(session, email=email, name=email.split("@")[0].title(), password=PASSWORD)
    accounts.add_membership(session, user=user, brand=brand, role=role)
    session.commit()
    return user


def _bearer(session: Session, brand: Brand, user: User) -> dict[str, str]:
    _, token = accounts.create_api_token(session, brand=brand, name=user.email, user=user)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def _urgent_case(session: Session, brand: Brand) -> Case:
    case = add_case(session, brand=brand, subject="Lost bag", handle="maya", opened_hours_ago=2, priority=1)
    add_mention(session, case=case, text="Where is my bag?", at=case.opened_at)
    session.commit()
    return case


def test_an_approvers_edit_goes_out_with_the_customers_name_and_case_reference_filled_in(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    pr = _member(session, brand, "pia@skyways.test", Role.PR)
    case = _urgent_case(session, brand)
    held = client.post(
        f"/api/v1/cases/{case.id}/replies",
        json={"text": "Sorry {customer_name}, we are on it ({case_ref})", "visibility": "public"},
        headers=_bearer(session, brand, agent),
    ).json()
    assert held["status"] == "awaiting_approval"

    approved = client.post(
        f"/api/v1/replies/{held['id']}/approve",
        json={"text": "So sorry {customer_name}, a courier brings it today ({case_ref})."},
        headers=_bearer(session, brand, pr),
    )
    assert approved.status_code == 200, approved.text
    expected = f"So sorry Maya, a courier brings it today (#{case.id})."
    assert (approved.json()["status"], approved.json()["text"]) == ("queued", expected)
    report = deliver_due_replies(session_factory, now=utcnow() + timedelta(seconds=1))
    assert report.manual == [held["id"]]
    session.expire_all()
    stored = session.get(Reply, held["id"])
    assert stored is not None
    assert (stored.status, stored.text) == (ReplyStatus.TO_POST, expected)

    # no connector sends on X here: the agent posts the words by hand and says so
    posted = client.post(f"/api/v1/replies/{held['id']}/posted", headers=_bearer(session, brand, agent))
    assert posted.status_code == 200, posted.text
    assert (posted.json()["status"], posted.json()["is_manual"]) == ("sent", True)
    again = client.post(f"/api/v1/replies/{held['id']}/posted", headers=_bearer(session, brand, agent))
    assert again.status_code == 409
    assert "marked posted already" in again.json()["detail"]


def test_a_reject_from_a_stale_page_after_another_pr_approved_is_refused_and_the_reply_stays_let_go(
    session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    first_pr = _member(session, brand, "pia@skyways.test", Role.PR)
    second_pr = _member(session, brand, "pete@skyways.test", Role.PR)
    case = _urgent_case(session, brand)
    reply = actions.submit_reply(
        session,
        case=case,
        text="Sorry, a courier brings it today",
        visibility=Visibility.PUBLIC,
        actor=Actor(agent),
    )
    session.commit()
    assert reply.status is ReplyStatus.AWAITING_APPROVAL

    # both open the approvals queue; the first approves, and the outbox sends it
    first, second = session_factory(), session_factory()
    in_first, in_second = first.get(Reply, reply.id), second.get(Reply, reply.id)
    assert in_first is not None
    assert in_second is not None
    assert actions.approve_reply(first, reply=in_first, actor=Actor(first.get(User, first_pr.id)))
    first.commit()
    first.close()
    deliver_due_replies(session_factory, now=utcnow() + timedelta(seconds=1))

    # the second, on the page as it was, rejects
    try:
        with pytest.raises(Conflict, match="approved already"):
            actions.reject_reply(
                second, reply=in_second, actor=Actor(second.get(User, second_pr.id)), note="flippant"
            )
    finally:
        second.rollback()
        second.close()
    session.expire_all()
    stored = session.get(Reply, reply.id)
    assert stored is not None
    assert (stored.status, stored.decision_note) == (ReplyStatus.TO_POST, None)


def test_approving_a_reply_rejected_meanwhile_or_editing_one_approved_meanwhile_is_refused(
    session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    """Neither answers 200 for words that will not go out (both did): the refusal names who decided."""
    manager = _member(session, brand, "max@skyways.test", Role.MANAGER)
    pr = _member(session, brand, "pia@skyways.test", Role.PR)
    case = _urgent_case(session, brand)
    held = [
        actions.submit_reply(session, case=case, text=text, visibility=Visibility.PUBLIC, actor=Actor(agent))
        for text in ("Sorry, a courier brings it today", "We are on it")
    ]
    session.commit()

    actions.reject_reply(session, reply=held[0], actor=Actor(manager), note="not true yet")
    session.commit()
    with pytest.raises(Conflict, match=f"reply {held[0].id} cannot be approved: it was rejected by Max"):
        actions.approve_reply(session, reply=held[0], actor=Actor(pr))
    session.rollback()

    assert actions.approve_reply(session, reply=held[1], actor=Actor(manager))
    session.commit()
    # approving again as it was is the same approval (sent once); approving with other words is not
    assert not actions.approve_reply(session, reply=held[1], actor=Actor(pr), text="We are on it")
    with pytest.raises(Conflict, match="your edits were not applied"):
        actions.approve_reply(session, reply=held[1], actor=Actor(pr), text="We are on it, Ana")
    session.rollback()
    stored = session.get_one(Reply, held[1].id)
    assert (stored.status, stored.text) == (ReplyStatus.QUEUED, "We are on it")


def test_a_case_is_not_closed_while_a_reply_on_it_waits_for_pr(
    session: Session, brand: Brand, agent: User
) -> None:
    """Resolving refused this; closing a resolved case did not, and PR's approval then sent the
    reply on a closed case."""
    from ombuds.cases.lifecycle import change_status
    from ombuds.cases.models import CaseStatus

    manager = _member(session, brand, "max@skyways.test", Role.MANAGER)
    case = _urgent_case(session, brand)
    change_status(session, case=case, status=CaseStatus.RESOLVED, actor=Actor(manager))
    session.commit()
    held = actions.submit_reply(
        session,
        case=case,
        text="One more thing about your bag",
        visibility=Visibility.PUBLIC,
        actor=Actor(agent),
    )
    session.commit()
    assert held.status is ReplyStatus.AWAITING_APPROVAL

    with pytest.raises(Conflict, match=f"cannot be closed while reply {held.id}"):
        change_status(session, case=case, status=CaseStatus.CLOSED, actor=Actor(manager))
    session.rollback()
    assert session.get_one(Case, case.id).status is CaseStatus.RESOLVED
