"""From a DataFrame and a parsed formula to the arrays the likelihood works on.

Subjects are grouped by (covariance group, pattern of observed visits). Each group of subjects
with the same pattern becomes one `PatternBlock` holding (m subjects x k visits) arrays, so the
likelihood does batched linear algebra per pattern and never loops over subjects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from formulaic import model_matrix
from numpy.typing import NDArray
from scipy import linalg

from mdma_at.analysis.mmrm.errors import (
    DuplicateVisit,
    FormulaSyntaxError,
    InsufficientData,
    MissingColumn,
    NonFiniteValue,
    NonNumericCovariate,
    NonNumericResponse,
    NonNumericTime,
    NonPositiveWeight,
    NumericVisit,
    RankDeficientDesign,
    SingleVisitLevel,
    UnknownLevel,
)
from mdma_at.analysis.mmrm.formula import MmrmFormula

Array = NDArray[np.float64]


@dataclass(frozen=True)
class PatternBlock:
    """Subjects of one covariance group who share the same observed visits.

    Visit-major layout so that whitening is one matrix product per block: ``y`` is (k, m) and
    ``x`` is (k, m, p), both already multiplied by the square root of the weights.
    """

    group: int
    visits: NDArray[np.intp]
    y: Array
    x: Array
    rows: NDArray[np.intp]  # positions in the analysed frame, (k, m)

    cells: NDArray[np.intp]  # flat positions of (visits x visits) in a T x T matrix, (k*k,)

    @property
    def n_subjects(self) -> int:
        return int(self.y.shape[1])


@dataclass
class MmrmData:
    """Everything the fit needs, checked and ordered."""

    formula: MmrmFormula
    frame: pd.DataFrame  # analysed rows only, factor columns as ordered Categoricals
    x: Array
    y: Array
    weights: Array
    column_names: list[str]
    model_spec: Any
    visit_levels: list[str]
    group_levels: list[str] | None
    factor_levels: dict[str, list[Any]]
    blocks: list[PatternBlock]
    n_subjects: int
    log_weight_sum: float
    all_subjects_frame: pd.DataFrame = field(repr=False)
    #: position in `visit_levels` of each analysed row
    visit_index: NDArray[np.intp] = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    #: the distinct numeric visit coordinates of ``sp_exp``, (visit levels x coordinates)
    coordinates: Array | None = None

    @property
    def n_observations(self) -> int:
        return int(self.y.size)

    @property
    def n_groups(self) -> int:
        return 1 if self.group_levels is None else len(self.group_levels)

    def visit_values(self) -> list[Any]:
        """The visits as the data holds them: factor levels, or the times of ``sp_exp``."""
        if self.coordinates is not None:
            points = [tuple(_time_value(t) for t in point) for point in self.coordinates]
            return [p[0] for p in points] if self.coordinates.shape[1] == 1 else list(points)
        return list(self.factor_levels[self.formula.covariance.visit])

    def visit_position(self, value: Any) -> int:
        """Index of a visit (level, or time(s) for ``sp_exp``) among the fitted visits.

        Raises:
            UnknownLevel: the visit (time) is not one the fit has seen.
        """
        cov = self.formula.covariance
        if self.coordinates is not None:
            try:
                point = np.asarray(value, dtype=float).reshape(-1)
            except (TypeError, ValueError):
                point = np.full(self.coordinates.shape[1], np.nan)
            if point.shape != (self.coordinates.shape[1],):
                point = np.full(self.coordinates.shape[1], np.nan)
            found = np.flatnonzero(np.all(self.coordinates == point, axis=1))
        else:
            found = np.flatnonzero(np.asarray(self.visit_levels) == str(value))
        if not found.size:
            raise UnknownLevel(
                cov.visit, f"visit {_show(value)} is not one of the fitted visits of {cov.visit}"
            )
        return int(found[0])


_DIGITS = re.compile(r"(\d+)")


def natural_key(value: Any) -> tuple[Any, ...]:
    """Sort key comparing digit runs as numbers, so ``VIS10`` follows ``VIS9``."""
    if isinstance(value, int | float | np.integer | np.floating):
        return (0, float(value))
    parts = _DIGITS.split(str(value))
    return (1, *[(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts])


def _is_factor(series: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def level_order(
    series: pd.Series,
    column: str,
    levels: Sequence[Any] | None = None,
    reference: Any | None = None,
) -> list[Any]:
    """Level order of a factor: explicit ``levels``, else Categorical order, else natural sort.

    ``reference`` (if given) is moved to the front, as it becomes the treatment-contrast baseline.

    Raises:
        UnknownLevel: ``levels`` misses a value present in the data, or ``reference`` is absent.
    """
    present = pd.unique(series.dropna())
    if levels is not None:
        order = list(levels)
        missing = [v for v in present if v not in set(order)]
        if missing:
            raise UnknownLevel(
                f"levels.{column}", f"level order omits {missing[0]!r}, which the data contains"
            )
    elif isinstance(series.dtype, pd.CategoricalDtype):
        order = list(series.cat.categories)
    else:
        order = sorted(present, key=natural_key)
    if reference is not None:
        match = [v for v in order if str(v) == str(reference)]
        if not match:
            raise UnknownLevel(
                f"reference.{column}",
                f"reference level {reference!r} is not a level of {column} "
                f"(levels: {', '.join(map(str, order))})",
            )
        order = [match[0]] + [v for v in order if v is not match[0] and v != match[0]]
    return order


def _show(value: Any) -> str:
    """repr() of a cell value without numpy's type wrapper (0.0, not np.float64(0.0))."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _required_columns(parsed: MmrmFormula) -> list[str]:
    """Response, fixed-effect columns (as the formula grammar found them), covariance columns."""
    fixed = list(parsed.fixed_columns)
    cov = parsed.covariance
    extra = [*cov.coordinates, cov.subject] + ([cov.group] if cov.group else [])
    return list(dict.fromkeys([parsed.response, *fixed, *extra]))


