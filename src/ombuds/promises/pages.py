"""The promise scorecard for executives and PR, one promise's page, CSV export and match reviews."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict

from ombuds.accounts.models import Brand, Role
from ombuds.errors import InvalidInput, OmbudsError
from ombuds.fields import Id, Text
from ombuds.mentions.models import Mention
from ombuds.promises import actions, queries
from ombuds.promises.charts import trend_chart
from ombuds.promises.matching import ExampleKind, Stance
from ombuds.promises.models import KEY_MAX_CHARS, NAME_MAX_CHARS, Promise, PromiseExample
from ombuds.promises.scorecard import promise_card, scorecard
from ombuds.slugs import slugify
from ombuds.timezones import end_of_day, local_day, local_midnight
from ombuds.web.deps import CurrentUser, DbSession, SignedIn
from ombuds.web.spreadsheets import SpreadsheetWriter
from ombuds.web.templating import flash, render

router = APIRouter()

#: Who may register and edit the brand's promises.
EDITORS = (Role.ADMIN, Role.MANAGER, Role.PR)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


@router.get("/promises")
def promise_scorecard(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """Every promise with its alignment, interval, trend, volume, themes and example messages."""
    brand = signed_in.brand
    if brand is None:
        return render(request, "cases/no_brand.html", signed_in=signed_in)
    cards = scorecard(session, brand.id)
    rows = [{"card": card, "chart": trend_chart(card.trend)} for card in cards]
    return render(
        request,
        "promises/scorecard.html",
        {"rows": rows, "percent": _percent, "can_edit": signed_in.role in EDITORS},
        signed_in=signed_in,
    )


@router.get("/promises.csv")
def promise_scorecard_csv(signed_in: CurrentUser, session: DbSession) -> Response:
    """The scorecard as CSV, one row per promise, for decks and spreadsheets."""
    brand = signed_in.brand
    if brand is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No brand selected.")
    out = io.StringIO()
    writer = SpreadsheetWriter(out)  # promise texts and alerts are typed by people: no formulas
    writer.writerow(
        [
            "promise_id",
            "key",
            "text",
            "campaign",
            "alignment",
            "low",
            "high",
            "messages",
            "voices",
            "confirming",
            "contradicting",
            "top_themes",
            "alerts",
        ]
    )
    for card in scorecard(session, brand.id):
        scored = card.overall
        writer.writerow(
            [
                card.promise.id,
                card.promise.key,
                card.promise.text,
                card.promise.campaign or "",
                "" if scored.score is None else scored.score,
                "" if scored.low is None else scored.low,
                "" if scored.high is None else scored.high,
                card.volume,
                scored.voices,
                card.confirming,
                card.contradicting,
                "; ".join(theme for theme, _ in card.themes),
                "; ".join(alert.message for alert in card.alerts),
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{brand.slug}-promises.csv"'},
    )


class PromiseForm(BaseModel):
    """The promise form as typed; ``details`` turns it into the fields actions take."""

    model_config = ConfigDict(frozen=True)

    text: Text = ""
    key: Text = ""
    campaign: Text = ""
    owner: Text = ""
    channels: Text = ""
    starts_on: Text = ""
    ends_on: Text = ""
    is_active: bool = False  # a checkbox: absent when unticked
    confirms: Text = ""
    contradicts: Text = ""

    @classmethod
    def of(cls, promise: Promise, *, timezone: str) -> PromiseForm:
        """The form as the promise stands, its campaign days the brand's own."""
        return cls(
            text=promise.text,
            key=promise.key,
            campaign=promise.campaign or "",
            owner=promise.owner or "",
            channels=", ".join(promise.channels),
            starts_on=local_day(promise.starts_at, timezone=timezone).isoformat()
            if promise.starts_at
            else "",
            ends_on=local_day(promise.ends_at, timezone=timezone).isoformat() if promise.ends_at else "",
            is_active=promise.is_active,
        )

    def details(self, *, timezone: str) -> dict[str, object]:
        """The editable fields; raises InvalidInput naming the field that is wrong. The campaign runs
        from the start of its first day to the end of its last, where the brand is."""
        _at_most(self.key, field="key", most=KEY_MAX_CHARS)  # the key is not edited, only given once
        campaign = _at_most(self.campaign, field="campaign", most=NAME_MAX_CHARS)
        owner = _at_most(self.owner, field="owner", most=NAME_MAX_CHARS)
        first, last = _day(self.starts_on, "starts on"), _day(self.ends_on, "ends on")
        if first and last and last < first:
            raise InvalidInput("ends on: the campaign ends before it starts")
        starts_at = local_midnight(first, timezone=timezone) if first else None
        ends_at = end_of_day(last, timezone=timezone) if last else None
        return {
            "text": self.text.strip(),
            "campaign": campaign or None,
            "owner": owner or None,
            "channels": [c.strip() for c in self.channels.split(",") if c.strip()],
            "starts_at": starts_at,
            "ends_at": ends_at,
        }

    def examples(self) -> list[tuple[str, str]]:
        return [
            (line, kind)
            for kind, lines in (("confirms", self.confirms), ("contradicts", self.contradicts))
            for line in lines.splitlines()
            if line.strip()
        ]


