"""Jinja2 environment for the pages."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from mdma_at.domain.local_time import local_time, zone_label
from mdma_at.domain.schedule.records import VisitStatus
from mdma_at.domain.sources import for_clinicians
from mdma_at.services.site_time import UTC_ZONE, zone_of_principal

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _day(value: date | None) -> str:
    return value.strftime("%a %d %b %Y") if value else "—"


templates.env.filters["day"] = _day


@pass_context
def _local(context: Context, t: datetime | None, pattern: str = "%d %b %Y %H:%M") -> str:
    """`{{ t | local }}`: a stored time in the page's zone (the site's), without seconds'
    fractions or ISO noise; the zone itself is shown once per page, in the header."""
    if t is None:
        return "—"
    zone = context.get("zone")
    return local_time(t, zone if isinstance(zone, ZoneInfo) else _page_zone.get(), pattern)


# The page's zone, for macros imported without the page's context (`{% import ... as m %}`);
# set while `page()` renders (a context variable: each request thread has its own).
_page_zone: ContextVar[ZoneInfo] = ContextVar("page_zone", default=UTC_ZONE)
templates.env.filters["local"] = _local


@pass_context
def _when(context: Context, t: datetime | None) -> str:
    """The console's `when`: the same local time, to the second (entries are timed)."""
    return _local(context, t, "%d %b %Y %H:%M:%S")


templates.env.filters["when"] = _when
# A rule's source as the clinic reads it: no internal design or issue references (issue 13).
templates.env.filters["for_clinicians"] = for_clinicians
templates.env.globals["VisitStatus"] = VisitStatus


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render `name`; `zone` (the site's ZoneInfo) is passed by pages about one patient, else
    it is the zone of the signed-in person's sites."""
    container = getattr(request.app.state, "container", None)
    if not isinstance(context.get("zone"), ZoneInfo):
        session = context.get("session")
        context["zone"] = (
            zone_of_principal(container.uow(), session.principal)
            if session is not None and container is not None
            else UTC_ZONE
        )
    now = container.clock.now() if container is not None else datetime.now(UTC)
    context["zone_label"] = zone_label(now, context["zone"])
    token = _page_zone.set(context["zone"])
    try:
        return templates.TemplateResponse(request, name, context, status_code=status_code)
    finally:
        _page_zone.reset(token)


def error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return page(request, "error.html", status, title=title, detail=detail)
