"""A throwaway PostgreSQL server for the test session.

The integration tier runs the same repository tests on SQLite and on a real PostgreSQL server. This
module starts that server itself, so no developer or CI machine needs one running: ``initdb`` into a
fresh temporary directory (trust authentication, UTF8), listen on 127.0.0.1 on a free port with the
unix socket inside that directory, and remove everything again at exit (also when a test fails).

PostgreSQL refuses to run as root, so under root (CI runs as root) ``initdb`` and ``pg_ctl`` run as
the ``postgres`` system user through ``runuser``, with the temporary directory handed to that user.

Typical use, from a session-scoped fixture (see ``support.fixtures``)::

    with PostgresServer.start() as server:
        url = server.url                       # postgresql+psycopg://postgres@127.0.0.1:PORT/postgres
        other = server.create_database("t1")   # ...same server, database "t1"

Where no PostgreSQL binaries exist, :func:`require_binaries` skips with a loud reason, except when
the ``CI`` environment variable is set: there a missing PostgreSQL is a broken CI image and fails.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import LiteralString

import psycopg
import pytest
from psycopg import sql

#: The system user PostgreSQL runs as when the tests run as root (Debian's name for it).
SYSTEM_USER = "postgres"
#: The database superuser that ``initdb -U`` creates; with trust auth it needs no password.
SUPERUSER = "postgres"
#: Seconds ``pg_ctl`` may take to start or stop the server before we give up.
PG_CTL_TIMEOUT_S = 60
#: How many free ports to try when the one chosen is taken before the server binds it.
START_ATTEMPTS = 3

# Durability is worthless for a server that is deleted after the run; turning it off makes
# DDL-heavy tests (migrations from empty) several times faster.
_TEST_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
    "shared_buffers": "32MB",
    "log_min_messages": "warning",
    "timezone": "'UTC'",
}
#: A production server's durability (PostgreSQL's own defaults), for benchmarks that compare
#: against a commit that reaches the disk (bench/api.py --durable).
_DURABLE_SETTINGS = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}

_DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def in_ci() -> bool:
    """Tell whether we run under CI, where a missing prerequisite is a failure, not a skip.

    Returns:
        True when the ``CI`` environment variable is set to anything but ``""``, ``0`` or
        ``false`` (any case).
    """
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def skip_or_fail(reason: str) -> None:
    """Skip the test loudly, or fail it under CI (see :func:`in_ci`).

    Args:
        reason: What is missing and how to get it; shown in pytest's ``-ra`` summary.
    """
    if in_ci():
        pytest.fail(f"under CI: {reason}", pytrace=False)
    pytest.skip(f"!!! NOT TESTED: {reason} !!!")


@dataclass(frozen=True)
class PostgresBinaries:
    """Where ``initdb`` and ``pg_ctl`` live (``pg_ctl`` finds ``postgres`` beside itself)."""

    initdb: Path
    pg_ctl: Path


def find_binaries() -> PostgresBinaries | None:
    """Find ``initdb`` and ``pg_ctl``: first on PATH, then the newest /usr/lib/postgresql/*/bin.

    Returns:
        The binaries, or None when no directory holds both ``initdb`` and ``pg_ctl``.
    """
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        # /usr/local/bin/initdb may be a symlink into /usr/lib/postgresql/N/bin; pg_ctl must
        # come from the same installation, so look beside the resolved file as well.
        candidates += [Path(on_path).parent, Path(on_path).resolve().parent]
    versioned = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += [Path(p) for p in sorted(versioned, key=_major_version, reverse=True)]
    for directory in candidates:
        initdb, pg_ctl = directory / "initdb", directory / "pg_ctl"
        if os.access(initdb, os.X_OK) and os.access(pg_ctl, os.X_OK):
            return PostgresBinaries(initdb=initdb, pg_ctl=pg_ctl)
    return None


def require_binaries() -> PostgresBinaries:
    """Find the PostgreSQL binaries or skip loudly (fail under CI).

    Returns:
        The binaries found by :func:`find_binaries`.
    """
    binaries = find_binaries()
    if binaries is None:
        skip_or_fail(
            "PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in"
            " /usr/lib/postgresql/*/bin; the PostgreSQL half of the integration tests did not run."
            " Install them with `apt-get install -y postgresql` (see docs/development.md)"
        )
    assert binaries is not None  # skip_or_fail never returns
    return binaries


