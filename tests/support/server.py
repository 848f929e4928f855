"""The real application as a subprocess, for the e2e tier (HTTP and browser tests).

:func:`app_server` runs ``python -m mdma_at serve --host 127.0.0.1 --port PORT`` against a fresh
SQLite database in a temporary directory, waits until ``GET /healthz`` answers 200, yields where it
listens, and terminates it at exit. If the app does not come up, its stderr is printed and raised,
so a broken start-up is diagnosed from the test report alone::

    with app_server(tmp_path, before=[["db", "upgrade"], ["db", "seed-demo"]]) as app:
        httpx.get(f"{app.base_url}/login")
        subprocess.run([sys.executable, "-m", "mdma_at", "audit", "verify"], env=app.env)
"""

from __future__ import annotations

import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from mdma_at.bootstrap import Container, bootstrap
from mdma_at.config import Settings
from support.postgres import free_port

#: Seconds the app may take from spawn to a 200 on /healthz. Its imports alone took 11 s under a
#: load average of 13 on two cores, and 30 s was not enough there (a dozen set-up errors in one
#: e2e run): a liveness limit, so generous; a healthy start ends the wait at once.
STARTUP_TIMEOUT_S = 120.0
#: Ports tried when the chosen one was taken before the app could bind it.
PORT_ATTEMPTS = 3
#: Seconds the app gets to shut down after SIGTERM before it is killed.
SHUTDOWN_TIMEOUT_S = 10.0

#: Builds the command line for a port; the default runs the real ``serve`` command.
CommandForPort = Callable[[int], Sequence[str]]


def serve_command(port: int) -> list[str]:
    """The real app: ``python -m mdma_at serve`` on 127.0.0.1 and the given port."""
    return [sys.executable, "-m", "mdma_at", "serve", "--host", "127.0.0.1", "--port", str(port)]


@dataclass(frozen=True)
class RunningApp:
    """Where the app under test listens and the environment it runs with.

    Attributes:
        base_url: ``http://127.0.0.1:PORT`` without a trailing slash.
        env: The full environment of the server process; pass it to CLI subprocesses so they see
            the same database and secret.
        database_url: The ``MDMA_AT_DATABASE_URL`` the app uses.
        workdir: The directory holding the database and the server's output files.
        pid: The server's process (its workers are its children).
    """

    base_url: str
    env: Mapping[str, str]
    database_url: str
    workdir: Path
    pid: int = 0


def copy_sqlite_database(source: Path, target: Path) -> None:
    """Copy a SQLite database file consistently (SQLite's online backup, WAL pages included)."""
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    origin.close()
    copy.close()


