"""Security headers on every response, errors included; pages get a strict Content-Security-Policy.

Every answer but a static asset may carry personal data (a customer's words, an email address), so
none is kept by the browser's or a proxy's cache: ``Cache-Control: no-store``.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
#: The interactive API docs load their own assets; they keep the default (no) policy.
_UNPOLICED_PREFIXES = ("/api/docs",)
#: Our stylesheets and scripts: the same for everyone, cached by their content-hashed URLs.
_CACHEABLE_PREFIXES = ("/static/",)


class SecurityHeaders:
    """Pure ASGI middleware (streams untouched) that adds headers before the response starts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        policed = not path.startswith(_UNPOLICED_PREFIXES)
        cacheable = path.startswith(_CACHEABLE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                if not cacheable:
                    headers["Cache-Control"] = "no-store"
                if policed and headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", PAGE_POLICY)
            await send(message)

        await self.app(scope, receive, send_with_headers)
