"""The ombudsman's report as a page (/reports/ombudsman): every member of the brand may read it,
customers' words masked for viewers as everywhere else."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ombuds.reports.mail import percent
from ombuds.reports.ombudsman import FIXED_WITHIN, ombudsman_report
from ombuds.web.deps import CurrentUser, DbSession
from ombuds.web.templating import render

router = APIRouter()


@router.get("/reports/ombudsman")
def ombudsman_page(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """This week's report: the costliest problems, the fixes and whether customers noticed, the
    promises customers contradict most."""
    brand = signed_in.brand
    if brand is None:
        return render(request, "cases/no_brand.html", signed_in=signed_in)
    return render(
        request,
        "reports/ombudsman.html",
        {
            "report": ombudsman_report(session, brand=brand),
            "percent": percent,
            "fixed_weeks": FIXED_WITHIN.days // 7,
        },
        signed_in=signed_in,
    )
