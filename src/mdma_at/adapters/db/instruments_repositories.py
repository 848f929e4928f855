"""Repositories of measurement-based care (issue 4): links, administrations, safety alerts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, and_, select, update

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.repositories import _AttrRow, _patient, _Repository, _visit
from mdma_at.domain.instruments.definitions import InstrumentDefinition
from mdma_at.domain.instruments.records import ItemAnswer
from mdma_at.domain.instruments.results import Alert, ClusterScore, Score
from mdma_at.domain.measurement.records import (
    Administration,
    EnteredThrough,
    LinkDelivery,
    SafetyAlert,
    SelfReportLink,
    StoredAnswer,
)
from mdma_at.domain.patients import Patient
from mdma_at.domain.schedule.records import EnrolmentStatus, Visit, VisitStatus


class SqlQuestionnaireLinks(_Repository):
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
        link_id = self._insert(
            t.questionnaire_links,
            patient_id=patient_id,
            visit_id=visit_id,
            token_hash=token_hash,
            instruments=",".join(instruments),
            created_by=created_by,
            created_at=created_at,
            expires_at=expires_at,
            reason=reason,
        )
        link = self.get(link_id)
        assert link is not None
        return link

    def get(self, link_id: int) -> SelfReportLink | None:
        c = t.questionnaire_links.c
        row = self._db.execute(select(t.questionnaire_links).where(c.id == link_id)).first()
        return _link(row) if row else None

    def by_token_hash(self, token_hash: str) -> SelfReportLink | None:
        c = t.questionnaire_links.c
        row = self._db.execute(
            select(t.questionnaire_links).where(c.token_hash == token_hash)
        ).first()
        return _link(row) if row else None

    def mark_used(self, link_id: int, at: datetime) -> bool:
        """Use the link once: False when another request used it first (no double submission)."""
        c = t.questionnaire_links.c
        result = self._db.execute(
            update(t.questionnaire_links)
            .where(c.id == link_id, c.used_at.is_(None))
            .values(used_at=at)
        )
        return result.rowcount == 1

    def for_patient(self, patient_id: int) -> Sequence[SelfReportLink]:
        c = t.questionnaire_links.c
        rows = self._db.execute(
            select(t.questionnaire_links).where(c.patient_id == patient_id).order_by(c.id)
        )
        return [_link(row) for row in rows]

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
        delivery_id = self._insert(
            t.questionnaire_link_deliveries,
            link_id=link_id,
            channel=channel,
            recipient=recipient,
            status=status,
            error=error,
            sent_by=sent_by,
            at=at,
        )
        return LinkDelivery(delivery_id, link_id, channel, recipient, status, error, sent_by, at)

    def deliveries(self, link_ids: Sequence[int]) -> Sequence[LinkDelivery]:
        c = t.questionnaire_link_deliveries.c
        rows = self._db.execute(
            select(t.questionnaire_link_deliveries).where(c.link_id.in_(link_ids)).order_by(c.id)
        )
        return [
            LinkDelivery(
                r.id, r.link_id, r.channel, r.recipient, r.status, r.error, r.sent_by, r.at
            )
            for r in rows
        ]


def _link(row: Row[Any]) -> SelfReportLink:
    return SelfReportLink(
        row.id,
        row.patient_id,
        row.visit_id,
        tuple(code for code in row.instruments.split(",") if code),
        row.created_by,
        row.created_at,
        row.expires_at,
        row.used_at,
        row.reason,
    )


class SqlAdministrations(_Repository):
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
        administration_id = self._insert(
            t.instrument_administrations,
            patient_id=patient_id,
            visit_id=visit_id,
            instrument=str(definition.code),
            version=definition.version,
            panel_loinc=definition.panel_loinc,
            total_loinc=definition.total_loinc,
            completed_on=completed_on,
            recorded_at=recorded_at,
            entered_through=entered_through.value,
            entered_by=entered_by,
            link_id=link_id,
            total=scored.total,
            severity=scored.severity,
            diagnosis=scored.diagnosis,
            above_cutoff=scored.above_cutoff,
            prorated=scored.prorated,
            criterion_f=criterion_f,
            criterion_g=criterion_g,
            result=json.dumps(scored.to_dict(), sort_keys=True),
        )
        self._insert_many(  # one statement for the items (a PCL-5 has 20)
            t.instrument_item_answers,
            [
                {
                    "administration_id": administration_id,
                    "item_number": answer.number,
                    "item_label": answer.label,
                    "value": answer.value,
                    "item_loinc": answer.loinc,
                    "answer_loinc": answer.answer_loinc,
                }
                for answer in answers
            ],
        )
        stored = self.get(administration_id)
        assert stored is not None
        return stored

    def get(self, administration_id: int) -> Administration | None:
        c = t.instrument_administrations.c
        row = self._db.execute(
            select(t.instrument_administrations).where(c.id == administration_id)
        ).first()
        return _administration(row) if row else None

    def for_patient(self, patient_id: int) -> Sequence[Administration]:
        c = t.instrument_administrations.c
        rows = self._db.execute(
            select(t.instrument_administrations)
            .where(c.patient_id == patient_id)
            .order_by(c.completed_on, c.id)
        )
        return [_administration(row) for row in rows]

    def answers(self, administration_id: int) -> Sequence[StoredAnswer]:
        c = t.instrument_item_answers.c
        rows = self._db.execute(
            select(t.instrument_item_answers)
            .where(c.administration_id == administration_id)
            .order_by(c.item_number)
        )
        return [
            StoredAnswer(r.item_number, r.item_label, r.value, r.item_loinc, r.answer_loinc)
            for r in rows
        ]

    def completed(self, patient_ids: Sequence[int]) -> Sequence[tuple[int, int, str, date]]:
        """(patient, visit, instrument, completed on) of administrations recorded for a visit."""
        c = t.instrument_administrations.c
        rows = self._db.execute(
            select(c.patient_id, c.visit_id, c.instrument, c.completed_on).where(
                c.patient_id.in_(patient_ids), c.visit_id.is_not(None)
            )
        )
        return [(r.patient_id, r.visit_id, r.instrument, r.completed_on) for r in rows]

    def active_schedules(
        self, site_ids: frozenset[int]
    ) -> Sequence[tuple[Patient, tuple[Visit, ...]]]:
        """Patients with an active enrolment at `site_ids` and their visits not cancelled."""
        v, e, p = t.visits.c, t.enrolments.c, t.patients.c
        query = (
            select(t.visits, *[col.label(f"p_{col.name}") for col in t.patients.c])
            .join(t.enrolments, e.id == v.enrolment_id)
            .join(t.patients, p.id == e.patient_id)
            .where(
                p.site_id.in_(site_ids),
                e.status == EnrolmentStatus.ACTIVE.value,
                v.status != VisitStatus.CANCELLED.value,
            )
            .order_by(p.study_id, v.sequence)
        )
        schedules: dict[int, tuple[Patient, list[Visit]]] = {}
        for row in self._db.execute(query):
            patient_id = row.p_id
            if patient_id not in schedules:
                values = {col.name: getattr(row, f"p_{col.name}") for col in t.patients.c}
                schedules[patient_id] = (_patient(_AttrRow(values)), [])
            schedules[patient_id][1].append(_visit(row))
        return [(patient, tuple(visits)) for patient, visits in schedules.values()]


def _administration(row: Row[Any]) -> Administration:
    result = json.loads(row.result)
    clusters = {
        code: ClusterScore(code, **values) for code, values in result.get("clusters", {}).items()
    }
    scored = Score(
        row.instrument,
        row.total,
        row.severity,
        row.diagnosis,
        row.above_cutoff,
        clusters=clusters,
        prorated=row.prorated,
        # Results stored before issue 9 lack these keys: no list, and provisional only if said.
        missing_items=tuple(result.get("missing_items", ())),
        provisional=bool(result.get("provisional", False)),
    )
    return Administration(
        row.id,
        row.patient_id,
        row.visit_id,
        row.instrument,
        row.version,
        row.panel_loinc,
        row.total_loinc,
        row.completed_on,
        row.recorded_at,
        EnteredThrough(row.entered_through),
        row.entered_by,
        row.link_id,
        row.criterion_f,
        row.criterion_g,
        scored,
    )


class SqlSafetyAlerts(_Repository):
    def add(
        self, patient_id: int, administration_id: int, alert: Alert, raised_at: datetime
    ) -> SafetyAlert:
        alert_id = self._insert(
            t.instrument_alerts,
            patient_id=patient_id,
            administration_id=administration_id,
            code=alert.code,
            level=str(alert.level),
            reason=alert.reason,
            item=alert.item,
            source=str(alert.source),
            raised_at=raised_at,
        )
        stored = self.get(alert_id)
        assert stored is not None
        return stored

    def get(self, alert_id: int) -> SafetyAlert | None:
        rows = self._select(t.instrument_alerts.c.id == alert_id)
        return rows[0][1] if rows else None

    def for_patient(self, patient_id: int) -> Sequence[SafetyAlert]:
        return [alert for _, alert in self._select(t.instrument_alerts.c.patient_id == patient_id)]

    def open_at(self, site_ids: frozenset[int]) -> Sequence[tuple[Patient, SafetyAlert]]:
        return self._select(
            and_(
                t.patients.c.site_id.in_(site_ids),
                t.instrument_alert_acknowledgements.c.id.is_(None),
            )
        )

    def acknowledge(self, alert_id: int, user_id: int, at: datetime, action_taken: str) -> None:
        self._insert(
            t.instrument_alert_acknowledgements,
            alert_id=alert_id,
            acknowledged_by=user_id,
            acknowledged_at=at,
            action_taken=action_taken,
        )

    def _select(self, condition: Any) -> list[tuple[Patient, SafetyAlert]]:
        a, k, d = t.instrument_alerts.c, t.instrument_alert_acknowledgements.c, t.users.c
        adm = t.instrument_administrations.c
        query = (
            select(
                t.instrument_alerts,
                adm.instrument.label("instrument"),
                k.acknowledged_at,
                k.action_taken,
                d.full_name.label("acknowledged_by"),
                *[col.label(f"p_{col.name}") for col in t.patients.c],
            )
            .join(t.patients, t.patients.c.id == a.patient_id)
            .join(t.instrument_administrations, adm.id == a.administration_id)
            .outerjoin(t.instrument_alert_acknowledgements, k.alert_id == a.id)
            .outerjoin(t.users, d.id == k.acknowledged_by)
            .where(condition)
            .order_by(a.raised_at.desc(), a.id.desc())
        )
        found = []
        for row in self._db.execute(query):
            values = {col.name: getattr(row, f"p_{col.name}") for col in t.patients.c}
            patient = _patient(_AttrRow(values))
            alert = SafetyAlert(
                row.id,
                row.patient_id,
                patient.site_id,
                row.administration_id,
                row.instrument,
                row.code,
                row.level,
                row.reason,
                row.item,
                row.source,
                row.raised_at,
                row.acknowledged_at,
                row.acknowledged_by,
                row.action_taken,
            )
            found.append((patient, alert))
        return found