def _at_most(value: str, *, field: str, most: int) -> str:
    """The text trimmed; a clear error naming the field when its column cannot hold it."""
    text = value.strip()
    if len(text) > most:
        raise InvalidInput(f"{field}: at most {most} characters (this has {len(text)})")
    return text


def _day(value: str, field: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{field}: {value!r} is not a date (YYYY-MM-DD)") from None


def _editor(signed_in: SignedIn) -> Brand:
    if signed_in.brand is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No brand selected.")
    if signed_in.role not in EDITORS:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "Editing promises takes the PR, manager or admin role."
        )
    return signed_in.brand


def _form_page(
    request: Request,
    signed_in: SignedIn,
    form: PromiseForm,
    *,
    promise: Promise | None,
    error: str | None,
    taught: Sequence[PromiseExample] = (),
) -> Response:
    return render(
        request,
        "promises/form.html",
        {"form": form, "promise": promise, "error": error, "taught": _by_kind(taught)},
        signed_in=signed_in,
        status_code=status.HTTP_400_BAD_REQUEST if error else status.HTTP_200_OK,
    )


def _by_kind(examples: Sequence[PromiseExample]) -> dict[str, list[PromiseExample]]:
    """The examples a promise already learnt from, confirming first, as the form lists them."""
    grouped: dict[str, list[PromiseExample]] = {kind.value: [] for kind in ExampleKind}
    for example in examples:
        grouped[example.kind.value].append(example)
    return {kind: found for kind, found in grouped.items() if found}


FormFields = Annotated[PromiseForm, Form()]


@router.get("/promises/new")
def new_promise(request: Request, signed_in: CurrentUser) -> Response:
    """The form to register a claim marketing makes."""
    _editor(signed_in)
    return _form_page(request, signed_in, PromiseForm(), promise=None, error=None)


@router.post("/promises/new")
def create_promise(
    request: Request, signed_in: CurrentUser, session: DbSession, form: FormFields
) -> Response:
    """Register the promise; from the next batch on, mentions are matched to it."""
    brand = _editor(signed_in)
    try:
        details = form.details(timezone=signed_in.timezone)
        text = str(details.pop("text"))
        promise = actions.create_promise(
            session,
            brand=brand,
            key=form.key.strip() or slugify(text, fallback="promise"),
            text=text,
            actor=signed_in.user,
            **details,
        )
        actions.add_examples(session, promise=promise, examples=form.examples(), actor=signed_in.user)
    except OmbudsError as exc:
        session.rollback()
        return _form_page(request, signed_in, form, promise=None, error=str(exc))
    flash(request, "Promise registered: new mentions are matched to it from now on.", "success")
    return RedirectResponse(f"/promises/{promise.id}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/promises/{promise_id}/edit")
