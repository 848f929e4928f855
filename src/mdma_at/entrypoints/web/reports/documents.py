"""The four reports as documents (issue 17, item 4): one renderer for the page, the PDF and the
CLI, so every way out shows the same thing. A document for PDF or a file carries its style
inline (it is printed from a file, without the server); the page links the same stylesheet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from mdma_at.bootstrap import Container
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.local_time import zone_label
from mdma_at.domain.staff import Principal
from mdma_at.entrypoints.web.rendering import templates
from mdma_at.services.reports.monitoring import monitoring_forms
from mdma_at.services.reports.prescriber import authorised_prescriber_report
from mdma_at.services.reports.progress import progress_summary
from mdma_at.services.reports.safety import safety_reports
from mdma_at.services.reports.visibility import WITHHELD
from mdma_at.services.site_time import zone_of_principal

STYLE = Path(__file__).parent.parent / "static" / "report.css"


@dataclass(frozen=True, slots=True)
class ReportKind:
    title: str
    template: str
    build: Callable[..., Any]


REPORTS: dict[str, ReportKind] = {
    "authorised-prescriber": ReportKind(
        "Authorised Prescriber six-monthly report (TGA)",
        "reports/authorised_prescriber.html",
        authorised_prescriber_report,
    ),
    "session-monitoring": ReportKind(
        "Patient monitoring forms (dosing sessions)",
        "reports/session_monitoring.html",
        monitoring_forms,
    ),
    "expedited-safety": ReportKind(
        "Expedited safety reports (CIOMS I)", "reports/expedited_safety.html", safety_reports
    ),
    "annual-progress": ReportKind(
        "Annual progress summary (ethics committee)",
        "reports/annual_progress.html",
        progress_summary,
    ),
}


def kind(name: str) -> ReportKind:
    """The report called `name`.

    Raises:
        InvalidInput: ``name``, listing the reports there are.
    """
    found = REPORTS.get(name)
    if found is None:
        raise InvalidInput("name", f"{name!r} is not one of {', '.join(REPORTS)}")
    return found


def render(
    ctx: Container,
    principal: Principal,
    name: str,
    start: date,
    end: date,
    *,
    web: bool = False,
    csrf_token: str = "",
) -> str:
    """The report as one HTML document (`web`: the page, with its toolbar and forms).

    Raises:
        InvalidInput: an unknown report, or a period that ends before it starts.
        PermissionDenied: the reader may not view reports.
    """
    report_kind = kind(name)
    report = report_kind.build(ctx.uow(), ctx.clock, principal, start, end)
    zone = zone_of_principal(ctx.uow(), principal)
    with ctx.uow() as uow:
        site_names = {s.id: s.name for s in uow.sites.list()}
    context = {
        "name": name,
        "title": report_kind.title,
        "report": report,
        "web": web,
        "csrf_token": csrf_token,
        "session_principal": principal,
        "inline_css": None if web else STYLE.read_text(encoding="utf-8"),
        "withheld": WITHHELD,
        "site_names": site_names,
        "zone": zone,
        "zone_label": zone_label(ctx.clock.now(), zone),
    }
    return templates.env.get_template(report_kind.template).render(context)
