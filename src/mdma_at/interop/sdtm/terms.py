"""The clinic's vocabulary in CDISC Controlled Terminology (SDTM CT 2024-03-29 codelists named
per map). Where the clinic's term has no CDISC submission value, the map says so."""

from __future__ import annotations

import unicodedata

from mdma_at.domain.adverse_events import AeAction, AeOutcome, AeSeverity, Relatedness

#: SEX (C66731): M, F, U. The clinic's "other" is neither M nor F; CT has no such value, and
#: UNDIFFERENTIATED (a disorder of sex development) would be wrong, so it is U.
SEX = {"female": "F", "male": "M", "other": "U"}

#: AESEV (C66769).
AESEV = {AeSeverity.MILD: "MILD", AeSeverity.MODERATE: "MODERATE", AeSeverity.SEVERE: "SEVERE"}

#: Causality: the sponsor's five-point scale as text (AEREL has no CDISC codelist; SDTMIG 3.3
#: §6.2 leaves it to the sponsor).
AEREL = {
    Relatedness.NOT_RELATED: "NOT RELATED",
    Relatedness.UNLIKELY: "UNLIKELY RELATED",
    Relatedness.POSSIBLE: "POSSIBLY RELATED",
    Relatedness.PROBABLE: "PROBABLY RELATED",
    Relatedness.DEFINITE: "RELATED",
}

#: ACN (C66767). A withheld supplemental dose is a reduction of the session's dose; a stopped
#: session is the end of that dose; treating the event is not an action with the study drug.
AEACN = {
    AeAction.NONE: "DOSE NOT CHANGED",
    AeAction.SUPPLEMENTAL_WITHHELD: "DOSE REDUCED",
    AeAction.TREATMENT_GIVEN: "DOSE NOT CHANGED",
    AeAction.SESSION_STOPPED: "DRUG INTERRUPTED",
    AeAction.OTHER: "UNKNOWN",
}

#: OUT (C66768).
AEOUT = {
    AeOutcome.RESOLVED: "RECOVERED/RESOLVED",
    AeOutcome.RESOLVING: "RECOVERING/RESOLVING",
    AeOutcome.NOT_RESOLVED: "NOT RECOVERED/NOT RESOLVED",
    AeOutcome.RESOLVED_WITH_SEQUELAE: "RECOVERED/RESOLVED WITH SEQUELAE",
    AeOutcome.FATAL: "FATAL",
    AeOutcome.UNKNOWN: "UNKNOWN",
}

#: VSTESTCD (C66741) / VSTEST (C67153) and units (C66770), by the session payload's key.
VITALS = {
    "systolic": ("SYSBP", "Systolic Blood Pressure", "mmHg"),
    "diastolic": ("DIABP", "Diastolic Blood Pressure", "mmHg"),
    "heart_rate": ("PULSE", "Pulse Rate", "beats/min"),
    "temperature_c": ("TEMP", "Temperature", "C"),
    "spo2": ("OXYSAT", "Oxygen Saturation", "%"),
}

#: LBTESTCD (C65047) by the protocol panel's analyte code. The urine drug screen has no single
#: CDISC test; DRUGSCR is this sponsor's code.
LAB_TESTS = {
    "alt": ("ALT", "Alanine Aminotransferase"),
    "ast": ("AST", "Aspartate Aminotransferase"),
    "bilirubin": ("BILI", "Bilirubin"),
    "creatinine": ("CREAT", "Creatinine"),
    "egfr": ("EGFR", "Glomerular Filtration Rate, Estimated"),
    "sodium": ("SODIUM", "Sodium"),
    "potassium": ("K", "Potassium"),
    "tsh": ("TSH", "Thyrotropin"),
    "urine_drug_screen": ("DRUGSCR", "Drug Screen"),
}

#: EGTESTCD (C71153): the aggregate intervals of a 12-lead ECG, by what the intake holds.
ECG_TESTS = {
    "qt_ms": ("QTAG", "QT Interval, Aggregate", "msec"),
    "rr_ms": ("RRAG", "RR Interval, Aggregate", "msec"),
    "heart_rate": ("EGHRMN", "ECG Mean Heart Rate", "beats/min"),
    "fridericia": ("QTCFAG", "QTcF Interval, Aggregate", "msec"),
    "bazett": ("QTCBAG", "QTcB Interval, Aggregate", "msec"),
    None: ("QTCAG", "QTc Interval, Aggregate", "msec"),  # correction not named
}

#: QSCAT and the QSTESTCD stem of each instrument. CDISC QRS supplements exist for PHQ-9 and
#: GAD-7 but not for PCL-5, CAPS-5 or the C-SSRS screener; one sponsor scheme covers all five:
#: stem + two-digit item number, stem + "TOT" for the total (each at most 8 characters).
INSTRUMENTS = {
    "pcl5": ("PCL-5", "PCL5"),
    "phq9": ("PHQ-9", "PHQ9"),
    "gad7": ("GAD-7", "GAD7"),
    "cssrs-screen": ("C-SSRS SCREENER", "CSSR"),
    "caps5": ("CAPS-5", "CAPS"),
}


def ascii_text(text: str, longest: int = 200) -> str:
    """SAS transport v5 holds ASCII: micro becomes u (µmol/L -> umol/L, CDISC's UNIT spelling),
    other letters lose their accents, anything else unrepresentable is dropped; at most
    `longest` characters."""
    plain = unicodedata.normalize("NFKD", text.replace("µ", "u").replace("μ", "u"))
    return plain.encode("ascii", "ignore").decode("ascii")[:longest]
