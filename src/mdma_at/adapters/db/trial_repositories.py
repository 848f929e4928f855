"""Studies, participants, allocations and emergency unblindings (issue 16). Participants,
allocations and unblindings are append-only and sealed; a study's sealed seed is written once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.repositories import _Repository
from mdma_at.domain.randomisation import Method
from mdma_at.domain.randomisation.conduct import (
    BlindingGuess,
    Confidence,
    Guess,
    RatingAssignment,
    Respondent,
)
from mdma_at.domain.randomisation.study import (
    Allocation,
    Arm,
    Participant,
    Study,
    UnblindingRequest,
)


class SqlStudies(_Repository):
    def add(self, study: Study, created_by: int) -> Study:
        study_id = self._insert(
            t.studies,
            code=study.code,
            title=study.title,
            protocol=study.protocol,
            arms=json.dumps([{"code": a.code, "name": a.name} for a in study.arms]),
            target_size=study.target_size,
            method=study.method.value,
            block_sizes=",".join(str(s) for s in study.block_sizes),
            factors=",".join(study.factors),
            p_best=study.p_best,
            designated_physician_id=study.designated_physician_id,
            created_by=created_by,
            created_at=study.created_at,
        )
        for site_id in study.site_ids:
            self._insert(t.study_sites, study_id=study_id, site_id=site_id)
        stored = self.get(study_id)
        assert stored is not None
        return stored

    def get(self, study_id: int) -> Study | None:
        row = self._db.execute(select(t.studies).where(t.studies.c.id == study_id)).first()
        return self._study(row) if row else None

    def by_code(self, code: str) -> Study | None:
        row = self._db.execute(select(t.studies).where(t.studies.c.code == code)).first()
        return self._study(row) if row else None

    def list(self) -> Sequence[Study]:
        rows = self._db.execute(select(t.studies).order_by(t.studies.c.code)).all()
        return [self._study(row) for row in rows]

    def lock(self, study_id: int) -> None:
        """Hold the study's row until the transaction ends, so two randomisations of one study
        queue up and each sees the other's allocation (PostgreSQL row lock; SQLite already holds
        the database's write lock)."""
        self._db.execute(select(t.studies.c.id).where(t.studies.c.id == study_id).with_for_update())

    def seal(self, study_id: int, sealed_seed: str, commitment: str) -> None:
        """Store the sealed seed once: a study already sealed is left as it is."""
        c = t.studies.c
        self._db.execute(
            update(t.studies)
            .where(c.id == study_id, c.sealed_seed.is_(None))
            .values(sealed_seed=sealed_seed, seed_commitment=commitment)
        )

    def sealed_seed(self, study_id: int) -> str | None:
        c = t.studies.c
        value = self._db.execute(select(c.sealed_seed).where(c.id == study_id)).scalar()
        return str(value) if value is not None else None

    def add_participant(
        self, study_id: int, patient_id: int, levels: dict[str, str], by: int, at: datetime
    ) -> Participant:
        participant_id = self._insert(
            t.study_participants,
            study_id=study_id,
            patient_id=patient_id,
            levels=json.dumps(levels, sort_keys=True),
            joined_by=by,
            joined_at=at,
        )
        return Participant(participant_id, study_id, patient_id, levels, at)

    def participants(self, study_id: int) -> Sequence[Participant]:
        c = t.study_participants.c
        rows = self._db.execute(
            select(t.study_participants).where(c.study_id == study_id).order_by(c.id)
        )
        return [_participant(row) for row in rows]

    def participant_of(self, study_id: int, patient_id: int) -> Participant | None:
        c = t.study_participants.c
        row = self._db.execute(
            select(t.study_participants).where(c.study_id == study_id, c.patient_id == patient_id)
        ).first()
        return _participant(row) if row else None

    def participant(self, participant_id: int) -> Participant | None:
        c = t.study_participants.c
        row = self._db.execute(select(t.study_participants).where(c.id == participant_id)).first()
        return _participant(row) if row else None

    def add_allocation(self, allocation: Allocation) -> Allocation:
        values = {f: getattr(allocation, f) for f in Allocation.__dataclass_fields__ if f != "id"}
        return Allocation(self._insert(t.study_allocations, **values), **values)

    def allocations(self, study_id: int) -> Sequence[Allocation]:
        c = t.study_allocations.c
        rows = self._db.execute(
            select(t.study_allocations).where(c.study_id == study_id).order_by(c.position)
        )
        return [_allocation(row) for row in rows]

    def add_unblinding_request(
        self, participant_id: int, reason: str, by: int, at: datetime
    ) -> UnblindingRequest:
        request_id = self._insert(
            t.unblinding_requests,
            participant_id=participant_id,
            reason=reason,
            requested_by=by,
            requested_at=at,
        )
        return UnblindingRequest(request_id, participant_id, reason, by, at)

    def approve_unblinding(self, request_id: int, by: int, at: datetime) -> None:
        self._insert(t.unblinding_approvals, request_id=request_id, approved_by=by, approved_at=at)

    def unblinding_requests(self, study_id: int) -> Sequence[UnblindingRequest]:
        r, a, p = t.unblinding_requests, t.unblinding_approvals, t.study_participants
        rows = self._db.execute(
            select(r, a.c.approved_by, a.c.approved_at)
            .join(p, p.c.id == r.c.participant_id)
            .outerjoin(a, a.c.request_id == r.c.id)
            .where(p.c.study_id == study_id)
            .order_by(r.c.id)
        )
        return [
            UnblindingRequest(
                row.id,
                row.participant_id,
                row.reason,
                row.requested_by,
                row.requested_at,
                row.approved_by,
                row.approved_at,
            )
            for row in rows
        ]

    def _study(self, row: Any) -> Study:
        c = t.study_sites.c
        sites = self._db.execute(
            select(c.site_id).where(c.study_id == row.id).order_by(c.site_id)
        ).scalars()
        return Study(
            row.id,
            row.code,
            row.title,
            row.protocol,
            tuple(Arm(a["code"], a["name"]) for a in json.loads(row.arms)),
            tuple(int(s) for s in sites),
            row.target_size,
            Method(row.method),
            tuple(int(s) for s in row.block_sizes.split(",") if s),
            tuple(f for f in row.factors.split(",") if f),
            float(row.p_best),
            row.designated_physician_id,
            row.seed_commitment,
            row.created_at,
        )


