"""In-memory repositories of screening, consent, measures, dosing sessions and pages.

Append-only tables hold column values only (text, numbers, times), as their SQL rows do, so the
audit trail seals them with the same `row_digest`; JSON columns are stored as text and read back
through `json.loads`, so a caller gets fresh dicts as it does from SQL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from mdma_at.adapters.memory.repositories import _Repository, active_visits, member, patient_of
from mdma_at.adapters.memory.store import Row, Transaction
from mdma_at.domain.dosing.records import (
    DosingSession,
    EntryKind,
    NewEntry,
    SessionEntry,
    SessionStatus,
)
from mdma_at.domain.eligibility import Decision
from mdma_at.domain.instruments.definitions import InstrumentDefinition
from mdma_at.domain.instruments.records import ItemAnswer
from mdma_at.domain.instruments.results import Alert, Score
from mdma_at.domain.measurement.records import (
    Administration,
    EnteredThrough,
    LinkDelivery,
    SafetyAlert,
    SelfReportLink,
    StoredAnswer,
)
from mdma_at.domain.patients import Patient
from mdma_at.domain.schedule.records import Visit, VisitStatus
from mdma_at.domain.screening import (
    ConsentDocument,
    ConsentSignature,
    ConsentWithdrawal,
    ScreeningRecord,
    ScreeningSignature,
)
from mdma_at.domain.staff import StaffMember
from mdma_at.services.ports import Page


def _full_name(rows: _Repository, user_id: int) -> str:
    row = rows._tx.get("users", user_id)
    assert row is not None
    return str(row["full_name"])


class MemoryScreenings(_Repository):
    def add(
        self,
        patient_id: int,
        protocol: str,
        screening_date: date,
        intake: Mapping[str, object],
        verdict: Mapping[str, object],
        decision: Decision,
        earliest_baseline: date | None,
        recorded_by: int,
        recorded_at: datetime,
    ) -> ScreeningRecord:
        values: dict[str, Any] = {
            "patient_id": patient_id,
            "protocol": protocol,
            "screening_date": screening_date,
            "intake": json.dumps(intake, sort_keys=True),
            "verdict": json.dumps(verdict),
            "decision": decision.value,
            "earliest_baseline": earliest_baseline,
            "recorded_by": recorded_by,
            "recorded_at": recorded_at,
        }
        return self._record(self._tx.insert("screenings", values))

    def sign(
        self,
        screening_id: int,
        signed_by: int,
        signed_at: datetime,
        decision: Decision,
        override_reason: str | None,
    ) -> ScreeningRecord:
        values: dict[str, Any] = {
            "screening_id": screening_id,
            "signed_by": signed_by,
            "signed_at": signed_at,
            "decision": decision.value,
            "override_reason": override_reason,
        }
        self._tx.insert("screening_signatures", values)
        return self._record(screening_id)

    def get(self, screening_id: int) -> ScreeningRecord | None:
        row = self._tx.get("screenings", screening_id)
        return self._screening(row) if row else None

    def _record(self, screening_id: int) -> ScreeningRecord:
        found = self.get(screening_id)
        assert found is not None
        return found

    def for_patient(self, patient_id: int) -> Sequence[ScreeningRecord]:
        """Oldest first."""
        rows = self._tx.where("screenings", lambda r: r["patient_id"] == patient_id)
        return [self._screening(row) for row in rows]

    def latest(self, patient_id: int) -> ScreeningRecord | None:
        found = self.for_patient(patient_id)
        return found[-1] if found else None

    def unsigned_at(self, site_ids: frozenset[int]) -> Sequence[tuple[int, str, ScreeningRecord]]:
        """Unsigned screenings at `site_ids` as (patient id, study ID, screening), oldest first."""
        out = []
        for row in self._tx.rows("screenings"):
            who = patient_of(self._tx, row["patient_id"])
            record = self._screening(row)
            if who.site_id in site_ids and record.signature is None:
                out.append((who.id, who.details.study_id, record))
        return out

    def _screening(self, row: Row) -> ScreeningRecord:
        signed = self._tx.first("screening_signatures", screening_id=row["id"])
        signature = (
            ScreeningSignature(
                signed["signed_by"],
                _full_name(self, signed["signed_by"]),
                signed["signed_at"],
                Decision(signed["decision"]),
                signed["override_reason"],
            )
            if signed
            else None
        )
        return ScreeningRecord(
            row["id"],
            row["patient_id"],
            row["protocol"],
            row["screening_date"],
            json.loads(row["intake"]),
            json.loads(row["verdict"]),
            Decision(row["decision"]),
            row["earliest_baseline"],
            row["recorded_by"],
            _full_name(self, row["recorded_by"]),
            row["recorded_at"],
            signature,
        )


class MemoryConsents(_Repository):
    def add_document(
        self,
        site_id: int,
        title: str,
        version: int,
        effective_on: date,
        text: str,
        reference: str,
        published_by: int | None,
        published_at: datetime,
    ) -> ConsentDocument:
        values: dict[str, Any] = {
            "site_id": site_id,
            "title": title,
            "version": version,
            "effective_on": effective_on,
            "text": text,
            "reference": reference,
            "published_by": published_by,
            "published_at": published_at,
        }
        found = self.document(self._tx.insert("consent_documents", values))
        assert found is not None
        return found

    def documents(self, site_id: int) -> Sequence[ConsentDocument]:
        rows = self._tx.where("consent_documents", lambda r: r["site_id"] == site_id)
        return sorted((_document(row) for row in rows), key=lambda d: d.version)

    def document(self, document_id: int) -> ConsentDocument | None:
        row = self._tx.get("consent_documents", document_id)
        return _document(row) if row else None

    def add_signature(
        self,
        patient_id: int,
        document_id: int,
        signed_name: str,
        signed_at: datetime,
        witness_id: int,
        recorded_by: int,
        recorded_at: datetime,
    ) -> ConsentSignature:
        values: dict[str, Any] = {
            "patient_id": patient_id,
            "document_id": document_id,
            "signed_name": signed_name,
            "signed_at": signed_at,
            "witness_id": witness_id,
            "recorded_by": recorded_by,
            "recorded_at": recorded_at,
        }
        signature_id = self._tx.insert("consent_signatures", values)
        return next(s for s in self.signatures(patient_id) if s.id == signature_id)

    def signatures(self, patient_id: int) -> Sequence[ConsentSignature]:
        rows = self._tx.where("consent_signatures", lambda r: r["patient_id"] == patient_id)
        rows.sort(key=lambda r: (r["signed_at"], r["id"]))
        return [
            ConsentSignature(
                r["id"],
                r["patient_id"],
                r["document_id"],
                r["signed_name"],
                r["signed_at"],
                r["witness_id"],
                _full_name(self, r["witness_id"]),
                r["recorded_by"],
            )
            for r in rows
        ]

    def add_withdrawal(
        self,
        patient_id: int,
        withdrawn_at: datetime,
        reason: str,
        recorded_by: int,
        recorded_at: datetime,
    ) -> ConsentWithdrawal:
        values: dict[str, Any] = {
            "patient_id": patient_id,
            "withdrawn_at": withdrawn_at,
            "reason": reason,
            "recorded_by": recorded_by,
            "recorded_at": recorded_at,
        }
        withdrawal_id = self._tx.insert("consent_withdrawals", values)
        return ConsentWithdrawal(withdrawal_id, patient_id, withdrawn_at, reason, recorded_by)

    def withdrawals(self, patient_id: int) -> Sequence[ConsentWithdrawal]:
        rows = self._tx.where("consent_withdrawals", lambda r: r["patient_id"] == patient_id)
        rows.sort(key=lambda r: (r["withdrawn_at"], r["id"]))
        fields = ("id", "patient_id", "withdrawn_at", "reason", "recorded_by")
        return [ConsentWithdrawal(*(r[f] for f in fields)) for r in rows]

    def witnesses(self, site_id: int) -> Sequence[StaffMember]:
        """Active staff holding any role at the site, by name."""
        at_site = {
            r["user_id"] for r in self._tx.where("role_grants", lambda r: r["site_id"] == site_id)
        }
        rows = self._tx.where("users", lambda r: r["active"] and r["id"] in at_site)
        return sorted((member(row) for row in rows), key=lambda m: m.full_name)


def _document(row: Row) -> ConsentDocument:
    return ConsentDocument(
        row["id"],
        row["site_id"],
        row["title"],
        row["version"],
        row["effective_on"],
        row["text"],
        row["reference"],
        row["published_at"],
    )


class MemoryQuestionnaireLinks(_Repository):
    def add(
        self,
        patient_id: int,
        visit_id: int | None,
        token_hash: str,
        instruments: Sequence[str],
        created_by: int | None,
        created_at: datetime,
        expires_at: datetime,
        reason: str | None = None,
    ) -> SelfReportLink:
        values: dict[str, Any] = {
            "patient_id": patient_id,
            "visit_id": visit_id,
            "token_hash": token_hash,
            "instruments": tuple(instruments),
            "created_by": created_by,
            "created_at": created_at,
            "expires_at": expires_at,
            "used_at": None,
            "reason": reason,
        }
        found = self.get(self._tx.insert("questionnaire_links", values))
        assert found is not None
        return found

    def get(self, link_id: int) -> SelfReportLink | None:
        return _link(self._tx.get("questionnaire_links", link_id))

    def by_token_hash(self, token_hash: str) -> SelfReportLink | None:
        return _link(self._tx.first("questionnaire_links", token_hash=token_hash))

    def mark_used(self, link_id: int, at: datetime) -> bool:
        """Use the link once: False when it was used already (no double submission)."""
        row = self._tx.get("questionnaire_links", link_id)
        if row is None or row["used_at"] is not None:
            return False
        return self._tx.update("questionnaire_links", link_id, used_at=at)

    def for_patient(self, patient_id: int) -> Sequence[SelfReportLink]:
        rows = self._tx.where("questionnaire_links", lambda r: r["patient_id"] == patient_id)
        return [link for row in rows if (link := _link(row)) is not None]

    def add_delivery(
        self,
        link_id: int,
        channel: str,
        recipient: str,
        status: str,
        error: str | None,
        sent_by: int | None,
        at: datetime,
    ) -> LinkDelivery:
        values: dict[str, Any] = {
            "link_id": link_id,
            "channel": channel,
            "recipient": recipient,
            "status": status,
            "error": error,
            "sent_by": sent_by,
            "at": at,
        }
        return LinkDelivery(self._tx.insert("questionnaire_link_deliveries", values), **values)

    def deliveries(self, link_ids: Sequence[int]) -> Sequence[LinkDelivery]:
        wanted = set(link_ids)
        rows = self._tx.where("questionnaire_link_deliveries", lambda r: r["link_id"] in wanted)
        return [LinkDelivery(**r) for r in sorted(rows, key=lambda r: r["id"])]


def _link(row: Row | None) -> SelfReportLink | None:
    if row is None:
        return None
    values: dict[str, Any] = {k: v for k, v in row.items() if k != "token_hash"}
    return SelfReportLink(**{**values, "instruments": tuple(c for c in row["instruments"] if c)})


class MemoryAdministrations(_Repository):
    def add(
        self,
        patient_id: int,
        visit_id: int | None,
        definition: InstrumentDefinition,
        scored: Score,
        answers: Sequence[ItemAnswer],
        *,
        completed_on: date,
        recorded_at: datetime,
        entered_through: EnteredThrough,
        entered_by: int | None,
        link_id: int | None = None,
        criterion_f: bool | None = None,
        criterion_g: bool | None = None,
    ) -> Administration:
        values: dict[str, Any] = {
            "patient_id": patient_id,
            "visit_id": visit_id,
            "instrument": str(definition.code),
            "version": definition.version,
            "panel_loinc": definition.panel_loinc,
            "total_loinc": definition.total_loinc,
            "completed_on": completed_on,
            "recorded_at": recorded_at,
            "entered_through": entered_through.value,
            "entered_by": entered_by,
            "link_id": link_id,
            "total": scored.total,
            "severity": scored.severity,
            "diagnosis": scored.diagnosis,
            "above_cutoff": scored.above_cutoff,
            "prorated": scored.prorated,
            "criterion_f": criterion_f,
            "criterion_g": criterion_g,
            "result": json.dumps(scored.to_dict(), sort_keys=True),
        }
        administration_id = self._tx.insert("instrument_administrations", values)
        # the score as given, beside the sealed row (whose `result` text is what is digested)
        self._tx.insert("instrument_scores", {"score": scored}, row_id=administration_id)
        for answer in answers:
            self._tx.insert(
                "instrument_item_answers",
                {
                    "administration_id": administration_id,
                    "item_number": answer.number,
                    "item_label": answer.label,
                    "value": answer.value,
                    "item_loinc": answer.loinc,
                    "answer_loinc": answer.answer_loinc,
                },
            )
        stored = self.get(administration_id)
        assert stored is not None
        return stored

    def get(self, administration_id: int) -> Administration | None:
        row = self._tx.get("instrument_administrations", administration_id)
        return self._administration(row) if row else None

    def for_patient(self, patient_id: int) -> Sequence[Administration]:
        rows = self._tx.where("instrument_administrations", lambda r: r["patient_id"] == patient_id)
        rows.sort(key=lambda r: (r["completed_on"], r["id"]))
        return [self._administration(row) for row in rows]

    def answers(self, administration_id: int) -> Sequence[StoredAnswer]:
        rows = self._tx.where(
            "instrument_item_answers", lambda r: r["administration_id"] == administration_id
        )
        rows.sort(key=lambda r: r["item_number"])
        fields = ("item_number", "item_label", "value", "item_loinc", "answer_loinc")
        return [StoredAnswer(*(r[f] for f in fields)) for r in rows]

    def completed(self, patient_ids: Sequence[int]) -> Sequence[tuple[int, int, str, date]]:
        """(patient, visit, instrument, completed on) of administrations recorded for a visit."""
        wanted = set(patient_ids)
        return [
            (r["patient_id"], r["visit_id"], r["instrument"], r["completed_on"])
            for r in self._tx.rows("instrument_administrations")
            if r["patient_id"] in wanted and r["visit_id"] is not None
        ]

    def active_schedules(
        self, site_ids: frozenset[int]
    ) -> Sequence[tuple[Patient, tuple[Visit, ...]]]:
        """Patients with an active enrolment at `site_ids` and their visits not cancelled."""
        pairs = [
            (who, visit)
            for who, visit in active_visits(self._tx, site_ids)
            if visit.status is not VisitStatus.CANCELLED
        ]
        pairs.sort(key=lambda p: (p[0].details.study_id, p[1].sequence))
        schedules: dict[int, tuple[Patient, list[Visit]]] = {}
        for who, visit in pairs:
            schedules.setdefault(who.id, (who, []))[1].append(visit)
        return [(who, tuple(visits)) for who, visits in schedules.values()]

    def _administration(self, row: Row) -> Administration:
        scores = self._tx.get("instrument_scores", row["id"])
        assert scores is not None
        return Administration(
            row["id"],
            row["patient_id"],
            row["visit_id"],
            row["instrument"],
            row["version"],
            row["panel_loinc"],
            row["total_loinc"],
            row["completed_on"],
            row["recorded_at"],
            EnteredThrough(row["entered_through"]),
            row["entered_by"],
            row["link_id"],
            row["criterion_f"],
            row["criterion_g"],
            scores["score"],
        )


class MemorySafetyAlerts(_Repository):
    def add(
        self, patient_id: int, administration_id: int, alert: Alert, raised_at: datetime
    ) -> SafetyAlert:
        values: dict[str, Any] = {
            "patient_id": patient_id,
            "administration_id": administration_id,
            "code": alert.code,
            "level": str(alert.level),
            "reason": alert.reason,
            "item": alert.item,
            "source": str(alert.source),
            "raised_at": raised_at,
        }
        stored = self.get(self._tx.insert("instrument_alerts", values))
        assert stored is not None
        return stored

    def get(self, alert_id: int) -> SafetyAlert | None:
        found = self._select(lambda _who, alert: alert.id == alert_id)
        return found[0][1] if found else None

    def for_patient(self, patient_id: int) -> Sequence[SafetyAlert]:
        return [alert for _, alert in self._select(lambda who, _alert: who.id == patient_id)]

    def open_at(self, site_ids: frozenset[int]) -> Sequence[tuple[Patient, SafetyAlert]]:
        return self._select(
            lambda who, alert: who.site_id in site_ids and alert.acknowledged_at is None
        )

    def acknowledge(self, alert_id: int, user_id: int, at: datetime, action_taken: str) -> None:
        values: dict[str, Any] = {
            "alert_id": alert_id,
            "acknowledged_by": user_id,
            "acknowledged_at": at,
        }
        self._tx.insert(
            "instrument_alert_acknowledgements", values | {"action_taken": action_taken}
        )

    def _select(self, keep: Any) -> list[tuple[Patient, SafetyAlert]]:
        """Alerts with their patients, newest first (by time raised, then id)."""
        found = []
        for row in self._tx.rows("instrument_alerts"):
            who = patient_of(self._tx, row["patient_id"])
            administration = self._tx.get("instrument_administrations", row["administration_id"])
            assert administration is not None
            alert = SafetyAlert(
                **dict(row.items()),
                site_id=who.site_id,
                instrument=administration["instrument"],
            )
            ack = self._tx.first("instrument_alert_acknowledgements", alert_id=row["id"])
            if ack is not None:
                alert = replace(
                    alert,
                    acknowledged_at=ack["acknowledged_at"],
                    acknowledged_by=_full_name(self, ack["acknowledged_by"]),
                    action_taken=ack["action_taken"],
                )
            if keep(who, alert):
                found.append((who, alert))
        found.sort(key=lambda pair: (pair[1].raised_at, pair[1].id), reverse=True)
        return found


class MemoryDosingSessions(_Repository):
    def add(
        self,
        patient_id: int,
        visit_id: int,
        protocol: str,
        session_number: int,
        started_at: datetime,
        started_by: int | None,
        childbearing_potential: bool,
        weight_kg: float | None,
    ) -> DosingSession:
        values: dict[str, Any] = {
            "patient_id": patient_id,
            "visit_id": visit_id,
            "protocol": protocol,
            "session_number": session_number,
            "started_at": started_at,
            "started_by": started_by,
            "childbearing_potential": childbearing_potential,
            "weight_kg": None if weight_kg is None else float(f"{weight_kg:g}"),
            "status": SessionStatus.OPEN,
            "closed_at": None,
        }
        return self._get(self._tx.insert("dosing_sessions", values))

    def get(self, session_id: int) -> DosingSession | None:
        row = self._tx.get("dosing_sessions", session_id)
        return DosingSession(**row) if row else None

    def _get(self, session_id: int) -> DosingSession:
        found = self.get(session_id)
        assert found is not None
        return found

    def lock(self, session_id: int) -> DosingSession | None:
        """No lock to take: of two transactions that both audited a write, the one committing
        second is refused (store.Transaction.commit), so no entry is checked against stale ones."""
        return self.get(session_id)

    def for_visit(self, visit_id: int) -> DosingSession | None:
        row = self._tx.first("dosing_sessions", visit_id=visit_id)
        return DosingSession(**row) if row else None

    def for_patient(self, patient_id: int) -> Sequence[DosingSession]:
        rows = self._tx.where("dosing_sessions", lambda r: r["patient_id"] == patient_id)
        return sorted((DosingSession(**r) for r in rows), key=lambda s: (s.started_at, s.id))

    def open_at(self, site_ids: frozenset[int]) -> Sequence[tuple[Patient, DosingSession]]:
        """Open sessions of patients at `site_ids`, oldest first, with their patients."""
        out = []
        for row in self._tx.rows("dosing_sessions"):
            who = patient_of(self._tx, row["patient_id"])
            if row["status"] is SessionStatus.OPEN and who.site_id in site_ids:
                out.append((who, DosingSession(**row)))
        return sorted(out, key=lambda pair: (pair[1].started_at, pair[1].id))

    def close(self, session_id: int, at: datetime) -> DosingSession:
        self._tx.update("dosing_sessions", session_id, status=SessionStatus.CLOSED, closed_at=at)
        return self._get(session_id)


class MemorySessionEntries(_Repository):
    """Append-only: there is nothing here to change or remove an entry with."""

    def __init__(self, tx: Transaction) -> None:
        super().__init__(tx)
        self._appended: set[int] = set()  # one repository per transaction (MemoryUnitOfWork)

    def append(
        self,
        session_id: int,
        entry: NewEntry,
        recorded_by: int | None,
        recorded_by_name: str,
        role: str | None,
        recorded_at: datetime,
    ) -> SessionEntry:
        values: dict[str, Any] = {
            "session_id": session_id,
            "t": entry.t,
            "kind": entry.kind.value,
            "payload": json.dumps(entry.payload, sort_keys=True),
            "allowed": entry.allowed,
            "reasons": json.dumps(list(entry.reasons)) if entry.allowed is not None else None,
            "recorded_by": recorded_by,
            "recorded_by_name": recorded_by_name,
            "role": role,
            "recorded_at": recorded_at,
        }
        self._appended.add(session_id)
        entry_id = self._tx.insert("dosing_session_events", values)
        return SessionEntry(
            entry_id,
            session_id,
            entry.t,
            entry.kind,
            dict(entry.payload),
            entry.allowed,
            tuple(entry.reasons),
            recorded_by,
            recorded_by_name,
            role,
            recorded_at,
        )

    def for_session(self, session_id: int) -> Sequence[SessionEntry]:
        return self.after(session_id, 0)

    def after(self, session_id: int, entry_id: int) -> Sequence[SessionEntry]:
        rows = self._tx.where(
            "dosing_session_events",
            lambda r: r["session_id"] == session_id and r["id"] > entry_id,
        )
        return [
            SessionEntry(
                id=r["id"],
                session_id=r["session_id"],
                t=r["t"],
                kind=EntryKind(r["kind"]),
                payload=json.loads(r["payload"]),
                allowed=r["allowed"],
                reasons=tuple(json.loads(r["reasons"])) if r["reasons"] else (),
                recorded_by=r["recorded_by"],
                recorded_by_name=r["recorded_by_name"],
                role=r["role"],
                recorded_at=r["recorded_at"],
            )
            for r in rows
        ]

    def tally(self, session_id: int) -> tuple[int, int]:
        rows = self._tx.where("dosing_session_events", lambda r: r["session_id"] == session_id)
        return len(rows), max((r["id"] for r in rows), default=0)

    def appended_to(self) -> frozenset[int]:
        return frozenset(self._appended)


WAITING = ("pending", "retrying")


class MemoryPages(_Repository):
    def add(
        self,
        *,
        site_id: int,
        patient_id: int,
        session_id: int | None,
        safety_alert_id: int | None,
        alert_key: str,
        cause: str,
        message: str,
        channel: str,
        recipient: str,
        created_at: datetime,
    ) -> Page:
        values: dict[str, Any] = {
            "site_id": site_id,
            "patient_id": patient_id,
            "session_id": session_id,
            "safety_alert_id": safety_alert_id,
            "alert_key": alert_key,
            "cause": cause,
            "message": message,
            "channel": channel,
            "recipient": recipient,
            "status": "pending",
            "attempts": 0,
            "last_error": None,
            "created_at": created_at,
            "next_attempt_at": created_at,
            "sent_at": None,
        }
        return self._get(self._tx.insert("pages", values))

    def get(self, page_id: int) -> Page | None:
        row = self._tx.get("pages", page_id)
        return Page(**row) if row else None

    def _get(self, page_id: int) -> Page:
        found = self.get(page_id)
        assert found is not None
        return found

    def due(self, now: datetime) -> Sequence[Page]:
        return self._pages(
            lambda r: (
                r["status"] in WAITING
                and r["next_attempt_at"] is not None
                and r["next_attempt_at"] <= now
            )
        )

    def claim(self, page_id: int, seen_next_attempt_at: datetime, until: datetime) -> bool:
        row = self._tx.get("pages", page_id)
        if row is None or row["status"] not in WAITING:
            return False
        if row["next_attempt_at"] != seen_next_attempt_at:
            return False
        self._tx.update("pages", page_id, next_attempt_at=until)
        return True

    def hold_queue(self) -> None:
        """One process, one store: the fake's transactions are already serial."""

    def update(self, page_id: int, **values: object) -> Page:
        self._tx.update("pages", page_id, **values)
        return self._get(page_id)

    def for_key(self, alert_key: str) -> Sequence[Page]:
        return self._pages(lambda r: r["alert_key"] == alert_key)

    def for_session(self, session_id: int) -> Sequence[Page]:
        return self._pages(lambda r: r["session_id"] == session_id)

    def for_safety_alerts(self, alert_ids: Sequence[int]) -> Sequence[Page]:
        wanted = set(alert_ids)
        return self._pages(lambda r: r["safety_alert_id"] in wanted)

    def _pages(self, keep: Any) -> list[Page]:
        return [Page(**row) for row in self._tx.where("pages", keep)]
