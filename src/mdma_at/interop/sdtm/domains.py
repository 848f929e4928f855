"""Each SDTM domain's records of one participant (SDTMIG 3.3), as dicts keyed by variable.

Pure functions of the participant's records; `datasets.build` numbers --SEQ and orders them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from mdma_at.domain.adverse_events import AeAction, AeCategory, AeOutcome, AeSeverity, Relatedness
from mdma_at.domain.dosing.records import EntryKind
from mdma_at.domain.eligibility.ecg import QtCorrection, corrected_qt, rr_from_heart_rate
from mdma_at.domain.patients import age_on
from mdma_at.interop.sdtm import terms
from mdma_at.interop.sdtm.subject import Subject, doses
from mdma_at.protocols import get_protocol

Row = dict[str, object]
NAN = float("nan")
#: ARMNRS when the receiver is blinded: a sponsor extension of ARMNULRS (C142179), used only in
#: blinded exports (ADR 0184); the submission is made by the unblinded statistician.
BLINDED = "BLINDED"
BLINDED_TREATMENT = "MDMA OR PLACEBO (BLINDED)"


def dm(s: Subject) -> list[Row]:
    r = s.record
    trial = r.trial
    consent = min((c.signed_at for c in r.consents), default=None)
    arm = trial.arm if trial is not None else None
    treated = s.first_dose is not None
    if arm is not None:
        armcd, arm_name, reason = arm.code.upper(), arm.name, ""
    elif trial is not None and trial.randomised_at is not None:
        armcd, arm_name, reason = "", "", BLINDED
    else:
        armcd, arm_name, reason = "", "", "NOT ASSIGNED"
    reference = s.reference
    return [{
        **s.ids("DM"),
        "SUBJID": r.patient.study_id,
        "RFSTDTC": s.dtc(s.first_dose) if treated else s.dtc(reference),
        "RFENDTC": s.dtc(s.last_dose),
        "RFXSTDTC": s.dtc(s.first_dose),
        "RFXENDTC": s.dtc(s.last_dose),
        "RFICDTC": s.dtc(consent),
        "SITEID": r.site.code,
        "AGE": float(age_on(r.patient.details.date_of_birth, reference)) if reference else NAN,
        "AGEU": "YEARS" if reference else "",
        "SEX": terms.SEX.get(r.patient.details.sex.value, "U"),
        "ARMCD": armcd,
        "ARM": arm_name,
        "ACTARMCD": armcd if treated else "",
        "ACTARM": arm_name if treated else "",
        "ARMNRS": reason if reason or treated else "ASSIGNED, NOT TREATED",
    }]  # fmt: skip


def ds(s: Subject) -> list[Row]:
    r = s.record
    events: list[tuple[Any, str, str, str]] = []
    for consent in r.consents:
        events.append((consent.signed_at, "INFORMED CONSENT OBTAINED",
                       "INFORMED CONSENT OBTAINED", "PROTOCOL MILESTONE"))  # fmt: skip
    if r.trial is not None and r.trial.randomised_at is not None:
        events.append((r.trial.randomised_at, "RANDOMIZED", "RANDOMIZED", "PROTOCOL MILESTONE"))
    for enrolment in r.enrolments:
        if enrolment.withdrawn_on is not None:
            events.append((enrolment.withdrawn_on, enrolment.withdrawal_reason or "WITHDRAWN",
                           "WITHDRAWAL BY SUBJECT", "DISPOSITION EVENT"))  # fmt: skip
    for withdrawal in r.withdrawals:
        events.append((withdrawal.withdrawn_at, withdrawal.reason or "CONSENT WITHDRAWN",
                       "WITHDRAWAL OF CONSENT", "DISPOSITION EVENT"))  # fmt: skip
    events.sort(key=lambda e: s.dtc(e[0]))
    return [
        {**s.ids("DS"), "DSTERM": term, "DSDECOD": decod, "DSCAT": cat,
         "DSSTDTC": s.dtc(at), "DSSTDY": s.day(at)}
        for at, term, decod, cat in events
    ]  # fmt: skip


def _choice(payload: Mapping[str, Any], key: str, table: Mapping[Any, str], kind: type) -> str:
    value = payload.get(key)
    return table[kind(value)] if value is not None else ""


Flags = dict[str, tuple[str, bool]]


def ae(s: Subject) -> tuple[list[Row], list[Flags]]:
    """The adverse events of the dosing sessions, and their supplemental qualifiers (SUPPAE):
    solicited, positive effect, abuse-related and of special interest, as Y/N."""
    rows: list[Row] = []
    supp: list[Flags] = []
    for session, entries in s.record.sessions:
        for entry in entries:
            if entry.kind is not EntryKind.ADVERSE_EVENT:
                continue
            p = entry.payload
            onset = p.get("onset") or entry.t.isoformat()
            at = datetime.fromisoformat(str(onset).replace("Z", "+00:00"))
            category = AeCategory(p.get("category") or AeCategory.OTHER.value)
            rows.append({
                **s.ids("AE"),
                "AETERM": p["term"],
                "AEDECOD": p["term"],  # not coded to MedDRA (no licence shipped): ADR 0184
                "AECAT": category.value.replace("_", " ").upper(),
                "AESEV": _choice(p, "severity", terms.AESEV, AeSeverity),
                "AESER": "Y" if p.get("serious") else "N",
                "AEACN": _choice(p, "action", terms.AEACN, AeAction),
                "AEREL": _choice(p, "relatedness", terms.AEREL, Relatedness),
                "AEOUT": _choice(p, "outcome", terms.AEOUT, AeOutcome),
                **s.visit(session.visit_id),
                "AESTDTC": s.dtc(at),
                "AESTDY": s.day(at),
            })  # fmt: skip
            supp.append(
                {
                    "AESOLIC": ("Solicited Adverse Event", bool(p.get("solicited"))),
                    "AEPOSIT": ("Positive Effect", category is AeCategory.POSITIVE_EFFECT),
                    "AEABUSE": (
                        "Abuse-Related Adverse Event",
                        category is AeCategory.ABUSE_RELATED,
                    ),
                    "AESI": ("Adverse Event of Special Interest", bool(p.get("special_interest"))),
                }
            )
    return rows, supp


def ex(s: Subject) -> list[Row]:
    arm = s.record.trial.arm if s.record.trial is not None else None
    treatment = arm.name.upper() if arm is not None else BLINDED_TREATMENT
    rows = []
    for session, entries in s.record.sessions:
        for entry in doses(entries):
            initial = entry.kind is EntryKind.REQUEST_INITIAL
            rows.append({
                **s.ids("EX"), "EXTRT": treatment,
                "EXCAT": "INITIAL DOSE" if initial else "SUPPLEMENTAL DOSE",
                "EXDOSE": float(entry.payload["mg"]), "EXDOSU": "mg", "EXROUTE": "ORAL",
                **s.visit(session.visit_id), "EXSTDTC": s.dtc(entry.t), "EXSTDY": s.day(entry.t),
            })  # fmt: skip
    return rows


def _finding(prefix: str, code: str, test: str, value: object, unit: str) -> Row:
    number = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else NAN
    text = "" if value is None else f"{value:g}" if number == number else str(value).upper()
    return {f"{prefix}TESTCD": code, f"{prefix}TEST": test, f"{prefix}ORRES": text,
            f"{prefix}ORRESU": unit if text else "", f"{prefix}STRESC": text,
            f"{prefix}STRESN": number, f"{prefix}STRESU": unit if text else ""}  # fmt: skip


def vs(s: Subject) -> list[Row]:
    """Every reading: the screening vitals, then each session's, pre- or post-dose."""
    rows = []
    for screening in s.record.screenings:
        vitals = screening.intake.get("vitals")
        if isinstance(vitals, Mapping):
            for key, (code, test, unit) in terms.VITALS.items():
                if vitals.get(key) is not None:
                    rows.append({**s.ids("VS"), **_finding("VS", code, test, vitals[key], unit),
                                 "VISITNUM": NAN, "VISIT": "Screening", "VSTPT": "",
                                 "VSDTC": s.dtc(screening.screening_date),
                                 "VSDY": s.day(screening.screening_date)})  # fmt: skip
    for session, entries in s.record.sessions:
        first = next((e.t for e in doses(entries) if e.kind is EntryKind.REQUEST_INITIAL), None)
        for entry in entries:
            if entry.kind is not EntryKind.VITALS:
                continue
            point = "PRE-DOSE" if first is None or entry.t < first else "POST-DOSE"
            for key, (code, test, unit) in terms.VITALS.items():
                if entry.payload.get(key) is not None:
                    rows.append({**s.ids("VS"),
                                 **_finding("VS", code, test, entry.payload[key], unit),
                                 **s.visit(session.visit_id), "VSTPT": point,
                                 "VSDTC": s.dtc(entry.t), "VSDY": s.day(entry.t)})  # fmt: skip
    return rows


