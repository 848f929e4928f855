"""What an operator sees (issue 18 item 4; ADRs 0201, 0202): the request id, /readyz and /metrics,
in-process on both databases."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from mdma_at.bootstrap import Container, bootstrap
from mdma_at.config import Settings
from mdma_at.entrypoints.api.app import create_app
from support.clinic import Clinic, register


def test_a_plain_request_id_is_kept_and_anything_else_replaced(ctx: Container) -> None:
    with TestClient(create_app(ctx)) as client:
        assert (
            client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.91"}).headers["x-request-id"]
            == "lb-7f3a.91"
        )
        forged = client.get("/healthz", headers={"X-Request-ID": "x\r\nevil: 1"})
        new = forged.headers["x-request-id"]
        assert new != "x\r\nevil: 1" and len(new) == 32 and int(new, 16) >= 0  # a uuid4 hex
        assert client.get("/healthz").headers["x-request-id"] != new


def test_metrics_count_what_the_database_holds(ctx: Container, clinic: Clinic) -> None:
    register(ctx, clinic, "HC-0001")
    with ctx.uow() as uow:
        head = uow.audit.head()
    assert head is not None
    with TestClient(create_app(ctx)) as client:
        client.get("/healthz")
        text = client.get("/metrics").text
    lines = set(text.splitlines())
    # the chain's length is the head's id (ids are 1..n, ADR 0002)
    assert f"mdma_at_audit_chain_events {float(head[0])}" in lines
    assert "mdma_at_database_readable 1.0" in lines
    assert "mdma_at_dosing_sessions_open 0.0" in lines
    assert 'mdma_at_safety_alerts{state="open"} 0.0' in lines
    assert any(
        line.startswith('mdma_at_request_seconds_count{method="GET",route="/healthz",status="200"}')
        for line in lines
    )
    assert "HC-0001" not in text and "Jordan" not in text  # counts, never who


def test_readyz_names_what_is_not_ready(tmp_path: Path) -> None:
    never_migrated = Settings(
        database_url=f"sqlite:///{tmp_path / 'empty.db'}",
        audit_checkpoint_dir=tmp_path / "checkpoints",
    )
    app = bootstrap(never_migrated)
    try:
        with TestClient(create_app(app)) as client:
            answer = client.get("/readyz")
            metrics = client.get("/metrics").text
    finally:
        app.engine.dispose()
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"].startswith("the database is at revision none, this ")
    assert body["checks"]["migrations"].endswith(": run `mdma-at db upgrade`")
    assert "mdma_at_database_readable 0.0" in metrics.splitlines()
