"""The research tables, one row per observation, in the columns the analysis functions read
(docs/analysis/tables.md): efficacy and responders (CAPS-5), safety (population, aes, vitals).

The arm column: the arm's code for a receiver unblinded for the patient's study; "blinded" for a
randomised participant of a blinded receiver; "not_randomised" for a participant not yet
randomised; "open_label" for a clinic patient in no study. Which of these a receiver sees comes
from `services.exports.redaction.visible_arm` alone.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from mdma_at.domain.adverse_events import AeCategory
from mdma_at.domain.dosing.records import EntryKind
from mdma_at.domain.patients import age_on
from mdma_at.interop.research.deidentify import age_group, reviewed, shifted
from mdma_at.services.exports.research import ResearchExport
from mdma_at.services.exports.trial_records import PatientRecord
from mdma_at.services.ports import ResearchKey

DOSES = (EntryKind.REQUEST_INITIAL, EntryKind.REQUEST_SUPPLEMENTAL)
#: The safety table's categories of special interest (analysis/safety.py SPECIAL_INTEREST), by
#: the console's category or term.
SPECIAL_INTEREST = {AeCategory.ABUSE_RELATED.value: "abuse_potential"}
SUICIDALITY_TERMS = frozenset({"Suicidal ideation"})
CAPS5 = "caps5"
BASELINE, PRIMARY = "baseline", "primary"


def arm_of(record: PatientRecord) -> str:
    trial = record.trial
    if trial is None:
        return "open_label"
    if trial.arm is not None:
        return trial.arm.code
    return "blinded" if trial.randomised_at is not None else "not_randomised"


def build(export: ResearchExport) -> dict[str, pd.DataFrame]:
    """Every table by file name (without extension)."""
    rows: dict[str, list[dict[str, object]]] = {
        "subjects": [], "visits": [], "scores": [], "efficacy": [], "responders": [],
        "population": [], "aes": [], "vitals": [], "doses": [],
    }  # fmt: skip
    for record, key in export.records:
        subject, arm = key.research_id, arm_of(record)
        rows["subjects"].append(_subject(record, key, arm, export.exported_at.date()))
        visit_codes = {v.id: v.code for v in record.visits}
        for planned in record.visits:
            day = shifted(planned.held_on or planned.planned, key)
            rows["visits"].append(
                {"subject": subject, "visit": planned.code, "status": planned.status.value,
                 "date": day}
            )  # fmt: skip
        latest: dict[str, tuple[int | None, bool | None]] = {}
        for administration, _ in sorted(record.administrations, key=lambda a: a[0].completed_on):
            visit = visit_codes.get(administration.visit_id or -1, "")
            score = administration.score
            rows["scores"].append({"subject": subject, "arm": arm,
                                   "instrument": administration.instrument, "visit": visit,
                                   "value": score.total,
                                   "date": shifted(administration.completed_on, key)})  # fmt: skip
            if administration.instrument == CAPS5 and visit:
                latest[visit] = (score.total, score.diagnosis)
        if BASELINE in latest and latest[BASELINE][0] is not None:
            # only participants with a baseline: the efficacy table refuses any other
            for code, (total, _) in latest.items():
                rows["efficacy"].append(
                    {"subject": subject, "arm": arm, "visit": code, "value": total}
                )
            endpoint = latest.get(PRIMARY, (None, None))
            rows["responders"].append({"subject": subject, "arm": arm,
                                       "baseline": latest[BASELINE][0], "value": endpoint[0],
                                       "meets_dsm5": endpoint[1]})  # fmt: skip
        _sessions(record, key, subject, arm, rows)
    return {name: pd.DataFrame(table, columns=COLUMNS[name]) for name, table in rows.items()}


COLUMNS = {
    "subjects": ["subject", "arm", "sex", "age", "enrolled", "withdrawn"],
    "visits": ["subject", "visit", "status", "date"],
    "scores": ["subject", "arm", "instrument", "visit", "value", "date"],
    "efficacy": ["subject", "arm", "visit", "value"],
    "responders": ["subject", "arm", "baseline", "value", "meets_dsm5"],
    "population": ["subject", "arm"],
    "aes": ["subject", "arm", "session", "term", "category", "severity", "serious",
            "relatedness", "treatment_emergent", "special_interest", "solicited", "onset"],
    "vitals": ["subject", "arm", "session", "t", "systolic", "diastolic", "heart_rate",
               "temperature_c", "spo2", "pre_dose"],
    "doses": ["subject", "arm", "session", "t", "kind", "mg"],
}  # fmt: skip


def _subject(record: PatientRecord, key: ResearchKey, arm: str, today: date) -> dict[str, object]:
    """Age at the first screening (else enrolment, else the export): the age the trial reports."""
    first = min(
        [s.screening_date for s in record.screenings] + [e.enrolled_on for e in record.enrolments],
        default=today,
    )
    details = record.patient.details
    return {
        "subject": key.research_id, "arm": arm, "sex": details.sex.value,
        "age": age_group(age_on(details.date_of_birth, first)),
        "enrolled": shifted(min((e.enrolled_on for e in record.enrolments), default=None), key),
        "withdrawn": shifted(
            min((e.withdrawn_on for e in record.enrolments if e.withdrawn_on), default=None), key
        ),
    }  # fmt: skip


def _sessions(
    record: PatientRecord, key: ResearchKey, subject: str, arm: str,
    rows: dict[str, list[dict[str, object]]],
) -> None:  # fmt: skip
    """Doses, vitals and adverse events of each session; times in minutes from the initial dose
    (from the session's start where none was given), so no clock time leaves."""
    dosed = False
    for session, entries in record.sessions:
        given = [e for e in entries if e.kind in DOSES and e.allowed]
        initial = next((e.t for e in given if e.kind is EntryKind.REQUEST_INITIAL), None)
        zero = initial or session.started_at

        def minutes(moment: datetime, zero: datetime = zero) -> float:
            return round((moment - zero).total_seconds() / 60, 1)

        for entry in given:
            dosed = True
            rows["doses"].append({"subject": subject, "arm": arm, "session": session.session_number,
                                  "t": minutes(entry.t), "kind": entry.kind.value.removeprefix(
                                      "request_"), "mg": entry.payload["mg"]})  # fmt: skip
        for entry in entries:
            p = entry.payload
            if entry.kind is EntryKind.VITALS:
                rows["vitals"].append({
                    "subject": subject, "arm": arm, "session": session.session_number,
                    "t": minutes(entry.t), "systolic": p["systolic"], "diastolic": p["diastolic"],
                    "heart_rate": p["heart_rate"], "temperature_c": p.get("temperature_c"),
                    "spo2": p.get("spo2"), "pre_dose": initial is None or entry.t < initial,
                })  # fmt: skip
            elif entry.kind is EntryKind.ADVERSE_EVENT:
                onset = datetime.fromisoformat(p["onset"]) if p.get("onset") else entry.t
                term = reviewed(str(p["term"]))
                category = str(p.get("category") or AeCategory.OTHER.value)
                special = ("suicidality" if term in SUICIDALITY_TERMS
                           else SPECIAL_INTEREST.get(category, ""))  # fmt: skip
                rows["aes"].append({
                    "subject": subject, "arm": arm, "session": session.session_number,
                    "term": term, "category": category, "severity": p.get("severity"),
                    "serious": bool(p.get("serious")), "relatedness": p.get("relatedness"),
                    "treatment_emergent": initial is not None and onset >= initial,
                    "special_interest": special, "solicited": bool(p.get("solicited")),
                    "onset": shifted(onset, key),
                })  # fmt: skip
    if dosed:
        rows["population"].append({"subject": subject, "arm": arm})
