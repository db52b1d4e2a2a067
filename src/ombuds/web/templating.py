"""Rendering pages: one Jinja environment, the layout's shared context, flash messages, filters.

Every value a template prints passes ``masking.finalize_value``: personal data is masked for those
who may not see it whatever the view passed in (see ``web/masking.py``). Every moment a page shows
reads in the signed-in brand's time zone (``timestamp``, ``day``, ``time_tag``), in one form.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from ombuds import __version__
from ombuds.clock import utcnow
from ombuds.enrichment.analyzers.pii import whole_values
from ombuds.incidents.titles import spoken_phrases, stream_words
from ombuds.mentions.values import channel_name
from ombuds.notifications.queries import count_unread
from ombuds.timezones import day_label, in_zone, local_day, moment_label, zone_choices
from ombuds.web import masking
from ombuds.web.admin_sections import sections_for
from ombuds.web.assets import TEMPLATES_DIR, Assets
from ombuds.web.csrf import csrf_token
from ombuds.web.deps import SignedIn
from ombuds.web.nav import NAV_ENTRIES

FlashLevel = Literal["info", "success", "warning", "error"]
_FLASH_KEY = "flash"


def flash(request: Request, message: str, level: FlashLevel = "info") -> None:
    """A message shown once on the next page this browser renders (after a redirect, typically)."""
    pending = list(request.session.get(_FLASH_KEY, []))
    pending.append([level, message])
    request.session[_FLASH_KEY] = pending


def _pop_flashes(request: Request) -> list[tuple[str, str]]:
    pending = request.session.pop(_FLASH_KEY, [])
    return [(str(level), str(message)) for level, message in pending]


# --- filters --------------------------------------------------------------------------------------


def _span(delta: timedelta) -> str:
    """A short human span: 45 s, 12 min, 3 h 20 min, 2 d 4 h."""
    seconds = int(abs(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes and hours < 10 else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def duration(seconds: int | None) -> str:
    """A stored number of seconds as a short span (``2 h 30 min``); empty when unknown."""
    return "" if seconds is None else _span(timedelta(seconds=seconds))


def age(moment: datetime | None) -> str:
    """How long ago, e.g. ``3 h 20 min``."""
    return "" if moment is None else _span(utcnow() - moment)


def ago(moment: datetime | None) -> str:
    """How long ago, as a sentence says it: ``just now`` within the minute, else ``3 h 20 min ago``."""
    if moment is None:
        return ""
    elapsed = utcnow() - moment
    return "just now" if abs(elapsed.total_seconds()) < 60 else f"{_span(elapsed)} ago"


def due(moment: datetime | None) -> str:
    """How long until a deadline, or how long past it."""
    if moment is None:
        return ""
    delta = moment - utcnow()
    return f"in {_span(delta)}" if delta.total_seconds() >= 0 else f"{_span(delta)} overdue"


def is_overdue(moment: datetime | None) -> bool:
    return moment is not None and moment < utcnow()


#: The time zone the page being rendered shows moments in: the signed-in brand's (UTC without one).
_shown_zone: ContextVar[str] = ContextVar("shown_zone", default="UTC")


@contextmanager
def showing_times_in(timezone: str) -> Iterator[None]:
    token = _shown_zone.set(timezone)
    try:
        yield
    finally:
        _shown_zone.reset(token)


def timestamp(moment: datetime | None) -> str:
    """A moment in the brand's time zone: "Thu 03 Dec 2026 09:21 EST"."""
    return "" if moment is None else moment_label(moment, timezone=_shown_zone.get())


def zone_words(zone: str) -> str:
    """A time zone as people name its clock: "New York" for America/New_York, "UTC" as it is."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def zone_abbreviation(moment: datetime | None) -> str:
    """The brand's clock at a moment, as its times print it ("EST", "EDT"): for a chart's axis."""
    return in_zone(moment or utcnow(), _shown_zone.get()).tzname() or _shown_zone.get()


def day(moment: datetime | date | None) -> str:
    """The brand's day of a moment (or a date as it is): "Thu 03 Dec 2026"."""
    return "" if moment is None else day_label(moment, timezone=_shown_zone.get())


def local_date_of(moment: datetime) -> date:
    """The brand's calendar day of a moment, for a date field's value."""
    return local_day(moment, timezone=_shown_zone.get())


def compact_number(value: int | float | None) -> str:
    """Follower counts and the like: 950, 12.3k, 4.1M."""
    if value is None:
        return "–"
    for limit, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(value) >= limit:
            shown = f"{value / limit:.1f}".removesuffix(".0")
            return f"{shown}{suffix}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def score(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def humanize(name: str) -> str:
    """``first_response_due`` → ``First response due``."""
    text = name.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


#: Analyzers whose names are not words a person reads as they are.
ANALYZER_NAMES = {"pii": "Personal data"}


