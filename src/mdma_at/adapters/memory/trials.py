"""Studies, participants, allocations and emergency unblindings in memory (issue 16), as
adapters/db/trial_repositories.py keeps them: participants, allocations and unblindings
append-only, a study's sealed seed written once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from mdma_at.adapters.memory.repositories import _Repository
from mdma_at.adapters.memory.store import Row
from mdma_at.domain.randomisation.conduct import BlindingGuess, RatingAssignment
from mdma_at.domain.randomisation.study import Allocation, Participant, Study, UnblindingRequest


class MemoryStudies(_Repository):
    def add(self, study: Study, created_by: int) -> Study:
        values = {
            "code": study.code,
            "study": study,  # the record itself: the fields the SQL columns keep, as given
            "sealed_seed": None,
            "seed_commitment": None,
            "created_by": created_by,
        }
        stored = self.get(self._tx.insert("studies", values))
        assert stored is not None
        return stored

    def get(self, study_id: int) -> Study | None:
        row = self._tx.get("studies", study_id)
        return _study(row) if row is not None else None

    def by_code(self, code: str) -> Study | None:
        row = self._tx.first("studies", code=code)
        return _study(row) if row is not None else None

    def list(self) -> Sequence[Study]:
        return [_study(r) for r in sorted(self._tx.rows("studies"), key=lambda r: r["code"])]

    def lock(self, study_id: int) -> None:
        """Nothing to hold: the store refuses the second of two concurrent commits instead."""

    def seal(self, study_id: int, sealed_seed: str, commitment: str) -> None:
        row = self._tx.get("studies", study_id)
        if row is not None and row["sealed_seed"] is None:
            self._tx.update(
                "studies", study_id, sealed_seed=sealed_seed, seed_commitment=commitment
            )

    def sealed_seed(self, study_id: int) -> str | None:
        row = self._tx.get("studies", study_id)
        return row["sealed_seed"] if row is not None else None

    def add_participant(
        self, study_id: int, patient_id: int, levels: dict[str, str], by: int, at: datetime
    ) -> Participant:
        values = {
            "study_id": study_id,
            "patient_id": patient_id,
            "levels": dict(levels),
            "joined_by": by,
            "joined_at": at,
        }
        return Participant(self._tx.insert("study_participants", values), study_id, patient_id,
                           dict(levels), at)  # fmt: skip

    def participants(self, study_id: int) -> Sequence[Participant]:
        rows = self._tx.where("study_participants", lambda r: r["study_id"] == study_id)
        return [_participant(r) for r in sorted(rows, key=lambda r: r["id"])]

    def participant_of(self, study_id: int, patient_id: int) -> Participant | None:
        row = self._tx.first("study_participants", study_id=study_id, patient_id=patient_id)
        return _participant(row) if row is not None else None

    def participant(self, participant_id: int) -> Participant | None:
        row = self._tx.get("study_participants", participant_id)
        return _participant(row) if row is not None else None

    def add_allocation(self, allocation: Allocation) -> Allocation:
        values = {f: getattr(allocation, f) for f in Allocation.__dataclass_fields__ if f != "id"}
        return Allocation(self._tx.insert("study_allocations", values), **values)

    def allocations(self, study_id: int) -> Sequence[Allocation]:
        rows = self._tx.where("study_allocations", lambda r: r["study_id"] == study_id)
        return [Allocation(**r) for r in sorted(rows, key=lambda r: r["position"])]

    def add_unblinding_request(
        self, participant_id: int, reason: str, by: int, at: datetime
    ) -> UnblindingRequest:
        values = {
            "participant_id": participant_id,
            "reason": reason,
            "requested_by": by,
            "requested_at": at,
        }
        request_id = self._tx.insert("unblinding_requests", values)
        return UnblindingRequest(request_id, participant_id, reason, by, at)

    def approve_unblinding(self, request_id: int, by: int, at: datetime) -> None:
        values = {"request_id": request_id, "approved_by": by, "approved_at": at}
        self._tx.insert("unblinding_approvals", values)

    def unblinding_requests(self, study_id: int) -> Sequence[UnblindingRequest]:
        in_study = {p.id for p in self.participants(study_id)}
        rows = self._tx.where("unblinding_requests", lambda r: r["participant_id"] in in_study)
        out = []
        for r in sorted(rows, key=lambda r: r["id"]):
            approval = self._tx.first("unblinding_approvals", request_id=r["id"])
            out.append(
                UnblindingRequest(
                    r["id"],
                    r["participant_id"],
                    r["reason"],
                    r["requested_by"],
                    r["requested_at"],
                    approval["approved_by"] if approval else None,
                    approval["approved_at"] if approval else None,
                )
            )
        return out


def _study(row: Row) -> Study:
    study: Study = row["study"]
    return replace(
        study,
        id=row["id"],
        site_ids=tuple(sorted(study.site_ids)),  # as SQL returns them
        seed_commitment=row["seed_commitment"],
    )


def _participant(row: Row) -> Participant:
    return Participant(
        row["id"], row["study_id"], row["patient_id"], dict(row["levels"]), row["joined_at"]
    )


class MemoryTrialConduct(_Repository):
    """Rater assignments and blinding guesses, as adapters/db/trial_repositories.py keeps them."""

    def add_assignment(self, assignment: RatingAssignment) -> RatingAssignment:
        values = {f: getattr(assignment, f) for f in RatingAssignment.__dataclass_fields__}
        del values["id"]
        return RatingAssignment(self._tx.insert("rating_assignments", values), **values)

    def assignments(self, study_id: int) -> Sequence[RatingAssignment]:
        rows = self._tx.where("rating_assignments", lambda r: r["study_id"] == study_id)
        return [RatingAssignment(**r) for r in rows]

    def assignment_for_visit(self, visit_id: int) -> RatingAssignment | None:
        rows = self._tx.where("rating_assignments", lambda r: r["visit_id"] == visit_id)
        return RatingAssignment(**rows[-1]) if rows else None

    def assignments_of(self, rater_id: int) -> Sequence[RatingAssignment]:
        rows = self._tx.rows("rating_assignments")
        latest = {r["visit_id"]: r for r in rows}  # id order: the last of each visit counts
        return [RatingAssignment(**r) for r in latest.values() if r["rater_id"] == rater_id]

    def add_guess(self, guess: BlindingGuess) -> BlindingGuess:
        values = {f: getattr(guess, f) for f in BlindingGuess.__dataclass_fields__ if f != "id"}
        stored = {**values, "respondent_key": guess.respondent_key}
        return BlindingGuess(self._tx.insert("blinding_guesses", stored), **values)

    def guesses(self, study_id: int) -> Sequence[BlindingGuess]:
        rows = self._tx.where("blinding_guesses", lambda r: r["study_id"] == study_id)
        return [_guess(r) for r in rows]

    def guesses_of(self, participant_id: int) -> Sequence[BlindingGuess]:
        rows = self._tx.where("blinding_guesses", lambda r: r["participant_id"] == participant_id)
        return [_guess(r) for r in rows]


def _guess(row: Row) -> BlindingGuess:
    return BlindingGuess(
        **{f: row[f] for f in BlindingGuess.__dataclass_fields__}  # the stored record, as given
    )
