"""The research set's file formats (apart, so the command line reads them without pandas)."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"
