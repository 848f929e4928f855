"""The CLI as a real subprocess, and in-process where the process is not what a test is about."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from typer.testing import CliRunner

from mdma_at.config import get_settings
from mdma_at.entrypoints.cli.main import app
from support.server import app_env, copy_sqlite_database


def mdma_at(
    *args: str, env: Mapping[str, str], stdin: str = "", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `python -m mdma_at ARGS` with `env`, feeding `stdin`; never raises on exit codes
    (a command still running after `timeout` seconds raises `subprocess.TimeoutExpired`)."""
    return subprocess.run(
        [sys.executable, "-m", "mdma_at", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def mdma_at_in_process(
    *args: str, env: Mapping[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run ``mdma-at ARGS`` inside this process, through the same root command and exit-code
    guard as the shell does; the result has the shape `mdma_at` returns.

    A subprocess costs 1–5 s of interpreter, SQLAlchemy and Alembic start-up on a loaded 2-core
    machine, so a test that chains many commands runs them here and each command family keeps
    one test through `mdma_at`, the real entry point (docs/adr/0066). With `env`, the command
    reads its settings from those ``MDMA_AT_*`` variables alone, exactly as a subprocess given
    `env` would; settings are read afresh for each call and the command closes its database
    pool when it ends.
    """
    with _settings_from(env):
        result = CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)
    return subprocess.CompletedProcess(
        ["mdma-at", *args], result.exit_code, result.stdout, result.stderr
    )


def copy_for_the_cli(database: Path, workdir: Path) -> dict[str, str]:
    """A copy of a prepared SQLite database (e.g. the e2e tier's ``demo_template``) in
    `workdir`, and the environment `serve_copy` would give its server, without the server.

    The CLI reads and writes the database itself, so a test of commands alone needs no app
    server (starting one costs ≈ 2 s, far more on a loaded machine); the original stays
    untouched.
    """
    copy_sqlite_database(database, workdir / "e2e.db")
    return app_env(workdir)


@contextmanager
def _settings_from(env: Mapping[str, str] | None) -> Iterator[None]:
    if env is None:
        yield
        return
    saved = {key: value for key, value in os.environ.items() if key.startswith("MDMA_AT_")}
    for key in saved:
        del os.environ[key]
    os.environ.update({k: v for k, v in env.items() if k.startswith("MDMA_AT_")})
    get_settings.cache_clear()
    try:
        yield
    finally:
        for key in [k for k in os.environ if k.startswith("MDMA_AT_")]:
            del os.environ[key]
        os.environ.update(saved)
        get_settings.cache_clear()