def free_port() -> int:
    """Ask the kernel for a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PostgresServer:
    """One running throwaway PostgreSQL cluster; a context manager that removes it at exit.

    Create it with :meth:`start`; every failure after ``initdb`` stops the server and removes the
    directory before the error propagates.
    """

    def __init__(
        self, binaries: PostgresBinaries, root: Path, port: int, *, durable: bool = False
    ) -> None:
        self.binaries = binaries
        self.durable = durable
        self.root = root
        self.port = port
        self.data_dir = root / "data"
        self.log_file = root / "postgres.log"

    # -- life cycle -----------------------------------------------------------------------------

    @classmethod
    def start(
        cls, binaries: PostgresBinaries | None = None, *, durable: bool = False
    ) -> PostgresServer:
        """Initialise and start a fresh cluster on a free port.

        Args:
            binaries: Which PostgreSQL to run; by default :func:`require_binaries` (skips or
                fails when none exists).
            durable: Commits reach the disk (fsync, synchronous commit, full-page writes on,
                as in production); by default off, as a throwaway test database needs.

        Returns:
            The running server; use it as a context manager or call :meth:`stop`.

        Raises:
            RuntimeError: When initdb or the start failed; the message holds the server log.
        """
        binaries = binaries or require_binaries()
        root = Path(tempfile.mkdtemp(prefix="mdma-at-pg-", dir=_traversable_tmp()))
        server = cls(binaries, root, free_port(), durable=durable)
        try:
            server._initdb()
            server._start()
        except BaseException:
            server.stop()
            raise
        return server

    def stop(self) -> None:
        """Stop the server (immediate shutdown: the data is thrown away) and remove its directory.

        Safe to call twice and after a failed start.
        """
        try:
            # postmaster.pid exists while a server runs, also after a start that timed out.
            if (self.data_dir / "postmaster.pid").exists():
                self._pg_ctl(["stop", "--mode", "immediate"], check=False)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what tests use -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``postgres`` database, as the superuser ``postgres``."""
        return self.url_for("postgres")

    def url_for(self, database: str) -> str:
        """SQLAlchemy URL (psycopg 3 driver) of one database on this server."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str = "template0") -> str:
        """Create a database, empty or as a copy of `template`, and return its SQLAlchemy URL.

        Args:
            name: Lower-case identifier, at most 63 characters (``[a-z_][a-z0-9_]*``).
            template: The database copied: ``template0`` (empty), or one the tests prepared once
                (e.g. migrated), which must have no open connection while it is copied.

        Returns:
            The URL of the new database.

        Raises:
            ValueError: When a name is not a plain identifier.
        """
        self._admin("CREATE DATABASE {} TEMPLATE {} ENCODING 'UTF8'", name, template)
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting any session still using it (PostgreSQL 13+)."""
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)

    def log(self) -> str:
        """The server's log so far (empty when there is none yet)."""
        try:
            return self.log_file.read_text(errors="replace")
        except OSError:
            return ""

    # -- internals ------------------------------------------------------------------------------

    def _initdb(self) -> None:
        _hand_to_system_user(self.root)
        self._run(
            [
                str(self.binaries.initdb),
                "--pgdata",
                str(self.data_dir),
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
                "--no-instructions",
            ],
            what="initdb",
        )
        # The socket lives in our own directory, not /var/run/postgresql (which may not exist).
        durability = _DURABLE_SETTINGS if self.durable else {}
        self._configure(
            {**_TEST_SETTINGS, **durability, "unix_socket_directories": f"'{self.root}'"}
        )

    def _configure(self, settings: dict[str, str]) -> None:
        # Appending keeps the file's owner (the postgres user under root); the last line wins.
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def _start(self) -> None:
        # The port was free when the kernel named it, but another test run on the same machine
        # may take it before postgres binds; then a fresh port is tried.
        for attempt in range(1, START_ATTEMPTS + 1):
            self._configure({"port": str(self.port)})
            try:
                self._pg_ctl(["start", "--log", str(self.log_file)], check=True)
                return
            except RuntimeError:
                if attempt == START_ATTEMPTS or "Address already in use" not in self.log():
                    raise
                self.port = free_port()

    def _pg_ctl(self, args: Sequence[str], *, check: bool) -> None:
        command = [
            str(self.binaries.pg_ctl),
            *args,
            "--pgdata",
            str(self.data_dir),
            "--wait",
            "--timeout",
            str(PG_CTL_TIMEOUT_S),
        ]
        self._run(command, what=f"pg_ctl {args[0]}", check=check)

    def _run(self, command: list[str], *, what: str, check: bool = True) -> None:
        # No pipes to the server: pg_ctl start leaves postgres running, and a child holding our
        # pipe open would make run() wait for it forever. Output goes to a file instead.
        with tempfile.TemporaryFile() as out:
            done = subprocess.run(
                _as_system_user(command),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=PG_CTL_TIMEOUT_S + 30,
                check=False,
            )
            if check and done.returncode != 0:
                out.seek(0)
                output = out.read().decode(errors="replace")
                raise RuntimeError(
                    f"{what} failed with exit code {done.returncode}:\n{output}\n"
                    f"--- server log ({self.log_file}) ---\n{self.log()}"
                )

    def _admin(self, statement: LiteralString, *databases: str) -> None:
        """Run one statement about databases, outside a transaction (CREATE/DROP DATABASE)."""
        names = [sql.Identifier(_checked_name(database)) for database in databases]
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(sql.SQL(statement).format(*names))


def _checked_name(name: str) -> str:
    if not _DATABASE_NAME.match(name):
        raise ValueError(f"database name {name!r} must match {_DATABASE_NAME.pattern}")
    return name


def _major_version(bin_dir: str) -> int:
    version = Path(bin_dir).parent.name
    return int(version) if version.isdigit() else -1


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _as_system_user(command: list[str]) -> list[str]:
    """Prefix a command with ``runuser`` when we are root, since postgres refuses root."""
    if not _running_as_root():
        return command
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return [runuser, "-u", SYSTEM_USER, "--", *command]


def _hand_to_system_user(root: Path) -> None:
    """Give the fresh temporary directory to the postgres user when we are root."""
    if not _running_as_root():
        return
    try:
        user = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        raise RuntimeError(
            f"running as root, PostgreSQL must run as the {SYSTEM_USER!r} system user, which does"
            f" not exist; create it with `useradd --system --user-group {SYSTEM_USER}`"
            " (.ci/run does this)"
        ) from None
    os.chown(root, user.pw_uid, user.pw_gid)


def _traversable_tmp() -> str | None:
    """A parent for the temp dir that the postgres user can enter (only matters under root).

    Root's TMPDIR may sit inside /root (mode 0700), where the postgres user cannot reach its own
    data directory; /tmp is world-traversable by convention.
    """
    if not _running_as_root():
        return None
    default = Path(tempfile.gettempdir()).resolve()
    chain = [default, *default.parents]
    if all(os.stat(p).st_mode & 0o001 for p in chain):
        return str(default)
    return "/tmp"
