"""An agent takes back their own reply while it waits for PR: from the case page or the API. Managers
and admins may take back anyone's on their brand. A withdrawn reply is never approved nor sent, the
case says who withdrew it, and the case may be resolved again; of a withdrawal and an approval at
the same moment, exactly one wins."""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, User
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.errors import Conflict, OmbudsError
from ombuds.events import Event
from ombuds.responses import actions, approval_actions
from ombuds.responses.models import Reply, ReplyStatus
from ombuds.responses.sending import deliver_due_replies
from ombuds.responses.values import Visibility
from tests.integration.test_import_concurrency import wait_until_a_backend_waits_for_a_lock
from tests.integration.test_reply_pages import complaint, csrf_of, member, post_reply, sign_in

HELD_TEXT = "Thank you for telling us, and we are so sorry. We are on it now."


def _bearer(session: Session, brand: Brand, user: User) -> httpx2.Headers:
    _, token = accounts.create_api_token(session, brand=brand, name=user.email, user=user)
    session.commit()
    return httpx2.Headers({"Authorization": f"Bearer {token}"})


def _held_reply(session: Session, case: Case, author: User) -> Reply:
    reply = actions.submit_reply(
        session, case=case, text=HELD_TEXT, visibility=Visibility.PUBLIC, actor=Actor(author)
    )
    session.commit()
    assert reply.status is ReplyStatus.AWAITING_APPROVAL
    return reply


def _status(session: Session, reply_id: int) -> ReplyStatus:
    return session.scalars(select(Reply.status).where(Reply.id == reply_id)).one()


def _resolve(client: TestClient, case: Case, headers: httpx2.Headers) -> httpx2.Response:
    return client.post(f"/api/v1/cases/{case.id}/status", json={"status": "resolved"}, headers=headers)


def test_an_agent_withdraws_their_held_reply_from_the_case_page_and_may_then_resolve_the_case(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="You lost my wheelchair at Heathrow. Unacceptable.", priority=1)
    pr = member(session, brand, Role.PR, "petra")
    sign_in(client, agent.email)
    post_reply(client, case, text=HELD_TEXT, visibility="public")
    reply = session.scalars(select(Reply).where(Reply.case_id == case.id)).one()
    assert reply.status is ReplyStatus.AWAITING_APPROVAL
    headers = _bearer(session, brand, agent)
    assert _resolve(client, case, headers).status_code == 409  # a held reply: not answered yet

    # second thoughts: the agent takes it back before PR decides
    page = client.get(f"/cases/{case.id}").text
    assert 'data-testid="reply-withdraw"' in page
    withdrawn = client.post(
        f"/cases/{case.id}/replies/{reply.id}/withdraw", data={"csrf_token": csrf_of(page)}
    )
    assert withdrawn.status_code == 303, withdrawn.text
    shown = client.get(withdrawn.headers["location"]).text
    assert "Reply withdrawn: it will not be sent, and PR no longer has it to approve." in shown
    assert 'data-status="withdrawn"' in shown
    assert "Withdrawn by Ada Agent" in shown
    assert "Public reply withdrawn" in shown, "the case's timeline tells it"
    assert 'data-testid="reply-withdraw"' not in shown

    # PR's queue no longer has it, and approving it anyway changes nothing
    sign_in(client, pr.email)
    assert 'data-testid="no-approvals"' in client.get("/replies/approvals").text
    approved = client.post(
        f"/api/v1/replies/{reply.id}/approve", json={}, headers=_bearer(session, brand, pr)
    )
    assert approved.status_code == 409, approved.text
    assert deliver_due_replies(session_factory, now=utcnow() + timedelta(seconds=1)).manual == []
    assert _status(session, reply.id) is ReplyStatus.WITHDRAWN
    (event,) = session.scalars(
        select(Event).where(Event.kind == "reply.withdrawn", Event.subject_id == case.id)
    ).all()
    assert (event.actor_id, event.data["reply_id"]) == (agent.id, reply.id)

    resolved = _resolve(client, case, headers)
    assert resolved.status_code == 200, resolved.text


def test_over_the_api_an_agent_withdraws_only_their_own_held_reply_and_a_manager_any(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="You lost my wheelchair at Heathrow. Unacceptable.", priority=1)
    other_agent = member(session, brand, Role.AGENT, "otto")
    pr = member(session, brand, Role.PR, "petra")
    manager = member(session, brand, Role.MANAGER, "mona")
    first, second = _held_reply(session, case, agent), _held_reply(session, case, agent)

    for who in (other_agent, pr):  # not theirs, and neither runs the desk
        refused = client.post(f"/api/v1/replies/{first.id}/withdraw", headers=_bearer(session, brand, who))
        assert refused.status_code == 403, refused.text
    _, integration = accounts.create_api_token(session, brand=brand, name="crm")
    session.commit()
    by_token = client.post(
        f"/api/v1/replies/{first.id}/withdraw", headers={"Authorization": f"Bearer {integration}"}
    )
    assert by_token.status_code == 403, "a token made for no person withdraws nobody's reply"

    mine = client.post(f"/api/v1/replies/{first.id}/withdraw", headers=_bearer(session, brand, agent))
    assert mine.status_code == 200, mine.text
    assert (mine.json()["status"], mine.json()["approver_id"]) == ("withdrawn", agent.id)
    again = client.post(f"/api/v1/replies/{first.id}/withdraw", headers=_bearer(session, brand, agent))
    assert again.status_code == 409
    assert "it was withdrawn already" in again.json()["detail"]
    sent = client.post(f"/api/v1/replies/{first.id}/send", headers=_bearer(session, brand, agent))
    assert sent.status_code == 409

    by_manager = client.post(
        f"/api/v1/replies/{second.id}/withdraw", headers=_bearer(session, brand, manager)
    )
    assert by_manager.status_code == 200, by_manager.text
    sign_in(client, agent.email)
    page = client.get(f"/cases/{case.id}").text
    assert "Withdrawn by Mona" in page
    assert "Withdrawn by Ada Agent" in page


