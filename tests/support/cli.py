"""The CLI as a real subprocess, and in-process where the process is not what a test is about."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping

from typer.testing import CliRunner

from mdma_at.entrypoints.cli.main import app


def mdma_at(
    *args: str, env: Mapping[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run `python -m mdma_at ARGS` with `env`, feeding `stdin`; never raises on exit codes."""
    return subprocess.run(
        [sys.executable, "-m", "mdma_at", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def mdma_at_in_process(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run ``mdma-at ARGS`` inside this process, through the same root command and exit-code
    guard as the shell does; the result has the shape `mdma_at` returns.

    For the commands that need no settings and no database (``score``, ``screen``,
    ``session replay``, ``analyze``): settings are read once per process, so a database command
    run here would keep the first test's database. A subprocess costs 1–5 s of interpreter and
    library start-up on a loaded 2-core machine; a module that checks many inputs of one command
    runs them here and keeps one subprocess test for the real entry point.
    """
    result = CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)
    return subprocess.CompletedProcess(
        ["mdma-at", *args], result.exit_code, result.stdout, result.stderr
    )
