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
from mdma_at.entrypoints.web.session import PostedSession, Session
from mdma_at.services.trials import randomise, studies, view

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
    return page(request, "study.html", session=session, shown=shown, notice=notice, error=error)


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


def _do(study_id: int, act: Callable[[], str]) -> Response:
    """Run the form's use case; a refusal comes back as the error line with its reasons."""
    try:
        notice = act()
    except InvalidInput as refused:
        return _back(study_id, error=f"{refused.field}: {refused.reason}")
    except (Conflict, NotFound, PermissionDenied) as refused:
        return _back(study_id, error=str(refused))
    return _back(study_id, notice=notice)


def _back(study_id: int, *, notice: str = "", error: str = "") -> Response:
    query = {"notice": notice} if notice else {"error": error}
    return RedirectResponse(
        f"/studies/{study_id}?{urlencode(query, quote_via=quote)}", status_code=303
    )
