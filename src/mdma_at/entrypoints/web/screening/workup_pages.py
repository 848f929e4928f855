"""The work-up page (issue 14): the concomitant-medication list with its washouts and restart
warnings, and allergies; the chart's card; the dosing console's warning include.

Forms go back to the page with a notice, or show the page again with the reason (422) when the
use case refuses them: nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.errors import Conflict, InvalidInput
from mdma_at.entrypoints.api.deps import ContainerDep
from mdma_at.entrypoints.web.forms import FormFields
from mdma_at.entrypoints.web.rendering import page
from mdma_at.entrypoints.web.session import PostedSession, Session, WebSession
from mdma_at.services.patients import registry as patients
from mdma_at.services.screening import allergies, concomitant

router = APIRouter(include_in_schema=False)


def _may(session: WebSession, action: Action, site_id: int) -> bool:
    return site_id in sites_for(session.principal, action)


def _workup_page(request: Request, ctx: ContainerDep, session: WebSession, patient_id: int,
                 error: str = "", notice: str = "", form: dict[str, str] | None = None,
                 ) -> HTMLResponse:  # fmt: skip
    chart = patients.chart(ctx.uow(), ctx.clock, session.principal, patient_id)
    site = chart.patient.site_id
    return page(
        request,
        "workup.html",
        422 if error else 200,
        session=session,
        chart=chart,
        medications=concomitant.medication_list(
            ctx.uow(), ctx.clock, session.principal, patient_id
        ),
        allergies=allergies.allergy_list(ctx.uow(), ctx.clock, session.principal, patient_id),
        may_record_medication=_may(session, Action.RECORD_CONCOMITANT_MEDICATION, site),
        may_record_allergy=_may(session, Action.RECORD_ALLERGY, site),
        today=ctx.clock.now().date(),
        error=error,
        notice=notice,
        form=form or {},
    )


@router.get("/patients/{patient_id}/workup", response_class=HTMLResponse)
def workup(
    request: Request, ctx: ContainerDep, session: Session, patient_id: int, notice: str = ""
) -> Response:
    return _workup_page(request, ctx, session, patient_id, notice=notice)


@router.get("/patients/{patient_id}/workup/panel", response_class=HTMLResponse)
def workup_panel(
    request: Request, ctx: ContainerDep, session: Session, patient_id: int
) -> Response:
    """The chart's card (htmx): allergies, current medications, restart warnings."""
    return page(
        request,
        "_workup_panel.html",
        patient_id=patient_id,
        medications=concomitant.medication_list(
            ctx.uow(), ctx.clock, session.principal, patient_id
        ),
        allergies=allergies.allergy_list(ctx.uow(), ctx.clock, session.principal, patient_id),
    )


def _form(request: Request, ctx: ContainerDep, session: WebSession, patient_id: int,
          fields: dict[str, str], act: Callable[[], str]) -> Response:  # fmt: skip
    try:
        notice = act()
    except (InvalidInput, Conflict) as refused:
        return _workup_page(request, ctx, session, patient_id, error=str(refused), form=fields)
    return RedirectResponse(
        f"/patients/{patient_id}/workup?notice={quote(notice)}", status_code=303
    )


@router.post("/patients/{patient_id}/medications")
def add_medication(
    request: Request, ctx: ContainerDep, session: PostedSession, patient_id: int, f: FormFields
) -> Response:
    def act() -> str:
        started = concomitant.parse_day(f.get("started_on"), "started_on")
        assert started is not None
        course = concomitant.add_medication(
            ctx.uow(),
            ctx.clock,
            session.principal,
            patient_id,
            f.get("name", ""),
            f.get("dose", ""),
            started,
            concomitant.parse_day(f.get("stopped_on"), "stopped_on", required=False),
        )
        return f"Medication added: {course.name}."

    return _form(request, ctx, session, patient_id, f, act)


@router.post("/patients/{patient_id}/medications/{course_id}/stop")
def stop_medication(
    request: Request,
    ctx: ContainerDep,
    session: PostedSession,
    patient_id: int,
    course_id: int,
    f: FormFields,
) -> Response:
    concomitant.require_course_of(ctx.uow(), course_id, patient_id)  # another patient's: 404

    def act() -> str:
        stopped_on = concomitant.parse_day(f.get("stopped_on"), "stopped_on")
        assert stopped_on is not None
        course = concomitant.stop_medication(
            ctx.uow(), ctx.clock, session.principal, patient_id, course_id, stopped_on
        )
        return f"Medication stopped: {course.name} on {course.stopped_on}."

    return _form(request, ctx, session, patient_id, f, act)


@router.post("/patients/{patient_id}/allergies")
def add_allergy(
    request: Request, ctx: ContainerDep, session: PostedSession, patient_id: int, f: FormFields
) -> Response:
    def act() -> str:
        none_known = f.get("none_known") == "yes"
        entry = allergies.add_allergy(
            ctx.uow(),
            ctx.clock,
            session.principal,
            patient_id,
            f.get("substance", ""),
            f.get("reaction", ""),
            none_known=none_known,
        )
        return (
            "Recorded: no known allergies."
            if none_known
            else f"Allergy recorded: {entry.substance}."
        )

    return _form(request, ctx, session, patient_id, f, act)
