"""Printing a report page to PDF with the system's headless Chromium (ADR 0188).

The page is the same HTML the browser shows (its print CSS lays out the paper), written to a
private temporary directory and printed by `chromium --headless --print-to-pdf` as a
subprocess: no Python dependency at run time, and the layout is the one a person printing from
the browser gets. The page must be self-contained (styles inline, no network): the browser is
started without network access to anything but the file."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

PRINT_TIMEOUT_SECONDS = 120  # a long report on a busy two-core machine


class PdfFailed(Exception):
    """The browser did not produce a PDF (missing, crashed or timed out)."""


class ChromiumPrinter:
    def __init__(self, executable: Path) -> None:
        self._executable = executable

    def print_pdf(self, html: str) -> bytes:
        """The PDF of a self-contained HTML page.

        Raises:
            PdfFailed: naming the browser's own reason.
        """
        if not self._executable.exists():
            raise PdfFailed(f"no browser at {self._executable} (set MDMA_AT_CHROMIUM)")
        with tempfile.TemporaryDirectory(prefix="mdma-at-report-") as work:
            folder = Path(work)
            source, target = folder / "report.html", folder / "report.pdf"
            source.write_text(html, encoding="utf-8")
            command = [
                str(self._executable),
                "--headless",
                "--no-sandbox",  # run as a service user in a container; the page is our own
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-extensions",
                "--no-first-run",
                "--no-pdf-header-footer",
                f"--user-data-dir={folder / 'profile'}",
                f"--print-to-pdf={target}",
                source.as_uri(),
            ]
            try:
                done = subprocess.run(
                    command, capture_output=True, timeout=PRINT_TIMEOUT_SECONDS, check=False
                )
            except subprocess.TimeoutExpired:
                raise PdfFailed(f"the browser took over {PRINT_TIMEOUT_SECONDS} s") from None
            if not target.exists() or not target.read_bytes().startswith(b"%PDF"):
                reason = done.stderr.decode(errors="replace").strip().splitlines()
                raise PdfFailed(reason[-1] if reason else f"exit status {done.returncode}")
            return target.read_bytes()
