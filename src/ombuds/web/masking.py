"""Personal data masked in one place: every answer the app sends passes through here.

Why here and not in each view: a view that forgets to mask leaks a customer's card number to every
viewer. So masking is not something a view does; it is done to every answer on its way out, and
a view can only make it *less* strict, by saying whose data it shows.

* Who sees personal data is decided once per request, by ``personal_data_audience``, a dependency
  ``web/app.py`` puts on every API router, and ``page_audience`` on every page (which reads the
  cookie alone, as pages authenticate): an integration's live bearer token sees what its
  brand ingested; a person, signed in or through a token that acts for them (``token create
  --user``), sees it only where their role allows (``cases.workflow.may_see_personal_data``: every
  role but viewer); anyone else sees it masked.
* Whose data an answer holds: the reads that pick a brand's rows (a case, an incident, a promise,
  a brand's lists) note the brand on the request's session (``ombuds.shown_brands``); the caller's
  role in every noted brand must allow it. An answer whose reads noted nothing is held to the
  strictest of the caller's roles, so a forgotten note costs a multi-brand agent an unmasked value,
  never a leak.
* Pages: ``Renderer`` puts every ``{{ value }}`` a template prints through ``finalize_value``
  (Jinja's ``finalize``), inside macros and includes too. Markup built in Python (charts, time tags)
  is not customer text and passes as it is; templates never mark customer text ``|safe``.
* Everything else: ``MaskPersonalData``, an ASGI middleware, masks each string of a JSON answer
  and each cell of a CSV; an HTML answer that did not come from the renderer, or any other text,
  is masked as a whole. Static assets and binary answers pass untouched.
* What counts as personal data: what the PII analyzer finds (emails, card numbers, phones,
  booking references, street addresses), found anew in each string (``cases.privacy.mask_found``),
  so text copied out of a message (a case subject, an incident's representative text, a promise
  match's evidence) is masked without anyone tracking where it came from; a value cut off by "…"
  is masked too. The case pages also mask from the stored spans (``privacy.present_case``) to show
  a masked value as a marked piece of the message; this layer makes sure nothing else slips by.
* And the values already found in the messages the answer shows: a booking reference is found
  only after "booking ref", so where the customer repeats it bare ("still nothing for QX7Y92")
  each string alone holds nothing to find. The request's session notes the cases and customers
  of the rows (and messages' texts) its reads load (``ombuds.shown_messages``, hooked here on
  every page and API request), and the values in all their messages are masked in every string
  of the answer (``Audience.mask``): read as a page prints (a row its template loads is noted on
  the way), and for every other answer after the view, before the session commits.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ombuds.accounts.models import Role, User
from ombuds.accounts.queries import get_api_token
from ombuds.cases.privacy import mask_found
from ombuds.cases.workflow import may_see_personal_data
from ombuds.known_values import KnownValues
from ombuds.shown_brands import shown_brands
from ombuds.shown_messages import has_unread, shown_personal_values, watch_shown_messages
from ombuds.web.deps import BearerCredentials, DbSession, OptionalUser

#: Where the request's audience and what the renderer already masked are kept (``scope["state"]``).
_AUDIENCE = "ombuds.personal_data_audience"
_RENDERED = "ombuds.rendered_html"
_NO_CUSTOMER_TEXT = "ombuds.no_customer_text"


@dataclass
class Audience:
    """Who an answer goes to, as far as personal data goes, and whose data it holds."""

    sees_everything: bool = False
    roles: Mapping[int, Role] = field(default_factory=dict)
    shown_brands: set[int] = field(default_factory=set)
    #: The request's session, whose reads note the messages the answer shows
    #: (``ombuds.shown_messages``); ``None`` once the view is done with it.
    session: Session | None = field(default=None, repr=False)
    #: The personal values in those messages, as last read (``settle``).
    known: KnownValues = field(default_factory=KnownValues, repr=False)

    @property
    def is_masked(self) -> bool:
        """Whether personal data is masked: unless every brand shown lets this caller see it."""
        if self.sees_everything:
            return False
        brands = self.shown_brands or set(self.roles)
        return not brands or not all(may_see_personal_data(self.roles.get(brand)) for brand in brands)

    def settle(self) -> None:
        """Read the personal values of the messages noted since the last time (none: no query).

        Called while the session is open: as a page prints, and after an API view, before commit.
        """
        if self.session is not None and self.is_masked:
            self.known = shown_personal_values(self.session)

    def mask(self, text: str) -> str:
        """``text`` with what the analyzer finds in it masked, and every value known from the
        messages this answer shows (a booking reference the customer repeats bare)."""
        return self.known.mask(mask_found(text))

    def mask_printed(self, text: str) -> str:
        """``mask`` for a page as it renders (for an audience it masks): a row the template loads
        on the way is noted, so the values are read again first when something was."""
        if self.session is not None and has_unread(self.session):
            self.known = shown_personal_values(self.session)
        return self.mask(text)


def _state(scope: Scope) -> dict[str, Any]:
    state: dict[str, Any] = scope.setdefault("state", {})
    return state


def _settle_after_view(request: Request, session: DbSession) -> Iterator[None]:
    """After the view (and its response model), while its session is still open: read the
    personal values of the messages it showed, for ``MaskPersonalData`` to mask the answer with.
    Then the session commits and closes: nothing reads through it afterwards (an error page)."""
    watch_shown_messages(session)
    try:
        yield
        audience = _state(request.scope).get(_AUDIENCE)
        if isinstance(audience, Audience):
            audience.settle()
    finally:
        audience = _state(request.scope).get(_AUDIENCE)
        if isinstance(audience, Audience):
            audience.session = None


#: Its own dependency so that it runs before the session commits and closes (``scope="function"``),
#: which the audience's, declared in ``web/app.py``, need not know.
_SettledAfterView = Annotated[None, Depends(_settle_after_view, scope="function")]


def personal_data_audience(
    request: Request,
    session: DbSession,
    credentials: BearerCredentials,
    user: OptionalUser,
    _settled: _SettledAfterView,
) -> None:
    """The API's: who this answer goes to, as ``require_api_scope`` authenticates (a bearer token
    wins over a session); the view's own authentication still decides whether it may."""
    if credentials is None:
        page_audience(request, session, user, _settled)
        return
    shown = shown_brands(session)  # the reads of this request add to this very set
    token = get_api_token(session, credentials.credentials)
    person = session.get(User, token.user_id) if token is not None and token.user_id else None
    if person is not None:  # a token acting for a person sees what that person may see
        roles = {m.brand_id: m.role for m in person.memberships}
        audience = Audience(roles=roles, shown_brands=shown, session=session)
    elif token is not None:  # an integration's live token: what its brand ingested
        audience = Audience(sees_everything=True, shown_brands=shown, session=session)
    else:  # unknown, revoked, or its person deactivated: the view refuses it; masked meanwhile
        audience = Audience(shown_brands=shown, session=session)
    _state(request.scope)[_AUDIENCE] = audience


