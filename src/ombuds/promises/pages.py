"""The promise scorecard for executives and PR, one promise's page, CSV export and match reviews."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from ombuds.accounts.models import Role
from ombuds.mentions.models import Mention
from ombuds.promises import actions, queries
from ombuds.promises.charts import trend_chart
from ombuds.promises.matching import Stance
from ombuds.promises.scorecard import promise_card, scorecard
from ombuds.web.deps import CurrentUser, DbSession
from ombuds.web.templating import flash, render

router = APIRouter()


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
        request, "promises/scorecard.html", {"rows": rows, "percent": _percent}, signed_in=signed_in
    )


@router.get("/promises.csv")
def promise_scorecard_csv(signed_in: CurrentUser, session: DbSession) -> Response:
    """The scorecard as CSV, one row per promise, for decks and spreadsheets."""
    brand = signed_in.brand
    if brand is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No brand selected.")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
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


@router.get("/promises/{promise_id}")
def promise_page(request: Request, promise_id: int, signed_in: CurrentUser, session: DbSession) -> Response:
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
        },
        signed_in=signed_in,
    )


@router.post("/promises/matches/{match_id}/review")
def review_match(
    request: Request,
    match_id: int,
    signed_in: CurrentUser,
    session: DbSession,
    decision: Annotated[str, Form()],
    promise_id: Annotated[int | None, Form()] = None,
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
