"""Live channels for ``ombuds demo``: an RSS feed the demo serves itself, and a webhook source.

The feed (on a free loopback port) lists a few reviews of the airline and gains one every few
minutes, so a new user sees the RSS source poll, bring mentions in and show its health without any
credentials; the webhook source's secret is printed so a ``curl`` can push a message into it.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

from cryptography.fernet import Fernet
from sqlalchemy.orm import Session, sessionmaker

from ombuds.clock import Clock, utcnow
from ombuds.connectors.registry import get_kind
from ombuds.connectors.webhook import new_secret
from ombuds.db import transaction
from ombuds.sources.actions import add_source

FEED_PATH = "/reviews.xml"
#: a new review appears this often while the demo runs
EVERY = timedelta(minutes=3)
REVIEWS = (
    ("Flight LK 212 was three hours late and nobody at the gate knew why.", "Jo Ramsey"),
    ("Cabin crew on LK 88 were wonderful with my kids. Thank you!", "Priya N."),
    ("Still no refund for my cancelled flight after six weeks. Larkspur, answer your emails.", "Tom Becker"),
    ("The app charged my card twice for one seat upgrade.", "Ana Lima"),
    ("My suitcase went to Oslo instead of Lisbon. Day four and no news.", "Rui Costa"),
    ("Legroom is as advertised. Boarding was chaos though.", "Kim Wu"),
    ("Lost my booking in the app after the update; call centre wait was 50 minutes.", "Lea Roth"),
    ("Best on-time record I have had this year, well done.", "Sam Okafor"),
)


def demo_feed(*, started_at: datetime, now: datetime) -> bytes:
    """The feed as it reads at ``now``: three reviews at the start, one more each ``EVERY``."""
    shown = min(len(REVIEWS), 3 + int((now - started_at) / EVERY))
    items = []
    for number in reversed(range(shown)):
        text, author = REVIEWS[number]
        when = (
            started_at - timedelta(hours=3) + number * EVERY
            if number < 3
            else started_at + (number - 2) * EVERY
        )
        items.append(
            f"<item><guid>larkspur-review-{number + 1}</guid><title>{escape(text[:60])}</title>"
            f"<link>http://reviews.invalid/larkspur/{number + 1}</link><author>{escape(author)}</author>"
            f"<description>{escape(text)}</description><pubDate>{format_datetime(when)}</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Airline reviews: Larkspur</title><link>http://reviews.invalid/larkspur</link>"
        f"<description>Reviews of Larkspur Air</description>{''.join(items)}</channel></rss>"
    ).encode()


class DemoFeedServer:
    """Serves ``demo_feed`` on a free loopback port until ``stop``."""

    def __init__(self, clock: Clock = utcnow) -> None:
        started_at = clock()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass  # the demo's console is for people

            def do_GET(self) -> None:
                if self.path != FEED_PATH:
                    self.send_error(404)
                    return
                body = demo_feed(started_at=started_at, now=clock())
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{FEED_PATH}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def add_live_sources(
    factory: sessionmaker[Session], *, brand_id: int, feed_url: str, box: Fernet
) -> tuple[int, int, str]:
    """The RSS source (polled every minute) and the webhook source: their ids and the webhook's secret."""
    secret = new_secret()
    with transaction(factory) as session:
        feed = add_source(
            session,
            brand_id=brand_id,
            kind=get_kind("rss"),
            name="Airline reviews (RSS)",
            config={"url": feed_url, "channel": "reviews"},
            box=box,
            every_seconds=60,
        )
        hook = add_source(
            session,
            brand_id=brand_id,
            kind=get_kind("webhook"),
            name="Chat widget (webhook)",
            config={"secret": secret},
            box=box,
        )
        return feed.id, hook.id, secret