def analyzer_name(name: str) -> str:
    """An analyzer as a page names it: "Sentiment", "Personal data" for ``pii``."""
    return ANALYZER_NAMES.get(name) or humanize(name)


def time_tag(
    moment: datetime | None, mode: Literal["age", "ago", "due", "timestamp"] = "timestamp"
) -> Markup:
    """A <time> element: the relative form in view, the moment in the brand's time zone on hover."""
    if moment is None:
        return Markup('<span class="muted">–</span>')
    text = {"age": age, "ago": ago, "due": due, "timestamp": timestamp}[mode](moment)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        moment.isoformat(), timestamp(moment), text
    )


def query_with(request: Request, **changes: object) -> str:
    """This page's query string with some parameters changed; empty values drop out. For links."""
    params = dict(request.query_params)
    for key, value in changes.items():
        params[key] = "" if value is None else str(value)
    kept = {key: value for key, value in params.items() if value != ""}
    return "?" + urlencode(kept) if kept else request.url.path


def is_distribution(value: object) -> bool:
    """A mapping of labels to probabilities (what classifiers store), shown as small bars."""
    if not isinstance(value, Mapping) or not value:
        return False
    return all(isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1 for v in value.values())


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=masking.finalize_value,
    )
    env.filters.update(
        age=age,
        zone_abbreviation=zone_abbreviation,
        zone_words=zone_words,
        analyzer_name=analyzer_name,
        callers_own=masking.callers_own,
        channel_name=channel_name,
        day=day,
        due=due,
        duration=duration,
        local_date=local_date_of,
        timestamp=timestamp,
        compact_number=compact_number,
        score=score,
        humanize=humanize,
        time_tag=time_tag,
        stream_words=stream_words,
        spoken_phrases=spoken_phrases,
    )
    env.tests["overdue"] = is_overdue
    env.tests["distribution"] = is_distribution
    env.globals["version"] = __version__
    env.globals["query_with"] = query_with
    env.globals["whole_values"] = whole_values  # a highlight that cuts no personal data in two
    env.globals["shown_zone"] = _shown_zone.get  # the zone this page shows times in, for its labels
    env.globals["now_for_input"] = _now_for_input  # a datetime-local field's ``min``: no past date
    env.globals["admin_sections"] = sections_for  # the admin menu offers only what the role opens
    env.globals["zone_choices"] = lambda: zone_choices(utcnow())  # a zone field's suggestions
    return env


class Renderer:
    """Renders templates with what the base layout needs; one per app."""

    def __init__(self, assets: Assets) -> None:
        self.env = _environment()
        self.assets = assets

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        signed_in: SignedIn | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        is_htmx = request.headers.get("HX-Request") == "true"
        page: dict[str, Any] = {
            "request": request,
            "signed_in": signed_in,
            "nav": [
                (entry, entry.is_current(request.url.path))
                for entry in NAV_ENTRIES
                if entry.is_shown_to(signed_in.role.value if signed_in and signed_in.role else None)
            ],
            "csrf_token": csrf_token(request.session),
            "flashes": _pop_flashes(request),
            "static_url": self.assets.url,
            "htmx_url": self.assets.htmx_url,
            "is_htmx": is_htmx,
            # a fragment htmx swaps in (the inbox's poll every few seconds) shows no menu
            "unread_notifications": 0 if is_htmx else _unread_notifications(request, signed_in),
        }
        page.update(context or {})
        # a page about another of the user's brands than the one selected passes that brand's zone
        zone = str(page.get("page_zone") or (signed_in.timezone if signed_in is not None else "UTC"))
        with masking.rendering_for(request.scope), showing_times_in(zone):
            html = self.env.get_template(name).render(page)
        return HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))


def _unread_notifications(request: Request, signed_in: SignedIn | None) -> int:
    """How many of the person's notifications they have not opened: the menu shows the number, so
    an SLA breach or a mention of them is not left unseen under "More"."""
    if signed_in is None:
        return 0
    factory = getattr(request.app.state, "session_factory", None)
    if factory is None:
        return 0
    try:
        with factory() as session:
            return count_unread(session, user_id=signed_in.user.id, brand_ids=signed_in.brand_ids)
    except SQLAlchemyError:  # the page that says the database is unwell must still render
        return 0


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    signed_in: SignedIn | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a page template (under web/templates) with the layout's shared context."""
    renderer: Renderer = request.app.state.renderer
    return renderer.render(
        request, name, context, signed_in=signed_in, status_code=status_code, headers=headers
    )


def _now_for_input() -> str:
    """Now on the page's clock, as a ``datetime-local`` field writes it ("2026-12-03T09:21")."""
    return f"{in_zone(utcnow(), _shown_zone.get()):%Y-%m-%dT%H:%M}"