def _numeric_response(series: pd.Series, column: str) -> pd.Series:
    """Numbers stay, NA and empty cells are missing, anything else is bad input."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        numbers = series.astype(float)
        _refuse_infinite(numbers, column, "response")
        return numbers
    text = series.astype("string").str.strip()
    blank = text.isna() | (text == "") | (text.str.upper() == "NA")
    converted = pd.to_numeric(text.where(~blank), errors="coerce")
    bad = converted.isna() & ~blank
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise NonNumericResponse(
            f"{column}[{position}]",
            f"response value {_show(series.iloc[position])} is not a number "
            "(missing values must be NA or empty)",
        )
    values = converted.astype(float)
    _refuse_infinite(values, column, "response")
    return values


def _refuse_infinite(values: pd.Series, column: str, what: str) -> None:
    infinite = np.isinf(values.to_numpy(dtype=float))
    if infinite.any():
        position = int(np.flatnonzero(infinite)[0])
        raise NonFiniteValue(
            f"{column}[{position}]",
            f"{what} value {_show(values.iloc[position])} is not a finite number",
        )


def _is_text(series: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(series)
        or pd.api.types.is_bool_dtype(series)
        or isinstance(series.dtype, pd.CategoricalDtype)
    )


def _check_cells(frame: pd.DataFrame, parsed: MmrmFormula, columns: list[str]) -> None:
    """Refuse cells that would silently change the model (issue 11, defects 4 to 6).

    * an infinite covariate (the response is checked in `_numeric_response`);
    * a column holding numbers and text (``.``, ``n/a``): a numeric covariate with one stray
      cell would otherwise become a factor with one level per value;
    * a numeric visit or covariance group: formulaic would fit it as a linear trend while the
      covariance treats it as a factor; mmrm requires a factor visit (ADR 0034).
    """
    cov = parsed.covariance
    for name in columns[1:]:
        if name == cov.subject:
            continue
        series = frame[name]
        if cov.spatial and name in cov.coordinates:
            _check_times(series, name, cov.structure)
            continue
        if (
            name in (cov.visit, cov.group)
            and not _is_text(series)
            and not (
                isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(series)
            )
        ):
            present = np.flatnonzero(series.notna().to_numpy())
            position = int(present[0]) if present.size else 0
            role = "visit" if name == cov.visit else "covariance group"
            raise NumericVisit(
                f"{name}[{position}]",
                f"the {role} column holds numbers ({_show(series.iloc[position])}); an MMRM "
                "needs it as a factor: label the levels (e.g. W2, W6) in the data"
                + (
                    "; for visits at numeric times use sp_exp(TIME | SUBJECT)"
                    if role == "visit"
                    else ""
                ),
            )
        if _is_text(series):
            text = series.astype("string").str.strip()
            blank = text.isna() | (text == "") | (text.str.upper() == "NA")
            numeric = pd.to_numeric(text.where(~blank), errors="coerce")
            is_number = numeric.notna() & ~blank
            is_text = numeric.isna() & ~blank
            if is_number.any() and is_text.any():
                # The minority kind is the stray one: '.' among numbers, or 7 among labels.
                stray = is_text if is_text.sum() <= is_number.sum() else is_number
                position = int(np.flatnonzero(stray.to_numpy())[0])
                raise NonNumericCovariate(
                    f"{name}[{position}]",
                    f"column mixes numbers and text: {_show(series.iloc[position])} "
                    f"among {'numbers' if stray is is_text else 'text labels'} (missing values "
                    "must be NA or empty; a factor's levels must all be text)",
                )
            _refuse_infinite(numeric.where(is_number, 0.0), name, "covariate")
        elif pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            _refuse_infinite(series.astype(float), name, "covariate")


def _check_times(series: pd.Series, column: str, structure: str) -> None:
    """The visit times of a spatial structure: numbers (missing: NA or empty), all finite."""
    if pd.api.types.is_bool_dtype(series) or isinstance(series.dtype, pd.CategoricalDtype):
        numbers = pd.Series(np.nan, index=series.index)
        not_number = series.notna()
    elif pd.api.types.is_numeric_dtype(series):
        numbers = series.astype(float)
        not_number = pd.Series(False, index=series.index)
    else:
        text = series.astype("string").str.strip()
        blank = text.isna() | (text == "") | (text.str.upper() == "NA")
        numbers = pd.to_numeric(text.where(~blank), errors="coerce").astype(float)
        not_number = numbers.isna() & ~blank
    if not_number.any():
        position = int(np.flatnonzero(not_number.to_numpy())[0])
        raise NonNumericTime(
            f"{column}[{position}]",
            f"{structure} needs the time of each visit as a number (e.g. days since "
            f"randomisation); {_show(series.iloc[position])} is not a number",
        )
    _refuse_infinite(numbers, column, "visit time")


def prepare(
    data: pd.DataFrame,
    parsed: MmrmFormula,
    *,
    weights: str | None = None,
    reference: Mapping[str, Any] | None = None,
    levels: Mapping[str, Sequence[Any]] | None = None,
) -> MmrmData:
    """Check the data against the formula and build the pattern blocks.

    Rows with a missing response, visit, subject or fixed-effect covariate are left out (as
    R's ``na.omit``); subjects keep their other visits. Factor levels that no analysed row uses
    are dropped.

    Raises:
        MissingColumn, NonNumericResponse, NonPositiveWeight, DuplicateVisit, SingleVisitLevel,
        UnknownLevel, RankDeficientDesign, InsufficientData: see `errors`.
    """
    reference = dict(reference or {})
    levels = dict(levels or {})
    cov = parsed.covariance
    columns = _required_columns(parsed)
    for name in [*columns, *([weights] if weights else [])]:
        if name not in data.columns:
            raise MissingColumn(
                "formula" if name != weights else "weights",
                f"column {name!r} is not in the data "
                f"(columns: {', '.join(map(str, data.columns))})",
            )
    for name in [*reference, *levels]:
        if name not in data.columns:
            raise MissingColumn("reference", f"column {name!r} is not in the data")

    frame = data[list(dict.fromkeys([*columns, *([weights] if weights else [])]))].copy()
    frame = frame.reset_index(drop=True)
    frame[parsed.response] = _numeric_response(frame[parsed.response], parsed.response)
    _check_cells(frame, parsed, columns)
    for name in cov.coordinates if cov.spatial else ():
        if not pd.api.types.is_numeric_dtype(frame[name]):
            text = frame[name].astype("string").str.strip()
            blank = text.isna() | (text == "") | (text.str.upper() == "NA")
            frame[name] = pd.to_numeric(text.where(~blank)).astype(float)

    keys = frame[[cov.subject, *(cov.coordinates if cov.spatial else (cov.visit,))]].dropna()
    duplicated = keys.duplicated()
    if duplicated.any() and cov.spatial:
        # Two rows at one time: rho^0 = 1 would make the subject's Sigma singular.
        position = int(keys.index[duplicated.to_numpy()][0])
        subject, *point = keys.loc[position]
        where = (
            f"time {_show(point[0])}"
            if len(point) == 1
            else f"coordinates ({', '.join(_show(p) for p in point)})"
        )
        raise DuplicateVisit(
            f"{cov.visit}[{position}]",
            f"subject {_show(subject)} has more than one row at {where} "
            f"({cov.structure} needs distinct visit times within a subject)",
        )
    if duplicated.any():
        subject, visit = keys[duplicated].iloc[0]
        raise DuplicateVisit(
            cov.visit,
            f"subject {_show(subject)} has more than one row for visit {_show(visit)}",
        )

    all_subjects = frame.drop_duplicates(cov.subject).reset_index(drop=True)
    used = frame.dropna(subset=[c for c in columns if c in frame.columns]).reset_index(drop=True)
    if weights:
        w = pd.to_numeric(used[weights], errors="coerce")
        bad = ~((w > 0) & np.isfinite(w))
        if bad.any():
            position = int(np.flatnonzero(bad.to_numpy())[0])
            raise NonPositiveWeight(
                weights,
                f"weight {_show(used[weights].iloc[position])} in an analysed row is not a "
                "finite number > 0",
            )
        weight_values = w.to_numpy(dtype=float)
    else:
        weight_values = np.ones(len(used))

    factor_levels: dict[str, list[Any]] = {}
    forced = (cov.group,) if cov.spatial else (cov.visit, cov.group)  # sp_exp: times stay numbers
    for name in columns[1:]:
        if name in (cov.subject,) or not (_is_factor(used[name]) or name in forced):
            continue
        order = level_order(frame[name], name, levels.get(name), reference.get(name))
        present = set(pd.unique(used[name]))
        order = [v for v in order if v in present]
        factor_levels[name] = order
        if _is_factor(used[name]):
            used[name] = pd.Categorical(used[name], categories=order)
            all_subjects[name] = pd.Categorical(all_subjects[name], categories=order)

    coordinates: Array | None = None
    spatial_index: NDArray[np.intp] | None = None
    if cov.spatial:
        points = used[list(cov.coordinates)].to_numpy(dtype=float)
        coordinates, inverse = np.unique(points, axis=0, return_inverse=True)
        spatial_index = np.asarray(inverse, dtype=np.intp).reshape(-1)
        visit_levels: list[Any] = [_point_label(point) for point in coordinates]
    else:
        visit_levels = factor_levels[cov.visit]
    if len(visit_levels) < 2:
        raise SingleVisitLevel(
            cov.visit,
            f"the visit {'time' if cov.spatial else 'factor'} {cov.visit!r} has "
            f"{len(visit_levels)} {'distinct value' if cov.spatial else 'level'}(s) with a "
            "response; an MMRM needs at least 2",
        )
    group_levels = factor_levels[cov.group] if cov.group else None

    try:
        matrices = model_matrix(parsed.fixed_formula, used, ensure_full_rank=True)
    except Exception as error:  # formulaic raises several exception types
        raise FormulaSyntaxError("formula", f"cannot build the fixed effects: {error}") from error
    x_frame = matrices.rhs
    x = np.asarray(x_frame, dtype=float)
    names = [str(c) for c in x_frame.columns]
    y = used[parsed.response].to_numpy(dtype=float)
    _check_rank(x, names)

    if spatial_index is not None:
        visit_index = spatial_index
    else:
        visit_index = pd.Categorical(used[cov.visit], categories=visit_levels).codes.astype(np.intp)
    subject_index, _ = pd.factorize(used[cov.subject])
    if cov.group and group_levels is not None:  # group_levels is set exactly when cov.group is
        group_index = pd.Categorical(used[cov.group], categories=group_levels).codes.astype(np.intp)
        per_subject = pd.Series(group_index).groupby(subject_index).nunique()
        if (per_subject > 1).any():
            raise FormulaSyntaxError(
                cov.group, f"the covariance group {cov.group!r} changes within a subject"
            )
        seen = pd.crosstab(group_index, visit_index).reindex(
            index=range(len(group_levels)), columns=range(len(visit_levels)), fill_value=0
        )
        # sp_exp has no per-visit parameter: a group need not be seen at every time.
        empty = np.argwhere(seen.to_numpy() == 0) if not cov.spatial else np.zeros((0, 2))
        if empty.size:
            g, v = empty[0]
            raise InsufficientData(
                cov.group,
                f"no observed response at visit {_show(visit_levels[v])} in covariance group "
                f"{_show(group_levels[g])}: that group's covariance cannot be estimated "
                "(use a common covariance or a structure without per-visit variances)",
            )
    else:
        group_index = np.zeros(len(used), dtype=np.intp)

    n_subjects = int(subject_index.max()) + 1 if len(subject_index) else 0
    sqrt_w = np.sqrt(weight_values)
    blocks = _pattern_blocks(
        len(visit_levels), visit_index, subject_index, group_index, y * sqrt_w, x * sqrt_w[:, None]
    )
    return MmrmData(
        formula=parsed,
        frame=used,
        x=x,
        y=y,
        weights=weight_values,
        column_names=names,
        model_spec=x_frame.model_spec,
        visit_levels=[str(v) for v in visit_levels],
        group_levels=[str(v) for v in group_levels] if group_levels is not None else None,
        factor_levels=factor_levels,
        blocks=blocks,
        n_subjects=n_subjects,
        log_weight_sum=float(np.sum(np.log(weight_values))),
        all_subjects_frame=all_subjects,
        visit_index=visit_index,
        coordinates=coordinates,
    )


def _time_value(time: float) -> int | float:
    """A visit time as a Python number: 15 for 15.0 (so it prints as 15), else the float."""
    return int(time) if float(time).is_integer() and abs(time) < 2**53 else float(time)


def _point_label(point: Array) -> str:
    """A visit time as text (15 for 15.0, else the shortest repr that reads back the same);
    several coordinates as ``(1, -0.5)``."""
    labels = [str(_time_value(t)) for t in point]
    return labels[0] if len(labels) == 1 else f"({', '.join(labels)})"


def _check_rank(x: Array, names: list[str]) -> None:
    if x.shape[0] == 0:
        raise InsufficientData("formula", "no analysed rows (every response is missing)")
    _, r, pivot = linalg.qr(x, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    tol = diag.max() * max(x.shape) * np.finfo(float).eps * 10 if diag.size else 0.0
    rank = int(np.sum(diag > tol))
    if rank < x.shape[1]:
        aliased = [names[i] for i in sorted(pivot[rank:])]
        raise RankDeficientDesign(
            "formula",
            f"the fixed-effects design has rank {rank} < {x.shape[1]} columns; "
            f"aliased: {', '.join(aliased)} (e.g. an arm x visit cell with no observed response)",
        )


def _pattern_blocks(
    n_visits: int,
    visit: NDArray[np.intp],
    subject: NDArray[np.intp],
    group: NDArray[np.intp],
    y: Array,
    x: Array,
) -> list[PatternBlock]:
    """Sort rows by (group, pattern, subject, visit) and cut them into pattern blocks."""
    n_sub = int(subject.max()) + 1
    # One row of observed-visit flags per subject; equal rows are one pattern (any number of
    # visits: a 64-bit mask broke beyond 63, issue 11's contract review).
    seen = np.zeros((n_sub, n_visits), dtype=bool)
    seen[subject, visit] = True
    _, pattern_of_subject = np.unique(seen, axis=0, return_inverse=True)
    row_pattern = np.asarray(pattern_of_subject).ravel()[subject]
    order = np.lexsort((visit, subject, row_pattern, group))
    keys = np.stack([group[order], row_pattern[order]], axis=1)
    cuts = np.flatnonzero(np.any(keys[1:] != keys[:-1], axis=1)) + 1
    blocks = []
    for rows in np.split(order, cuts):
        visits = np.flatnonzero(seen[subject[rows[0]]]).astype(np.intp)
        k = visits.size
        m = rows.size // k
        block_rows = np.ascontiguousarray(rows.reshape(m, k).T)
        blocks.append(
            PatternBlock(
                group=int(group[rows[0]]),
                visits=visits,
                y=np.ascontiguousarray(y[block_rows]),
                x=np.ascontiguousarray(x[block_rows]),
                rows=block_rows,
                cells=(visits[:, None] * n_visits + visits[None, :]).ravel(),
            )
        )
    return blocks
