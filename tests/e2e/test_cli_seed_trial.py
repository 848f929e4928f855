"""`db seed-demo --trial N` as `make run` calls it (issue 19, items 5 and 6; ADR 0219): the
simulated trial beside the demo clinic, all of it in the clinic's past, its statistician
`sim.stat` signing in with the demo password to its study page and trial report; a second
`--if-empty` seed adds nothing; a trial too small to compare two arms is refused, nothing written.

In-process (`support.cli.mdma_at_in_process`, ADR 0066) and the pages through a TestClient: the
shell's entry point and `make run` itself are proved elsewhere (test_cli_foundation, the timing
in docs/simulation.md). Four participants, the smallest trial, to keep the seed to seconds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Date, DateTime, MetaData, create_engine, select, text

from integration.test_trial_report import SECTIONS  # the report's section headings, once
from mdma_at.bootstrap import bootstrap
from mdma_at.config import Settings
from mdma_at.demo.clinic import DEMO_PASSWORD
from mdma_at.entrypoints.api.app import create_app
from support.cli import mdma_at_in_process
from support.db import row_counts
from support.server import app_env
from support.web import signed_in

TRIAL = "4"  # the demo's smallest trial (demo_cmd.MIN_PARTICIPANTS): two per arm
STUDY = "SIM-MAPP"  # simulation/clinic.py STUDY_CODE
#: How a row of each kind leads to the simulated trial (its sites, patients, enrolments, ...).
_TRIAL_ROWS = {
    "site_id": "SELECT id FROM sites WHERE code LIKE 'SIM%'",
    "patient_id": "SELECT p.id FROM patients p JOIN sites s ON s.id = p.site_id "
    "WHERE s.code LIKE 'SIM%'",
    "study_id": f"SELECT id FROM studies WHERE code = '{STUDY}'",
}
_TRIAL_ROWS |= {
    "enrolment_id": f"SELECT id FROM enrolments WHERE patient_id IN ({_TRIAL_ROWS['patient_id']})",
    "session_id": f"SELECT id FROM dosing_sessions WHERE patient_id IN "
    f"({_TRIAL_ROWS['patient_id']})",
    "container_id": f"SELECT id FROM register_containers WHERE site_id IN "
    f"({_TRIAL_ROWS['site_id']})",
    "link_id": f"SELECT id FROM questionnaire_links WHERE patient_id IN "
    f"({_TRIAL_ROWS['patient_id']})",
}
#: Dates that lie ahead by nature: a kit's use-by date (three years after receipt, clinic.py).
_AHEAD_BY_NATURE = {("register_containers", "expiry")}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], str]]:
    """An empty clinic seeded as `make run` does, with a four-participant trial."""
    workdir = tmp_path_factory.mktemp("seed-trial")
    env = app_env(workdir, {"MDMA_AT_AUDIT_CHECKPOINT_DIR": str(workdir / "checkpoints")})
    assert mdma_at_in_process("db", "upgrade", env=env).returncode == 0
    loaded = mdma_at_in_process("db", "seed-demo", "--if-empty", "--trial", TRIAL, env=env)
    assert loaded.returncode == 0, loaded.stderr
    yield env, loaded.stdout


def _trial_dates(url: str) -> dict[tuple[str, str], str]:
    """The latest value of every date and time column over the simulated trial's rows."""
    engine = create_engine(url)
    schema = MetaData()
    schema.reflect(engine)
    latest = {}
    try:
        with engine.connect() as db:
            for table in schema.sorted_tables:
                link = next((c for c in _TRIAL_ROWS if c in table.columns), None)
                if link is None:
                    continue
                for column in table.columns:
                    if not isinstance(column.type, Date | DateTime):
                        continue
                    value = db.execute(
                        select(column).where(table.c[link].in_(text(_TRIAL_ROWS[link])))
                        .order_by(column.desc()).limit(1)
                    ).scalar()  # fmt: skip
                    if value is not None:
                        latest[(table.name, column.name)] = str(value)
    finally:
        engine.dispose()
    return latest


