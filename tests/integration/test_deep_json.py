"""No API route that reads a JSON body answers JSON nested thousands deep with a server error."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Team

DEEP = "[" * 3000 + "]" * 3000


def test_json_nested_thousands_deep_is_refused_by_every_api_route_not_a_server_error(
    client: TestClient, session: Session, brand: Brand, team: Team
) -> None:
    _, token = actions.create_api_token(session, brand=brand, name="deep")
    session.commit()
    routes = [
        context.path
        for context in iter_route_contexts(client.app.routes)  # type: ignore[attr-defined]
        if isinstance(context.route, APIRoute)
        and context.path.startswith("/api/")
        and context.methods
        and context.methods & {"POST", "PUT", "PATCH"}
        and context.route.dependant.body_params
    ]
    assert len(routes) >= 10, "the walk found the API's JSON routes"
    failures, refused = [], 0
    for template in routes:
        path = re.sub(r"\{[^}]+\}", "1", template)
        answer = client.post(
            path,
            content=DEEP.encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        if answer.status_code >= 500:
            failures.append(f"POST {path}: {answer.status_code}")
        if "There was an error parsing the body" in answer.text:
            failures.append(f"POST {path}: says nothing of what a body must be")
        refused += answer.status_code in (400, 422) and "body" in answer.text
    assert not failures, "\n".join(failures)
    assert refused >= len(routes) // 2, "the bodies were read and refused, not turned away before"


def test_a_body_that_is_not_utf8_says_what_a_body_must_be(
    client: TestClient, session: Session, brand: Brand
) -> None:
    _, token = actions.create_api_token(session, brand=brand, name="bytes")
    session.commit()
    answer = client.post(
        "/api/v1/cases/1/notes",
        content=b'{"text": "a\xffb"}',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert answer.status_code in (400, 422)
    assert "There was an error parsing the body" not in answer.text
    assert "body" in answer.text
