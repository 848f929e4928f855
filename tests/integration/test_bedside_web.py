"""The console in a site at UTC−05:00 (America/New_York in winter): times typed are read in the
site's zone and shown in it, with the zone once per page; the dashboard, the nav badge and the
alert queue show the session's critical alert, and say plainly that nobody was paged when no
notifier is configured (issue 13, items 2–4)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from integration.test_session_recording import CRITICAL, NORMAL, session
from mdma_at.bootstrap import Container
from mdma_at.domain.dosing.records import DosingSession
from mdma_at.domain.errors import InvalidInput
from mdma_at.entrypoints.api.app import create_app
from mdma_at.services.access.staff import add_site, set_site_timezone
from mdma_at.services.sessions.recording import load_session
from support.clinic import OPERATOR, Clinic
from support.web import signed_in

__all__ = ["session"]  # a fixture, imported to be used here


def test_times_typed_and_shown_in_new_york(
    ctx: Container, clinic: Clinic, session: DosingSession
) -> None:
    set_site_timezone(ctx.uow(), ctx.clock, OPERATOR, "SITE-A", "America/New_York")
    # The fixed clock is 2026-11-22 09:00 UTC: 04:00 in New York, on Eastern Standard Time
    # (UTC−05:00 since the first Sunday of November; tz database, America/New_York).
    with TestClient(create_app(ctx)) as client:
        csrf = signed_in(client, "t.a")
        typed = {"t_local": "2026-11-21T20:30", "tz": "0", "csrf_token": csrf}  # tz: ignored
        posted = client.post(
            f"/sessions/{session.id}/entries/vitals",
            data={**typed, **{k: str(v) for k, v in NORMAL.items()}},
            follow_redirects=False,
        )
        assert posted.status_code == 303, posted.text
        console = client.get(posted.headers["location"])  # with the notice
    file = load_session(ctx.uow(), ctx.clock, clinic.therapist_a, session.id)
    # 20:30 EST is 01:30 UTC the next day.
    assert file.entries[-1].t == datetime(2026, 11, 22, 1, 30, tzinfo=UTC)
    assert "21 Nov 2026 20:30:00" in console.text
    assert "Vital signs recorded at 20:30:00." in console.text
    assert "01:30:00" not in console.text
    assert console.text.count("America/New_York (EST)") == 1  # the zone, once per page
    # Started 9 h before the clock: 00:00 UTC is 19:00 the day before in New York.
    assert "21 Nov 2026 19:00:00" in console.text and "UTC" not in console.text


def test_a_critical_alert_is_live_on_the_dashboard_badge_and_queue(
    ctx: Container, clinic: Clinic, session: DosingSession
) -> None:
    with TestClient(create_app(ctx)) as therapist, TestClient(create_app(ctx)) as physician:
        csrf = signed_in(therapist, "t.a")
        signed_in(physician, "dr.a")
        assert ">1<" not in physician.get("/alerts/count").text
        at = (session.started_at + timedelta(minutes=20)).isoformat()
        posted = therapist.post(
            f"/sessions/{session.id}/entries/vitals",
            data={"t": at, "csrf_token": csrf, **{k: str(v) for k, v in CRITICAL.items()}},
            follow_redirects=False,
        )
        assert posted.status_code == 303, posted.text
        badge = physician.get("/alerts/count").text
        live = physician.get("/alerts/live").text
        dashboard = physician.get("/").text
        queue = physician.get("/alerts").text
        console = physician.get(f"/sessions/{session.id}/live").text
    assert re.search(r'class="nav-badge critical">1<', badge)
    assert "systolic high (critical)" in live and f"/sessions/{session.id}" in live
    assert "nobody has been paged" in live  # no notifier configured in this test
    assert "Nobody has been paged" in console and "Physician paged" not in console
    assert 'hx-get="/alerts/live" hx-trigger="load, every 3s"' in dashboard
    assert 'hx-get="/alerts/live"' in queue
    assert "Visits outside their window" in dashboard and "Open alerts <" not in dashboard


def test_a_coordinator_of_another_site_sees_no_alert_of_this_one(
    ctx: Container, clinic: Clinic, session: DosingSession
) -> None:
    with TestClient(create_app(ctx)) as therapist, TestClient(create_app(ctx)) as other:
        csrf = signed_in(therapist, "t.a")
        signed_in(other, "t.b")
        at = (session.started_at + timedelta(minutes=20)).isoformat()
        therapist.post(
            f"/sessions/{session.id}/entries/vitals",
            data={"t": at, "csrf_token": csrf, **{k: str(v) for k, v in CRITICAL.items()}},
            follow_redirects=False,
        )
        assert "nav-badge" not in other.get("/alerts/count").text
        assert "No active alert" in other.get("/alerts/live").text


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "Europe/London/Docklands", "EST+5"])
def test_a_site_with_a_zone_that_is_not_iana_is_refused_and_not_stored(
    ctx: Container, clinic: Clinic, zone: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        add_site(ctx.uow(), ctx.clock, OPERATOR, "SITE-C", "Third Clinic", zone)
    assert refused.value.field == "tz"
    with ctx.uow() as uow:
        assert uow.sites.by_code("SITE-C") is None
