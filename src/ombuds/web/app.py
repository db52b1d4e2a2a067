"""The FastAPI application factory; nothing is created at import time."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware

from ombuds import __version__
from ombuds.settings import Settings


def create_app(*, settings: Settings, session_factory: sessionmaker[Session]) -> FastAPI:
    """An app bound to one database; the runner (serve, tests) owns the engine."""
    app = FastAPI(
        title="Ombuds",
        version=__version__,
        description="The customer-voice desk where PR and customer care work as one.",
        docs_url="/api/docs",
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.session_factory = session_factory
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        session_cookie="ombuds_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.secure_cookies,
    )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    api = APIRouter(prefix="/api/v1")
    # Domain routers register here, one include per package (mentions, cases, ...).
    app.include_router(api)
    return app
