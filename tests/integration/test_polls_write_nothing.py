"""A page's own poll writes nothing (issue 18, item 3; ADR 0204): the console's live part and
the alert lists, polled every 2-3 s by every open screen, read the login session without sliding
its idle expiry and store no row anywhere; a person's request still slides it (ADR 0004)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from integration.test_session_recording import CRITICAL, session
from mdma_at.bootstrap import Container
from mdma_at.domain.dosing.records import DosingSession, EntryKind
from mdma_at.entrypoints.api.app import create_app
from mdma_at.entrypoints.web.session import SESSION_COOKIE
from mdma_at.services.access.auth import token_digest
from mdma_at.services.sessions.recording import record_entry
from support.clinic import Clinic
from support.db import row_counts
from support.web import signed_in

__all__ = ["session"]  # a fixture, imported to be used here


def _expiry(ctx: Container, client: TestClient) -> datetime:
    with ctx.uow() as uow:
        credential = uow.credentials.session(token_digest(client.cookies[SESSION_COOKIE]))
        assert credential is not None
        return credential.expires_at


def test_polls_store_nothing_and_leave_the_idle_expiry_where_it_was(
    ctx: Container, clinic: Clinic, session: DosingSession
) -> None:
    at = session.started_at + timedelta(minutes=20)
    raw = {k: str(v) for k, v in CRITICAL.items()}  # an active alert, so the lists have rows
    record_entry(ctx.uow(), ctx.clock, clinic.therapist_a, session.id, EntryKind.VITALS, raw, at)
    with TestClient(create_app(ctx)) as client:
        signed_in(client, "t.a")
        client.get(f"/sessions/{session.id}")  # the console, once: a person's request
        before, expiry = row_counts(ctx.settings.database_url), _expiry(ctx, client)
        ctx.clock.advance(minutes=10)  # type: ignore[attr-defined]
        for _ in range(2):
            for poll in (
                f"/sessions/{session.id}/live",
                f"/sessions/{session.id}/live?part=top",
                "/alerts/live",
                "/alerts/count",
            ):
                assert client.get(poll).status_code == 200, poll
        assert row_counts(ctx.settings.database_url) == before  # no row written anywhere
        assert _expiry(ctx, client) == expiry  # the 30-minute idle limit still counts from then
        client.get(f"/sessions/{session.id}")  # a person again: the expiry slides
        assert _expiry(ctx, client) == expiry + timedelta(minutes=10)


def test_a_poll_after_the_idle_limit_is_signed_out(ctx: Container, clinic: Clinic) -> None:
    with TestClient(create_app(ctx)) as client:
        signed_in(client, "t.a")
        ctx.clock.advance(minutes=20)  # type: ignore[attr-defined]
        assert client.get("/alerts/count").status_code == 200
        ctx.clock.advance(minutes=11)  # type: ignore[attr-defined]  # 31 min since the person
        assert client.get("/alerts/count", follow_redirects=False).status_code in (303, 401)