def test_the_trial_is_randomised_and_lies_in_the_clinic_s_past(
    seeded: tuple[dict[str, str], str],
) -> None:
    env, printed = seeded
    assert "simulated trial SIM-MAPP loaded: 4 randomised" in printed
    assert "demo clinic loaded." in printed and "sim.stat" in printed
    url = env["MDMA_AT_DATABASE_URL"]
    engine = create_engine(url)
    try:
        with engine.connect() as db:
            allocated = db.execute(text(
                "SELECT count(*) FROM study_allocations a JOIN studies s ON s.id = a.study_id "
                "WHERE s.code = :code"), {"code": STUDY}).scalar_one()  # fmt: skip
            users = set(db.execute(text("SELECT username FROM users")).scalars())
            events = db.execute(text("SELECT id, occurred_at, site_id FROM audit_events "
                                     "ORDER BY id")).all()  # fmt: skip
            trial_sites = set(db.execute(text(_TRIAL_ROWS["site_id"])).scalars())
            demo_site = db.execute(text("SELECT id FROM sites WHERE code = 'DEMO'")).scalar_one()
    finally:
        engine.dispose()
    assert allocated == 4  # --trial is the number randomised, as demo's --participants
    # the demo clinic's admin and statistician beside the trial's own (simulation/clinic.py)
    assert {"admin", "s.stat", "sim.admin", "sim.stat", "sim.rater.1", "dr.sim1"} <= users
    today = datetime.now(UTC).date().isoformat()
    dates = _trial_dates(url)
    assert ("visits", "window_end") in dates and ("dosing_session_events", "t") in dates
    ahead = {k: v for k, v in dates.items() if v[:10] >= today and k not in _AHEAD_BY_NATURE}
    assert ahead == {}
    # the trial first, at its simulated times, then the demo clinic at the real clock: the
    # audit trail's times run forward across the seam (other tests add events after both)
    seam = next(n for n, (_, _, site) in enumerate(events) if site == demo_site)
    assert any(site in trial_sites for _, _, site in events[:seam])
    assert max(at for _, at, _ in events[:seam]) < events[seam][1]
    assert max(at for _, at, site in events[:seam] if site in trial_sites)[:10] < today


def test_the_audit_trail_verifies_and_a_second_seed_adds_nothing(
    seeded: tuple[dict[str, str], str],
) -> None:
    env, _ = seeded
    verified = mdma_at_in_process("audit", "verify", env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    before = row_counts(env["MDMA_AT_DATABASE_URL"])
    again = mdma_at_in_process("db", "seed-demo", "--if-empty", "--trial", TRIAL, env=env)
    assert again.returncode == 0
    assert again.stdout.strip() == "demo clinic not loaded: the database already has staff"
    assert row_counts(env["MDMA_AT_DATABASE_URL"]) == before


def test_its_statistician_opens_the_study_page_and_the_report(
    seeded: tuple[dict[str, str], str],
) -> None:
    env, _ = seeded
    settings = Settings(
        database_url=env["MDMA_AT_DATABASE_URL"],
        secret_key=env["MDMA_AT_SECRET_KEY"],  # the seal key the seed's schedule was sealed with
        audit_checkpoint_dir=Path(env["MDMA_AT_AUDIT_CHECKPOINT_DIR"]),
    )
    ctx = bootstrap(settings)
    try:
        with TestClient(create_app(ctx)) as browser:
            signed_in(browser, "sim.stat", DEMO_PASSWORD)
            listed = browser.get("/studies").text
            found = re.search(rf'href="/studies/(\d+)"[^>]*>\s*{STUDY}', listed)
            assert found, listed
            study = browser.get(f"/studies/{found.group(1)}")
            assert study.status_code == 200
            for part in ('id="study-dashboard"', "4 randomised of a target of 4", "Open alerts",
                         "Retention by visit", "Primary endpoint (18 weeks)"):  # fmt: skip
                assert part in study.text, part
            report = browser.get(f"/studies/{found.group(1)}/report")
            assert report.status_code == 200
            for heading in SECTIONS:
                assert heading in report.text, heading
    finally:
        ctx.engine.dispose()


@pytest.mark.parametrize("size", ["1", "3", "-1"])
def test_a_trial_too_small_is_refused_and_nothing_written(tmp_path: Path, size: str) -> None:
    env = app_env(tmp_path, {"MDMA_AT_AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints")})
    refused = mdma_at_in_process("db", "seed-demo", "--if-empty", "--trial", size, env=env)
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"error: trial: {size} is not 0 (none) or 4 to ")
    assert len(refused.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # no database file, no checkpoint log
