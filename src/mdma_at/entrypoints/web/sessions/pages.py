"""The dosing-session console, its live partial, the entry forms and the printable record.

The console polls `/sessions/{id}/live` every 2 s (htmx), so two browsers on the same session see
each other's entries within a few seconds; each form posts one entry and redirects back
(post/redirect/get). A refused form is shown again with the reason (422) and nothing is stored.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.adverse_events import (
    SOLICITED_TERMS,
    AeAction,
    AeCategory,
    AeOutcome,
    AeSeverity,
    Relatedness,
)
from mdma_at.domain.dosing.plain import plain_reason
from mdma_at.domain.dosing.records import EntryKind
from mdma_at.domain.dosing.session_facts import clock, stamp
from mdma_at.domain.errors import Conflict, InvalidInput
from mdma_at.domain.local_time import local_time, read_local
from mdma_at.domain.times import parse_entered_time
from mdma_at.entrypoints.api.deps import ContainerDep
from mdma_at.entrypoints.web.forms import field_errors
from mdma_at.entrypoints.web.rendering import page, templates
from mdma_at.entrypoints.web.session import PolledSession, PostedSession, Session, WebSession
from mdma_at.services.alerts.paging import paging_for_session
from mdma_at.services.register.doses import SessionKits, kits_for_session
from mdma_at.services.screening.concomitant import restart_warnings
from mdma_at.services.screening.workup import first_dosing_status
from mdma_at.services.sessions.banner import patient_banner
from mdma_at.services.sessions.recording import (
    SessionFile,
    load_session,
    open_sessions,
    record_entry,
    sessions_for_patient,
    start_session,
)
from mdma_at.services.sessions.timeline import replay_timeline
from mdma_at.services.sessions.view import console_view, everyone_present
from mdma_at.services.site_time import zone_of_patient, zone_of_session, zone_of_site

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]

templates.env.filters["stamp"] = stamp
templates.env.filters["hms"] = clock

# `when` and `local` (rendering.py) show times in the site's zone.

_FORM_ONLY = ("csrf_token", "t", "t_local", "tz")

# How the error summary names a field the console's forms post (the rest read as written).
FIELD_LABELS = {
    "t": "time",
    "kind": "entry",
    "heart_rate": "heart rate",
    "temperature_c": "temperature",
    "spo2": "SpO2",
    "value": "rating",
    "text": "text",
}


def entered_time(local: str, zone: ZoneInfo) -> str:
    """A time typed in a ``datetime-local`` field (no offset) as ISO-8601 in the site's zone
    (`zone`): the clinic's wall clock, whatever the browser's own zone (issue 13, item 2).
    Blank stays blank (meaning now); an explicit offset wins; text that is not a time is passed
    on for the service to refuse by name."""
    local = local.strip()
    if not local:
        return ""
    try:
        typed = datetime.fromisoformat(local)
    except ValueError:
        return local
    return read_local(typed, zone).isoformat()


@router.get("/patients/{patient_id}/sessions", response_class=HTMLResponse)
def patient_sessions(
    request: Request, ctx: ContainerDep, session: Session, patient_id: int
) -> Response:
    """The chart's dosing-session card (loaded by the chart page)."""
    listing = sessions_for_patient(ctx.uow(), ctx.clock, session.principal, patient_id)
    return page(request, "_session_list.html", session=session, listing=listing)


@router.get("/sessions/open", response_class=HTMLResponse)
def sessions_in_progress(request: Request, ctx: ContainerDep, session: Session) -> Response:
    """The dashboard's card of sessions in progress."""
    found = open_sessions(ctx.uow(), session.principal)
    return page(request, "_session_open.html", session=session, found=found)


