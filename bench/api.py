"""Vital signs recorded through the real HTTP API under load (``make bench-api``; issue 18).

For SQLite and for a throwaway PostgreSQL (started as the tests start theirs, tests/support): the
demo clinic is seeded, ``mdma-at serve`` runs in a subprocess (uvicorn), and httpx clients post
vital signs to ``POST /api/sessions/{id}/entries``:

- closed loop with 1, 8 and 32 concurrent clients (each client its own dosing session while the
  demo has enough of them, round robin after that): writes/s, p50/p95/p99 latency, errors;
- the raw driver (sqlite3 / psycopg) inserting the same rows one per transaction (insert, commit)
  with as many threads, in the same run: the API/raw ratio;
- an open loop at a fixed 200 requests/s: p99 measured from each request's scheduled time (a late
  start counts as latency, so a server that falls behind shows it);
- growth: a write to a session of 1,000 entries against one to a session of 10.

The LAST line printed is one JSON object with the ratios, the percentiles and the growth, and
for each closed-loop API run the CPU time per write of the server (its process and workers),
of PostgreSQL (the postmaster and its backends) and of the bench's own clients: what the
machine's other load moves least, and where the cores went.
``--quick`` runs everything short (about a minute per database) as a smoke run. The client
threads share the machine's cores with the server: the numbers are the whole machine's.
PostgreSQL runs with the tests' settings (fsync and synchronous commit off: the raw driver's
commit never waits for the disk); ``--durable`` runs it as production does (both on), so the
raw rate is that of a commit that reaches the disk, as the API's audit checkpoint does.

Not part of the test suite: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.cli import mdma_at  # the tests' helpers, on the path above
from support.postgres import PostgresServer, find_binaries
from support.server import RunningApp, app_server

NORMAL = {"systolic": 124, "diastolic": 78, "heart_rate": 72, "temperature_c": 36.8, "spo2": 98}
CLIENTS = (1, 8, 32)
FIXED_RATE = 200  # requests/s (issue 18's goal: p99 < 25 ms at this rate)


@dataclass(frozen=True)
class Plan:
    seconds: float  # each closed-loop run
    fixed_seconds: float  # the fixed-rate run
    big: int  # entries in the large session of the growth run
    growth_writes: int  # writes timed on each of the two sessions


FULL = Plan(seconds=10.0, fixed_seconds=15.0, big=1000, growth_writes=60)
QUICK = Plan(seconds=2.0, fixed_seconds=3.0, big=200, growth_writes=15)


@dataclass
class Run:
    """One load run: latencies in seconds of the successful writes, errors, wall time."""

    label: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The p-th percentile in ms (nearest rank); NaN without a successful write."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000

    def line(self) -> str:
        return (
            f"{self.label:<10} {self.clients:>3} clients {self.rate:9.1f} writes/s  "
            f"p50 {self.percentile(50):7.1f} ms  p95 {self.percentile(95):7.1f} ms  "
            f"p99 {self.percentile(99):7.1f} ms  errors {self.errors}"
        )

    def summary(self) -> dict[str, Any]:
        return {
            "writes_per_s": round(self.rate, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "errors": self.errors,
        }


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) used so far by process `root` and its descendants, those that
    have ended included (Linux: each process's own times and its waited-for children's)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    used: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while we looked
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)  # field 4: the parent
        used[pid] = sum(int(f) for f in fields[11:15])  # fields 14-17: utime, stime, cutime, cstime
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += used.get(pid, 0)
        todo += children.get(pid, [])
    return total / ticks


@dataclass(frozen=True)
class CpuMeter:
    """Where the cores go during a run: the server's process tree, PostgreSQL's (0: none), and
    this process (the client threads)."""

    server: int
    postgres: int = 0

    def read(self) -> tuple[float, float, float]:
        mine = os.times()
        database = tree_cpu_seconds(self.postgres) if self.postgres else 0.0
        return tree_cpu_seconds(self.server), database, mine.user + mine.system

    def per_write(self, before: tuple[float, float, float], writes: int) -> dict[str, float]:
        after = self.read()
        server, database, clients = (
            (b - a) * 1000 / max(writes, 1) for a, b in zip(before, after, strict=True)
        )
        return {
            "server_ms": round(server, 2),
            "postgresql_ms": round(database, 2),
            "clients_ms": round(clients, 2),
        }


def closed_loop(label: str, clients: int, seconds: float, write: Callable[[int], bool]) -> Run:
    """`clients` threads, each calling ``write(client)`` back to back for `seconds`."""
    run = Run(label, clients)
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def client(number: int) -> None:
        mine: list[float] = []
        errors = 0
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            ok = write(number)
            if ok:
                mine.append(time.perf_counter() - began)
            else:
                errors += 1
        with lock:
            run.latencies.extend(mine)
            run.errors += errors

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - start
    return run


def fixed_rate(rate: int, seconds: float, write: Callable[[int], bool], threads: int = 64) -> Run:
    """Requests scheduled every 1/`rate` s; latency counts from the scheduled time. A server
    that falls behind gets 30 s more at most: what is not sent by then counts as errors."""
    total = int(rate * seconds)
    run = Run(f"{rate}/s", threads)
    lock = threading.Lock()
    taken = iter(range(total))
    start = time.perf_counter() + 0.05
    give_up = start + seconds + 30

    def sender() -> None:
        while True:
            with lock:
                i = next(taken, None)
                if i is not None and time.perf_counter() > give_up:
                    run.errors += 1
                    continue
            if i is None:
                return
            scheduled = start + i / rate
            wait = scheduled - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            ok = write(i)
            latency = time.perf_counter() - scheduled
            with lock:
                if ok:
                    run.latencies.append(latency)
                else:
                    run.errors += 1

    workers = [threading.Thread(target=sender) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    run.seconds = min(time.perf_counter(), give_up) - start
    return run


class Api:
    """A therapist's API clients (one httpx client per thread) and the sessions they write to."""

    def __init__(self, app: RunningApp, token: str) -> None:
        self._app = app
        self._headers = {"Authorization": f"Bearer {token}"}
        self._local = threading.local()
        self._visits = self._dosing_visits()

    def client(self) -> httpx.Client:
        found: httpx.Client | None = getattr(self._local, "client", None)
        if found is None:
            found = httpx.Client(base_url=self._app.base_url, headers=self._headers, timeout=60)
            self._local.client = found
        return found

    def _dosing_visits(self) -> list[int]:
        """The demo's dosing visits that have no session yet, at the therapist's site."""
        api = self.client()
        visits = []
        for patient in api.get("/api/patients").json():
            chart = api.get(f"/api/patients/{patient['id']}")
            if chart.status_code != 200:
                continue
            for enrolment in chart.json().get("enrolments", []):
                visits += [v["id"] for v in enrolment.get("visits", []) if v.get("dosing_number")]
        return visits

    def new_sessions(self, wanted: int) -> list[int]:
        """Start up to `wanted` sessions (an hour ago); at least one, or fail loudly."""
        started: list[int] = []
        when = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        while self._visits and len(started) < wanted:
            visit = self._visits.pop(0)
            response = self.client().post(
                f"/api/visits/{visit}/session",
                json={"started_at": when, "childbearing_potential": False, "weight_kg": 70},
            )
            if response.status_code == 201:
                started.append(int(response.json()["id"]))
        if not started:
            raise RuntimeError("no dosing visit left to start a session on")
        return started

    def vitals(self, session_id: int) -> bool:
        try:
            response = self.client().post(
                f"/api/sessions/{session_id}/entries", json={"kind": "vitals", "data": NORMAL}
            )
        except httpx.HTTPError:
            return False
        return response.status_code == 201


