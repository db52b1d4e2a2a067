"""Request dependencies: the transaction, the signed-in user and their brands, the API caller's scope.

Tenancy starts here: every view gets the brands its caller may see from one of these
dependencies and passes them to queries, which filter on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, TypeGuard

from cryptography.fernet import Fernet
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, object_session

from ombuds.accounts import actions, queries
from ombuds.accounts.models import ApiToken, Brand, Role, User
from ombuds.cases.lifecycle import Actor
from ombuds.cases.workflow import may_see_personal_data, may_work
from ombuds.connectors.secrets import secret_box
from ombuds.fields import INT32_MAX
from ombuds.routing.queries import brand_timezone
from ombuds.web.csrf import HEADER, SAFE_METHODS, is_valid

SESSION_USER = "user_id"
SESSION_VERSION = "session_version"
SESSION_BRAND = "brand_id"


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the view returns, rolled back on error.

    Used through ``DbSession`` only, whose ``scope="function"`` runs the commit after the view and
    its response model are done but before the answer is sent: a client that got a 200 or a 303
    finds its write stored, and a commit that fails is a 500, not a lost write.
    """
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False)
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


@dataclass(frozen=True)
class ApiCaller:
    """Who is calling the API: the brand a token writes to."""

    brand: Brand
    token_id: int
    user_id: int | None = None  # the person the token acts for; None for an integration's token


def _caller_for_token(session: Session, credentials: HTTPAuthorizationCredentials) -> ApiCaller:
    token = queries.get_api_token(session, credentials.credentials)
    if token is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "unknown or revoked API token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    actions.touch_api_token(session, token=token)
    brand = session.get(Brand, token.brand_id)
    assert brand is not None  # foreign key
    return ApiCaller(brand=brand, token_id=token.id, user_id=token.user_id)


def require_api_token(session: DbSession, credentials: BearerCredentials) -> ApiCaller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing bearer token: send 'Authorization: Bearer <token>' (see `ombuds token create`)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return _caller_for_token(session, credentials)


def require_writing_token(session: DbSession, credentials: BearerCredentials) -> ApiCaller:
    """A token that may add to its brand: an integration's, or one acting for a member who works
    cases (a viewer's token reads, as its person does)."""
    caller = require_api_token(session, credentials)
    if caller.user_id is not None:
        person = session.get(User, caller.user_id)
        role = queries.get_role(session, user=person, brand_id=caller.brand.id) if person else None
        if not may_work(role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this token acts for a {role.value if role else 'former member'} of {caller.brand.name}, "
                "who may read but not add; an integration sends with a token of its own (`ombuds token create`)",
            )
    return caller


ApiAuth = Annotated[ApiCaller, Depends(require_writing_token)]


def start_user_session(request: Request, user: User) -> None:
    """Sign the user in on this browser: a fresh session, so nothing set before it (a planted cookie) survives."""
    request.session.clear()
    request.session[SESSION_USER] = user.id
    request.session[SESSION_VERSION] = user.session_version


def user_of_session(request: Request, session: Session) -> User | None:
    """The active user this cookie signs in, unless they have signed out (or been signed out) since.

    The cookie is signed, not stored: a copy of it stays valid until the user's session version
    moves on, which sign-out, a password change and deactivation all do.
    """
    user_id = request.session.get(SESSION_USER)
    version = request.session.get(SESSION_VERSION)
    # a cookie is signed, but whoever holds the key could write any JSON in it: only row ids
    if not _row_id(user_id) or type(version) is not int:
        return None
    user = queries.get_user(session, user_id)
    if user is None or not user.is_active or user.session_version != version:
        return None
    return user


def _row_id(value: object) -> TypeGuard[int]:
    return type(value) is int and 1 <= value <= INT32_MAX  # not a bool, and an id a row can have


def optional_user(request: Request, session: DbSession) -> User | None:
    return user_of_session(request, session)


OptionalUser = Annotated[User | None, Depends(optional_user)]


# --- pages: a signed-in user working in one of their brands ---------------------------------------


class SignInRequired(Exception):
    """A page needs a signed-in user; the app answers with a redirect to the sign-in page."""


@dataclass(frozen=True)
class SignedIn:
    """The signed-in user, the brands they belong to, and the one they are working in now."""

    user: User
    brands: tuple[Brand, ...]
    roles: dict[int, Role]
    brand: Brand | None  # None only for a user who belongs to no brand yet
    timezone: str = "UTC"  # the brand's, where its pages show every moment

    @property
    def brand_ids(self) -> frozenset[int]:
        return frozenset(brand.id for brand in self.brands)

    @property
    def role(self) -> Role | None:
        return self.roles.get(self.brand.id) if self.brand else None

    def timezone_of(self, session: Session, brand_id: int) -> str:
        """The time zone of one of the user's brands: a page about another brand's case, problem or
        incident than the one selected reads on that brand's clock (a day is that brand's day)."""
        if self.brand is not None and brand_id == self.brand.id:
            return self.timezone
        return brand_timezone(session, brand_id)


