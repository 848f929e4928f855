"""The `mapp_v1` screening laboratory panel: units, reference ranges and physiological limits.

Reference ranges: eGFR follows the KDIGO 2012 CKD guideline. The other eight ranges were typed
from memory of Kratz et al., NEJM 2004 (the Massachusetts General Hospital adult reference
values); the paper was found, but its table could not be retrieved to check a single value, so
each range is a *site default* until the site enters its own laboratory's ranges (ADR 0143). The
paper itself says its ranges "may not be appropriate for other institutions", and laboratories
differ widely (the upper limit of ALT ran from 31 to 55 U/L for women and from 35 to 79 U/L
for men across 11 US laboratories:
Neuschwander-Tetri et al., Arch Intern Med 2008;168:663–6). The site's panel is a new `LabPanel`.

Physiological limits are input checks, not clinical rules (ADR 0011, ADR 0135): a value outside
them is a typing or unit error (a creatinine in mg/dL typed into a µmol/L field) and is refused.
No publication sets them; they are site defaults chosen wide enough that no living adult's result
is refused.
"""

from __future__ import annotations

from mdma_at.domain.eligibility.labs import Analyte, LabPanel
from mdma_at.domain.sources import Source

KRATZ = (
    "Site default, to be replaced by the site laboratory's own range: typed from Kratz A, "
    "Ferraro M, Sluss PM, Lewandrowski KB, Laboratory reference values, N Engl J Med 2004;351:"
    "1548–63 (adult values of the Massachusetts General Hospital), whose table could not be "
    "retrieved to verify it; reference ranges differ between laboratories (Neuschwander-Tetri "
    "et al., Arch Intern Med 2008;168:663–6)"
)
KDIGO = Source(
    "KDIGO 2012 Clinical Practice Guideline for the Evaluation and Management of Chronic Kidney "
    "Disease, Kidney Int Suppl 2013;3:1–150: GFR categories G1–G2 ≥ 60 mL/min/1.73 m²; "
    "< 60 is category G3a or worse"
)
PHYSIOLOGICAL = Source(
    "Site input check: limits chosen wide enough that no living adult's result is refused, "
    "narrow enough to catch a unit or typing error; no publication sets them",
    site_default=True,
)


def _kratz(what: str) -> Source:
    """An unverified range attributed to Kratz et al. 2004: a site default (ADR 0143)."""
    return Source(f"{what}. {KRATZ}", site_default=True)


LAB_PANEL = LabPanel(
    analytes=(
        Analyte("alt", "ALT", "U/L", 7, 33, _kratz("alanine aminotransferase 7–33 U/L"),
                (0, 10_000), PHYSIOLOGICAL),
        Analyte("ast", "AST", "U/L", 9, 32, _kratz("aspartate aminotransferase 9–32 U/L"),
                (0, 20_000), PHYSIOLOGICAL),
        Analyte("bilirubin", "Total bilirubin", "µmol/L", 0, 17,
                _kratz("bilirubin, total 0.0–1.0 mg/dL (0–17 µmol/L)"), (0, 1_000),
                PHYSIOLOGICAL),
        Analyte("creatinine", "Creatinine", "µmol/L", 53, 133,
                _kratz("creatinine 0.6–1.5 mg/dL (53–133 µmol/L)"), (10, 3_000), PHYSIOLOGICAL),
        Analyte("egfr", "eGFR", "mL/min/1.73 m²", 60, None, KDIGO, (1, 200), PHYSIOLOGICAL),
        Analyte("sodium", "Sodium", "mmol/L", 135, 145, _kratz("sodium 135–145 mmol/L"),
                (90, 200), PHYSIOLOGICAL),
        Analyte("potassium", "Potassium", "mmol/L", 3.4, 4.8, _kratz("potassium 3.4–4.8 mmol/L"),
                (1, 10), PHYSIOLOGICAL),
        Analyte("tsh", "TSH", "mIU/L", 0.4, 5.0,
                _kratz("thyrotropin (TSH) 0.4–5.0 µU/mL (mIU/L)"), (0, 500), PHYSIOLOGICAL),
    ),
    source=Source(
        "Issue 14 screening panel: liver and thyroid tests follow conditions the phase 3 "
        "criteria name (hepatitis C, hyperthyroidism [S33]); kidney function and electrolytes, "
        "and that a missing result goes to the physician, are chosen for safety: no published "
        "panel list was retrieved",
        site_default=True,
    ),
    drug_screen_source=Source(
        "Issue 14 screening urine drug screen; a positive screen is reviewed by the physician "
        "against the substance use history (not an automatic exclusion: prescribed medicines "
        "show too); no trial text retrieved, chosen for safety",
        site_default=True,
    ),
)  # fmt: skip
