"""The screening intake: what the physician records about a candidate (DESIGN.md §5).

Plain values only; `parsing.parse_intake` builds them from JSON-like data and refuses input that can
never be valid. Whether the candidate is eligible is decided elsewhere (`screening.screen`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from mdma_at.domain.eligibility.ecg import QtCorrection
from mdma_at.domain.eligibility.labs import LabResults
from mdma_at.domain.vocabulary import CssrsRisk, MedicationUse, PregnancyTest, Sex

#: The order the screening schema, its messages and its form list the sexes in (docs/screening.md);
#: the patient record and the session list `Sex` in its own order.
SCREENING_SEX_ORDER = (Sex.MALE, Sex.FEMALE, Sex.OTHER)


class SudSeverity(StrEnum):
    """DSM-5 substance use disorder severity (not an adverse event's: `AeSeverity`)."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


@dataclass(frozen=True, slots=True)
class Vitals:
    """Screening vital signs: blood pressure in mmHg, heart rate in beats/min, temperature in °C."""

    systolic: int
    diastolic: int
    heart_rate: int
    temperature_c: float


@dataclass(frozen=True, slots=True)
class Ecg:
    """Screening ECG: the corrected QT interval in milliseconds, the correction method when
    recorded, and the raw QT with the RR interval or heart rate it was corrected from (ADR 0135).
    """

    qtc_ms: int
    correction: QtCorrection | None = None
    qt_ms: int | None = None
    rr_ms: int | None = None
    heart_rate: int | None = None

    def to_dict(self) -> dict[str, object]:
        """Only what was recorded: an intake of QTc alone stays ``{"qtc_ms": …}``."""
        shown: dict[str, object] = {"qtc_ms": self.qtc_ms}
        if self.correction is not None:
            shown["correction"] = self.correction.value
        for key, value in (
            ("qt_ms", self.qt_ms),
            ("rr_ms", self.rr_ms),
            ("heart_rate", self.heart_rate),
        ):
            if value is not None:
                shown[key] = value
        return shown

    def describe(self) -> str:
        """How the QTc was obtained, for the criterion's reason (empty when only QTc is known)."""
        if self.correction is None:
            return ""
        method = self.correction.value.capitalize()
        if self.qt_ms is None:
            return f" ({method})"
        interval = f"RR {self.rr_ms} ms" if self.rr_ms is not None else f"HR {self.heart_rate}/min"
        return f" ({method}, from QT {self.qt_ms} ms at {interval})"


@dataclass(frozen=True, slots=True)
class PtsdAssessment:
    """CAPS-5 total severity (0–80), the DSM-5 diagnosis and symptom duration in whole months."""

    caps5_total: int
    meets_dsm5: bool
    duration_months: int


@dataclass(frozen=True, slots=True)
class ConditionReport:
    """A recorded condition by its code (see the protocol's condition table).

    `controlled` applies to hypertension; None when not recorded.
    """

    code: str
    controlled: bool | None = None


@dataclass(frozen=True, slots=True)
class SubstanceUse:
    """A substance use disorder: substance, DSM-5 severity, remission and the date of last use."""

    substance: str
    severity: SudSeverity
    in_remission: bool
    last_use: date


@dataclass(frozen=True, slots=True)
class Intake:
    """Everything the eligibility criteria look at, as of `screening_date`."""

    screening_date: date
    age: int
    sex: Sex
    childbearing_potential: bool
    pregnant: bool
    breastfeeding: bool
    pregnancy_test: PregnancyTest | None
    vitals: Vitals
    ecg: Ecg
    ptsd: PtsdAssessment
    conditions: tuple[ConditionReport, ...]
    substance_use: tuple[SubstanceUse, ...]
    suicide_risk: CssrsRisk
    medications: tuple[MedicationUse, ...]
    #: Body weight in kg, optional (added by issue 9; None when not recorded).
    weight_kg: float | None = None
    #: The screening laboratory panel (ADR 0135); None on intakes recorded before it existed.
    labs: LabResults | None = None

    def to_dict(self) -> dict[str, object]:
        """The canonical JSON form (the documented schema): `parse_intake` reads it back equal.

        For storing what was screened: codes lower-cased, names trimmed, dates ISO.
        """
        return {
            "screening_date": self.screening_date.isoformat(),
            "age": self.age,
            "sex": self.sex.value,
            "childbearing_potential": self.childbearing_potential,
            "pregnant": self.pregnant,
            "breastfeeding": self.breastfeeding,
            "pregnancy_test": self.pregnancy_test.value if self.pregnancy_test else None,
            "vitals": {
                "systolic": self.vitals.systolic,
                "diastolic": self.vitals.diastolic,
                "heart_rate": self.vitals.heart_rate,
                "temperature_c": self.vitals.temperature_c,
            },
            "weight_kg": self.weight_kg,
            "ecg": self.ecg.to_dict(),
            "ptsd": {
                "caps5_total": self.ptsd.caps5_total,
                "meets_dsm5": self.ptsd.meets_dsm5,
                "duration_months": self.ptsd.duration_months,
            },
            "conditions": [{"code": c.code, "controlled": c.controlled} for c in self.conditions],
            "substance_use": [
                {
                    "substance": u.substance,
                    "severity": u.severity.value,
                    "in_remission": u.in_remission,
                    "last_use": u.last_use.isoformat(),
                }
                for u in self.substance_use
            ],
            "suicide_risk": self.suicide_risk.value,
            "medications": [
                {"name": m.name, "last_dose": m.last_dose.isoformat()} for m in self.medications
            ],
            **({} if self.labs is None else {"labs": self.labs.to_dict()}),
        }
