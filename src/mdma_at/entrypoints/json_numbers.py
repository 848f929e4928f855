"""Where a JSON document holds a number no clinical field can take (NaN, ±Infinity, 1e999).

Python's ``json`` reads ``NaN`` and ``Infinity`` (not JSON) and turns ``1e999`` into infinity.
The command line and the API refuse such a document naming the field the number sits in, the way
the parsers behind them name a field (``vitals.temperature_c``, ``events[3].systolic``), so one
reading of the refusal tells where to look (issue 10: a NaN temperature was screened eligible).
"""

from __future__ import annotations

import math
from typing import Any


def first_non_finite(document: Any) -> tuple[str, float] | None:
    """The path ("" for the document itself) and value of the first non-finite number, depth
    first in document order; None when every number is finite."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        here, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return here, value
        if isinstance(value, dict):
            children = [(f"{here}.{key}" if here else str(key), v) for key, v in value.items()]
        elif isinstance(value, list):
            children = [(f"{here}[{i}]", v) for i, v in enumerate(value)]
        else:
            continue
        stack.extend(reversed(children))
    return None