def test_a_withdrawal_racing_an_approval_loses_with_409_and_the_reply_goes_out_once(
    engine: Engine, session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="You lost my wheelchair at Heathrow. Unacceptable.", priority=1)
    pr = member(session, brand, Role.PR, "petra")
    reply = _held_reply(session, case, agent)
    outcome: dict[str, BaseException | None] = {}
    loaded, go = threading.Event(), threading.Event()

    def withdraw() -> None:
        """The agent, on the case page as it was before the approval."""
        try:
            with session_factory() as mine:
                held = mine.get(Reply, reply.id)
                on_case = mine.get(Case, case.id)
                author = mine.get(User, agent.id)
                assert held is not None
                assert on_case is not None
                loaded.set()
                go.wait(timeout=60)
                try:
                    approval_actions.withdraw_reply(mine, reply=held, case=on_case, actor=Actor(author))
                    mine.commit()
                    outcome["withdraw"] = None
                except OmbudsError as exc:
                    mine.rollback()
                    outcome["withdraw"] = exc
        except BaseException as exc:
            outcome["withdraw"] = exc
        finally:
            loaded.set()

    agent_thread = threading.Thread(target=withdraw)
    agent_thread.start()
    assert loaded.wait(timeout=60)
    approver = session_factory()
    try:
        in_queue = approver.get(Reply, reply.id)
        assert in_queue is not None
        assert approval_actions.approve_reply(
            approver, reply=in_queue, actor=Actor(approver.get(User, pr.id))
        )
        go.set()  # the withdrawal arrives while the approval is not committed yet
        if engine.dialect.name == "postgresql":
            wait_until_a_backend_waits_for_a_lock(engine, agent_thread)
        approver.commit()
    finally:
        approver.close()
    agent_thread.join(timeout=60)

    lost = outcome["withdraw"]
    assert isinstance(lost, Conflict), lost
    assert "approved already" in str(lost)
    report = deliver_due_replies(session_factory, now=utcnow() + timedelta(seconds=1))
    assert report.manual == [reply.id]
    assert _status(session, reply.id) is ReplyStatus.TO_POST  # on its way: posted by hand
    assert session.scalars(select(Event.kind).where(Event.kind == "reply.withdrawn")).all() == []


def test_an_approval_from_a_stale_queue_after_the_agent_withdrew_is_refused_and_nothing_is_sent(
    session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="You lost my wheelchair at Heathrow. Unacceptable.", priority=1)
    pr = member(session, brand, Role.PR, "petra")
    reply = _held_reply(session, case, agent)

    # PR opens the queue; meanwhile the agent withdraws the reply
    in_queue = session_factory()
    try:
        stale = in_queue.get(Reply, reply.id)
        assert stale is not None
        with session_factory.begin() as agents:
            held, on_case = agents.get(Reply, reply.id), agents.get(Case, case.id)
            assert held is not None
            assert on_case is not None
            approval_actions.withdraw_reply(
                agents, reply=held, case=on_case, actor=Actor(agents.get(User, agent.id))
            )
        with pytest.raises(Conflict, match="cannot be approved: it was withdrawn by Ada Agent"):
            approval_actions.approve_reply(in_queue, reply=stale, actor=Actor(in_queue.get(User, pr.id)))
        in_queue.rollback()
    finally:
        in_queue.close()
    assert deliver_due_replies(session_factory, now=utcnow() + timedelta(seconds=1)).manual == []
    assert _status(session, reply.id) is ReplyStatus.WITHDRAWN


def test_another_brand_s_manager_finds_no_such_reply_and_a_viewer_withdraws_nothing(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="You lost my wheelchair at Heathrow. Unacceptable.", priority=1)
    reply = _held_reply(session, case, agent)
    rival = accounts.create_brand(session, slug="rival", name="Rival")
    session.commit()
    rival_manager = member(session, rival, Role.MANAGER, "rita")
    viewer = member(session, brand, Role.VIEWER, "vera")

    over_api = client.post(
        f"/api/v1/replies/{reply.id}/withdraw", headers=_bearer(session, rival, rival_manager)
    )
    assert over_api.status_code == 404, over_api.text
    sign_in(client, rival_manager.email)
    page = client.get("/inbox").text
    on_page = client.post(f"/cases/{case.id}/replies/{reply.id}/withdraw", data={"csrf_token": csrf_of(page)})
    assert on_page.status_code == 404

    by_viewer = client.post(f"/api/v1/replies/{reply.id}/withdraw", headers=_bearer(session, brand, viewer))
    assert by_viewer.status_code == 403, by_viewer.text
    sign_in(client, viewer.email)
    case_page = client.get(f"/cases/{case.id}").text
    assert 'data-testid="reply-withdraw"' not in case_page
    client.post(f"/cases/{case.id}/replies/{reply.id}/withdraw", data={"csrf_token": csrf_of(case_page)})
    assert _status(session, reply.id) is ReplyStatus.AWAITING_APPROVAL, "nobody else took it back"