def qs(s: Subject) -> list[Row]:
    """Each instrument's items and total (clinician-rated CAPS-5 and C-SSRS as ratings only)."""
    rows = []
    for administration, answers in s.record.administrations:
        category, stem = terms.INSTRUMENTS.get(
            administration.instrument, (administration.instrument.upper(), "QS")
        )
        common = {"QSCAT": category, **s.visit(administration.visit_id),
                  "QSDTC": s.dtc(administration.completed_on),
                  "QSDY": s.day(administration.completed_on)}  # fmt: skip
        for answer in answers:
            result = _finding("QS", f"{stem}{answer.number:02d}",
                              f"{category} item {answer.number}", answer.value, "")  # fmt: skip
            result = {k: v for k, v in result.items() if not k.endswith("U")}
            status = "" if answer.value is not None else "NOT DONE"
            rows.append({**s.ids("QS"), **result, **common, "QSSTAT": status})
        total = _finding("QS", f"{stem}TOT", f"{category} total score",
                         administration.score.total, "")  # fmt: skip
        total = {k: v for k, v in total.items() if not k.endswith("U")}
        status = "" if administration.score.total is not None else "NOT DONE"
        rows.append({**s.ids("QS"), **total, **common, "QSSTAT": status})
    return rows


def cm(s: Subject) -> list[Row]:
    return [
        {**s.ids("CM"), "CMTRT": m.name, "CMDOSTXT": m.dose, "CMSTDTC": s.dtc(m.started_on),
         "CMENDTC": s.dtc(m.stopped_on), "CMSTDY": s.day(m.started_on),
         "CMENDY": s.day(m.stopped_on)}
        for m in s.record.medications
    ]  # fmt: skip


