"""The SDTMIG 3.3 / SAS transport v5 rules every dataset is checked against before it is written
(and that the read-back test checks again). Listed in docs/interop/sdtm.md."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

#: SAS transport v5: names of datasets and variables at most 8 characters (SDTMIG 3.3 §2.2.3,
#: SAS TS-140), letters and digits, starting with a letter (SDTMIG 3.3 §4.2.1).
MAX_NAME = 8
NAME = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")
#: Labels of datasets and variables at most 40 characters (SDTMIG 3.3 §2.2.3, SAS TS-140).
MAX_LABEL = 40
#: A character value at most 200 bytes (SAS transport v5; SDTMIG 3.3 §4.5.3.2 splits longer text
#: into SUPP-- records).
MAX_CHAR = 200
#: Test codes (--TESTCD, QNAM) at most 8 characters, letters, digits, underscores, not starting
#: with a digit (SDTMIG 3.3 §4.5.3.1 / §8.4.1).
TESTCD = re.compile(r"^[A-Z_][A-Z0-9_]{0,7}$")
#: Test names (--TEST, QLABEL) at most 40 characters (SDTMIG 3.3 §4.5.3.1).
MAX_TEST = 40


def problems(
    name: str,
    label: str,
    columns: Mapping[str, str],
    values: Mapping[str, Sequence[object]],
) -> list[str]:
    """Every rule `name` breaks: the dataset name and label, each variable's name and label,
    each character value's length (in ASCII bytes), and test codes and test names."""
    found = []
    if not NAME.fullmatch(name):
        found.append(f"{name}: dataset name must be 1-{MAX_NAME} capitals or digits")
    if len(label) > MAX_LABEL:
        found.append(f"{name}: dataset label over {MAX_LABEL} characters")
    for variable, variable_label in columns.items():
        if not NAME.fullmatch(variable):
            found.append(f"{name}.{variable}: name must be 1-{MAX_NAME} capitals or digits")
        if len(variable_label) > MAX_LABEL:
            found.append(f"{name}.{variable}: label over {MAX_LABEL} characters")
        for value in values.get(variable, ()):
            if isinstance(value, str) and len(value.encode("ascii", "replace")) > MAX_CHAR:
                found.append(f"{name}.{variable}: a value over {MAX_CHAR} bytes")
                break
            if isinstance(value, str) and not value.isascii():
                found.append(f"{name}.{variable}: a value outside ASCII")
                break
        if variable.endswith("TESTCD") or variable == "QNAM":
            bad = [v for v in values.get(variable, ()) if not TESTCD.fullmatch(str(v))]
            if bad:
                found.append(f"{name}.{variable}: {bad[0]!r} is not a valid short name")
        long_test = any(len(str(v)) > MAX_TEST for v in values.get(variable, ()))
        if (variable.endswith("TEST") or variable == "QLABEL") and long_test:
            found.append(f"{name}.{variable}: a value over {MAX_TEST} characters")
    return found
