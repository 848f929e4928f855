"""Gathering a patient's record for an export, as the user who asks may read it (issue 17, item 5).

An export runs as a signed-in staff member and is audited: `patient_export` (one patient, the
FHIR `$everything`) and `clinic_export` (every patient at the sites where the user may export,
the bulk export) authorise, gather and record one audit event per site, in one transaction.
Nothing is written to the records themselves.

What a part of the record needs, at the patient's site, besides the export permission:

- the chart (patient, visits, consent, concomitant medications, the audit trail of those
  records): `VIEW_PATIENTS`;
- dosing sessions (vital signs, doses, adverse events): `VIEW_SESSION`;
- instruments (answers and scores): `VIEW_MEASURES`.

A part the user may not read is left out, never blanked. Arm and kit fields go through
`disclosure.disclose_kit` alone; the trial allocation is never gathered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.accountability import Container, Kind
from mdma_at.domain.audit import AuditEvent
from mdma_at.domain.dosing.records import DosingSession, EntryKind, SessionEntry
from mdma_at.domain.errors import InvalidInput, NotFound, PermissionDenied
from mdma_at.domain.measurement.records import Administration, StoredAnswer
from mdma_at.domain.patients import Patient
from mdma_at.domain.schedule.records import Enrolment, Visit
from mdma_at.domain.screening import ConsentDocument, ConsentSignature, ConsentWithdrawal
from mdma_at.domain.staff import Principal, Role, Site, StaffMember
from mdma_at.domain.washout import ConcomitantMedication
from mdma_at.services.audit import Actor, record
from mdma_at.services.exports.disclosure import KitDisclosure, disclose_kit
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.records import guard_visible
from mdma_at.services.screening.concomitant import parse_day

#: The entries of a session that an export carries (the others are the console's working notes).
EXPORTED_ENTRIES = frozenset(
    {
        EntryKind.VITALS,
        EntryKind.REQUEST_INITIAL,
        EntryKind.REQUEST_SUPPLEMENTAL,
        EntryKind.ADVERSE_EVENT,
    }
)

_DOSES = (EntryKind.REQUEST_INITIAL, EntryKind.REQUEST_SUPPLEMENTAL)

#: Audited records whose trail becomes Provenance: (entity type in the audit trail).
TRAILED_ENTITIES = frozenset(
    {
        "patient",
        "enrolment",
        "visit",
        "dosing_session",
        "instrument_administration",
        "concomitant_medication",
    }
)


@dataclass(frozen=True, slots=True)
class Window:
    """The days an export covers, both ends included; None: from the beginning, or with no end
    (planned visits in the future included)."""

    since: date | None
    until: date | None

    def covers(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )


def export_window(
    since: object, until: object, today: date, *, fields: tuple[str, str] = ("since", "until")
) -> Window:
    """The period of an export from typed dates (``YYYY-MM-DD``; blank: from the beginning, or
    with no end). `fields` name the two inputs in errors (``start``/``end`` in the API).

    Raises:
        InvalidInput: a date that does not parse; a start after today (nothing has happened
            yet); the end before the start.
    """
    start = parse_day(since, fields[0], required=False)
    end = parse_day(until, fields[1], required=False)
    if start is not None and start > today:
        raise InvalidInput(fields[0], f"{start} is in the future (today is {today})")
    if end is not None and start is not None and end < start:
        raise InvalidInput(fields[1], f"{end} is before the start of the period ({start})")
    return Window(start, end)


@dataclass(frozen=True, slots=True)
class Dose:
    """A dose given (a request the rules allowed), with its kit as the user may see it."""

    entry: SessionEntry
    kit: KitDisclosure | None


@dataclass(frozen=True, slots=True)
class SessionRecord:
    session: DosingSession
    vitals: tuple[SessionEntry, ...]
    doses: tuple[Dose, ...]
    adverse_events: tuple[SessionEntry, ...]


@dataclass(frozen=True, slots=True)
class MeasureRecord:
    administration: Administration
    answers: tuple[StoredAnswer, ...]


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    signature: ConsentSignature
    document: ConsentDocument | None
    withdrawn: ConsentWithdrawal | None


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """One patient's record as the exporting user may read it, inside the export's window."""

    patient: Patient
    site: Site
    enrolments: tuple[Enrolment, ...] = ()
    visits: tuple[Visit, ...] = ()
    sessions: tuple[SessionRecord, ...] = ()
    measures: tuple[MeasureRecord, ...] = ()
    medications: tuple[ConcomitantMedication, ...] = ()
    consents: tuple[ConsentRecord, ...] = ()
    trail: tuple[AuditEvent, ...] = ()
    staff: dict[int, tuple[StaffMember, dict[int, frozenset[Role]]]] = field(default_factory=dict)


def patient_export(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    patient_id: int,
    window: Window,
    *,
    what: str = "fhir_everything",
) -> PatientRecord:
    """One patient's record for `$everything`, audited as `what`.

    Raises:
        NotFound: no such patient, or one the user may not see (ADR 0100).
        PermissionDenied: the user sees the patient but may not export (audited).
    """
    with uow:
        patient = uow.patients.get(patient_id)
        if patient is None:
            raise NotFound(f"no patient {patient_id}")
        actor = guard_visible(
            uow, clock, principal, Action.EXPORT_FHIR, patient.site_id,
            ("patient", patient_id), f"no patient {patient_id}",
        )  # fmt: skip
        gathered = _gather(uow, principal, [patient], window)
        _audit(uow, clock, actor, what, "patient", patient_id, gathered, window)
        uow.commit()
    return gathered[0]


def clinic_export(
    uow: UnitOfWork, clock: Clock, principal: Principal, window: Window, *, what: str = "fhir_bulk"
) -> list[PatientRecord]:
    """Every patient at the sites where the user may export, audited once per site as `what`.

    Raises:
        PermissionDenied: the user may export at no site (the refusal is audited).
    """
    with uow:
        sites = sites_for(principal, Action.EXPORT_FHIR)
        if not sites:
            denied = Actor(principal.user_id, principal.username, None, None)
            record(uow, clock, denied, "access_denied", "export", what, reason="export_fhir")
            uow.commit()
            raise PermissionDenied(
                f"{principal.username} may not export records at any site",
                needs=tuple(r.value for r in Role if r in {Role.PHYSICIAN, Role.COORDINATOR}),
            )
        patients = sorted(uow.patients.search(sites, "", limit=10**9), key=lambda p: p.id)
        gathered = _gather(uow, principal, patients, window)
        for site_id in sorted(sites):
            role = next(r for r in Role if r in principal.roles_at(site_id))
            actor = Actor(principal.user_id, principal.username, role.value, site_id)
            at_site = [g for g in gathered if g.site.id == site_id]
            _audit(uow, clock, actor, what, "site", site_id, at_site, window)
        uow.commit()
    return gathered


def _audit(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    what: str,
    entity_type: str,
    entity_id: int,
    gathered: Sequence[PatientRecord],
    window: Window,
) -> None:
    record(
        uow, clock, actor, f"{what}_exported", entity_type, entity_id,
        after={
            "patients": [g.patient.id for g in gathered],
            "since": None if window.since is None else window.since.isoformat(),
            "until": None if window.until is None else window.until.isoformat(),
        },
    )  # fmt: skip


def _may(principal: Principal, action: Action, site_id: int) -> bool:
    return site_id in sites_for(principal, action)


def _gather(
    uow: UnitOfWork, principal: Principal, patients: Iterable[Patient], window: Window
) -> list[PatientRecord]:
    books = _kits(uow)
    trail = _trail(uow)
    gathered: list[PatientRecord] = []
    for patient in patients:
        site = uow.sites.get(patient.site_id)
        assert site is not None, patient.site_id
        if not _may(principal, Action.VIEW_PATIENTS, site.id):
            continue
        enrolments = tuple(uow.enrolments.for_patient(patient.id))
        visits = tuple(
            v
            for e in enrolments
            for v in uow.visits.for_enrolment(e.id)
            if window.covers(v.held_on or v.planned)
        )
        sessions: tuple[SessionRecord, ...] = ()
        if _may(principal, Action.VIEW_SESSION, site.id):
            sessions = tuple(
                _session(uow, principal, s, books)
                for s in uow.dosing_sessions.for_patient(patient.id)
                if window.covers(s.started_at.date())
            )
        measures: tuple[MeasureRecord, ...] = ()
        if _may(principal, Action.VIEW_MEASURES, site.id):
            measures = tuple(
                MeasureRecord(a, tuple(uow.administrations.answers(a.id)))
                for a in uow.administrations.for_patient(patient.id)
                if window.covers(a.completed_on)
            )
        medications = tuple(
            m
            for m in uow.medications.for_patient(patient.id)
            if window.covers(m.recorded_at.date())
        )
        consents = _consents(uow, patient.id, window)
        exported = _record_keys(patient, enrolments, visits, sessions, measures, medications)
        events = tuple(
            e
            for e in trail
            if (e.content.entity_type, e.content.entity_id) in exported
            and window.covers(date.fromisoformat(e.content.occurred_at[:10]))
        )
        staff = _staff(uow, sessions, measures, consents, events)
        gathered.append(
            PatientRecord(
                patient, site, enrolments, visits, sessions, measures, medications, consents,
                events, staff,
            )
        )  # fmt: skip
    return gathered


def _kits(uow: UnitOfWork) -> dict[int, Container]:
    """The container each administration in the register came out of, by the movement's id."""
    containers = {c.id: c for c in uow.register.containers()}
    return {
        m.id: containers[m.container_id]
        for m in uow.register.movements()
        if m.kind is Kind.ADMINISTER and m.container_id in containers
    }


