"""An SMTP server on loopback (aiosmtpd) that keeps what it accepts, for tests of replies by email."""

from __future__ import annotations

import asyncio
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

#: How long the server may take to start on a busy machine (aiosmtpd's own default is 5 s).
READY_TIMEOUT_SECONDS = 60.0


class LoopbackController(Controller):
    """aiosmtpd's threaded server on 127.0.0.1, on a port the kernel picks as the server binds.

    Choosing a free port first and binding it later leaves a moment in which another process can
    take it; binding port 0 in the server itself leaves none. ``port`` holds the real port once
    ``start()`` returns.
    """

    def __init__(self, handler: Any, **smtp_parameters: Any) -> None:
        super().__init__(
            handler,
            hostname="127.0.0.1",
            port=0,
            ready_timeout=READY_TIMEOUT_SECONDS,
            **smtp_parameters,
        )

    def _create_server(self) -> Any:
        return self._listen()

    async def _listen(self) -> asyncio.AbstractServer:
        server = await self.loop.create_server(
            self._factory_invoker, host=self.hostname, port=0, ssl=self.ssl_context
        )
        # Set before start() stops waiting for the server; its own first connection uses it.
        self.port = server.sockets[0].getsockname()[1]
        return server


@dataclass
class SmtpCatcher:
    """Accepts mail from one account (``username``/``password``) and keeps each message; a context manager.

    With ``tls_context`` it insists on STARTTLS before anything else, as a submission server does.
    While ``refusing`` holds an SMTP reply (``"451 4.3.0 Try again later"``), it answers every
    message with it and keeps none, as a server that is failing does; ``refused`` counts them.
    """

    username: str
    password: str
    tls_context: ssl.SSLContext | None = None
    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    refusing: str | None = None
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    def __enter__(self) -> SmtpCatcher:
        catcher = self

        class Handler:
            async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
                if catcher.refusing is not None:
                    with catcher.lock:
                        catcher.refused += 1
                    return catcher.refusing
                message = message_from_bytes(envelope.content, policy=policy.default)
                assert isinstance(message, EmailMessage)
                with catcher.lock:
                    catcher.messages.append(message)
                return "250 Message accepted for delivery"

        def authenticate(
            server: object, session: object, envelope: object, mechanism: str, data: Any
        ) -> AuthResult:
            assert isinstance(data, LoginPassword)
            given = (data.login.decode(), data.password.decode())
            return AuthResult(success=given == (self.username, self.password), handled=False)

        self._controller = LoopbackController(
            Handler(),
            authenticator=authenticate,
            auth_require_tls=False,  # loopback only; a real server would insist on TLS
            tls_context=self.tls_context,
            require_starttls=self.tls_context is not None,
        )
        self._controller.start()
        self.port = self._controller.port
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self) -> list[EmailMessage]:
        with self.lock:
            return list(self.messages)
