"""Four server processes on one PostgreSQL (issue 18 item 1; ADR 0201): nothing that matters
lives in one process's memory. Each request goes out on a new connection, so the kernel spreads
them over the four workers; every worker runs its own paging thread."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from integration.test_session_recording import CRITICAL, NORMAL, _screened_and_consented
from mdma_at.bootstrap import Container, bootstrap
from mdma_at.config import Settings
from mdma_at.domain.dosing.records import DosingSession
from mdma_at.services.access.auth import issue_api_token
from mdma_at.services.access.staff import set_on_call
from mdma_at.services.patients import schedule
from mdma_at.services.sessions.recording import start_session
from support import fixtures
from support.clinic import OPERATOR, Clinic, build_clinic, register
from support.clock import FixedClock
from support.passwords import CheapArgon2Hasher
from support.receivers import webhook_receiver
from support.server import RunningApp, app_server, serve_command

pytestmark = pytest.mark.postgres
WORKERS = 4


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    with webhook_receiver() as running:
        yield running


@pytest.fixture
def clinic_on_postgres(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Container, Clinic, DosingSession]]:
    """A migrated PostgreSQL database with a two-site clinic and a dosing session begun an hour
    ago (by the wall clock: the server processes run on it)."""
    server = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("migrated_postgres")
    for url in fixtures.postgres_database(server, "workers", template):
        settings = Settings(
            database_url=url,
            audit_checkpoint_dir=tmp_path / "checkpoints",
            secret_key=secrets.token_urlsafe(32),
        )
        ctx = bootstrap(settings, clock=FixedClock(datetime.now(UTC)))
        ctx.hasher = CheapArgon2Hasher()
        clinic = build_clinic(ctx)
        patient = register(ctx, clinic)
        _screened_and_consented(ctx, clinic, patient.id)
        _, visits = schedule.enrol(
            ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", date(2026, 6, 1)
        )
        session = start_session(
            ctx.uow(),
            ctx.clock,
            clinic.therapist_a,
            next(v for v in visits if v.code == "es1").id,
            started_at=(ctx.clock.now() - timedelta(hours=1)).isoformat(),
            childbearing_potential=True,
            weight_kg="61",
            present=[("T.A", "therapist"), ("DR.A", "physician")],
        )
        set_on_call(ctx.uow(), ctx.clock, OPERATOR, "SITE-A", name="Dr A", email="dr@a.example")
        try:
            yield ctx, clinic, session
        finally:
            ctx.engine.dispose()


@pytest.fixture
def four_workers(
    clinic_on_postgres: tuple[Container, Clinic, DosingSession],
    webhook: tuple[str, list[dict[str, Any]]],
    tmp_path: Path,
) -> Iterator[RunningApp]:
    ctx, _, _ = clinic_on_postgres
    env = {
        "MDMA_AT_DATABASE_URL": ctx.settings.database_url,
        "MDMA_AT_SECRET_KEY": ctx.settings.secret_key,
        "MDMA_AT_AUDIT_CHECKPOINT_DIR": str(ctx.settings.checkpoint_directory()),
        "MDMA_AT_PAGE_WEBHOOK_URL": webhook[0],
        "MDMA_AT_PAGING_INTERVAL_SECONDS": "0.2",
    }
    (tmp_path / "server").mkdir()
    with app_server(
        tmp_path / "server",
        extra_env=env,
        command=lambda port: [*serve_command(port), "--workers", str(WORKERS)],
        startup_timeout_s=180,
    ) as app:
        # The first worker up answers /healthz; wait for all four, so requests spread over them.
        log = app.workdir / "server.stderr"
        deadline = time.monotonic() + 180
        while log.read_text().count("Application startup complete") < WORKERS:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield app


def fresh(app: RunningApp, **headers: str) -> httpx.Client:
    """A client that closes its connection after each request: the next one may reach another
    worker (the workers share one listening socket)."""
    return httpx.Client(
        base_url=app.base_url, headers={"Connection": "close", **headers}, timeout=30
    )


def test_throttling_a_dosing_session_and_paging_work_across_four_workers(
    clinic_on_postgres: tuple[Container, Clinic, DosingSession],
    four_workers: RunningApp,
    webhook: tuple[str, list[dict[str, Any]]],
) -> None:
    ctx, _, session = clinic_on_postgres
    app = four_workers
    with fresh(app) as client:
        assert client.get("/readyz").json() == {
            "status": "ready",
            "checks": {"database": "ok", "migrations": "ok", "audit_checkpoints": "ok"},
        }

    # Sign-in throttling: five free failures per account (AuthPolicy, ADR 0106), wherever
    # each attempt lands; the sixth is delayed although it may reach a worker that saw none.
    statuses = []
    for _ in range(6):
        with fresh(app) as client:
            login_page = client.get("/login")
            statuses.append(
                client.post(
                    "/login",
                    data={
                        "username": "t.b",
                        "password": "wrong password here",
                        "csrf_token": login_page.cookies["mdma_at_login_csrf"],
                    },
                ).status_code
            )
    assert statuses == [401] * 5 + [429]

    # One dosing session from two staff, each request on a new connection.
    therapist = issue_api_token(ctx.uow(), ctx.clock, OPERATOR, "t.a", "bedside tablet")[0]
    physician = issue_api_token(ctx.uow(), ctx.clock, OPERATOR, "dr.a", "physician tablet")[0]
    start = datetime.now(UTC) - timedelta(minutes=30)
    readings = [
        (therapist, start, NORMAL),
        (physician, start + timedelta(minutes=5), NORMAL),
        (therapist, start + timedelta(minutes=10), NORMAL),
        (physician, start + timedelta(minutes=15), CRITICAL),
    ]
    for token, moment, vitals in readings:
        with fresh(app, Authorization=f"Bearer {token}") as client:
            stored = client.post(
                f"/api/sessions/{session.id}/entries",
                json={"kind": "vitals", "t": moment.isoformat(), "data": vitals},
            )
            assert stored.status_code == 201, stored.text
    with fresh(app, Authorization=f"Bearer {therapist}") as client:
        entries = client.get(f"/api/sessions/{session.id}").json()["entries"]
    assert [e["kind"] for e in entries].count("vitals") == 4

    # The critical reading (182/104: ACC/AHA 2017 hypertensive crisis, critical in mapp_v1)
    # is paged once, though four paging threads look for it every 0.2 s.
    _, received = webhook
    deadline = time.monotonic() + 20
    while not received and time.monotonic() < deadline:
        time.sleep(0.1)
    assert received, "no page reached the webhook"
    time.sleep(3)  # fifteen more passes of each worker's paging thread
    assert len(received) == 1, received
    with ctx.uow() as uow:
        pages = uow.pages.for_session(session.id)
    assert [(p.channel, p.status, p.attempts) for p in pages if p.channel == "webhook"] == [
        ("webhook", "sent", 1)
    ]

    # /metrics, whichever worker answers: the page counted in the database, and the latency
    # histograms of all four processes summed (the four entries above, wherever they landed).
    with fresh(app) as client:
        metrics = client.get("/metrics").text.splitlines()
    assert [line for line in metrics if line.startswith("mdma_at_pages{")] == [
        'mdma_at_pages{cause="critical_vitals",status="sent"} 1.0'
    ]
    posted = "mdma_at_request_seconds_count{" + ",".join(
        ('method="POST"', 'route="/api/sessions/{session_id}/entries"', 'status="201"')
    )
    assert [line.split()[-1] for line in metrics if line.startswith(posted)] == ["4.0"]