class Raw:
    """The raw driver: one row like an API entry inserted and committed per transaction, into
    a table of the same columns as the session entries (the app's own table is append-only and
    sealed, so the raw rows go beside it)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._local = threading.local()
        self._sqlite = url.startswith("sqlite")
        payload = json.dumps(NORMAL, sort_keys=True)
        self._row = (1, datetime.now(UTC), "vitals", payload, None, None, 1, "Bench", "therapist")
        with self._connect() as db:
            if self._sqlite:
                db.execute("CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, session_id INTEGER,"
                           " t TIMESTAMP, kind TEXT, payload TEXT, allowed BOOLEAN, reasons TEXT,"
                           " recorded_by INTEGER, recorded_by_name TEXT, role TEXT,"
                           " recorded_at TIMESTAMP)")  # fmt: skip
            else:
                db.execute("CREATE TABLE bench_raw (id SERIAL PRIMARY KEY, session_id INTEGER,"
                           " t TIMESTAMPTZ, kind TEXT, payload TEXT, allowed BOOLEAN, reasons TEXT,"
                           " recorded_by INTEGER, recorded_by_name TEXT, role TEXT,"
                           " recorded_at TIMESTAMPTZ)")  # fmt: skip
                db.commit()

    def _connect(self) -> Any:
        if self._sqlite:
            db = sqlite3.connect(self._url.removeprefix("sqlite:///"), timeout=30)
            db.isolation_level = None  # as the app: BEGIN IMMEDIATE ourselves, WAL
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA busy_timeout = 30000")
            return db
        return psycopg.connect(self._url.replace("postgresql+psycopg://", "postgresql://"))

    def insert(self, _client: int) -> bool:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        row = (*self._row, datetime.now(UTC))
        columns = "session_id, t, kind, payload, allowed, reasons, recorded_by, "
        columns += "recorded_by_name, role, recorded_at"
        try:
            if self._sqlite:
                db.execute("BEGIN IMMEDIATE")
                db.execute(f"INSERT INTO bench_raw ({columns}) VALUES (?,?,?,?,?,?,?,?,?,?)", row)
                db.execute("COMMIT")
            else:
                db.execute(
                    f"INSERT INTO bench_raw ({columns}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                    row,
                )
                db.commit()
        except (sqlite3.Error, psycopg.Error):
            return False
        return True


def growth(api: Api, plan: Plan, small: int, big: int) -> dict[str, Any]:
    """Median write time to a session of `plan.big` entries against one of 10, interleaved."""
    for session_id, size in ((small, 10), (big, plan.big)):
        filled = 0
        while filled < size:
            filled += api.vitals(session_id)
    times: dict[int, list[float]] = {small: [], big: []}
    for _ in range(plan.growth_writes):
        for session_id in (small, big):
            began = time.perf_counter()
            if api.vitals(session_id):
                times[session_id].append(time.perf_counter() - began)
    small_ms = statistics.median(times[small]) * 1000
    big_ms = statistics.median(times[big]) * 1000
    print(
        f"growth     write to a session of 10 entries {small_ms:.1f} ms, "
        f"of {plan.big} entries {big_ms:.1f} ms ({big_ms / small_ms - 1:+.0%})"
    )
    return {
        "small_entries": 10,
        "big_entries": plan.big,
        "small_ms": round(small_ms, 2),
        "big_ms": round(big_ms, 2),
        "slower": round(big_ms / small_ms - 1, 3),
    }


def measure(
    name: str, database_url: str, workdir: Path, plan: Plan, workers: int, postgres_pid: int = 0
) -> dict[str, Any]:
    """Every run on one database; returns its part of the final JSON line."""
    print(f"== {name} (serve --workers {workers})", flush=True)
    command = ["serve", "--host", "127.0.0.1", "--workers", str(workers)]
    with app_server(
        workdir,
        before=[["db", "upgrade"], ["db", "seed-demo"]],
        extra_env={"MDMA_AT_DATABASE_URL": database_url},
        command=lambda port: [sys.executable, "-m", "mdma_at", *command, "--port", str(port)],
    ) as app:
        issued = mdma_at("user", "token", "t.alvarez", "--name", "bench", env=app.env)
        if issued.returncode != 0:
            raise RuntimeError(issued.stderr)
        api = Api(app, issued.stdout.strip())
        raw = Raw(database_url)
        cpu = CpuMeter(app.pid, postgres_pid)
        out: dict[str, Any] = {}
        # The demo clinic has a few dozen dosing visits: two fresh sessions for the growth run,
        # the rest shared by the load runs (client n writes to session n, round robin).
        small, big, *sessions = api.new_sessions(10_000)
        for clients in CLIENTS:
            before = cpu.read()
            api_run = closed_loop(
                "api", clients, plan.seconds, lambda n, s=sessions: api.vitals(s[n % len(s)])
            )
            cpu_per_write = cpu.per_write(before, len(api_run.latencies))
            before = cpu.read()
            raw_run = closed_loop("raw", clients, plan.seconds, raw.insert)
            cpu_per_insert = cpu.per_write(before, len(raw_run.latencies))
            print(api_run.line(), f"({min(clients, len(sessions))} sessions)")
            print(
                f"cpu        {clients:>3} clients per API write: server "
                f"{cpu_per_write['server_ms']:.2f} ms, PostgreSQL "
                f"{cpu_per_write['postgresql_ms']:.2f} ms, bench clients "
                f"{cpu_per_write['clients_ms']:.2f} ms"
            )
            print(raw_run.line())
            print(
                f"cpu        {clients:>3} clients per raw insert: PostgreSQL "
                f"{cpu_per_insert['postgresql_ms']:.2f} ms, driver threads "
                f"{cpu_per_insert['clients_ms']:.2f} ms"
            )
            ratio = api_run.rate / raw_run.rate if raw_run.rate else 0.0
            print(f"ratio      {clients:>3} clients API/raw {ratio:.1%}", flush=True)
            out[f"clients_{clients}"] = {
                "api": api_run.summary(),
                "cpu_per_write": cpu_per_write,
                "raw": raw_run.summary(),
                "raw_cpu_per_insert": cpu_per_insert,
                "ratio": round(ratio, 4),
            }
        steady = fixed_rate(
            FIXED_RATE, plan.fixed_seconds, lambda i: api.vitals(sessions[i % len(sessions)])
        )
        print(steady.line(), f"(fixed rate, {len(sessions)} sessions)", flush=True)
        out["fixed_rate"] = {"requests_per_s": FIXED_RATE, **steady.summary()}
        out["growth"] = growth(api, plan, small, big)
    return out


@contextmanager
def postgres_database(durable: bool) -> Iterator[tuple[str, int] | None]:
    """A throwaway PostgreSQL's database URL and its postmaster's pid."""
    if find_binaries() is None:
        print("== postgresql: no initdb/pg_ctl on this machine, skipped")
        yield None
        return
    with PostgresServer.start(durable=durable) as server:
        url = server.create_database("bench")
        postmaster = int((server.data_dir / "postmaster.pid").read_text().split()[0])
        yield url, postmaster


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs: a smoke run")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--workers", type=int, default=1, help="`serve --workers` (default 1)")
    parser.add_argument(
        "--durable", action="store_true", help="PostgreSQL with fsync and synchronous commit on"
    )
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    result: dict[str, Any] = {
        "quick": args.quick,
        "workers": args.workers,
        "postgresql_durable": args.durable,
    }
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        if args.db in ("sqlite", "both"):
            work = Path(tmp, "sqlite")
            work.mkdir()
            url = f"sqlite:///{work / 'bench.db'}"
            result["sqlite"] = measure("sqlite", url, work, plan, args.workers)
        if args.db in ("postgresql", "both"):
            with postgres_database(args.durable) as found:
                if found is not None:
                    url, postmaster = found
                    work = Path(tmp, "postgresql")
                    work.mkdir()
                    result["postgresql"] = measure(
                        "postgresql", url, work, plan, args.workers, postmaster
                    )
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
