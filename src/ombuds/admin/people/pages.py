"""People and tokens: invite with a one-time link, change roles, deactivate; API tokens shown once.

The invite link itself (``/invite/{token}``) is the invitee's only credential: it opens a form to
set a password, works once and expires (``accounts.actions.INVITE_VALID_FOR``).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ombuds.accounts import actions, queries
from ombuds.accounts.models import ApiToken, Brand, Invite, Role, User
from ombuds.accounts.schemas import UserCreate
from ombuds.admin.access import ROLE_WORDS, admin_brand, owned, required
from ombuds.clock import utcnow
from ombuds.errors import Conflict, Forbidden, InvalidInput, NotFound
from ombuds.fields import Id, NoNul, parse_id
from ombuds.web.csrf import csrf_token
from ombuds.web.deps import CurrentUser, DbSession, start_user_session
from ombuds.web.templating import flash, render
from ombuds.web.throttle import THROTTLED_SIGN_IN, SignInThrottle, describe_wait

router = APIRouter()

Text = Annotated[str, Form(max_length=1000), NoNul]
_PASSWORD_RULE = UserCreate.model_fields["password"].metadata
MIN_PASSWORD: int = next(rule.min_length for rule in _PASSWORD_RULE if hasattr(rule, "min_length"))
MAX_PASSWORD: int = next(rule.max_length for rule in _PASSWORD_RULE if hasattr(rule, "max_length"))
#: One "@" between a name and a dotted domain: enough to catch a slip; the invite proves the rest.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _email(value: str) -> str:
    text = required(value, field="email", most=320)
    if not _EMAIL.fullmatch(text):
        raise InvalidInput(f"email: {text[:80]!r} is not an email address")
    return text.lower()


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(f"role: {value[:40]!r} is not one of {', '.join(Role)}") from None


@router.get("/admin/people")
def people_page(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    brand = admin_brand(signed_in)
    return render(
        request,
        "admin/people.html",
        {
            "brand": brand,
            "people": [(user, role) for user, _, role in queries.list_people(session, brand_id=brand.id)],
            "invites": queries.list_invites(session, brand_id=brand.id),
            "roles": ROLE_WORDS,
            "now": utcnow(),
        },
        signed_in=signed_in,
    )


@router.post("/admin/people/invite")
def invite(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    email: Text = "",
    name: Text = "",
    role: Text = "agent",
) -> Response:
    """A one-time link, shown here once, whether or not the address has an account (its owner
    joins by opening it, with a new password or their own)."""
    brand = admin_brand(signed_in)
    address, chosen = _email(email), _role(role)
    row, token = actions.create_invite(
        session,
        brand=brand,
        email=address,
        name=required(name, field="name") if name.strip() else address,
        role=chosen,
        actor=signed_in.user,
    )
    link = f"{str(request.base_url).rstrip('/')}/invite/{token}"
    return render(
        request,
        "admin/invite_created.html",
        {"invite": row, "link": link, "brand": brand},
        signed_in=signed_in,
    )


@router.post("/admin/invites/{invite_id}/revoke")
def revoke_invite(invite_id: Id, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    brand = admin_brand(signed_in)
    row = owned(session, Invite, invite_id, brand=brand, what="invite")
    if actions.revoke_invite(session, invite=row, actor=signed_in.user):
        flash(request, f"The invite for {row.email} no longer works.", "success")
    return RedirectResponse("/admin/people", status_code=303)


def _member(session: DbSession, user_id: int, brand_id: int, brand_name: str) -> User:
    user = session.get(User, user_id)
    if user is None or queries.get_membership(session, user_id=user_id, brand_id=brand_id) is None:
        raise NotFound(f"{brand_name} has no person {user_id}")
    return user


@router.post("/admin/people/{user_id}/role")
def change_role(
    user_id: Id, request: Request, signed_in: CurrentUser, session: DbSession, role: Text = ""
) -> Response:
    brand = admin_brand(signed_in)
    user = _member(session, user_id, brand.id, brand.name)
    membership = queries.get_membership(session, user_id=user.id, brand_id=brand.id)
    assert membership is not None
    chosen = _role(role)
    if actions.change_role(session, membership=membership, role=chosen, actor=signed_in.user):
        flash(request, f"{user.name} is now {chosen.value} of {brand.name}.", "success")
    return RedirectResponse("/admin/people", status_code=303)


@router.post("/admin/people/{user_id}/deactivate")
def deactivate(user_id: Id, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """The person can no longer sign in; their sessions and tokens stop working at once."""
    brand = admin_brand(signed_in)
    user = _member(session, user_id, brand.id, brand.name)
    if user.id == signed_in.user.id:
        raise InvalidInput("person: you cannot deactivate yourself; ask another administrator")
    elsewhere = [m.brand.name for m in user.memberships if signed_in.roles.get(m.brand_id) is not Role.ADMIN]
    if elsewhere:
        raise Forbidden(
            f"{user.name} also works for {', '.join(sorted(elsewhere))}, which you do not administer; "
            "an administrator of every brand they work for may deactivate them"
        )
    if actions.deactivate_user(session, user=user, actor=signed_in.user):
        flash(
            request,
            f"{user.name} is deactivated: signed out everywhere, their API tokens revoked.",
            "success",
        )
    return RedirectResponse("/admin/people", status_code=303)


# --- API tokens -----------------------------------------------------------------------------------


@router.get("/admin/tokens")
def tokens_page(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    brand = admin_brand(signed_in)
    people = {user.id: user for user, _, _ in queries.list_people(session, brand_id=brand.id)}
    return render(
        request,
        "admin/tokens.html",
        {
            "brand": brand,
            "tokens": [token for token, _ in queries.list_api_tokens(session, brand_id=brand.id)],
            "people": people,
        },
        signed_in=signed_in,
    )


@router.post("/admin/tokens")
def create_token(
    request: Request, signed_in: CurrentUser, session: DbSession, name: Text = "", user_id: Text = ""
) -> Response:
    """The token is on this page once; only its digest is stored."""
    brand = admin_brand(signed_in)
    person = None
    if user_id.strip():
        person_id = parse_id(user_id)
        if person_id is None:
            raise InvalidInput(f"user_id: {user_id[:20]!r} is not a person of {brand.name}")
        person = session.get(User, person_id)
        if person is None or queries.get_role(session, user=person, brand_id=brand.id) is None:
            raise InvalidInput(f"user_id: {user_id[:20]!r} is not a person of {brand.name}")
    row, token = actions.create_api_token(
        session, brand=brand, name=required(name, field="name"), user=person
    )
    return render(
        request,
        "admin/token_created.html",
        {"row": row, "token": token, "person": person},
        signed_in=signed_in,
    )


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(token_id: Id, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    brand = admin_brand(signed_in)
    token = owned(session, ApiToken, token_id, brand=brand, what="API token")
    if actions.revoke_api_token(session, token=token, actor=signed_in.user):
        flash(request, f"Token {token.name} is revoked: the API refuses it from now on.", "success")
    return RedirectResponse("/admin/tokens", status_code=303)


# --- the invite link ------------------------------------------------------------------------------

GONE = "This invite link has been used, withdrawn or has expired. Ask your administrator for a new one."


@router.get("/invite/{token}")
def invite_form(token: Annotated[str, NoNul], request: Request, session: DbSession) -> Response:
    found = queries.get_usable_invite(session, token[:200], now=utcnow())
    if found is None:
        return render(request, "admin/invite_gone.html", {"message": GONE}, status_code=410)
    return _invite_page(request, session, found, token)


def _invite_page(
    request: Request,
    session: DbSession,
    found: Invite,
    token: str,
    error: str | None = None,
    status: int = 200,
) -> Response:
    brand = session.get(Brand, found.brand_id)
    context = {
        "invite": found,
        "token": token,
        "brand_name": brand.name if brand else "",
        "has_account": queries.get_user_by_email(session, found.email) is not None,
        "error": error,
        "min_password": MIN_PASSWORD,
    }
    return render(request, "admin/invite_accept.html", context, status_code=status)


@router.post("/invite/{token}")
def accept_invite(
    token: Annotated[str, NoNul],
    request: Request,
    session: DbSession,
    password: Annotated[str, Form(max_length=1000), NoNul] = "",
    password_again: Annotated[str, Form(max_length=1000), NoNul] = "",
) -> Response:
    """Set a password (or give the account's own), join the brand and be signed in; the link
    stops working. A wrong password for an existing account counts as a failed sign-in."""
    found = queries.get_usable_invite(session, token[:200], now=utcnow())
    if found is None:
        return render(request, "admin/invite_gone.html", {"message": GONE}, status_code=410)
    throttle: SignInThrottle = request.app.state.sign_in_throttle
    address = request.client.host if request.client else "unknown"
    if queries.get_user_by_email(session, found.email) is not None:
        wait = throttle.wait_seconds(email=found.email, address=address)
        if wait is not None:
            problem = THROTTLED_SIGN_IN.format(wait=describe_wait(wait))
            return _invite_page(request, session, found, token, problem, status=429)
    elif not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        problem = f"Password: at least {MIN_PASSWORD} characters, at most {MAX_PASSWORD}."
        return _invite_page(request, session, found, token, problem, status=422)
    elif password != password_again:
        problem = "Password: the two passwords differ; type the same one twice."
        return _invite_page(request, session, found, token, problem, status=422)
    try:
        user = actions.accept_invite(session, invite=found, password=password)
    except actions.WrongPassword:
        session.rollback()
        throttle.failed(email=found.email, address=address)
        problem = "Password: not the password of this account; the one you sign in with."
        return _invite_page(request, session, found, token, problem, status=401)
    except Conflict:
        session.rollback()
        return render(request, "admin/invite_gone.html", {"message": GONE}, status_code=410)
    throttle.succeeded(email=found.email)
    start_user_session(request, user)
    csrf_token(request.session)
    flash(request, f"Welcome, {user.name}. You are signed in.", "success")
    return RedirectResponse("/inbox", status_code=303)
