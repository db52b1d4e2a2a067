"""How errors reach people: JSON under /api, a page everywhere else, a redirect to sign in."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from ombuds.db import is_disk_full
from ombuds.errors import Conflict, Forbidden, InvalidInput, NotFound, OmbudsError
from ombuds.web.csrf import CsrfRejected
from ombuds.web.deps import SignedIn, SignInRequired, signed_in_for, user_of_session
from ombuds.web.templating import render
from ombuds.web.validation import (
    address_message,
    api_message,
    in_words,
    is_about_the_address,
    page_message,
    thing_of,
)

API_PREFIX = "/api/"

_STATUS_OF: dict[type[OmbudsError], int] = {NotFound: 404, Forbidden: 403, Conflict: 409, InvalidInput: 422}

_PAGE_MESSAGES = {
    403: "You do not have access to this page.",
    404: "There is nothing here, or it belongs to a brand you do not work for.",
    405: "This address does not accept that kind of request.",
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def sign_in_url(request: Request) -> str:
    """/login with ``next`` set to the page asked for, so signing in leads back to it."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login" if target in ("/", "/inbox") else f"/login?next={quote(target, safe='/')}"


def _signed_in_or_none(request: Request) -> SignedIn | None:
    """Error pages keep the navigation for signed-in people; the failed view's session is gone."""
    if "session" not in request.scope:
        return None
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        user = user_of_session(request, session)
        return signed_in_for(request, user) if user is not None else None


def error_page(request: Request, status_code: int, message: str | None = None) -> Response:
    title = HTTPStatus(status_code).phrase if status_code in HTTPStatus._value2member_map_ else "Error"
    return render(
        request,
        "error.html",
        {
            "status_code": status_code,
            "title": title,
            "message": message or _PAGE_MESSAGES.get(status_code, "Something went wrong."),
            "back_to": _form_page(request) if status_code in (400, 409, 413, 422) else None,
        },
        signed_in=_signed_in_or_none(request),
        status_code=status_code,
    )


def _form_page(request: Request) -> str | None:
    """The page of this app a refused form was sent from (its Referer), to go back to; None for
    anything but a form sent from one of this app's pages."""
    if request.method != "POST":
        return None
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or not referer.path.startswith("/"):
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    if is_api(request):
        return JSONResponse({"detail": "sign in or send a bearer token"}, status_code=401)
    url = sign_in_url(request)
    if request.headers.get("HX-Request") == "true":
        # htmx follows HX-Redirect with a full page load instead of swapping the sign-in form in.
        return Response(status_code=401, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


async def _csrf_rejected(request: Request, exc: Exception) -> Response:
    message = (
        "This form was sent without a valid security token, perhaps because it was open for a long "
        "time or cookies are blocked. Go back, reload the page and try again."
    )
    if is_api(request):
        return JSONResponse({"detail": message}, status_code=403)
    return error_page(request, 403, message)


#: FastAPI's answer to a body it could not read at all (bytes that are not UTF-8, JSON nested past
#: what the parser follows): it names no field, so the desk says what a body must be.
_UNREADABLE_BODY = "There was an error parsing the body"
_READABLE_BODY = "body: not JSON that can be read; send UTF-8 text, nested a few hundred levels at most"


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _UNREADABLE_BODY:
        exc = StarletteHTTPException(400, _READABLE_BODY)
    if is_api(request) or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    detail = exc.detail if isinstance(exc.detail, str) and exc.status_code not in _PAGE_MESSAGES else None
    return error_page(request, exc.status_code, detail or _missing_thing(request, exc.status_code))


def _missing_thing(request: Request, status_code: int) -> str | None:
    """A 404 for an id in the address names what was not found: "There is no case 99999 …"."""
    if status_code != 404:
        return None
    named = [(key, value) for key, value in request.path_params.items() if key.endswith("_id")]
    if not named:
        return None
    key, value = named[-1]
    return f"There is no {thing_of(key)} {value} here, or it belongs to a brand you do not work for."


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if is_api(request):
        # in_words keeps each input JSON can carry: infinity (1e400) or a huge integer would be a 500.
        problems = in_words(jsonable_encoder(errors))
        return JSONResponse({"detail": problems, "message": api_message(errors)}, status_code=422)
    if is_about_the_address(errors):
        return error_page(request, 404, address_message(errors))
    return error_page(request, 400, page_message(errors))


async def _ombuds_error(request: Request, exc: Exception) -> Response:
    status_code = next((code for kind, code in _STATUS_OF.items() if isinstance(exc, kind)), 400)
    if is_api(request):
        return JSONResponse({"detail": str(exc)}, status_code=status_code)
    return error_page(request, status_code, str(exc) if status_code != 404 else None)


#: How long a sender is asked to wait when the disk is full: freeing space is a person's job.
DISK_FULL_RETRY_SECONDS = 60
DISK_FULL_MESSAGE = (
    "The server's disk is full, so nothing from this request was stored. "
    "Send it again once an administrator has freed space in the data folder."
)


async def _storage_error(request: Request, exc: Exception) -> Response:
    """A full disk is the server's trouble, for a while: 503 with ``Retry-After``, never a bare 500."""
    if not is_disk_full(exc):
        raise exc  # any other database or file error stays a server error
    headers = {"Retry-After": str(DISK_FULL_RETRY_SECONDS)}
    if is_api(request):
        return JSONResponse({"detail": DISK_FULL_MESSAGE}, status_code=503, headers=headers)
    page = error_page(request, 503, DISK_FULL_MESSAGE)
    page.headers.update(headers)
    return page


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(CsrfRejected, _csrf_rejected)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(OmbudsError, _ombuds_error)
    app.add_exception_handler(DBAPIError, _storage_error)
    app.add_exception_handler(OSError, _storage_error)
