"""Jinja2 environment for the pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from mdma_at.domain.schedule.records import VisitStatus

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _day(value: date | None) -> str:
    return value.strftime("%a %d %b %Y") if value else "—"


templates.env.filters["day"] = _day
templates.env.globals["VisitStatus"] = VisitStatus


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return page(request, "error.html", status, title=title, detail=detail)
