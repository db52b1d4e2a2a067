"""What the HTTP connectors share: one request with errors a person can act on, rate-limit headers
read the way each platform writes them, and the cursor of a newest-first walk.

Errors name the platform, the request and its answer, never a credential: tokens travel in
headers, which no message repeats.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import AfterValidator

from ombuds import outbound
from ombuds.clock import Clock, utcnow
from ombuds.connectors.base import (
    Batch,
    Cursor,
    FetchFailed,
    RateLimited,
    RawRecord,
    RecordProblem,
    SinkRefused,
    SinkRetry,
)

#: How much of an error answer goes into a message: enough to see what the platform said.
ANSWER_SHOWN_CHARS = 300
#: A reset header above this is an epoch time (X, Bluesky); below it, seconds to wait (Reddit).
EPOCH_FROM = 1_000_000_000
#: Answers that say "later", not "never", although they are 4xx.
RETRYABLE_4XX = frozenset({408, 425, 429})
#: When a 429 names no wait at all.
DEFAULT_WAIT_SECONDS = 60.0
#: The most of one answer read, once unpacked: a page of a listing is kilobytes, so more is a
#: platform (or an instance an admin typed in) gone wrong, and the poller runs inside the server.
MAX_ANSWER_BYTES = 10 * 1024 * 1024


class KeyedLocks:
    """One lock per key (an account), so one account's slow sign-in never holds up another's."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[Hashable, threading.Lock] = {}

    def of(self, key: Hashable) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


class AnswerTooLarge(Exception):
    pass


def request_capped(client: httpx.Client, method: str, path: str, **options: object) -> httpx.Response:
    """Send a request and read its answer, refusing it once the body passes ``MAX_ANSWER_BYTES``."""
    sending = {name: options.pop(name) for name in ("auth", "follow_redirects") if name in options}
    request = client.build_request(method, path, **options)  # type: ignore[arg-type]
    streamed = client.send(request, stream=True, **sending)  # type: ignore[arg-type]
    body = bytearray()
    try:
        for chunk in streamed.iter_bytes():
            body += chunk
            if len(body) > MAX_ANSWER_BYTES:
                raise AnswerTooLarge(f"answered more than {MAX_ANSWER_BYTES // (1024 * 1024)} MB")
    finally:
        streamed.close()
    # the body is already unpacked: the new answer must not claim an encoding or another length
    headers = [
        (name, value)
        for name, value in streamed.headers.multi_items()
        if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    ]
    return httpx.Response(streamed.status_code, headers=headers, content=bytes(body), request=request)


#: A platform's base address: https, or plain http only to a server on this machine (a test
#: double, a local relay), since tokens and passwords travel in its requests.
BASE_URL_PATTERN = r"^https?://[^\s/]+/?$"


def secure_base_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme == "http" and not _is_loopback(parts.hostname or ""):
        raise ValueError(
            "use https://: the account's credentials would cross the network in the clear "
            "(http:// is only for a server on this machine)"
        )
    return value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: A platform's base address in a source's settings.
BaseUrl = Annotated[str, AfterValidator(secure_base_url)]


def wait_seconds(headers: Mapping[str, str], *, now: datetime) -> float | None:
    """How long the platform asked us to wait, or ``None`` when its headers name no time.

    ``Retry-After`` (seconds or an HTTP date) wins; then the reset headers: X's
    ``x-rate-limit-reset`` and Bluesky's ``ratelimit-reset`` (epoch seconds), Reddit's
    ``x-ratelimit-reset`` (seconds left) and Mastodon's ``X-RateLimit-Reset`` (an ISO 8601 time).
    """
    lowered = {name.lower(): value.strip() for name, value in headers.items()}
    for name in ("retry-after", "x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"):
        value = lowered.get(name)
        if not value:
            continue
        seconds = _seconds_until(value, now=now)
        if seconds is not None:
            return max(seconds, 0.0)
    return None


def _seconds_until(value: str, *, now: datetime) -> float | None:
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        return number - now.timestamp() if number >= EPOCH_FROM else number
    for parse in (datetime.fromisoformat, parsedate_to_datetime):
        try:
            moment = parse(value)
        except (ValueError, TypeError):
            continue
        if moment.tzinfo is not None:
            return (moment - now).total_seconds()
    return None


def is_exhausted(headers: Mapping[str, str]) -> bool:
    """True when a remaining-calls header says no call is left in this window."""
    lowered = {name.lower(): value.strip() for name, value in headers.items()}
    for name in ("x-rate-limit-remaining", "x-ratelimit-remaining", "ratelimit-remaining"):
        try:
            if float(lowered.get(name, "")) < 1:
                return True
        except ValueError:
            continue
    return False


def _answer(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:ANSWER_SHOWN_CHARS] or "(no body)"


