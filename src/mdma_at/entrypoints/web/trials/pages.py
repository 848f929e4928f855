"""The coordinator's study page (issue 16): participants, the randomise button with the reasons
it is refused, and joining a patient. Thin: every form calls one service in `services.trials`
and redirects back with what happened. The arm appears only for the unblinded statistician: the
read model (`services.trials.view`) gives everyone else none.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mdma_at.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from mdma_at.entrypoints.api.deps import ContainerDep
from mdma_at.entrypoints.web.forms import FormFields
from mdma_at.entrypoints.web.rendering import page
from mdma_at.entrypoints.web.reports.pages import pdf_download
from mdma_at.entrypoints.web.reports.trial import trial_report_html
from mdma_at.entrypoints.web.session import PostedSession, Session
from mdma_at.protocols import get_protocol
from mdma_at.services.trials import (
    blinding,
    dashboard,
    randomise,
    raters,
    retention,
    studies,
    view,
)

router = APIRouter(include_in_schema=False)


@router.get("/studies", response_class=HTMLResponse)
def studies_page(request: Request, ctx: ContainerDep, session: Session) -> Response:
    listed = view.studies_for(ctx.uow(), session.principal)
    return page(request, "studies.html", session=session, studies=listed)


@router.get("/studies/{study_id}", response_class=HTMLResponse)
def study_page(
    request: Request,
    ctx: ContainerDep,
    session: Session,
    study_id: int,
    notice: str = "",
    error: str = "",
) -> Response:
    shown = view.study_view(ctx.uow(), ctx.clock, session.principal, study_id)
    with ctx.uow() as uow:
        assigned = raters.assignments_view(
            uow, shown.study, frozenset(r.patient_id for r in shown.rows)
        )
    visits = retention.retention_by_visit(ctx.uow(), ctx.clock, session.principal, study_id)
    board = dashboard.study_dashboard(ctx.uow(), ctx.clock, session.principal, study_id)
    indices = []
    if shown.arms_visible:  # the unblinded statistician: Bang's index from the guesses
        lines = blinding.guess_lines(ctx.uow(), ctx.clock, session.principal, study_id)
        # Imported here: pandas and scipy are half of the app's start-up (≈ 5 s of CPU), and only
        # the statistician's blinding index needs them (ADR 0070).
        from mdma_at.analysis.blinding_assessment import blinding_by_time_point

        indices = blinding_by_time_point(
            lines, blinding.time_points(shown.study), blinding.ACTIVE, blinding.PLACEBO
        )
    return page(
        request,
        "study.html",
        session=session,
        shown=shown,
        notice=notice,
        error=error,
        assigned=assigned,
        retention=visits,
        board=board,
        indices=indices,
        time_points=blinding.time_points(shown.study),
        rated_visits=[
            v
            for v in get_protocol(shown.study.protocol).schedule.visits
            if v.kind.value in raters.RATED_VISIT_KINDS
        ],
    )


@router.get("/studies/{study_id}/report", response_class=HTMLResponse)
def trial_report(
    ctx: ContainerDep, session: Session, study_id: int, format: str = "html"
) -> Response:
    """The study's trial report (issue 19, item 6): the page, or its PDF (`?format=pdf`), for a
    reader the study's blind admits; anyone else is refused by the service (audited)."""
    if format not in ("html", "pdf"):
        raise InvalidInput("format", f"{format!r} is not html or pdf")
    if format == "html":
        return HTMLResponse(trial_report_html(ctx, session.principal, study_id, web=True))
    html = trial_report_html(ctx, session.principal, study_id)
    return pdf_download(ctx, html, f"trial-report-{study_id}.pdf")


@router.post("/studies/{study_id}/participants")
def join(ctx: ContainerDep, session: PostedSession, study_id: int, fields: FormFields) -> Response:
    def act() -> str:
        patient = fields.get("patient_id", "").strip()
        if not patient.isdigit() or len(patient) > 9:
            raise InvalidInput("patient_id", "give the patient's number")
        studies.join_study(ctx.uow(), ctx.clock, session.principal, study_id, int(patient))
        return "Joined the study."

    return _do(study_id, act)


@router.post("/studies/{study_id}/participants/{patient_id}/randomise")
def randomise_participant(
    ctx: ContainerDep, session: PostedSession, study_id: int, patient_id: int
) -> Response:
    def act() -> str:
        done = randomise.randomise(
            ctx.uow(), ctx.clock, ctx.schedule_seal, session.principal, study_id, patient_id
        )
        return f"Randomised: allocation number {done.position}."

    return _do(study_id, act)


@router.post("/studies/{study_id}/participants/{patient_id}/rater")
def assign_rater(
    ctx: ContainerDep, session: PostedSession, study_id: int, patient_id: int, fields: FormFields
) -> Response:
    def act() -> str:
        raters.assign_rater_at(
            ctx.uow(), ctx.clock, session.principal, study_id, patient_id,
            fields.get("visit", ""), fields.get("rater", ""),
        )  # fmt: skip
        return "Independent rater assigned."

    return _do(study_id, act)


@router.post("/studies/{study_id}/participants/{patient_id}/blinding-guesses")
def record_guess(
    ctx: ContainerDep, session: PostedSession, study_id: int, patient_id: int, fields: FormFields
) -> Response:
    def act() -> str:
        blinding.record_guess(
            ctx.uow(), ctx.clock, session.principal, study_id, patient_id,
            time_point=fields.get("time_point", ""), respondent=fields.get("respondent", ""),
            guess=fields.get("guess", ""), confidence=fields.get("confidence", ""),
        )  # fmt: skip
        return "Guess recorded."

    # the rater answers from "My ratings" (they do not see the study page)
    back = "/ratings" if fields.get("back") == "/ratings" else None
    return _do(study_id, act, back)


def _do(study_id: int, act: Callable[[], str], back: str | None = None) -> Response:
    """Run the form's use case; a refusal comes back as the error line with its reasons."""
    try:
        notice = act()
    except InvalidInput as refused:
        return _back(study_id, back, error=f"{refused.field}: {refused.reason}")
    except (Conflict, NotFound, PermissionDenied) as refused:
        return _back(study_id, back, error=str(refused))
    return _back(study_id, back, notice=notice)


def _back(study_id: int, back: str | None, *, notice: str = "", error: str = "") -> Response:
    query = {"notice": notice} if notice else {"error": error}
    target = back or f"/studies/{study_id}"
    return RedirectResponse(f"{target}?{urlencode(query, quote_via=quote)}", status_code=303)
