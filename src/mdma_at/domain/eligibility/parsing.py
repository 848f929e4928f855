"""`parse_intake`: JSON-like data → `Intake`, refusing input that can never be valid.

One function serves the command line, the web form and the API, so every surface shows the same
message. Each refusal is an `InvalidInput(field, reason)` whose field is the dotted path
(``vitals.diastolic``, ``medications[1].last_dose``) and whose reason names the value and the limit.

What is refused here is input that cannot describe a real candidate (an age of 130, a diastolic at
or above the systolic, a last dose after the screening date). Clinical values that are merely
outside the protocol's limits (an age of 17, a QTc of 480 ms) are valid input: the criteria judge
them.
Unknown condition codes and medication names are valid input too: the verdict names them for review.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import TypeVar

from mdma_at.domain.eligibility.ecg import QtCorrection, corrected_qt, rr_from_heart_rate
from mdma_at.domain.eligibility.intake import (
    SCREENING_SEX_ORDER,
    ConditionReport,
    Ecg,
    Intake,
    PtsdAssessment,
    SubstanceUse,
    SudSeverity,
    Vitals,
)
from mdma_at.domain.eligibility.labs import DrugScreen, LabResults
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.plausibility import (
    AGE_YEARS,
    DIASTOLIC_MMHG,
    HEART_RATE_BPM,
    QT_MS,
    QTC_MS,
    RR_MS,
    SYSTOLIC_MMHG,
    TEMPERATURE_C,
    WEIGHT_KG,
)
from mdma_at.domain.vocabulary import CssrsRisk, MedicationUse, PregnancyTest, Sex

# The plausibility limits (domain/plausibility.py) catch typing errors, not clinical judgement;
# documented in docs/screening.md. The CAPS-5 total's range is the scale's own.
CAPS5_TOTAL = (0, 80)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_E = TypeVar("_E", bound=StrEnum)
_T = TypeVar("_T")


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


class _Reader:
    """Reads the fields of one JSON object, naming each by its dotted path."""

    def __init__(self, data: object, path: str, known: frozenset[str]) -> None:
        if not isinstance(data, Mapping):
            raise InvalidInput(path or "intake", f"must be an object, got {_type_name(data)}")
        for key in data:
            if key not in known:
                # A misspelt optional field must not be silently dropped.
                raise InvalidInput(self._join(path, str(key)), "unknown field")
        self.data = data
        self.path = path

    @staticmethod
    def _join(path: str, key: str) -> str:
        return f"{path}.{key}" if path else key

    def field(self, key: str) -> str:
        return self._join(self.path, key)

    def raw(self, key: str, *, required: bool = True) -> object:
        if key not in self.data:
            if required:
                raise InvalidInput(self.field(key), "is required")
            return None
        return self.data[key]

    def integer(self, key: str, limits: tuple[int, int] | None = None) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(self.field(key), f"must be a whole number, got {_type_name(value)}")
        if limits is not None:
            _check_range(self.field(key), value, limits)
        return value

    def number(self, key: str, limits: tuple[float, float]) -> float:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(self.field(key), f"must be a number, got {_type_name(value)}")
        if not math.isfinite(value):
            # JSON readers accept NaN and Infinity; a NaN compares false with every limit, so it
            # would pass the range check and reach the criteria as a silent "met".
            raise InvalidInput(self.field(key), f"{value} is not a finite number")
        _check_range(self.field(key), value, limits)
        return float(value)

    def optional_number(self, key: str, limits: tuple[float, float]) -> float | None:
        if self.raw(key, required=False) is None:
            return None
        return self.number(key, limits)

    def boolean(self, key: str) -> bool:
        value = self.raw(key)
        if not isinstance(value, bool):
            raise InvalidInput(self.field(key), f"must be true or false, got {_type_name(value)}")
        return value

    def optional_boolean(self, key: str) -> bool | None:
        value = self.raw(key, required=False)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise InvalidInput(
                self.field(key), f"must be true, false or null, got {_type_name(value)}"
            )
        return value

    def text(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str):
            raise InvalidInput(
                self.field(key), f"must be a non-empty string, got {_type_name(value)}"
            )
        if not value.strip():
            raise InvalidInput(self.field(key), "must not be empty")
        return value.strip()

    def date(self, key: str) -> date:
        value = self.raw(key)
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            shown = repr(value) if isinstance(value, str) else _type_name(value)
            raise InvalidInput(self.field(key), f"{shown} is not a date in the form YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(self.field(key), f"{value!r} is not a calendar date") from None

    def choice(
        self,
        key: str,
        enum: type[_E],
        *,
        nullable: bool = False,
        listed: Sequence[_E] | None = None,
    ) -> _E | None:
        """A member of `enum`; a refusal lists the members in `listed` order (default: the
        enum's)."""
        value = self.raw(key, required=not nullable)
        if value is None and nullable:
            return None
        allowed = ", ".join(member.value for member in (enum if listed is None else listed))
        if not isinstance(value, str):
            raise InvalidInput(
                self.field(key), f"must be one of {allowed}, got {_type_name(value)}"
            )
        try:
            return enum(value)
        except ValueError:
            raise InvalidInput(self.field(key), f"{value!r} is not one of {allowed}") from None

    def required_choice(self, key: str, enum: type[_E], listed: Sequence[_E] | None = None) -> _E:
        member = self.choice(key, enum, listed=listed)
        assert member is not None  # required: `choice` raised otherwise
        return member

    def objects(self, key: str, parse: Callable[[object, str], _T]) -> tuple[_T, ...]:
        value = self.raw(key)
        if not isinstance(value, list):
            raise InvalidInput(self.field(key), f"must be a list, got {_type_name(value)}")
        return tuple(parse(item, f"{self.field(key)}[{i}]") for i, item in enumerate(value))


def _check_range(field: str, value: float, limits: tuple[float, float]) -> None:
    low, high = limits
    if value < low:
        word = "negative" if value < 0 and low == 0 else f"below the plausible minimum {low:g}"
        raise InvalidInput(field, f"{value:g} is {word}")
    if value > high:
        raise InvalidInput(field, f"{value:g} is implausible (above {high:g})")


def _vitals(data: object, path: str) -> Vitals:
    r = _Reader(data, path, frozenset({"systolic", "diastolic", "heart_rate", "temperature_c"}))
    systolic = r.integer("systolic", SYSTOLIC_MMHG)
    diastolic = r.integer("diastolic", DIASTOLIC_MMHG)
    if diastolic >= systolic:
        raise InvalidInput(
            r.field("diastolic"), f"{diastolic} must be below the systolic {systolic}"
        )
    return Vitals(
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=r.integer("heart_rate", HEART_RATE_BPM),
        temperature_c=r.number("temperature_c", TEMPERATURE_C),
    )


def _ecg(data: object, path: str) -> Ecg:
    """QTc as measured, or computed here from the raw QT and RR (or heart rate) by the named
    correction; either way inside 250–700 ms (ADR 0135)."""
    r = _Reader(data, path, frozenset({"qtc_ms", "correction", "qt_ms", "rr_ms", "heart_rate"}))
    correction = r.choice("correction", QtCorrection, nullable=True)
    has_raw = r.raw("qt_ms", required=False) is not None
    if not has_raw:
        for key in ("rr_ms", "heart_rate"):
            if r.raw(key, required=False) is not None:
                raise InvalidInput(r.field(key), "is recorded only with the raw QT (qt_ms)")
        return Ecg(qtc_ms=_qtc(r.field("qtc_ms"), r.integer("qtc_ms")), correction=correction)
    if r.raw("qtc_ms", required=False) is not None:
        raise InvalidInput(
            r.field("qtc_ms"), "give the measured QTc or the raw QT to correct, not both"
        )
    if correction is None:
        raise InvalidInput(r.field("correction"), "is required to correct the raw QT")
    qt = r.integer("qt_ms", QT_MS)
    rr: int | None = None
    heart_rate: int | None = None
    if r.raw("rr_ms", required=False) is not None:
        if r.raw("heart_rate", required=False) is not None:
            raise InvalidInput(
                r.field("heart_rate"), "give the RR interval or the heart rate, not both"
            )
        rr = r.integer("rr_ms", RR_MS)
        interval = float(rr)
    elif r.raw("heart_rate", required=False) is not None:
        heart_rate = r.integer("heart_rate", HEART_RATE_BPM)
        interval = rr_from_heart_rate(heart_rate)
    else:
        raise InvalidInput(r.field("rr_ms"), "is required (or heart_rate) to correct the raw QT")
    qtc = _qtc(r.field("qtc_ms"), corrected_qt(qt, interval, correction))
    return Ecg(qtc, correction, qt, rr, heart_rate)


def _qtc(field: str, qtc: int) -> int:
    low, high = QTC_MS
    if not low <= qtc <= high:
        raise InvalidInput(field, f"{qtc} ms is outside the plausible {low}–{high} ms")
    return qtc


def _labs(data: object, path: str) -> LabResults | None:
    """Values must be finite numbers here; which analytes exist and their physiological limits
    are the protocol's panel (`labs.check_labs`, called by `screen`)."""
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise InvalidInput(path, f"must be an object, got {_type_name(data)}")
    values: list[tuple[str, float]] = []
    drug_screen: DrugScreen | None = None
    for key in data:
        if key == "urine_drug_screen":
            drug_screen = _Reader(data, path, frozenset(data)).choice(
                "urine_drug_screen", DrugScreen, nullable=True
            )
            continue
        value = data[key]
        if value is None:
            continue
        field = f"{path}.{key}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(field, f"must be a number, got {_type_name(value)}")
        if not math.isfinite(value):
            raise InvalidInput(field, f"{value} is not a finite number")
        values.append((str(key), float(value)))
    return LabResults(tuple(values), drug_screen)


def _ptsd(data: object, path: str, age: int) -> PtsdAssessment:
    r = _Reader(data, path, frozenset({"caps5_total", "meets_dsm5", "duration_months"}))
    caps5 = r.integer("caps5_total")
    low, high = CAPS5_TOTAL
    if not low <= caps5 <= high:
        raise InvalidInput(
            r.field("caps5_total"), f"{caps5} is outside the CAPS-5 range {low}–{high}"
        )
    duration = r.integer("duration_months")
    if duration < 0:
        raise InvalidInput(r.field("duration_months"), f"{duration} is negative")
    lifetime_months = age * 12 + 11
    if duration > lifetime_months:
        raise InvalidInput(
            r.field("duration_months"),
            f"{duration} months is longer than the candidate's life (age {age} years)",
        )
    return PtsdAssessment(
        caps5_total=caps5, meets_dsm5=r.boolean("meets_dsm5"), duration_months=duration
    )


def _condition(data: object, path: str) -> ConditionReport:
    r = _Reader(data, path, frozenset({"code", "controlled"}))
    return ConditionReport(code=r.text("code").lower(), controlled=r.optional_boolean("controlled"))


def _not_after(field: str, when: date, screening_date: date, what: str) -> date:
    if when > screening_date:
        raise InvalidInput(
            field,
            f"{what} {when.isoformat()} is after the screening date {screening_date.isoformat()}",
        )
    return when


def _substance(screening_date: date) -> Callable[[object, str], SubstanceUse]:
    def parse(data: object, path: str) -> SubstanceUse:
        r = _Reader(data, path, frozenset({"substance", "severity", "in_remission", "last_use"}))
        return SubstanceUse(
            substance=r.text("substance").lower(),
            severity=r.required_choice("severity", SudSeverity),
            in_remission=r.boolean("in_remission"),
            last_use=_not_after(
                r.field("last_use"), r.date("last_use"), screening_date, "last use"
            ),
        )

    return parse


def _medication(screening_date: date) -> Callable[[object, str], MedicationUse]:
    def parse(data: object, path: str) -> MedicationUse:
        r = _Reader(data, path, frozenset({"name", "last_dose"}))
        return MedicationUse(
            name=r.text("name"),
            last_dose=_not_after(
                r.field("last_dose"), r.date("last_dose"), screening_date, "last dose"
            ),
        )

    return parse


_TOP_LEVEL = frozenset(
    {
        "screening_date", "age", "sex", "childbearing_potential", "pregnant", "breastfeeding",
        "pregnancy_test", "vitals", "weight_kg", "ecg", "ptsd", "conditions", "substance_use",
        "suicide_risk", "medications", "labs",
    }
)  # fmt: skip


def parse_intake(data: object) -> Intake:
    """Build an `Intake` from JSON-like data (the schema of docs/screening.md).

    Args:
        data: the decoded JSON document (an object; anything else is refused as bad input).

    Returns:
        The intake, every field checked.

    Raises:
        InvalidInput: naming the first offending field by its dotted path, with the value and the
            limit (e.g. ``vitals.diastolic: 130 must be below the systolic 120``).
    """
    r = _Reader(data, "", _TOP_LEVEL)
    screening_date = r.date("screening_date")
    age = r.integer("age", AGE_YEARS)
    return Intake(
        screening_date=screening_date,
        age=age,
        sex=r.required_choice("sex", Sex, SCREENING_SEX_ORDER),
        childbearing_potential=r.boolean("childbearing_potential"),
        pregnant=r.boolean("pregnant"),
        breastfeeding=r.boolean("breastfeeding"),
        pregnancy_test=r.choice("pregnancy_test", PregnancyTest, nullable=True),
        vitals=_vitals(r.raw("vitals"), "vitals"),
        weight_kg=r.optional_number("weight_kg", WEIGHT_KG),
        ecg=_ecg(r.raw("ecg"), "ecg"),
        ptsd=_ptsd(r.raw("ptsd"), "ptsd", age),
        conditions=r.objects("conditions", _condition),
        substance_use=r.objects("substance_use", _substance(screening_date)),
        suicide_risk=r.required_choice("suicide_risk", CssrsRisk),
        medications=r.objects("medications", _medication(screening_date)),
        labs=_labs(r.raw("labs", required=False), "labs"),
    )
