"""Signing in and out, and choosing which brand to work in."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ombuds.accounts import actions
from ombuds.fields import Id, NoNul
from ombuds.web.csrf import csrf_token
from ombuds.web.deps import CurrentUser, DbSession, OptionalUser, select_brand, start_user_session
from ombuds.web.templating import flash, render
from ombuds.web.throttle import THROTTLED_SIGN_IN, SignInThrottle, describe_wait

router = APIRouter()

DEFAULT_NEXT = "/inbox"
FAILED_SIGN_IN = "That email and password do not match an active account. Check both and try again."


def safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would let a link send people anywhere after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return DEFAULT_NEXT
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return DEFAULT_NEXT
    return target


@router.get("/login")
def login_form(
    request: Request, user: OptionalUser, next_url: Annotated[str | None, Query(alias="next")] = None
) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next_url), status_code=303)
    context = {"email": "", "next": safe_next(next_url), "error": None}
    return render(request, "accounts/login.html", context)


@router.post("/login")
def login(
    request: Request,
    session: DbSession,
    email: Annotated[str, Form(max_length=320), NoNul] = "",
    password: Annotated[str, Form(max_length=200), NoNul] = "",
    next_url: Annotated[str, Form(alias="next", max_length=2000)] = DEFAULT_NEXT,
) -> Response:
    throttle: SignInThrottle = request.app.state.sign_in_throttle
    address = request.client.host if request.client else "unknown"
    # Checked before the password, so a guess made while paused learns nothing, right or wrong.
    wait = throttle.wait_seconds(email=email, address=address)
    if wait is not None:
        context = {
            "email": email,
            "next": safe_next(next_url),
            "error": THROTTLED_SIGN_IN.format(wait=describe_wait(wait)),
        }
        return render(
            request, "accounts/login.html", context, status_code=429, headers={"Retry-After": str(wait)}
        )
    user = actions.authenticate(session, email=email, password=password) if email and password else None
    if user is None:
        if email and password:
            throttle.failed(email=email, address=address)
        context = {"email": email, "next": safe_next(next_url), "error": FAILED_SIGN_IN}
        return render(request, "accounts/login.html", context, status_code=401)
    throttle.succeeded(email=email)
    start_user_session(request, user)
    csrf_token(request.session)
    return RedirectResponse(safe_next(next_url), status_code=303)


@router.post("/logout")
def logout(request: Request, session: DbSession, user: OptionalUser) -> Response:
    """Sign out on every browser: a copy of any of the user's cookies stops working too."""
    if user is not None:
        actions.end_sessions(session, user=user)
    request.session.clear()
    flash(request, "You are signed out.", "success")
    return RedirectResponse("/login", status_code=303)


@router.post("/brand")
def switch_brand(
    request: Request,
    signed_in: CurrentUser,
    brand_id: Annotated[Id, Form()],
    next_url: Annotated[str, Form(alias="next", max_length=2000)] = DEFAULT_NEXT,
) -> Response:
    """Work in another of the user's brands; the choice is remembered in the session."""
    brand = select_brand(request, signed_in=signed_in, brand_id=brand_id)
    if brand is None:
        flash(request, "You do not belong to that brand.", "error")
        return RedirectResponse(DEFAULT_NEXT, status_code=303)
    flash(request, f"Now working in {brand.name}.", "success")
    # Pages of a single case belong to one brand, so switching leads back to the inbox.
    target = safe_next(next_url)
    return RedirectResponse(DEFAULT_NEXT if target.startswith("/cases/") else target, status_code=303)
