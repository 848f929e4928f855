"""Writing the research tables: one CSV or Parquet file per table (Parquet through pyarrow)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mdma_at.interop.research.formats import Format


def write(tables: dict[str, pd.DataFrame], directory: Path, form: Format) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = directory / f"{name}.{form.value}"
        if form is Format.PARQUET:
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False)
        written.append(path)
    return written
