"""The dosing-session API (issue 5): start a session, append entries, read it back.

A refused request answers 201 with ``allowed: false`` and the reasons (a stored decision); bad
input answers 422 with the field named (problem details) and stores nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from mdma_at.domain.dosing.records import DosingSession, EntryKind, SessionEntry
from mdma_at.domain.dosing.session_facts import stamp
from mdma_at.entrypoints.api.deps import ApiPrincipal, ContainerDep
from mdma_at.entrypoints.api.errors import problem_responses
from mdma_at.services.sessions.recording import (
    SessionFile,
    load_session,
    record_entry,
    sessions_for_patient,
    start_session,
)
from mdma_at.services.sessions.timeline import replay_timeline

router = APIRouter(prefix="/api", tags=["dosing sessions"], responses=problem_responses())


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str
    role: str


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    started_at: str | None = Field(None, examples=["2026-09-30T08:00:00Z"])
    childbearing_potential: bool
    weight_kg: float | None = None
    present: list[Person] = []


class EntryCreate(BaseModel):
    """One entry: `kind`, `t` (ISO-8601 with offset; omitted = now) and its fields in `data`
    (docs/dosing-console.md lists the fields of each kind)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    kind: EntryKind
    t: str | None = None
    data: dict[str, Any] = {}


class EntryRead(BaseModel):
    id: int
    t: str
    kind: str
    data: dict[str, Any]
    allowed: bool | None
    reasons: list[str]
    alerts: list[dict[str, Any]] = []
    recorded_by: str
    role: str | None

    @classmethod
    def of(cls, entry: SessionEntry, alerts: list[dict[str, Any]] | None = None) -> EntryRead:
        return cls(
            id=entry.id,
            t=stamp(entry.t),
            kind=entry.kind.value,
            data=entry.payload,
            allowed=entry.allowed,
            reasons=list(entry.reasons),
            alerts=alerts or [],
            recorded_by=entry.recorded_by_name,
            role=entry.role,
        )


class SessionRead(BaseModel):
    id: int
    patient_id: int
    visit_id: int
    protocol: str
    session_number: int
    started_at: str
    status: str
    closed_at: str | None
    initial_dose: dict[str, Any] | None = None
    supplemental_dose: dict[str, Any] | None = None
    active_alerts: list[dict[str, Any]] = []
    next_vitals_due: str | None = None
    entries: list[EntryRead] = []

    @classmethod
    def of(cls, session: DosingSession, file: SessionFile | None = None) -> SessionRead:
        read = cls(
            id=session.id,
            patient_id=session.patient_id,
            visit_id=session.visit_id,
            protocol=session.protocol,
            session_number=session.session_number,
            started_at=stamp(session.started_at),
            status=session.status.value,
            closed_at=stamp(session.closed_at) if session.closed_at else None,
        )
        if file is None:
            return read
        state = file.folded.state
        read.initial_dose = _dose(state.initial)
        read.supplemental_dose = _dose(state.supplemental)
        acknowledged = state.alerts.acknowledged_at
        read.active_alerts = [
            {
                "parameter": a.parameter.value,
                "direction": a.direction.value,
                "level": a.level.value,
                "since": stamp(a.since),
                # Seen by a physician (paging stopped), still active (issue 9, item 1).
                "acknowledged_at": stamp(acknowledged) if acknowledged else None,
            }
            for a in state.alerts.active
        ]
        read.next_vitals_due = stamp(state.next_vitals.due) if state.next_vitals else None
        read.entries = [EntryRead.of(e) for e in file.entries]
        return read


def _dose(dose: Any) -> dict[str, Any] | None:
    return None if dose is None else {"t": stamp(dose.t), "mg": dose.mg}


@router.post("/visits/{visit_id}/session", status_code=201)
def start(
    ctx: ContainerDep, principal: ApiPrincipal, visit_id: int, body: SessionCreate
) -> SessionRead:
    """Open the dosing session of a dosing visit (therapist or physician at the patient's site)."""
    session = start_session(
        ctx.uow(),
        ctx.clock,
        principal,
        visit_id,
        started_at=body.started_at,
        childbearing_potential=body.childbearing_potential,
        weight_kg=body.weight_kg,
        present=[(p.name, p.role) for p in body.present],
    )
    return SessionRead.of(session)


@router.get("/patients/{patient_id}/sessions")
def list_sessions(ctx: ContainerDep, principal: ApiPrincipal, patient_id: int) -> list[SessionRead]:
    """The patient's dosing sessions (without their entries), oldest first."""
    listing = sessions_for_patient(ctx.uow(), ctx.clock, principal, patient_id)
    return [SessionRead.of(s) for _, s in listing.visits if s is not None]


@router.get("/sessions/{session_id}")
def read(ctx: ContainerDep, principal: ApiPrincipal, session_id: int) -> SessionRead:
    """The session with every entry, the doses given, active alerts and the next reading due."""
    file = load_session(ctx.uow(), ctx.clock, principal, session_id)
    return SessionRead.of(file.session, file)


@router.get("/sessions/{session_id}/timeline")
def timeline(ctx: ContainerDep, principal: ApiPrincipal, session_id: int) -> dict[str, Any]:
    """The recorded session as a `mdma-at session replay` input (docs/session-replay.md): the
    replay gives the decisions that were given live."""
    return replay_timeline(load_session(ctx.uow(), ctx.clock, principal, session_id))


@router.post("/sessions/{session_id}/entries", status_code=201)
def add_entry(
    ctx: ContainerDep, principal: ApiPrincipal, session_id: int, body: EntryCreate
) -> EntryRead:
    """Append an entry; a request gets the rules' decision (`allowed`, `reasons`)."""
    recorded = record_entry(
        ctx.uow(), ctx.clock, principal, session_id, body.kind, body.data, body.t
    )
    alerts = [
        {
            "parameter": a.alert.parameter.value,
            "level": a.alert.level.value,
            "value": a.alert.value,
            "limit": a.alert.threshold.limit,
        }
        for a in recorded.step.alerts
    ]
    return EntryRead.of(recorded.entry, alerts)
