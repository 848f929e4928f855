"""Bang's blinding index of a study's guesses, per time point and respondent (issue 16, item 5).

The study's guesses come from `services.trials.blinding.guess_lines` (one row per guess: time
point, respondent, subject, true arm, guess, certainty); each (time point, respondent) group is one
table for `analysis.blinding.blinding_table` in its 2x5 format (guess with certainty). A group
whose arms have not both answered yet gets no index, and says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from mdma_at.analysis.blinding import blinding_table, blinding_table_to_dict


class Line(Protocol):
    @property
    def time_point(self) -> str: ...
    @property
    def respondent(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def arm(self) -> str: ...
    @property
    def guess(self) -> str: ...
    @property
    def certainty(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class GroupIndex:
    time_point: str
    respondent: str
    n: int
    #: one dict per arm (treatment first) as `blinding_table_to_dict`; empty with `missing`
    arms: list[dict[str, Any]]
    missing: str  # why there is no index yet ("" when there is)


def blinding_by_time_point(
    lines: Iterable[Line], time_points: Iterable[str], treatment: str, control: str
) -> list[GroupIndex]:
    """The index per arm for each time point (in the order given) and respondent."""
    frame = pd.DataFrame(
        [
            {
                "time_point": x.time_point,
                "respondent": x.respondent,
                "subject": x.subject,
                "arm": x.arm,
                "guess": x.guess,
                "certainty": x.certainty,
            }
            for x in lines
        ],
        columns=["time_point", "respondent", "subject", "arm", "guess", "certainty"],
    )
    out = []
    for point in time_points:
        for respondent in ("participant", "therapist", "rater"):
            group = frame[(frame["time_point"] == point) & (frame["respondent"] == respondent)]
            if group.empty:
                continue
            absent = [a for a in (treatment, control) if not (group["arm"] == a).any()]
            if absent:
                out.append(
                    GroupIndex(point, respondent, len(group), [],
                               f"no guesses from the {' and '.join(absent)} arm yet")
                )  # fmt: skip
                continue
            table = blinding_table(
                group[["subject", "arm", "guess", "certainty"]].reset_index(drop=True),
                treatment,
                control,
            )
            out.append(GroupIndex(point, respondent, len(group), blinding_table_to_dict(table), ""))
    return out
