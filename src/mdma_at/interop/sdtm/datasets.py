"""A study's SDTM datasets: each domain's records of every participant, numbered, in the
variables' order, checked against the rules (`rules.problems`) before anyone writes them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mdma_at.interop.sdtm import domains, rules
from mdma_at.interop.sdtm.spec import (
    AE,
    CM,
    DM,
    DS,
    EG,
    EX,
    LB,
    NUM,
    QS,
    SPECS,
    SUPPAE,
    VS,
    DatasetSpec,
)
from mdma_at.interop.sdtm.subject import subject
from mdma_at.interop.sdtm.terms import ascii_text
from mdma_at.services.exports.study import StudyExport

Row = dict[str, object]


@dataclass(frozen=True, slots=True)
class Dataset:
    spec: DatasetSpec
    frame: pd.DataFrame

    @property
    def name(self) -> str:
        return self.spec.name


class BrokenDataset(AssertionError):
    """A dataset breaks an SDTM rule: a defect of the mapping, never of the user's input."""


def build(export: StudyExport) -> tuple[Dataset, ...]:
    """Every dataset with records (DM always), in `SPECS` order."""
    found: dict[str, list[Row]] = {spec.name: [] for spec in SPECS}
    by_domain = {DM: domains.dm, DS: domains.ds, EX: domains.ex, VS: domains.vs,
                 QS: domains.qs, CM: domains.cm, LB: domains.lb, EG: domains.eg}  # fmt: skip
    for record in sorted(export.records, key=lambda r: r.patient.study_id):
        s = subject(export.study, record)
        for spec, rows_of in by_domain.items():
            found[spec.name] += _numbered(spec, rows_of(s))
        events, qualifiers = domains.ae(s)
        events = _numbered(AE, events)
        found[AE.name] += events
        for event, flags in zip(events, qualifiers, strict=True):
            for qnam, (qlabel, flag) in flags.items():
                found[SUPPAE.name].append({
                    "STUDYID": event["STUDYID"], "RDOMAIN": "AE", "USUBJID": event["USUBJID"],
                    "IDVAR": "AESEQ", "IDVARVAL": f"{event['AESEQ']:g}", "QNAM": qnam,
                    "QLABEL": qlabel, "QVAL": "Y" if flag else "N", "QORIG": "CRF", "QEVAL": "",
                })  # fmt: skip
    return tuple(
        checked(spec, found[spec.name]) for spec in SPECS if found[spec.name] or spec is DM
    )


def _numbered(spec: DatasetSpec, rows: list[Row]) -> list[Row]:
    """--SEQ 1, 2, ... within the participant, where the domain has one."""
    seq = next((v.name for v in spec.variables if v.name.endswith("SEQ")), None)
    if seq is not None:
        for number, row in enumerate(rows, start=1):
            row[seq] = float(number)
    return rows


def checked(spec: DatasetSpec, rows: list[Row]) -> Dataset:
    """The rows as a frame in the spec's order (character values in ASCII, numbers as floats).

    Raises:
        BrokenDataset: a rule broken (`rules.problems`), naming each.
    """
    columns: dict[str, list[object]] = {}
    for variable in spec.variables:
        values = [row.get(variable.name) for row in rows]
        if variable.type == NUM:
            columns[variable.name] = [_number(v) for v in values]
        else:
            columns[variable.name] = ["" if v is None else ascii_text(str(v)) for v in values]
    frame = pd.DataFrame(
        {
            name: pd.Series(values, dtype="float64" if _numeric(spec, name) else "object")
            for name, values in columns.items()
        }
    )
    broken = rules.problems(spec.name, spec.label, spec.labels, columns)
    if broken:
        raise BrokenDataset("; ".join(broken))
    return Dataset(spec, frame)


def _number(value: object) -> float:
    if value is None:
        return float("nan")
    assert isinstance(value, int | float), value
    return float(value)


def _numeric(spec: DatasetSpec, name: str) -> bool:
    return any(v.name == name and v.type == NUM for v in spec.variables)
