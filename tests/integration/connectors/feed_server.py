"""A feed server on loopback for tests: feeds that grow, honour ETag and Last-Modified, rate-limit,
hang, and count what they served."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@dataclass
class Item:
    guid: str
    title: str
    text: str
    published: datetime | None
    author: str = "reviewer@example.org (A Reviewer)"


@dataclass
class Feed:
    """One feed; ``version`` changes with every item added, and is its ETag."""

    title: str
    items: list[Item] = field(default_factory=list)
    version: int = 0
    modified: datetime = START

    def add(self, guid: str, title: str, text: str, *, published: datetime | bool | None = True) -> Item:
        when = START + timedelta(minutes=len(self.items)) if published is True else published or None
        item = Item(guid, title, text, when)
        self.items.append(item)
        self.version += 1
        self.modified = self.modified + timedelta(minutes=1)
        return item

    def rss(self) -> bytes:
        entries = []
        for item in reversed(self.items):  # newest first, as feeds list them
            date = f"<pubDate>{format_datetime(item.published)}</pubDate>" if item.published else ""
            entries.append(
                f"<item><guid>{escape(item.guid)}</guid><title>{escape(item.title)}</title>"
                f"<link>https://reviews.example.org/{escape(item.guid)}</link>"
                f"<author>{escape(item.author)}</author>"
                f"<description>{escape(item.text)}</description>{date}</item>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(self.title)}</title><link>https://reviews.example.org/</link>"
            f"<description>reviews</description>{''.join(entries)}</channel></rss>"
        ).encode()


class FeedServer:
    """Serves ``feeds`` by path; ``rate_limit_next`` answers the next request 429 with Retry-After."""

    def __init__(self) -> None:
        self.feeds: dict[str, Feed] = {}
        self.requests: list[tuple[str, int]] = []  # (path, status) served
        self.conditions: list[tuple[str | None, str | None]] = []  # (If-None-Match, If-Modified-Since) asked
        self.served = threading.Event()
        self.retry_after: int | None = None
        self.hang = threading.Event()  # while set, every answer waits for ``release``
        self.release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def feed(self, path: str, title: str = "Skyways reviews") -> Feed:
        return self.feeds.setdefault(path, Feed(title))

    def rate_limit_next(self, seconds: int) -> None:
        self.retry_after = seconds

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                if server.hang.is_set():
                    server.release.wait(30)
                server.conditions.append(
                    (self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"))
                )
                status = self._answer()
                server.requests.append((self.path, status))
                server.served.set()

            def _answer(self) -> int:
                if server.retry_after is not None:
                    wait, server.retry_after = server.retry_after, None
                    self.send_response(429)
                    self.send_header("Retry-After", str(wait))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return 429
                feed = server.feeds.get(self.path)
                if feed is None:
                    self.send_error(404)
                    return 404
                etag = f'"v{feed.version}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return 304
                body = feed.rss()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", format_datetime(feed.modified, usegmt=True))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return 200

        return Handler

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server
