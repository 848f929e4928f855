"""The reports pages (issue 17, item 4): the list of reports with a period to choose, each
report as a printable page and as PDF, and marking an expedited safety report submitted. Thin:
`documents.render` builds the document; the services check the reader and audit."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mdma_at.adapters.pdf import ChromiumPrinter, PdfFailed
from mdma_at.domain.errors import InvalidInput, NotFound, PermissionDenied
from mdma_at.entrypoints.api.deps import ContainerDep
from mdma_at.entrypoints.web.forms import FormFields
from mdma_at.entrypoints.web.rendering import page
from mdma_at.entrypoints.web.reports.documents import REPORTS, render
from mdma_at.entrypoints.web.session import PostedSession, Session
from mdma_at.services.reports.safety import mark_submitted

router = APIRouter(include_in_schema=False)


def half_year(today: date) -> tuple[date, date]:
    """The TGA reporting half-year that holds `today` (1 Jan–30 Jun or 1 Jul–31 Dec)."""
    if today.month <= 6:
        return date(today.year, 1, 1), date(today.year, 6, 30)
    return date(today.year, 7, 1), date(today.year, 12, 31)


@router.get("/reports", response_class=HTMLResponse)
def reports_index(
    request: Request, ctx: ContainerDep, session: Session, notice: str = "", error: str = ""
) -> Response:
    start, end = half_year(ctx.clock.now().date())
    return page(
        request,
        "reports.html",
        session=session,
        reports=[(name, kind.title) for name, kind in REPORTS.items()],
        start=start,
        end=end,
        notice=notice,
        error=error,
    )


@router.get("/reports/{name}", response_class=HTMLResponse)
def report_page(ctx: ContainerDep, session: Session, name: str, start: date, end: date) -> Response:
    _known(name)
    html = render(ctx, session.principal, name, start, end, web=True, csrf_token=session.csrf_token)
    return HTMLResponse(html)


@router.get("/reports/{name}/pdf")
def report_pdf(ctx: ContainerDep, session: Session, name: str, start: date, end: date) -> Response:
    _known(name)
    html = render(ctx, session.principal, name, start, end)
    return pdf_download(ctx, html, f"{name}-{start.isoformat()}-{end.isoformat()}.pdf")


def pdf_download(ctx: ContainerDep, html: str, filename: str) -> Response:
    """A report's HTML printed by the headless browser, as a download (503 saying why when the
    browser could not print it: the page itself still works)."""
    try:
        pdf = ChromiumPrinter(ctx.settings.chromium).print_pdf(html)
    except PdfFailed as failed:
        return Response(f"The PDF could not be made: {failed}", status_code=503)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/reports/expedited-safety/{entry_id}/submitted")
def submitted(
    ctx: ContainerDep, session: PostedSession, entry_id: int, fields: FormFields
) -> Response:
    start, end = fields.get("start", ""), fields.get("end", "")
    try:
        day = _day(fields.get("submitted_on", ""))
        mark_submitted(
            ctx.uow(),
            ctx.clock,
            session.principal,
            entry_id,
            submitted_on=day,
            submitted_to=fields.get("submitted_to", ""),
            reference=fields.get("reference", ""),
        )
    except InvalidInput as refused:
        return _back(error=f"{refused.field}: {refused.reason}")
    except (NotFound, PermissionDenied) as refused:
        return _back(error=str(refused))
    query = urlencode({"start": start, "end": end}, quote_via=quote)
    return RedirectResponse(f"/reports/expedited-safety?{query}", status_code=303)


def _known(name: str) -> None:
    if name not in REPORTS:
        raise NotFound(f"no report {name!r} (reports: {', '.join(REPORTS)})")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("submitted_on", f"{value!r} is not a date (YYYY-MM-DD)") from None


def _back(*, error: str) -> Response:
    return RedirectResponse(f"/reports?{urlencode({'error': error}, quote_via=quote)}", 303)