@dataclass
class Api:
    """One platform's HTTP API as a connector sees it: JSON answers, typed failures.

    ``name`` says which platform and where ("Mastodon at social.example"). After an answer whose
    headers say the window is spent, reads are refused here until it resets, so a fetcher never
    spends a call only to be told to wait.
    """

    name: str
    base_url: str
    timeout: float
    headers: dict[str, str] = field(default_factory=dict)
    clock: Clock = utcnow
    transport: httpx.BaseTransport | None = None
    resume_at: datetime | None = None

    def client(self) -> httpx.Client:
        options: dict[str, Any] = {
            "base_url": self.base_url.rstrip("/"),
            "timeout": self.timeout,
            "headers": {"User-Agent": "ombuds", "Accept": "application/json", **self.headers},
        }
        if self.transport is not None:  # a recorded platform in tests: where it answers is fixed
            return httpx.Client(transport=self.transport, **options)
        return outbound.client(**options)

    def read(self, client: httpx.Client, method: str, path: str, **options: object) -> httpx.Response:
        """Send a request that reads; ``FetchFailed`` or ``RateLimited`` when it does not answer 2xx."""
        now = self.clock()
        if self.resume_at is not None and now < self.resume_at:
            left = (self.resume_at - now).total_seconds()
            raise RateLimited(
                f"{self.name}: the rate limit is spent; the window resets in {left:.0f}s", retry_after=left
            )
        where = f"{method} {path}"
        try:
            response = request_capped(client, method, path, **options)
        except AnswerTooLarge as exc:
            raise FetchFailed(f"{self.name}: {where} {exc}") from None
        except httpx.TimeoutException as exc:
            raise FetchFailed(
                f"{self.name}: {where} timed out after {self.timeout:g}s ({type(exc).__name__})"
            ) from None
        except httpx.TransportError as exc:
            raise FetchFailed(
                f"{self.name}: {where} could not be sent: {type(exc).__name__}: {exc}"
            ) from None
        wait = wait_seconds(response.headers, now=now)
        if response.status_code == 429:
            wait = DEFAULT_WAIT_SECONDS if wait is None else wait
            self.resume_at = None
            raise RateLimited(
                f"{self.name}: {where} answered 429 (rate limited); retry in {wait:.0f}s", retry_after=wait
            )
        if response.status_code in (401, 403):
            raise FetchFailed(
                f"{self.name}: {where} answered {response.status_code}: the credentials were refused "
                f"or lack a permission ({_answer(response)})"
            )
        if response.status_code >= 400:
            raise FetchFailed(f"{self.name}: {where} answered {response.status_code}: {_answer(response)}")
        self.resume_at = None
        if wait is not None and is_exhausted(response.headers):
            self.resume_at = datetime.fromtimestamp(now.timestamp() + wait, tz=now.tzinfo)
        return response

    def json_of(self, response: httpx.Response) -> object:
        """The answer's JSON; an answer that is not JSON is a ``FetchFailed``."""
        try:
            return response.json()
        except ValueError:
            where = f"{response.request.method} {response.request.url.path}"
            raise FetchFailed(
                f"{self.name}: {where} answered {response.status_code} without JSON: {_answer(response)}"
            ) from None

    def read_json(self, client: httpx.Client, method: str, path: str, **options: object) -> object:
        """``read``, then the answer's JSON."""
        return self.json_of(self.read(client, method, path, **options))

    def write_json(self, client: httpx.Client, method: str, path: str, **options: object) -> object:
        """Send a request that writes; ``SinkRetry`` for what may pass, ``SinkRefused`` for what will not."""
        where = f"{method} {path}"
        try:
            response = request_capped(client, method, path, **options)
        except AnswerTooLarge as exc:
            raise SinkRefused(f"{self.name}: {where} {exc}; the reply may have been posted") from None
        except httpx.TimeoutException as exc:
            raise SinkRetry(
                f"{self.name}: {where} timed out after {self.timeout:g}s ({type(exc).__name__})"
            ) from None
        except httpx.TransportError as exc:
            raise SinkRetry(f"{self.name}: {where} could not be sent: {type(exc).__name__}: {exc}") from None
        if response.status_code >= 500 or response.status_code in RETRYABLE_4XX:
            raise SinkRetry(f"{self.name}: {where} answered {response.status_code}: {_answer(response)}")
        if response.status_code >= 400:
            raise SinkRefused(
                f"{self.name}: {where} refused the reply with {response.status_code}: {_answer(response)}"
            )
        try:
            return response.json()
        except ValueError:
            raise SinkRefused(
                f"{self.name}: {where} answered {response.status_code} without JSON: {_answer(response)}"
            ) from None


class Unreadable(Exception):
    """A platform's item that cannot become a mention; ``field`` names the part that was wrong."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


def record_of(position: int, item: object, read: Callable[[object], Mapping[str, object]]) -> RawRecord:
    """The item as a record: its JSON as received, and its fields or the problem that kept them."""
    raw = json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()
    try:
        fields = read(item)
    except Unreadable as exc:
        return RawRecord(position, raw, "json", None, RecordProblem(exc.reason, exc.field))
    return RawRecord(position, raw, "json", fields)


def text_at(data: Mapping[str, object], key: str, *, field: str | None = None) -> str:
    """The non-empty string under ``key``, or ``Unreadable`` naming it."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Unreadable(f"{key} is missing or not text", field or key)
    return value