def signed_in_for(request: Request, user: User) -> SignedIn:
    """The user with their brands; the selected brand is kept in the session (first by name if none)."""
    memberships = sorted(user.memberships, key=lambda m: (m.brand.name.lower(), m.brand_id))
    brands = tuple(m.brand for m in memberships)
    selected_id = request.session.get(SESSION_BRAND)
    brand = next((b for b in brands if b.id == selected_id), brands[0] if brands else None)
    if brand is not None and selected_id != brand.id:
        request.session[SESSION_BRAND] = brand.id
    session = object_session(user)
    timezone = brand_timezone(session, brand.id) if brand is not None and session is not None else "UTC"
    return SignedIn(
        user=user,
        brands=brands,
        roles={m.brand_id: m.role for m in memberships},
        brand=brand,
        timezone=timezone,
    )


def require_signed_in(request: Request, user: OptionalUser) -> SignedIn:
    """For pages: the signed-in user, or a redirect to /login that comes back here afterwards."""
    if user is None:
        raise SignInRequired()
    return signed_in_for(request, user)


CurrentUser = Annotated[SignedIn, Depends(require_signed_in)]


def select_brand(request: Request, *, signed_in: SignedIn, brand_id: int) -> Brand | None:
    """Remember the brand the user works in; None (and nothing remembered) if not one of theirs."""
    brand = next((b for b in signed_in.brands if b.id == brand_id), None)
    if brand is not None:
        request.session[SESSION_BRAND] = brand.id
    return brand


# --- API: a bearer token (one brand) or the browser's session (the user's brands) -----------------


@dataclass(frozen=True)
class ApiScope:
    """The brands an API caller may read, and the brand it reads when it names none."""

    brands: tuple[Brand, ...]
    default_brand: Brand | None
    user: User | None = None
    token_id: int | None = None

    @property
    def brand_ids(self) -> frozenset[int]:
        return frozenset(brand.id for brand in self.brands)

    def person(self, session: Session) -> User | None:
        """The signed-in person, or the person a token acts for (none: an integration's token)."""
        if self.user is not None or self.token_id is None:
            return self.user
        token = session.get(ApiToken, self.token_id)
        return session.get(User, token.user_id) if token is not None and token.user_id is not None else None

    def masks_personal_data(self, session: Session, *, brand_id: int) -> bool:
        """Whether this caller sees the brand's personal data masked: a person (signed in, or
        through a token made for them) where their role does not show it; an integration's
        token sees what its brand ingested."""
        person = self.person(session)
        if person is None:
            return False
        return not may_see_personal_data(queries.get_role(session, user=person, brand_id=brand_id))

    def actor(self, session: Session) -> Actor:
        """Who makes a change through the API: the person, and the token when there is one."""
        if self.user is not None:
            return Actor(self.user)
        return Actor(self.person(session), api_token_id=self.token_id)

    def brand_by_slug(self, slug: str | None) -> Brand:
        """The named brand, or the default one; 404 when the caller may not see it (or it is unknown)."""
        if slug is None:
            if self.default_brand is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "the caller belongs to no brand")
            return self.default_brand
        brand = next((b for b in self.brands if b.slug == slug), None)
        if brand is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no brand {slug!r} visible to this caller")
        return brand


def require_api_scope(
    request: Request, session: DbSession, credentials: BearerCredentials, user: OptionalUser
) -> ApiScope:
    """A bearer token wins; otherwise the session cookie, which must echo the CSRF token to write."""
    if credentials is not None:
        caller = require_api_token(session, credentials)
        return ApiScope(brands=(caller.brand,), default_brand=caller.brand, token_id=caller.token_id)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "sign in, or send 'Authorization: Bearer <token>' (see `ombuds token create`)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if request.method not in SAFE_METHODS and not is_valid(request.session, request.headers.get(HEADER)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"missing or wrong {HEADER} header")
    signed_in = signed_in_for(request, user)
    return ApiScope(brands=signed_in.brands, default_brand=signed_in.brand, user=user)


ApiReader = Annotated[ApiScope, Depends(require_api_scope)]


def app_secret_box(request: Request) -> Fernet:
    """What opens the sources' sealed settings in this app (made from its secret key)."""
    return secret_box(request.app.state.settings.resolved_secret_key())
