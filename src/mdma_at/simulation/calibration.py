"""The simulator's calibration, read from `calibration.toml` (one file, a source beside each
figure). A figure is a TOML table ``{value, source[, note]}``; `source` is a tag of the file's
``[sources]`` table or ``"simulation default"`` (then `note` says why that value)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

SIMULATION_DEFAULT = "simulation default"
ARMS = ("mdma", "placebo")  # the study's arm codes (services.trials.studies.create_study)
TEAE_TERMS = {  # calibration key -> the adverse-event term recorded in the session
    "muscle_tightness": "Muscle tightness",
    "decreased_appetite": "Decreased appetite",
    "nausea": "Nausea",
    "hyperhidrosis": "Hyperhidrosis",
}


@dataclass(frozen=True, slots=True)
class Figure:
    """One calibrated figure: its path in the file, value, source tag and note."""

    path: str
    value: float
    source: str
    note: str


def raw() -> dict[str, Any]:
    """The calibration file as parsed."""
    text = resources.files(__package__).joinpath("calibration.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def figures(document: Mapping[str, Any] | None = None) -> Iterator[Figure]:
    """Every figure of the file (every table with a `value`), in file order."""

    def walk(node: Mapping[str, Any], path: str) -> Iterator[Figure]:
        for key, item in node.items():
            if not isinstance(item, Mapping):
                raise ValueError(f"{path}{key}: a figure is a table {{value, source}}")
            if "value" in item:
                yield Figure(
                    f"{path}{key}",
                    float(item["value"]),
                    str(item.get("source", "")),
                    str(item.get("note", "")),
                )
            else:
                yield from walk(item, f"{path}{key}.")

    doc = raw() if document is None else document
    yield from walk({k: v for k, v in doc.items() if k != "sources"}, "")


@dataclass(frozen=True, slots=True)
class Calibration:
    """The figures as the simulator uses them (`value(path)` for any other)."""

    values: Mapping[str, float]

    def value(self, path: str) -> float:
        return self.values[path]

    def baseline(self, arm: str) -> tuple[float, float]:
        return self.values[f"baseline.{arm}.mean"], self.values[f"baseline.{arm}.sd"]

    def change(self, arm: str, effect: float) -> float:
        """Mean 18-week change of `arm`; `effect` scales the between-arm difference (1: as
        published, 0: a null trial where both arms change as placebo does)."""
        placebo = self.values["change.placebo.mean"]
        if arm == "placebo":
            return placebo
        return placebo + effect * (self.values["change.mdma.mean"] - placebo)

    def dropout(self, arm: str) -> float:
        """The share of `arm` who do not complete (completion figures)."""
        done = self.values[f"completion.{arm}.completed"]
        return 1 - done / self.values[f"completion.{arm}.randomised"]

    def trajectory(self) -> dict[str, float]:
        """Share of the 18-week change reached at each CAPS-5 visit after baseline."""
        return {
            k.removeprefix("trajectory."): v
            for k, v in self.values.items()
            if k.startswith("trajectory.")
        }

    def teae(self, arm: str) -> dict[str, float]:
        return {key: self.values[f"teae.{arm}.{key}"] for key in TEAE_TERMS}


@cache
def load() -> Calibration:
    """The packaged calibration."""
    return Calibration({f.path: f.value for f in figures()})