def page_audience(
    request: Request, session: DbSession, user: OptionalUser, _settled: _SettledAfterView
) -> None:
    """Pages': the person the cookie signs in, or nobody. Pages never read a bearer token, so a
    header cannot change what a page shows."""
    shown = shown_brands(session)
    roles = {m.brand_id: m.role for m in user.memberships} if user is not None else {}
    _state(request.scope)[_AUDIENCE] = Audience(roles=roles, shown_brands=shown, session=session)


def holds_no_customer_text(request: Request) -> None:
    """A view's word that its answer is operations figures, never a customer's words (``/metrics``):
    masking it would only take counters and timestamps for phone numbers."""
    _state(request.scope)[_NO_CUSTOMER_TEXT] = True


def is_masked(scope: Scope) -> bool:
    """Whether this request's answer masks personal data; yes when nobody said who asks."""
    audience = _state(scope).get(_AUDIENCE)
    return not isinstance(audience, Audience) or audience.is_masked


def _masker(scope: Scope, *, printing: bool) -> Callable[[str], str] | None:
    """How this request's strings are masked: ``None`` for an audience that sees personal data;
    with what the analyzer finds alone when nobody said who asks."""
    audience = _state(scope).get(_AUDIENCE)
    if not isinstance(audience, Audience):
        return mask_found
    if not audience.is_masked:
        return None
    return audience.mask_printed if printing else audience.mask


