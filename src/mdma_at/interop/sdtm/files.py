"""Writing the datasets: SAS transport v5 (`name.xpt`, through pyreadstat) and CSV (`name.csv`)
for each, and define.xml, into a directory the caller has checked."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyreadstat

from mdma_at.interop.sdtm.datasets import Dataset
from mdma_at.interop.sdtm.define import define_xml
from mdma_at.services.exports.study import StudyExport


def write(export: StudyExport, datasets: Sequence[Dataset], directory: Path) -> list[Path]:
    """Write every dataset and define.xml; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for dataset in datasets:
        name = dataset.name.lower()
        xpt = directory / f"{name}.xpt"
        labels: list[str | None] = [v.label for v in dataset.spec.variables]
        pyreadstat.write_xport(
            dataset.frame, xpt, file_label=dataset.spec.label,
            column_labels=labels, table_name=dataset.name, file_format_version=5,
        )  # fmt: skip
        csv = directory / f"{name}.csv"
        dataset.frame.to_csv(csv, index=False)
        written += [xpt, csv]
    define = directory / "define.xml"
    define.write_bytes(
        define_xml(export.study.code, export.study.title, datasets, export.exported_at)
    )
    written.append(define)
    return written