def object_at(data: Mapping[str, object], key: str) -> Mapping[str, object]:
    """The JSON object under ``key``, or ``Unreadable`` naming it."""
    value = data.get(key)
    if not isinstance(value, dict):
        raise Unreadable(f"{key} is missing or not an object", key)
    return value


def count_at(data: Mapping[str, object], key: str) -> int | None:
    """A non-negative whole number under ``key``; ``None`` when absent or not one."""
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class Page(Generic[Item]):
    """One answer of a newest-first listing: its items with their keys (newest first) and the
    token of the next, older page (``None`` at the end)."""

    items: Sequence[tuple[str | None, Item]]
    next_page: str | None


@dataclass(frozen=True, slots=True)
class Walk:
    """Where a newest-first walk stands, kept as the source's cursor.

    Every platform here lists newest first and pages backwards, so a poll walks down from the
    newest item until it reaches ``floor`` (the newest key the previous walk delivered). ``top``
    is the newest key seen by the walk under way and ``page`` the token it goes on from; a walk
    that spans several fetches resumes there, and only when it reaches the floor does ``top``
    become the next floor, so nothing between them is skipped however long the walk takes.
    ``pages`` counts the walk's pages, to bound the first walk through a long history.
    """

    floor: str | None = None
    top: str | None = None
    page: str | None = None
    pages: int = 0

    def to_cursor(self) -> Cursor:
        return Cursor(
            json.dumps({"floor": self.floor, "top": self.top, "page": self.page, "pages": self.pages})
        )

    @classmethod
    def from_cursor(cls, cursor: Cursor | None, *, name: str) -> Walk:
        if cursor is None:
            return cls()
        try:
            data = json.loads(cursor.value)
            walk = cls(data["floor"], data["top"], data["page"], int(data["pages"]))
        except (ValueError, TypeError, KeyError):
            raise FetchFailed(
                f"{name}: the stored cursor {cursor.value[:100]!r} is not one this source wrote"
            ) from None
        if not all(value is None or isinstance(value, str) for value in (walk.floor, walk.top, walk.page)):
            raise FetchFailed(
                f"{name}: the stored cursor {cursor.value[:100]!r} is not one this source wrote"
            )
        return walk


@dataclass(frozen=True, slots=True)
class Stretch(Generic[Item]):
    """What one fetch walked: the items above the floor (newest first), where the walk stands,
    and whether it reached the floor (nothing more is waiting)."""

    items: list[Item]
    walk: Walk
    is_done: bool


def batch_of(
    stretch: Stretch[object],
    read: Callable[[object], Mapping[str, object]],
    *,
    items: Sequence[object] | None = None,
) -> Batch:
    """The records of what a walk read (or of ``items`` chosen from it), numbered from 1, and the
    walk's cursor."""
    chosen = stretch.items if items is None else items
    records = [record_of(position, item, read) for position, item in enumerate(chosen, 1)]
    return Batch(records, stretch.walk.to_cursor(), is_last=stretch.is_done)


def walk_down(
    walk: Walk,
    read_page: Callable[[Walk], Page[Item]],
    *,
    order: Callable[[str], int],
    max_pages: int,
    first_walk_pages: int,
) -> Stretch[Item]:
    """Read pages from where ``walk`` stands until the floor, the listing's end or ``max_pages``.

    ``order`` turns a key into a number that is larger for newer items. An item at or below the floor ends
    the walk (platforms that filter by the floor themselves simply never send one); an item
    without a key is kept (its record says what was wrong with it) and does not move the walk.
    The first walk (no floor yet) stops after ``first_walk_pages``, so a new source starts from
    recent history instead of all of it. A page that fails after the first ends the fetch with
    what was read, so a rate limit met halfway loses nothing.
    """
    items: list[Item] = []
    floor = order(walk.floor) if walk.floor is not None else None
    for read in range(max_pages):
        try:
            page = read_page(walk)
        except FetchFailed:
            if read == 0:
                raise
            # What was read is kept; the next fetch goes on from here (or hears the error again).
            return Stretch(items, walk, is_done=False)
        top = walk.top
        reached_floor = False
        for key, item in page.items:
            if key is not None and floor is not None and order(key) <= floor:
                reached_floor = True
                break
            items.append(item)
            if key is not None and (top is None or order(key) > order(top)):
                top = key
        pages = walk.pages + 1
        ends = reached_floor or page.next_page is None or not page.items
        if walk.floor is None and pages >= first_walk_pages:
            ends = True
        if ends:
            return Stretch(items, Walk(floor=top if top is not None else walk.floor), is_done=True)
        walk = Walk(floor=walk.floor, top=top, page=page.next_page, pages=pages)
    return Stretch(items, walk, is_done=False)
