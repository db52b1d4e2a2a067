"""The web app's own pages: the front door leads to the inbox."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

router = APIRouter()


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/inbox", status_code=303)