@router.post("/visits/{visit_id}/session")
def start(
    ctx: ContainerDep,
    session: PostedSession,
    visit_id: int,
    patient_id: Annotated[int, Form()],
    started_at: Text = "",
    childbearing_potential: Text = "",
    weight_kg: Text = "",
    present: Text = "",
) -> Response:
    people = []
    for line in present.splitlines():
        name, _, role = line.partition(",")
        if name.strip():
            people.append((name.strip(), role.strip() or "staff"))
    try:
        started = start_session(
            ctx.uow(),
            ctx.clock,
            session.principal,
            visit_id,
            started_at=entered_time(started_at, zone_of_patient(ctx.uow(), patient_id)),
            childbearing_potential=childbearing_potential == "yes",
            weight_kg=weight_kg,
            present=people,
            patient_id=patient_id,
        )
    except (InvalidInput, Conflict) as refused:
        message = quote(f"Session not started: {refused}")
        return RedirectResponse(f"/patients/{patient_id}?error={message}", status_code=303)
    return RedirectResponse(f"/sessions/{started.id}", status_code=303)


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def console(
    request: Request, ctx: ContainerDep, session: Session, session_id: int, notice: str = ""
) -> Response:
    return _console(request, ctx, session, session_id, notice=notice)


def _console(
    request: Request,
    ctx: ContainerDep,
    session: WebSession,
    session_id: int,
    *,
    notice: str = "",
    error: str = "",
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    form_kind: str = "",
) -> Response:
    file = load_session(ctx.uow(), ctx.clock, session.principal, session_id)
    view = console_view(file, ctx.clock.now())
    site = file.patient.site_id
    bedside = _bedside(ctx, file)
    records = first_dosing_status(
        ctx.uow(), ctx.clock, session.principal, file.patient.id, ctx.clock.now().date()
    )
    return page(
        request,
        "session_console.html",
        422 if error else 200,
        records=records,
        session=session,
        view=view,
        notice=notice,
        error=error,
        form=form or {},
        errors=errors or {},
        form_kind=form_kind,
        banner=patient_banner(ctx.uow(), file, ctx.clock.now().date()),
        chart_json=json.dumps(view.chart),
        physician=site in sites_for(session.principal, Action.OVERRIDE_SESSION_RULE),
        can_record=site in sites_for(session.principal, Action.RUN_SESSION),
        ae=_ae_choices(),
        EntryKind=EntryKind,
        field_labels=FIELD_LABELS,
        kits=_kits(ctx, session, file),
        **bedside,
    )


def _kits(ctx: ContainerDep, session: WebSession, file: SessionFile) -> SessionKits | None:
    """The kits the dose buttons may take from (issue 15, item 5), while doses may be given."""
    if file.session.closed:
        return None
    return kits_for_session(ctx.uow(), session.principal, file.session.id)


def _bedside(ctx: ContainerDep, file: SessionFile) -> dict[str, Any]:
    """The site's zone and the truth about paging, for the console and its live part."""
    site = file.patient.site_id
    return {
        "zone": zone_of_site(ctx.uow(), site),
        "paging": paging_for_session(ctx.uow(), file.session.id, site, ctx.notifiers),
        # issue 14: a serotonergic drug restarted after its washout began (the include
        # _medication_restarts.html shows it)
        "restarts": restart_warnings(ctx.uow(), file.patient.id),
    }


def _ae_choices() -> dict[str, object]:
    return {
        "categories": list(AeCategory),
        "terms": SOLICITED_TERMS,
        "severities": list(AeSeverity),
        "relatedness": list(Relatedness),
        "actions": list(AeAction),
        "outcomes": list(AeOutcome),
    }