def _session(
    uow: UnitOfWork, principal: Principal, session: DosingSession, kits: dict[int, Container]
) -> SessionRecord:
    entries = [e for e in uow.session_entries.for_session(session.id) if e.kind in EXPORTED_ENTRIES]
    doses = []
    for entry in entries:
        if entry.kind in _DOSES and entry.allowed:  # a request the rules refused gave nothing
            movement_id = (entry.payload.get("kit") or {}).get("movement_id")
            container = None if movement_id is None else kits.get(int(movement_id))
            kit = None if container is None else disclose_kit(principal, container)
            doses.append(Dose(entry, kit))
    return SessionRecord(
        session,
        tuple(e for e in entries if e.kind is EntryKind.VITALS),
        tuple(doses),
        tuple(e for e in entries if e.kind is EntryKind.ADVERSE_EVENT),
    )


def _consents(uow: UnitOfWork, patient_id: int, window: Window) -> tuple[ConsentRecord, ...]:
    withdrawals = sorted(uow.consents.withdrawals(patient_id), key=lambda w: w.withdrawn_at)
    found = []
    for signature in uow.consents.signatures(patient_id):
        if not window.covers(signature.signed_at.date()):
            continue
        withdrawn = next((w for w in withdrawals if w.withdrawn_at >= signature.signed_at), None)
        found.append(
            ConsentRecord(signature, uow.consents.document(signature.document_id), withdrawn)
        )
    return tuple(found)


