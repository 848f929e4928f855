"""The screening ECG's QT correction: QTc from the raw QT and the RR interval (or heart rate).

The ECG machine reports QT and RR; which correction turned them into QTc changes the number by
tens of milliseconds at the heart rates seen in anxious candidates, so the method is named and the
raw values are kept beside the result (ADR 0135).
"""

from __future__ import annotations

from enum import StrEnum


class QtCorrection(StrEnum):
    """The QT correction formulas the clinic accepts.

    Bazett: QTc = QT / (RR in s)^(1/2) (Bazett HC, Heart 1920;7:353–370).
    Fridericia: QTc = QT / (RR in s)^(1/3) (Fridericia LS, Acta Med Scand 1920;53:469–486).
    """

    BAZETT = "bazett"
    FRIDERICIA = "fridericia"


#: One minute in milliseconds: RR (ms) = 60 000 / heart rate (beats/min).
_MS_PER_MINUTE = 60_000


def rr_from_heart_rate(heart_rate: int) -> float:
    """The RR interval in ms of a regular rhythm at `heart_rate` beats/min."""
    return _MS_PER_MINUTE / heart_rate


def corrected_qt(qt_ms: float, rr_ms: float, method: QtCorrection) -> int:
    """QTc in whole milliseconds (rounded half to even, as `round` does), by `method`.

    RR is taken in seconds, as both formulas are defined (at RR = 1 s, QTc = QT).
    """
    rr_s = rr_ms / 1000
    exponent = 0.5 if method is QtCorrection.BAZETT else 1 / 3
    return round(float(qt_ms / rr_s**exponent))