# --- pages ----------------------------------------------------------------------------------------

_masking_render: ContextVar[Callable[[str], str] | None] = ContextVar("masking_render", default=mask_found)


@contextmanager
def rendering_for(scope: Scope) -> Iterator[None]:
    """While a page renders, every printed value is masked or not as this request's audience says."""
    token = _masking_render.set(_masker(scope, printing=True))
    try:
        yield
    finally:
        _masking_render.reset(token)
    _state(scope)[_RENDERED] = True


def callers_own(value: str) -> Markup:
    """What the caller just typed (the email on a failed sign-in), shown back escaped, not masked:
    it is theirs, and masking it would leave them retyping. Only for a form's own echo."""
    return escape(value)


def finalize_value(value: Any) -> Any:
    """Jinja's ``finalize``: a printed string with personal data masked when the page masks it."""
    mask = _masking_render.get()
    if isinstance(value, str) and not isinstance(value, Markup) and mask is not None:
        return mask(value)
    return value


# --- every other answer ---------------------------------------------------------------------------


def _mask_csv(text: str, mask: Callable[[str], str]) -> str:
    # the reader refuses a field over its limit (128 KiB by default); none can be longer than the text
    if csv.field_size_limit() < len(text):
        csv.field_size_limit(len(text))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in csv.reader(io.StringIO(text)):
        writer.writerow([mask(cell) for cell in row])
    return out.getvalue()


def _mask_json(value: Any, mask: Callable[[str], str]) -> Any:
    """Every string of a JSON value (not the keys) masked."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, Mapping):
        return {key: _mask_json(item, mask) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_json(item, mask) for item in value]
    return value


def mask_body(body: bytes, *, content_type: str, mask: Callable[[str], str] = mask_found) -> bytes:
    """The answer's body with personal data masked, by what kind of text it is."""
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type:
        try:
            content = json.loads(text)
        except ValueError:
            return mask(text).encode()
        masked = _mask_json(content, mask)
        return json.dumps(masked, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    if content_type.startswith("text/csv"):
        return _mask_csv(text, mask).encode()
    return mask(text).encode()


def _needs_masking(content_type: str, scope: Scope) -> bool:
    if _state(scope).get(_NO_CUSTOMER_TEXT, False):
        return False
    if content_type.startswith("text/html"):
        return not _state(scope).get(_RENDERED, False)
    if content_type.startswith(("text/css", "text/javascript", "application/javascript")):
        return False
    return content_type.startswith("text/") or "json" in content_type


class MaskPersonalData:
    """Pure ASGI middleware: for a masked audience, holds back each textual answer and masks it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        _state(scope)  # created here, so what views record is seen here
        start: Message | None = None
        chunks: list[bytes] = []

        async def send_masked(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = MutableHeaders(scope=message).get("content-type", "")
                if is_masked(scope) and _needs_masking(content_type, scope):
                    start = message
                    return
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                headers = MutableHeaders(scope=start)
                body = mask_body(
                    b"".join(chunks),
                    content_type=headers.get("content-type", ""),
                    mask=_masker(scope, printing=False) or mask_found,
                )
                headers["content-length"] = str(len(body))
                await send(start)
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, send_masked)
