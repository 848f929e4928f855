"""One participant as the tabulations see them: identifiers, reference dates and visits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from mdma_at.domain.dosing.records import EntryKind, SessionEntry
from mdma_at.domain.randomisation.study import Study
from mdma_at.domain.schedule.records import Visit
from mdma_at.interop.sdtm.dates import dtc, local_day, study_day
from mdma_at.services.exports.trial_records import PatientRecord

DOSES = (EntryKind.REQUEST_INITIAL, EntryKind.REQUEST_SUPPLEMENTAL)


def doses(entries: tuple[SessionEntry, ...]) -> list[SessionEntry]:
    """The doses given: the dose requests the rules allowed (each is taken from the register
    with its entry, ADR 0111)."""
    return [e for e in entries if e.kind in DOSES and e.allowed]


@dataclass(frozen=True, slots=True)
class Subject:
    study: Study
    record: PatientRecord
    visits: dict[int, Visit]
    first_dose: datetime | None
    last_dose: datetime | None

    @property
    def usubjid(self) -> str:
        return f"{self.study.code}-{self.record.patient.study_id}"

    @property
    def timezone(self) -> str:
        return self.record.site.timezone

    @property
    def reference(self) -> date | None:
        """RFSTDTC's date: the first dose, else the day the participant joined the study."""
        if self.first_dose is not None:
            return local_day(self.first_dose, self.timezone)
        if self.record.trial is not None:
            return local_day(self.record.trial.joined_at, self.timezone)
        return None

    def dtc(self, moment: datetime | date | None) -> str:
        return dtc(moment, self.timezone)

    def day(self, moment: datetime | date | None) -> float:
        """--DY of `moment`, NaN when either date is unknown (a numeric variable's missing)."""
        reference = self.reference
        if moment is None or reference is None:
            return float("nan")
        return float(study_day(local_day(moment, self.timezone), reference))

    def ids(self, domain: str) -> dict[str, object]:
        return {"STUDYID": self.study.code, "DOMAIN": domain, "USUBJID": self.usubjid}

    def visit(self, visit_id: int | None) -> dict[str, object]:
        visit = self.visits.get(visit_id) if visit_id is not None else None
        if visit is None:
            return {"VISITNUM": float("nan"), "VISIT": ""}
        return {"VISITNUM": float(visit.sequence), "VISIT": visit.label}


def subject(study: Study, record: PatientRecord) -> Subject:
    given = sorted(e.t for _, entries in record.sessions for e in doses(entries))
    return Subject(
        study,
        record,
        {v.id: v for v in record.visits},
        given[0] if given else None,
        given[-1] if given else None,
    )
