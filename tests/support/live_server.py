"""The real app served by uvicorn on a loopback port, for tests that need a real HTTP exchange."""

from __future__ import annotations

import socket
import threading
from typing import Any

import uvicorn


class LiveServer:
    """uvicorn in a background thread on a socket bound before it starts, so no request races it."""

    def __init__(self, app: Any) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        # Listening now: connections made before uvicorn accepts wait in the backlog.
        self._socket.listen(128)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(
            app,
            lifespan="on",
            ws="none",
            http="h11",
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=5,
        )
        self._server = uvicorn.Server(config)
        self._errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, name="ombuds-test-server", daemon=True)

    def _run(self) -> None:
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as exc:  # surfaced to the test at teardown
            self._errors.append(exc)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=20)
        self._socket.close()
        if self._thread.is_alive():
            raise RuntimeError("the test server did not shut down within 20 seconds")
        if self._errors:
            raise self._errors[0]