def edit_promise(request: Request, promise_id: Id, signed_in: CurrentUser, session: DbSession) -> Response:
    """The promise's wording, campaign, dates and owner, and examples to add."""
    brand = _editor(signed_in)
    promise = queries.get_promise(session, brand.id, promise_id)
    if promise is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such promise.")
    form = PromiseForm.of(promise, timezone=signed_in.timezone)
    taught = queries.list_examples(session, brand.id, promise_id=promise.id)
    return _form_page(request, signed_in, form, promise=promise, error=None, taught=taught)


@router.post("/promises/{promise_id}/edit")
def update_promise(
    request: Request, promise_id: Id, signed_in: CurrentUser, session: DbSession, form: FormFields
) -> Response:
    """Save the changes; matches already made keep the wording they were made with."""
    brand = _editor(signed_in)
    promise = queries.get_promise(session, brand.id, promise_id)
    if promise is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such promise.")
    try:
        actions.update_promise(
            session,
            promise=promise,
            actor=signed_in.user,
            is_active=form.is_active,
            **form.details(timezone=signed_in.timezone),
        )
        actions.add_examples(session, promise=promise, examples=form.examples(), actor=signed_in.user)
    except OmbudsError as exc:
        session.rollback()
        taught = queries.list_examples(session, brand.id, promise_id=promise.id)
        return _form_page(request, signed_in, form, promise=promise, error=str(exc), taught=taught)
    flash(request, "Promise saved.", "success")
    return RedirectResponse(f"/promises/{promise.id}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/promises/{promise_id}")
def promise_page(request: Request, promise_id: Id, signed_in: CurrentUser, session: DbSession) -> Response:
    """One promise: its score and trend, the cases that contradict it with their teams, recent matches."""
    brand = signed_in.brand
    promise = queries.get_promise(session, brand.id, promise_id) if brand else None
    if promise is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such promise.")
    card = promise_card(session, promise, case_limit=200)
    recent = queries.list_experiences(session, promise.brand_id, promise_ids=[promise.id], limit=30)
    return render(
        request,
        "promises/promise.html",
        {
            "card": card,
            "chart": trend_chart(card.trend, width=640, height=180),
            "recent": recent,
            "percent": _percent,
            "promises": queries.list_promises(session, promise.brand_id),
            "can_edit": signed_in.role in EDITORS,
        },
        signed_in=signed_in,
    )


@router.post("/promises/matches/{match_id}/review")
def review_match(
    request: Request,
    match_id: Id,
    signed_in: CurrentUser,
    session: DbSession,
    decision: Annotated[str, Form()],
    promise_id: Annotated[Id | None, Form()] = None,
) -> Response:
    """An agent confirms a match, flips its stance, moves it to another promise or removes it."""
    brand = signed_in.brand
    match = queries.get_match(session, brand.id, match_id) if brand else None
    if match is None or brand is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such match.")
    if signed_in.role in (None, Role.VIEWER):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Reviewing matches takes the agent role or above.")
    back = RedirectResponse(f"/promises/{match.promise_id}", status_code=status.HTTP_303_SEE_OTHER)
    if decision in ("confirms", "contradicts", "neutral"):
        actions.confirm_match(session, match=match, actor=signed_in.user, stance=Stance(decision))
        flash(request, "Thanks: the match is confirmed and will teach later matches.", "success")
    elif decision == "unrelated":
        actions.correct_match(session, match=match, actor=signed_in.user, promise=None)
        flash(request, "Removed: similar messages will no longer match this promise.", "success")
    elif decision == "move" and promise_id is not None:
        target = queries.get_promise(session, brand.id, promise_id)
        mention = session.get(Mention, match.mention_id)
        if target is None or mention is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "No such promise.")
        actions.correct_match(session, match=match, actor=signed_in.user, promise=target)
        flash(request, f"Moved to “{target.text}”.", "success")
    else:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, "decision must be confirms, contradicts, neutral, unrelated or move"
        )
    return back
