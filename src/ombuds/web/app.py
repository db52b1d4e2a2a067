"""The FastAPI application factory; nothing is created at import time.

Adding a page to a package (say incidents):

* ``incidents/pages.py`` defines ``router = APIRouter()`` and views that take ``signed_in: CurrentUser``
  and ``session: DbSession`` (``ombuds.web.deps``), read through queries scoped to
  ``signed_in.brand`` / ``signed_in.brand_ids``, and return
  ``render(request, "incidents/list.html", {...}, signed_in=signed_in)`` (``ombuds.web.templating``).
* The template lives in ``web/templates/incidents/``, extends ``base.html`` and fills
  ``{% block content %}``; ``_macros.html`` has the badges, chips, deadlines and empty states.
  Forms that POST include ``<input type="hidden" name="csrf_token" value="{{ csrf_token }}">``.
* Add ``"ombuds.incidents.pages"`` to ``PAGE_ROUTERS`` below, and a ``NavEntry`` in ``web/nav.py``.

JSON routes go the same way: ``router = APIRouter(prefix="/incidents", tags=["incidents"])`` in
``incidents/api.py``, listed in ``API_ROUTERS``; readers depend on ``ApiReader`` (token or session),
machine writers on ``ApiAuth`` (token only).
"""

from __future__ import annotations

from importlib import import_module

from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp

from ombuds import __version__, outbound
from ombuds.settings import Settings
from ombuds.web.api_docs import install_api_docs
from ombuds.web.assets import mount_assets
from ombuds.web.csrf import verify_csrf
from ombuds.web.errors import install_error_handlers
from ombuds.web.headers import SecurityHeaders
from ombuds.web.masking import MaskPersonalData, page_audience, personal_data_audience
from ombuds.web.repeated_keys import refuse_repeated_keys
from ombuds.web.sessions import Sessions
from ombuds.web.templating import Renderer
from ombuds.web.throttle import ApiRateLimit, RefusalThrottle, SignInThrottle

API_PREFIX = "/api/v1"

#: JSON routes, mounted under /api/v1. One line per package: a module with a ``router``
#: (an ``APIRouter`` whose prefix names its collection, e.g. ``APIRouter(prefix="/cases")``).
API_ROUTERS: tuple[str, ...] = (
    "ombuds.cases.api",
    "ombuds.inbox.api",
    "ombuds.followups.api",
    "ombuds.mentions.api",
    "ombuds.incidents.api",
    "ombuds.promises.api",
    "ombuds.responses.resolutions.api",
    "ombuds.responses.wording.api",
    "ombuds.responses.api",
    "ombuds.routing.api",
    "ombuds.routing.teams.api",
    "ombuds.accounts.api",
    "ombuds.tasks.api",
    "ombuds.surveys.api",
    "ombuds.search.api",
    "ombuds.customers.api",
    "ombuds.privacy.api",
    "ombuds.metrics.api",
    "ombuds.sources.api",
    "ombuds.problems.api",
)

#: HTML pages. One line per package: a module with a ``router``. Every unsafe request
#: (POST, PUT, PATCH, DELETE) to these routes must carry the session's CSRF token.
PAGE_ROUTERS: tuple[str, ...] = (
    "ombuds.web.pages",
    "ombuds.accounts.pages",
    "ombuds.cases.pages",
    "ombuds.inbox.pages",
    "ombuds.followups.pages",
    "ombuds.incidents.pages",
    "ombuds.notifications.pages",
    "ombuds.promises.drafts.pages",  # before promises.pages: /promises/preflight is no promise id
    "ombuds.promises.pages",
    "ombuds.responses.resolutions.pages",
    "ombuds.responses.pages",
    "ombuds.responses.wording.pages",
    "ombuds.routing.teams.pages",
    "ombuds.routing.pages",
    "ombuds.tasks.pages",
    "ombuds.surveys.settings.pages",
    "ombuds.search.pages",
    "ombuds.customers.pages",
    "ombuds.admin.pages",
    "ombuds.admin.people.pages",
    "ombuds.admin.routing.pages",
    "ombuds.admin.channels.pages",
    "ombuds.admin.digest.pages",
    "ombuds.metrics.pages",
    "ombuds.reports.pages",
    "ombuds.problems.pages",
    "ombuds.search.pages",
)

#: Pages for people without an account, reached by an unguessable link that is their only
#: credential (a survey). They act for no signed-in session, so they carry no CSRF check.
PUBLIC_ROUTERS: tuple[str, ...] = ("ombuds.surveys.pages",)

#: Refused webhook pushes one address may send one source in a minute before it is answered 429.
HOOK_REFUSALS_PER_MINUTE = 20


def _router(module: str) -> APIRouter:
    router = getattr(import_module(module), "router", None)
    if not isinstance(router, APIRouter):
        raise TypeError(f"{module} must define `router = APIRouter(...)` to be listed in web/app.py")
    return router


class _App(FastAPI):
    """Security headers wrap even Starlette's outermost error middleware, so a 500 carries them too."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


def create_app(*, settings: Settings, session_factory: sessionmaker[Session]) -> FastAPI:
    """An app bound to one database; the runner (serve, tests) owns the engine."""
    app = _App(
        title="Ombuds",
        version=__version__,
        description=(
            "The customer-voice desk where PR and customer care work as one. Authenticate with "
            "`Authorization: Bearer <token>` (`ombuds token create`) or a signed-in browser session."
        ),
        docs_url=None,  # web/api_docs.py serves it from the npm package, not a CDN
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    app.state.settings = settings
    outbound.configure(settings.outbound_allow)
    app.state.session_factory = session_factory
    app.add_middleware(
        Sessions,
        secret_key=settings.resolved_secret_key(),
        session_cookie="ombuds_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(ApiRateLimit, per_minute=settings.api_requests_per_minute)
    app.state.sign_in_throttle = SignInThrottle(
        per_account=settings.sign_in_failures_per_account,
        per_address=settings.sign_in_failures_per_address,
        window_seconds=settings.sign_in_window_seconds,
    )
    app.state.hook_throttle = RefusalThrottle(
        refusals=HOOK_REFUSALS_PER_MINUTE, window_seconds=60, namespace="webhook-refusals"
    )
    # Every answer passes it: personal data masked for whoever may not see it (web/masking.py).
    app.add_middleware(MaskPersonalData)
    install_error_handlers(app)
    install_api_docs(app, openapi_url=f"{API_PREFIX}/openapi.json")
    app.state.renderer = Renderer(mount_assets(app))

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    api_audience, page = Depends(personal_data_audience), Depends(page_audience)
    for module in API_ROUTERS:
        app.include_router(
            _router(module), prefix=API_PREFIX, dependencies=[Depends(refuse_repeated_keys), api_audience]
        )
    for module in PAGE_ROUTERS:
        app.include_router(
            _router(module), include_in_schema=False, dependencies=[Depends(verify_csrf), page]
        )
    for module in PUBLIC_ROUTERS:
        app.include_router(_router(module), include_in_schema=False, dependencies=[page])
    return app
