"""Request dependencies: the transaction, the signed-in user, the API token's brand."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from ombuds.accounts import actions, queries
from ombuds.accounts.models import Brand, User


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the view returns, rolled back on error."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class ApiCaller:
    """Who is calling the API: the brand a token writes to."""

    brand: Brand
    token_id: int


def require_api_token(
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiCaller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing bearer token: send 'Authorization: Bearer <token>' (see `ombuds token create`)",
            headers={"WWW-Authenticate": "Bearer"},
        )
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
    return ApiCaller(brand=brand, token_id=token.id)


ApiAuth = Annotated[ApiCaller, Depends(require_api_token)]


def optional_user(request: Request, session: DbSession) -> User | None:
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        return None
    user = queries.get_user(session, user_id)
    return user if user is not None and user.is_active else None
