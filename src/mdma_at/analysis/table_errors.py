"""Bad input to the efficacy, responder, safety and blinding tables.

One exception type for the tables: it is an `InvalidInput` (so every entrypoint already maps it to
its bad-input surface, e.g. CLI exit 2) and a `ValueError` (so plain statistical code that catches
ValueError keeps working). `field` names the table and column, e.g. ``aes.severity``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import pandas as pd

from mdma_at.domain.errors import InvalidInput


class TableInputError(InvalidInput, ValueError):
    """A table that cannot be analysed: missing column, unknown arm, negative count, ...

    Attributes:
        field: dotted name of the offending input, e.g. ``efficacy.arm`` or ``counts.dont_know``.
        reason: what is wrong, naming the offending value and the rule it breaks.
    """


def require_frame(data: object, table: str) -> pd.DataFrame:
    """Return `data` if it is a DataFrame, else raise `TableInputError` naming `table`."""
    if not isinstance(data, pd.DataFrame):
        raise TableInputError(table, f"expected a pandas DataFrame, got {type(data).__name__}")
    return data


def require_columns(data: pd.DataFrame, table: str, columns: Iterable[str]) -> None:
    """Raise `TableInputError` naming every column of `columns` that `data` lacks."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise TableInputError(
            f"{table}.{missing[0]}",
            f"missing column(s) {', '.join(show(c) for c in missing)}; "
            f"the table has {', '.join(repr(str(c)) for c in data.columns) or 'no columns'}",
        )


def require_no_missing(data: pd.DataFrame, table: str, columns: Iterable[str]) -> None:
    """Raise `TableInputError` if any of `columns` holds a missing value (NaN/None)."""
    for column in columns:
        missing = data[column].isna()
        if missing.any():
            row = data.index[missing.to_numpy()][0]
            raise TableInputError(
                f"{table}.{column}",
                f"missing value in row {show(row)} ({int(missing.sum())} in all)",
            )


def require_known_arms(
    data: pd.DataFrame, table: str, arms: Sequence[str], column: str = "arm"
) -> None:
    """Raise `TableInputError` if `data[column]` holds an arm that is not in `arms`."""
    unknown = sorted({str(a) for a in data[column].unique()} - {str(a) for a in arms})
    if unknown:
        raise TableInputError(
            f"{table}.{column}",
            f"unknown arm(s) {', '.join(show(a) for a in unknown)}; "
            f"expected one of {', '.join(show(a) for a in arms)}",
        )


def require_bool(data: pd.DataFrame, table: str, column: str) -> pd.Series:
    """Return `data[column]` as a bool Series; raise unless every value is True/False (or 0/1)."""
    values = data[column]
    allowed = {True, False}
    bad = [v for v in values.unique() if not _is_boolean_like(v, allowed)]
    if bad:
        raise TableInputError(
            f"{table}.{column}",
            f"expected true/false, got {', '.join(show(v) for v in bad[:3])}",
        )
    return values.astype(bool)


def _is_boolean_like(value: object, allowed: set[bool]) -> bool:
    if isinstance(value, bool):
        return True
    try:
        return value in allowed and not pd.isna(value)  # numpy.bool_, 0 and 1
    except TypeError:
        return False


def require_numeric(data: pd.DataFrame, table: str, column: str) -> pd.Series:
    """Return `data[column]` as float (missing stays NaN); raise if a value is not a number.

    Booleans and text are refused even when pandas could coerce them: a ``True`` in a score column
    is a data error, not the number 1.
    """
    values = data[column]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    present = values[values.notna()]
    bad = [v for v in present if isinstance(v, bool) or not isinstance(v, numbers.Real)]
    if bad:
        raise TableInputError(f"{table}.{column}", f"expected numbers, got {show(bad[0])}")
    return pd.to_numeric(values.astype(object).where(values.notna(), None)).astype(float)


def show(value: object) -> str:
    """`repr` of a value from a table, without numpy's wrapper (``1``, not ``np.int64(1)``)."""
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        value = item()
    return repr(value)