def app_env(workdir: Path, extra_env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of the app under test: a SQLite file in ``workdir`` and a random secret.

    Args:
        workdir: Directory for ``e2e.db``.
        extra_env: Variables to add or override (e.g. ``MDMA_AT_DATABASE_URL`` for PostgreSQL).

    Returns:
        A copy of this process's environment without any ``MDMA_AT_*`` variable of the developer's
        shell (the tests must not depend on it), plus the app's variables.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("MDMA_AT_")}
    env.update(
        {
            "MDMA_AT_DATABASE_URL": f"sqlite:///{workdir / 'e2e.db'}",
            "MDMA_AT_SECRET_KEY": secrets.token_urlsafe(32),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra_env or {})
    return env


@contextmanager
def app_server(
    workdir: Path,
    *,
    before: Sequence[Sequence[str]] = (),
    extra_env: Mapping[str, str] | None = None,
    command: CommandForPort = serve_command,
    startup_timeout_s: float = STARTUP_TIMEOUT_S,
) -> Iterator[RunningApp]:
    """Run the app on a free port until the ``with`` block ends.

    Args:
        workdir: An empty directory owned by the test (``tmp_path``), for the database and logs.
        before: CLI argument lists run first with the same environment, each as
            ``python -m mdma_at ARGS`` (e.g. ``["db", "upgrade"]``); a failure raises.
        extra_env: Variables to add or override in the app's environment.
        command: Builds the server's command line from the port; the real ``serve`` by default.
        startup_timeout_s: Seconds to wait for ``GET /healthz`` to answer 200.

    Yields:
        The running app.

    Raises:
        RuntimeError: When a ``before`` command fails, or the server exits or does not answer
            200 on /healthz in time; the message holds the server's stderr.
    """
    env = app_env(workdir, extra_env)
    for args in before:
        _run_cli(args, env)
    stdout_path, stderr_path = workdir / "server.stdout", workdir / "server.stderr"
    for attempt in range(1, PORT_ATTEMPTS + 1):
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        # Files, not pipes: a chatty server would block on a full pipe nobody reads.
        with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
            process = subprocess.Popen(
                list(command(port)),
                env=env,
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
            )
        try:
            _wait_until_healthy(process, base_url, startup_timeout_s, stderr_path)
            break
        except RuntimeError:
            # Another process (another xdist worker's server, a client's ephemeral port) took
            # the port between choosing and binding it: choose again.
            taken = "address already in use" in stderr_path.read_text(errors="replace").lower()
            if not taken or attempt == PORT_ATTEMPTS:
                raise
    try:
        yield RunningApp(
            base_url=base_url,
            env=env,
            database_url=env["MDMA_AT_DATABASE_URL"],
            workdir=workdir,
            pid=process.pid,
        )
    finally:
        _terminate(process)


@contextmanager
def serve_copy(
    database: Path, workdir: Path, *, extra_env: Mapping[str, str] | None = None
) -> Iterator[RunningApp]:
    """Run the app on a copy of a prepared SQLite database (e.g. the e2e tier's seeded demo
    clinic, ``demo_template``) until the ``with`` block ends; the original stays untouched.

    Args:
        database: The SQLite file to copy.
        workdir: An empty directory owned by the test, for the copy and the logs.
        extra_env: Variables to add or override in the app's environment.

    Yields:
        The running app.
    """
    copy_sqlite_database(database, workdir / "e2e.db")
    with app_server(workdir, extra_env=extra_env) as app:
        yield app


def _run_cli(args: Sequence[str], env: Mapping[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mdma_at", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"`mdma-at {' '.join(args)}` failed before the server started"
            f" (exit {done.returncode}):\n{done.stderr}"
        )


def _wait_until_healthy(
    process: subprocess.Popen[bytes], base_url: str, timeout_s: float, stderr_path: Path
) -> None:
    deadline = time.monotonic() + timeout_s
    last_problem = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _failed_to_start(f"exited with code {process.returncode}", stderr_path)
        try:
            response = httpx.get(f"{base_url}/healthz", timeout=2.0)
        except httpx.TransportError as error:
            last_problem = f"{type(error).__name__}: {error}"
        else:
            if response.status_code == 200:
                return
            last_problem = f"GET /healthz answered {response.status_code}"
        time.sleep(0.1)
    _terminate(process)
    _failed_to_start(
        f"did not answer 200 on /healthz within {timeout_s:g} s ({last_problem})", stderr_path
    )


def _failed_to_start(what: str, stderr_path: Path) -> None:
    stderr = stderr_path.read_text(errors="replace")
    message = f"the app server {what}; its stderr:\n{stderr or '(empty)'}"
    print(message, file=sys.stderr)
    raise RuntimeError(message)


def _terminate(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (uvicorn shuts down gracefully), then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=SHUTDOWN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def api_token(app: RunningApp, username: str, name: str = "e2e tests") -> str:
    """A bearer token for `username` on the running app, issued by ``mdma-at user token`` with
    the app's environment. In-process (the same root command, docs/adr/0066): a subprocess costs
    1–5 s of start-up for what is only a test's set-up; the conftest's ``api_token`` fixture
    keeps issuing one through the real entry point."""
    # Imported here: support.cli builds on this module (app_env, copy_sqlite_database).
    from support.cli import mdma_at_in_process

    issued = mdma_at_in_process("user", "token", username, "--name", name, env=app.env)
    assert issued.returncode == 0, issued.stderr
    return issued.stdout.strip()


def api_client(app: RunningApp, username: str, name: str = "e2e tests") -> httpx.Client:
    """An HTTP client of the running app carrying a fresh bearer token of `username`."""
    headers = {"Authorization": f"Bearer {api_token(app, username, name)}"}
    return httpx.Client(base_url=app.base_url, headers=headers)


@contextmanager
def container_of(app: RunningApp) -> Iterator[Container]:
    """The running app's database behind the real adapters, with the server's own secret (a
    randomisation seed sealed here is one the server can open, ADR 0160): for a test's set-up."""
    container = bootstrap(
        Settings(database_url=app.database_url, secret_key=app.env["MDMA_AT_SECRET_KEY"])
    )
    try:
        yield container
    finally:
        container.engine.dispose()
