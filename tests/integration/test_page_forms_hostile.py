"""Every form a page posts and every filter a page reads answers hostile input with a clear page,
never a server error.

The API is fuzzed from its OpenAPI document (test_api_fuzz.py); pages are not in that document, so
these tests walk the app's own routes instead, signed in as an admin: every POST outside the API,
with ids past int64 and every form field given NUL bytes, huge numbers and oversized text; every
GET page, with the same ids in its path and the same values in each of its query parameters.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Role, Team

PASSWORD = "correct horse"
HOSTILE_IDS = ("99999999999999999999999", "-1", "0", "1")
HOSTILE_VALUES = ("\x00", "99999999999999999999999", "-99999999999999999999999", "x" * 60_000, "")
#: In a URL: the oversized text as long as a client sends in a query string.
HOSTILE_FILTERS = tuple(value[:5_000] for value in HOSTILE_VALUES)


def _page_forms(client: TestClient) -> list[tuple[str, list[str]]]:
    """Each page form's path and field names, as the app's route table says."""
    forms = []
    for context in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        route = context.route
        if not (isinstance(route, APIRoute) and context.methods and "POST" in context.methods):
            continue
        if context.path.startswith("/api/") or context.path in ("/login", "/logout"):
            continue
        forms.append((context.path, [param.alias for param in route.dependant.body_params]))
    return forms


def _pages(client: TestClient) -> list[tuple[str, list[str]]]:
    """Each page's path and query parameter names, as the app's route table says."""
    pages = []
    for context in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        route = context.route
        if not (isinstance(route, APIRoute) and context.methods and "GET" in context.methods):
            continue
        if context.path.startswith("/api/") or context.path in ("/logout", "/metrics"):
            continue
        pages.append((context.path, [param.alias for param in route.dependant.query_params]))
    return pages


def _sign_in_as_admin(client: TestClient, session: Session, brand: Brand) -> str:
    admin = actions.create_user(session, email="admin@skyways.test", name="Ann Admin", password=PASSWORD)
    actions.add_membership(session, user=admin, brand=brand, role=Role.ADMIN)
    session.commit()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    signed = client.post(
        "/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert signed.status_code == 303, signed.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/inbox").text)
    assert found
    return found.group(1)


def _tries(
    template: str, fields: list[str], hostile: tuple[str, ...] = HOSTILE_VALUES
) -> list[tuple[str, str]]:
    """Each hostile id (with a hostile value beside it) and each hostile value on an id that may
    exist: every value and every id is tried on every form, without trying all their pairs."""
    ids = HOSTILE_IDS if "{" in template else HOSTILE_IDS[-1:]
    values = hostile if fields else hostile[:1]
    pairs = {(raw_id, values[i % len(values)]) for i, raw_id in enumerate(ids)}
    pairs |= {(ids[-1], value) for value in values}
    return sorted(pairs)


@pytest.mark.slow
def test_no_page_form_answers_hostile_input_with_a_server_error(
    client: TestClient, session: Session, brand: Brand, team: Team
) -> None:
    csrf = _sign_in_as_admin(client, session, brand)
    forms = _page_forms(client)
    assert len(forms) >= 15, "the walk found the app's page forms"
    failures = []
    for template, fields in forms:
        for raw_id, value in _tries(template, fields):
            path = re.sub(r"\{[^}]+\}", raw_id, template)
            answer = client.post(path, data={"csrf_token": csrf, **dict.fromkeys(fields, value)})
            if answer.status_code >= 500:
                failures.append(f"POST {path} {fields} = {value[:12]!r}: {answer.status_code}")
    assert not failures, "\n".join(failures)
    assert client.get("/inbox").status_code == 200, "still signed in: the forms were really tried"


@pytest.mark.slow
def test_no_page_answers_hostile_ids_or_filters_with_a_server_error(
    client: TestClient, session: Session, brand: Brand, team: Team
) -> None:
    _sign_in_as_admin(client, session, brand)
    pages = _pages(client)
    assert len(pages) >= 30, "the walk found the app's pages"
    failures = []
    for template, params in pages:
        for raw_id, value in _tries(template, params, HOSTILE_FILTERS):
            path = re.sub(r"\{[^}]+\}", raw_id, template)
            answer = client.get(path, params=dict.fromkeys(params, value), follow_redirects=False)
            if answer.status_code >= 500:
                failures.append(f"GET {path} {params} = {value[:12]!r}: {answer.status_code}")
    assert not failures, "\n".join(failures)
    assert client.get("/inbox").status_code == 200, "still signed in: the pages were really tried"