def lb(s: Subject) -> list[Row]:
    """The screening panel of every screening, with the protocol's units and reference ranges
    (ADR 0135), flagged LOW/HIGH/NORMAL (NRIND, C78736)."""
    rows = []
    for screening in s.record.screenings:
        labs = screening.intake.get("labs")
        if not isinstance(labs, Mapping):
            continue
        panel = {a.code: a for a in get_protocol(screening.protocol).eligibility.labs.analytes}
        for key, value in labs.items():
            code, test = terms.LAB_TESTS.get(key, (key.upper()[:8], key))
            analyte = panel.get(key)
            unit = analyte.unit if analyte else ""
            row = {**s.ids("LB"), **_finding("LB", code, test, value, unit)}
            low = analyte.low if analyte else None
            high = analyte.high if analyte else None
            indicator = ""
            if isinstance(value, int | float) and analyte is not None:
                below = low is not None and value < low
                above = high is not None and value > high
                indicator = "LOW" if below else "HIGH" if above else "NORMAL"
            rows.append({**row, "LBORNRLO": "" if low is None else f"{low:g}",
                         "LBORNRHI": "" if high is None else f"{high:g}", "LBNRIND": indicator,
                         "VISIT": "Screening", "LBDTC": s.dtc(screening.screening_date),
                         "LBDY": s.day(screening.screening_date)})  # fmt: skip
    return rows


def eg(s: Subject) -> list[Row]:
    """The screening ECG: QTc as measured (method as named), or the raw QT with RR or heart rate
    and the QTc the clinic computed from them (`domain.eligibility.ecg`, ADR 0135)."""
    rows = []
    for screening in s.record.screenings:
        ecg = screening.intake.get("ecg")
        if not isinstance(ecg, Mapping):
            continue
        common = {"EGMETHOD": "12 LEAD STANDARD", "VISIT": "Screening",
                  "EGDTC": s.dtc(screening.screening_date),
                  "EGDY": s.day(screening.screening_date)}  # fmt: skip
        correction = ecg.get("correction")
        qtc = ecg.get("qtc_ms")
        if qtc is None and ecg.get("qt_ms") is not None and correction:
            rr = ecg.get("rr_ms") or rr_from_heart_rate(int(ecg["heart_rate"]))
            qtc = corrected_qt(float(ecg["qt_ms"]), float(rr), QtCorrection(correction))
        for key in ("qt_ms", "rr_ms", "heart_rate"):
            if ecg.get(key) is not None:
                code, test, unit = terms.ECG_TESTS[key]
                rows.append({**s.ids("EG"), **_finding("EG", code, test, ecg[key], unit),
                             **common})  # fmt: skip
        if qtc is not None:
            code, test, unit = terms.ECG_TESTS[correction if correction else None]
            rows.append({**s.ids("EG"), **_finding("EG", code, test, qtc, unit), **common})
    return rows