@router.get("/sessions/{session_id}/live", response_class=HTMLResponse)
def live(
    request: Request,
    ctx: ContainerDep,
    session: PolledSession,
    session_id: int,
    as_of: str = "",
    part: str = "",
) -> Response:
    """The parts of the console that change: `part=top` the critical banner, the clock and the
    dose buttons; otherwise alerts, paging, checklist, log and chart data.

    `as_of` (the site's wall-clock time, or ISO-8601 with an offset) evaluates the buttons at
    the time being entered; blank = now. A poll writes nothing: the login session is read, not
    slid, and the session's fold is the kept one carried on (ADR 0203, 0204).
    """
    file = load_session(ctx.uow(), ctx.clock, session.principal, session_id)
    now = ctx.clock.now()
    try:
        at = parse_entered_time(
            entered_time(as_of, zone_of_session(ctx.uow(), session_id)), "as_of"
        )
    except InvalidInput:
        at = None
    view = console_view(file, now, at if at is not None and at <= now else None)
    site = file.patient.site_id
    return page(
        request,
        "_session_top.html" if part == "top" else "_session_live.html",
        session=session,
        view=view,
        chart_json=json.dumps(view.chart),
        physician=site in sites_for(session.principal, Action.OVERRIDE_SESSION_RULE),
        can_record=site in sites_for(session.principal, Action.RUN_SESSION),
        kits=_kits(ctx, session, file),
        **_bedside(ctx, file),
    )


@router.post("/sessions/{session_id}/entries/{kind}")
async def add_entry(
    request: Request, ctx: ContainerDep, session: PostedSession, session_id: int, kind: EntryKind
) -> Response:
    form = await request.form()
    raw = {k: str(v) for k, v in form.items() if k not in _FORM_ONLY}
    zone = await run_in_threadpool(zone_of_session, ctx.uow(), session_id)
    if "onset_local" in raw:  # the adverse event's onset, typed in the site's time zone
        raw["onset"] = entered_time(raw.pop("onset_local"), zone)
    t = str(form.get("t") or "") or entered_time(str(form.get("t_local") or ""), zone)
    if "at_local" in raw:  # an addendum's own time field (the shared entry time is gone then)
        t = t or entered_time(raw.get("at_local", ""), zone)
    try:
        recorded = await run_in_threadpool(
            record_entry, ctx.uow(), ctx.clock, session.principal, session_id, kind, raw, t
        )
    except (InvalidInput, Conflict) as refused:
        return await run_in_threadpool(
            _console,
            request,
            ctx,
            session,
            session_id,
            error=f"{kind.label} not recorded: nothing was stored.",
            form=raw,
            errors=field_errors(refused, prefix="vitals."),
            form_kind=kind.value,
        )
    entry = recorded.entry
    when = local_time(entry.t, zone, "%H:%M:%S")  # the site's clock, as the console shows it
    notice = f"{entry.kind.label} recorded at {when}."
    if entry.allowed is True:
        notice = f"{entry.kind.label}: allowed at {when}."
    elif entry.allowed is False and recorded.step.decision is not None:
        decision = recorded.step.decision
        notice = f"{entry.kind.label}: refused at {when}. " + " ".join(
            f"{plain_reason(r, decision.action, zone).sentence} ({r.code})"
            for r in decision.reasons
        )
    if recorded.step.alerts:
        notice += " Alert: " + ", ".join(
            f"{a.alert.parameter} {a.alert.level}" for a in recorded.step.alerts
        )
    return RedirectResponse(f"/sessions/{session_id}?notice={quote(notice)}", status_code=303)


@router.get("/sessions/{session_id}/record", response_class=HTMLResponse)
def session_record(
    request: Request, ctx: ContainerDep, session: Session, session_id: int
) -> Response:
    """The printable session summary for the chart."""
    file = load_session(ctx.uow(), ctx.clock, session.principal, session_id)
    view = console_view(file, ctx.clock.now())
    return page(
        request,
        "session_record.html",
        session=session,
        view=view,
        chart_json=json.dumps(view.chart),
        present=everyone_present(file.entries),
        EntryKind=EntryKind,
        zone=zone_of_site(ctx.uow(), file.patient.site_id),
    )


@router.get("/sessions/{session_id}/timeline.json")
def timeline_download(ctx: ContainerDep, session: Session, session_id: int) -> Response:
    """The recorded session as a `mdma-at session replay` input, to download."""
    file = load_session(ctx.uow(), ctx.clock, session.principal, session_id)
    name = f"{file.patient.details.study_id}-session-{file.session.session_number}.json"
    return JSONResponse(
        replay_timeline(file), headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
