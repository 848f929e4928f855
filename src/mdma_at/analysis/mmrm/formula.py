"""Split an R-style MMRM formula into its fixed-effects part and its covariance term.

``FEV1 ~ RACE + ARMCD*AVISIT + us(AVISIT | USUBJID)`` becomes the formulaic formula
``FEV1 ~ RACE + ARMCD*AVISIT`` and the covariance term (structure ``us``, visit ``AVISIT``,
subject ``USUBJID``). ``us(AVISIT | ARMCD / USUBJID)`` asks for one covariance matrix per level of
``ARMCD`` (mmrm's syntax for group-specific covariance).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mdma_at.analysis.mmrm.errors import FormulaSyntaxError, UnknownCovarianceStructure

#: Structures the engine implements (names as in R's mmrm; ``diag`` is the diagonal matrix).
COVARIANCE_STRUCTURES = ("us", "cs", "csh", "ar1", "ar1h", "toep", "toeph", "ad", "adh", "diag")

_NAME = r"[A-Za-z_.][A-Za-z0-9_.]*"
_COV_TERM = re.compile(
    rf"(?P<structure>{_NAME})\s*\(\s*(?P<visit>{_NAME})\s*\|\s*"
    rf"(?:(?P<group>{_NAME})\s*/\s*)?(?P<subject>{_NAME})\s*\)"
)


@dataclass(frozen=True)
class CovarianceTerm:
    """The ``structure(visit | [group /] subject)`` term of an MMRM formula."""

    structure: str
    visit: str
    subject: str
    group: str | None = None


@dataclass(frozen=True)
class MmrmFormula:
    """A parsed MMRM formula: response, fixed-effects right-hand side, covariance term."""

    response: str
    fixed_rhs: str
    covariance: CovarianceTerm

    @property
    def fixed_formula(self) -> str:
        """The fixed-effects formula in formulaic's syntax (``y ~ rhs``)."""
        return f"{self.response} ~ {self.fixed_rhs}"


def parse_formula(formula: str) -> MmrmFormula:
    """Read ``response ~ fixed terms + structure(visit | [group /] subject)``.

    Raises:
        FormulaSyntaxError: no ``~``, no single covariance term, or nothing left to parse.
        UnknownCovarianceStructure: the covariance term names a structure not implemented.
    """
    if formula.count("~") != 1:
        raise FormulaSyntaxError("formula", f"expected exactly one '~' in {formula!r}")
    lhs, rhs = (part.strip() for part in formula.split("~"))
    if not re.fullmatch(_NAME, lhs):
        raise FormulaSyntaxError(
            "formula", f"the response must be one column name, got {lhs!r} in {formula!r}"
        )
    matches = list(_COV_TERM.finditer(rhs))
    if len(matches) != 1:
        raise FormulaSyntaxError(
            "formula",
            f"expected exactly one covariance term such as 'us(VISIT | SUBJECT)', found "
            f"{len(matches)} in {formula!r}",
        )
    match = matches[0]
    structure = match["structure"].lower()
    if structure not in COVARIANCE_STRUCTURES:
        raise UnknownCovarianceStructure(
            "formula",
            f"unknown covariance structure {match['structure']!r}; "
            f"expected one of {', '.join(COVARIANCE_STRUCTURES)}",
        )
    fixed = (rhs[: match.start()] + rhs[match.end() :]).strip()
    # Remove the '+' that joined the covariance term to its neighbours.
    fixed = re.sub(r"\+\s*\+", "+", fixed).strip().strip("+").strip()
    if not fixed:
        fixed = "1"
    return MmrmFormula(
        response=lhs,
        fixed_rhs=fixed,
        covariance=CovarianceTerm(
            structure=structure,
            visit=match["visit"],
            subject=match["subject"],
            group=match["group"],
        ),
    )
