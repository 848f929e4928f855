"""Jinja2 environment for the pages."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from mdma_at.domain.blinding import disclose
from mdma_at.domain.local_time import local_time, zone_label
from mdma_at.domain.schedule.records import VisitStatus
from mdma_at.domain.sources import for_clinicians
from mdma_at.entrypoints.permissions import may, navigation
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
# what a page offers follows the one permission table (ADR 0130): `may(principal, "action")`
templates.env.globals["may"] = may
templates.env.globals["navigation"] = navigation


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render `name`; `zone` (the site's ZoneInfo) is passed by pages about one patient, else
    it is the zone of the signed-in person's sites. The context is disclosed for the signed-in
    person first: a concealed arm or kit content reaches the template only if their role is
    unblinded for it (ADR 0165); without a session, never."""
    session = context.get("session")
    context = disclose(context, getattr(session, "principal", None))
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


#: What each error status means, in the words of the person who met it.
_WHAT_HAPPENED = {
    403: "Your role does not allow this.",
    404: "There is no such record, or none you may see.",
    405: "This address does not accept that kind of request.",
    409: "This collides with what is already recorded.",
    422: "Something in the request was not valid; nothing was stored.",
    429: "Too many attempts; wait a moment and retry.",
    500: "The server could not complete the request; nothing was stored.",
}


def error_page(
    request: Request, status: int, title: str, detail: str, needs: tuple[str, ...] = ()
) -> HTMLResponse:
    """An error that says what happened and offers the way back: the page before (same site
    only), the patient list (for those who may see it) and the dashboard (issue 14, item 9)."""
    return page(
        request,
        "error.html",
        status,
        session=getattr(request.state, "web_session", None),
        title=title,
        detail=detail,
        what=_WHAT_HAPPENED.get(status, ""),
        needs=needs,
        back=page_before(request),
    )


def page_before(request: Request) -> str | None:
    """The Referer as a path, when it is a page of this site other than the one that failed."""
    referer = urlsplit(request.headers.get("referer", ""))
    if (referer.scheme, referer.netloc) != (request.url.scheme, request.url.netloc):
        return None
    path = referer.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    target = path + (f"?{referer.query}" if referer.query else "")
    return None if path == request.url.path else target