def _participant(row: Any) -> Participant:
    return Participant(row.id, row.study_id, row.patient_id, json.loads(row.levels), row.joined_at)


def _allocation(row: Any) -> Allocation:
    return Allocation(
        row.id,
        row.study_id,
        row.participant_id,
        row.position,
        row.stratum,
        row.arm,
        row.allocated_at,
        row.allocated_by,
    )


class SqlTrialConduct(_Repository):
    """Rater assignments and blinding guesses (append-only, sealed; migration 0022)."""

    def add_assignment(self, assignment: RatingAssignment) -> RatingAssignment:
        values = {f: getattr(assignment, f) for f in RatingAssignment.__dataclass_fields__}
        del values["id"]
        return RatingAssignment(self._insert(t.rating_assignments, **values), **values)

    def assignments(self, study_id: int) -> Sequence[RatingAssignment]:
        c = t.rating_assignments.c
        rows = self._db.execute(
            select(t.rating_assignments).where(c.study_id == study_id).order_by(c.id)
        )
        return [_assignment(row) for row in rows]

    def assignment_for_visit(self, visit_id: int) -> RatingAssignment | None:
        c = t.rating_assignments.c
        row = self._db.execute(
            select(t.rating_assignments).where(c.visit_id == visit_id).order_by(c.id.desc())
        ).first()
        return _assignment(row) if row else None

    def assignments_of(self, rater_id: int) -> Sequence[RatingAssignment]:
        c = t.rating_assignments.c
        latest = (
            select(func.max(c.id)).group_by(c.visit_id).scalar_subquery()
        )  # the last assignment of each visit counts
        rows = self._db.execute(
            select(t.rating_assignments)
            .where(c.rater_id == rater_id, c.id.in_(latest))
            .order_by(c.id)
        )
        return [_assignment(row) for row in rows]

    def add_guess(self, guess: BlindingGuess) -> BlindingGuess:
        values = {f: getattr(guess, f) for f in BlindingGuess.__dataclass_fields__ if f != "id"}
        stored = {
            **values,
            "respondent": guess.respondent.value,
            "guess": guess.guess.value,
            "confidence": guess.confidence.value if guess.confidence else None,
            "respondent_key": guess.respondent_key,
        }
        return BlindingGuess(self._insert(t.blinding_guesses, **stored), **values)

    def guesses(self, study_id: int) -> Sequence[BlindingGuess]:
        c = t.blinding_guesses.c
        return self._guesses(c.study_id == study_id)

    def guesses_of(self, participant_id: int) -> Sequence[BlindingGuess]:
        # the unique (participant_id, time_point, respondent_key) index serves this read
        return self._guesses(t.blinding_guesses.c.participant_id == participant_id)

    def _guesses(self, where: ColumnElement[bool]) -> Sequence[BlindingGuess]:
        c = t.blinding_guesses.c
        rows = self._db.execute(select(t.blinding_guesses).where(where).order_by(c.id))
        return [
            BlindingGuess(
                row.id,
                row.study_id,
                row.participant_id,
                row.time_point,
                Respondent(row.respondent),
                row.respondent_id,
                Guess(row.guess),
                Confidence(row.confidence) if row.confidence else None,
                row.recorded_by,
                row.recorded_at,
            )
            for row in rows
        ]


def _assignment(row: Any) -> RatingAssignment:
    return RatingAssignment(
        row.id,
        row.study_id,
        row.participant_id,
        row.patient_id,
        row.visit_id,
        row.rater_id,
        row.assigned_by,
        row.assigned_at,
    )