def _trail(uow: UnitOfWork) -> list[AuditEvent]:
    return [
        e
        for e in uow.audit.events()
        if e.content.entity_type in TRAILED_ENTITIES and e.content.action != "access_denied"
    ]


def _record_keys(
    patient: Patient,
    enrolments: Sequence[Enrolment],
    visits: Sequence[Visit],
    sessions: Sequence[SessionRecord],
    measures: Sequence[MeasureRecord],
    medications: Sequence[ConcomitantMedication],
) -> frozenset[tuple[str, str | None]]:
    """The audit trail's (entity type, id) of every record the export carries."""
    keys = [("patient", str(patient.id))]
    keys += [("enrolment", str(e.id)) for e in enrolments]
    keys += [("visit", str(v.id)) for v in visits]
    keys += [("dosing_session", str(s.session.id)) for s in sessions]
    keys += [("instrument_administration", str(m.administration.id)) for m in measures]
    keys += [("concomitant_medication", str(m.id)) for m in medications]
    return frozenset(keys)


def _staff(
    uow: UnitOfWork,
    sessions: Sequence[SessionRecord],
    measures: Sequence[MeasureRecord],
    consents: Sequence[ConsentRecord],
    events: Sequence[AuditEvent],
) -> dict[int, tuple[StaffMember, dict[int, frozenset[Role]]]]:
    """The staff the record names, with the roles they hold (for Practitioner and its roles)."""
    ids: set[int] = set()
    for s in sessions:
        entries = (*s.vitals, *(d.entry for d in s.doses), *s.adverse_events)
        ids |= {e.recorded_by for e in entries if e.recorded_by is not None}
    ids |= {m.administration.entered_by for m in measures if m.administration.entered_by}
    ids |= {c.signature.witness_id for c in consents}
    ids |= {e.content.actor_id for e in events if e.content.actor_id is not None}
    staff: dict[int, tuple[StaffMember, dict[int, frozenset[Role]]]] = {}
    for user_id in sorted(ids):
        member = uow.staff.get(user_id)
        if member is not None:
            staff[user_id] = (member, dict(uow.staff.roles(user_id)))
    return staff
