"""The primary analysis of a simulated trial, on the data read back from the database.

The CAPS-5 totals and arms come through the study export the SDTM datasets are made from
(`services.exports.study.study_export`, as the unblinded statistician, audited), become the
efficacy table of docs/analysis/tables.md (``subject, arm, visit, value``) and go to the MMRM
engine (`analysis.efficacy.primary_endpoint_analysis`). The operating characteristics
(`operating`) feed the same function with tables simulated directly.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from mdma_at.analysis.efficacy import PrimaryEndpoint, primary_endpoint_analysis
from mdma_at.domain.instruments import InstrumentCode
from mdma_at.domain.staff import Principal
from mdma_at.services.exports.study import study_export
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.simulation.calibration import ARMS
from mdma_at.simulation.cohort import ANALYSED_VISITS, PRIMARY

BASELINE = "baseline"


def efficacy_table(
    uow: UnitOfWork, clock: Clock, statistician: Principal, study: str
) -> pd.DataFrame:
    """``subject, arm, visit, value``: each randomised participant's CAPS-5 totals at baseline
    and the analysed visits (a visit not rated is a missing value)."""
    export = study_export(uow, clock, statistician, study)
    rows: list[dict[str, Any]] = []
    for record in export.records:
        if record.trial is None or record.trial.arm is None:
            continue  # joined, never randomised
        codes = {v.id: v.code for v in record.visits}
        scores = {
            codes.get(a.visit_id or 0): a.score.total
            for a, _ in record.administrations
            if a.instrument == InstrumentCode.CAPS5.value and a.visit_id is not None
        }
        for visit in (BASELINE, *ANALYSED_VISITS):
            rows.append({
                "subject": record.patient.details.study_id, "arm": record.trial.arm.code,
                "visit": visit, "value": scores.get(visit),
            })  # fmt: skip
    return pd.DataFrame(rows, columns=["subject", "arm", "visit", "value"])


#: Covariance structures tried in turn: unstructured (the analysis' default), then compound
#: symmetry when a small trial has too few observations for the unstructured one.
COVARIANCES = ("us", "cs")


def primary_analysis(table: pd.DataFrame) -> PrimaryEndpoint:
    """MMRM on CAPS-5 change at the 18-week endpoint, MDMA-AT against placebo with therapy."""
    from mdma_at.analysis.mmrm import MmrmError

    frame = table.astype({"value": float})
    for covariance in COVARIANCES[:-1]:
        try:
            return primary_endpoint_analysis(
                frame, ARMS[0], ARMS[1], PRIMARY, BASELINE, ANALYSED_VISITS, covariance
            )
        except MmrmError:
            continue
    return primary_endpoint_analysis(
        frame, ARMS[0], ARMS[1], PRIMARY, BASELINE, ANALYSED_VISITS, COVARIANCES[-1]
    )


def primary_summary(result: PrimaryEndpoint) -> dict[str, Any]:
    """The ``primary`` object of `mdma-at demo --json` (docs/simulation.md)."""
    arms = {
        str(row["arm"]): {"ls_mean_change": float(row["estimate"]), "se": float(row["se"])}
        for row in result.lsmeans.to_dict("records")
    }
    difference = result.difference
    return {
        "arms": arms,
        "difference": float(difference["estimate"]),
        "ci_low": float(difference["lower"]),
        "ci_high": float(difference["upper"]),
        "p": float(difference["p"]),
        # null where an arm has fewer than two values at the endpoint (a trial of a few)
        "cohens_d": float(result.effect_sizes[0].d) if result.effect_sizes else None,
    }
