"""A platform's HTTP API played back on loopback: recorded payloads, real sockets, every request kept.

A test gives a handler that answers like the platform (paging its recorded items by the
platform's own parameters); ``script`` queues answers given before the handler's, for a 429 or a
5xx at a chosen moment.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

PAYLOADS = Path(__file__).resolve().parent.parent / "fixtures" / "payloads"


def payload(kind: str, name: str) -> Any:
    """A recorded payload from tests/fixtures/payloads/<kind>/<name>.json."""
    return json.loads((PAYLOADS / kind / f"{name}.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {name: values[-1] for name, values in parse_qs(self.body.decode()).items()}


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: object = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return b"" if self.body is None else json.dumps(self.body).encode()


Handler = Callable[[Request], Answer]


class RecordedApi:
    """``handler`` answers each request unless ``script`` holds an answer for it first."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self.script: deque[Answer] = deque()
        self.errors: list[Exception] = []
        api = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={name.lower(): value for name, value in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                api.requests.append(request)
                try:
                    answer = api.script.popleft() if api.script else api.handler(request)
                except Exception as exc:  # a broken fake answers 500 and the test sees why
                    api.errors.append(exc)
                    answer = Answer(500, {"error": f"the fake server failed: {exc!r}"})
                body = answer.encoded()
                self.send_response(answer.status)
                headers = {"Content-Type": "application/json; charset=utf-8", **answer.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer  # noqa: N815 (the names http.server calls)

            def log_message(self, format: str, *args: object) -> None:
                pass  # the test reads api.requests instead

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def calls(self, method: str, path: str) -> list[Request]:
        return [request for request in self.requests if request.method == method and request.path == path]

    @contextmanager
    def running(self) -> Iterator[RecordedApi]:
        thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="recorded-api",
            daemon=True,
        )
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join()
        assert not self.errors, f"the fake server failed: {self.errors!r}"
