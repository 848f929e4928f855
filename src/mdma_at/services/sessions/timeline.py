"""A recorded session as a `mdma-at session replay` timeline (docs/session-replay.md).

The replay runs the same engine, so replaying a recorded session gives the decisions that were
given live. Entries no rule reads (notes, presence, escalations) are left out; the pre-dose
checklist becomes `pre_dose`.
"""

from __future__ import annotations

from typing import Any

from mdma_at.domain.dosing.records import EntryKind, SessionEntry
from mdma_at.domain.dosing.session_facts import stamp
from mdma_at.services.sessions.recording import SessionFile

_CHECKLIST_KEYS = (
    "consent_current",
    "eligibility_signed",
    "washout_complete",
    "fasting_hours",
    "cssrs_risk",
    "providers_present",
    "pregnancy_test",
    "pregnancy_test_date",
    "safety_alert_open",
    "medications_changed",
)


def _pre_dose(entries: tuple[SessionEntry, ...]) -> dict[str, Any]:
    """The checklist in force at the initial request (the last one before it; without an initial
    request, the last one recorded). The replay has one checklist per session, given up front."""
    checklist: dict[str, Any] = {}
    for entry in entries:
        if entry.kind is EntryKind.REQUEST_INITIAL and checklist:
            # What the records said at the request (C-SSRS today, open safety alert) is what
            # the gate read (issue 9, item 6; `domain.dosing.entries.with_records`).
            records = entry.payload.get("records", {})
            checklist.update({k: v for k, v in records.items() if v is not None})
            if records.get("cssrs_risk") is None:
                checklist.pop("cssrs_risk", None)
            break
        if entry.kind is EntryKind.CHECKLIST:
            # A C-SSRS not recorded is None here and left out there (missing = not assessed).
            checklist = {
                k: entry.payload[k] for k in _CHECKLIST_KEYS if entry.payload.get(k) is not None
            }
    return checklist


def _event(entry: SessionEntry) -> dict[str, Any] | None:
    d = entry.payload
    base: dict[str, Any] = {"t": stamp(entry.t), "type": entry.kind.value}
    if entry.kind is EntryKind.VITALS:
        optional = ("temperature_c", "spo2")
        return {
            **base,
            **{k: d[k] for k in ("systolic", "diastolic", "heart_rate")},
            **{k: d[k] for k in optional if d.get(k) is not None},
        }
    if entry.kind is EntryKind.SUDS:
        return {**base, "value": d["value"]}
    if entry.kind is EntryKind.CSSRS:
        return {**base, "risk": d["risk"]}
    if entry.kind in (EntryKind.REQUEST_INITIAL, EntryKind.REQUEST_SUPPLEMENTAL):
        # The kit number names the unit given (ADR 0111); never its lot or contents.
        kit = {"kit": d["kit"]["kit_number"]} if d.get("kit") else {}
        return {**base, "mg": d["mg"], **kit}
    if entry.kind is EntryKind.REQUEST_DISCHARGE:
        return {**base, **{k: d[k] for k in ("physician_signoff", "escort", "overnight_stay")}}
    if entry.kind is EntryKind.OVERRIDE:
        return {**base, "action": d["action"], "by_role": entry.role or "", "reason": d["reason"]}
    if entry.kind is EntryKind.ACKNOWLEDGE:
        return {**base, "by_role": entry.role or ""}
    if entry.kind is EntryKind.ADVERSE_EVENT:
        return {
            **base,
            "term": d["term"],
            "severity": d.get("severity"),
            "serious": bool(d.get("serious")),
            "special_interest": bool(d.get("special_interest")),
            "related": d.get("relatedness"),
        }
    return None


def replay_timeline(file: SessionFile) -> dict[str, Any]:
    """The session as the replay command's input document."""
    session = file.session
    patient: dict[str, Any] = {
        "sex": file.patient.details.sex.value,
        "childbearing_potential": session.childbearing_potential,
    }
    if session.weight_kg is not None:
        patient["weight_kg"] = session.weight_kg
    events = [e for e in (_event(entry) for entry in file.entries) if e is not None]
    return {
        "protocol": session.protocol,
        "session_number": session.session_number,
        "patient": patient,
        "pre_dose": _pre_dose(file.entries),
        "events": events,
    }
