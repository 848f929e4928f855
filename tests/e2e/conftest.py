"""The e2e tier: the real app as a subprocess on the demo clinic, the CLI as a subprocess.

The demo clinic is seeded once per test run through the CLI, into a template SQLite file that
every xdist worker shares (`support.once`, ADR 0067). ``demo_app`` serves a copy of it for the
whole session; tests that change what other tests read, or read what other tests change, take
``own_demo_app``: a fresh copy of the template behind its own server (a copy and a start cost
≈ 2 s; seeding again would cost ≈ 11 s). A test that needs the server started differently (its
own environment) serves a copy itself with `support.server.serve_copy`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from support import fixtures
from support.cli import mdma_at, mdma_at_in_process
from support.once import once_per_run
from support.server import RunningApp, app_env, serve_copy

OTHER_SITE_PASSWORD = "other site password"
#: Seconds each seeding command may take: `db seed-demo` took over 120 s under a load average of
#: 12 on two cores, and every e2e test waits for this one seed (a liveness limit, not a speed one).
SEED_TIMEOUT_S = 600
#: How long an expectation waits for the page to show it (Playwright's default is 5 s). CI runs the
#: browser tests beside the rest of the suite on two cores, where one page load has taken longer
#: than 5 s; a liveness limit, not a speed one: a passing expectation returns as soon as it holds.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo clinic plus a second site with a therapist and a coordinator (for the isolation
    tests), seeded through the CLI as an operator would, once per run; returns the SQLite file.
    Never served itself, never changed: every app serves a copy."""
    return once_per_run(tmp_path_factory, "demo-template", _seed_demo) / "e2e.db"


def _seed_demo(workdir: Path) -> None:
    env = app_env(workdir)
    for args in (["db", "upgrade"], ["db", "seed-demo"], ["site", "add", "OTHER", "Other Clinic"]):
        done = mdma_at(*args, env=env, timeout=SEED_TIMEOUT_S)
        assert done.returncode == 0, done.stderr
    added = mdma_at(
        "user",
        "add",
        "t.other",
        "--name",
        "Other Therapist",
        "--role",
        "therapist@OTHER",
        "--password-stdin",
        env=env,
        stdin=OTHER_SITE_PASSWORD + "\n",
        timeout=SEED_TIMEOUT_S,
    )
    assert added.returncode == 0, added.stderr
    # The same command in-process (ADR 0066): the subprocess above already proves the chain.
    coordinator = mdma_at_in_process(
        "user", "add", "c.other", "--name", "Other Coordinator", "--role", "coordinator@OTHER",
        "--password-stdin", env=env, stdin=OTHER_SITE_PASSWORD + "\n",
    )  # fmt: skip
    assert coordinator.returncode == 0, coordinator.stderr


@pytest.fixture(scope="session")
def demo_app(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The demo clinic shared by the session's tests: read what the demo seeds, or change only
    what no other test reads."""
    with serve_copy(demo_template, tmp_path_factory.mktemp("demo-app")) as app:
        yield app


@pytest.fixture
def own_demo_app(demo_template: Path, tmp_path: Path) -> Iterator[RunningApp]:
    """A fresh demo clinic for this test alone, exactly as seeded."""
    with serve_copy(demo_template, tmp_path) as app:
        yield app


@pytest.fixture(scope="session")
def api_token(demo_app: RunningApp) -> str:
    """A coordinator's bearer token, issued by `mdma-at user token`."""
    issued = mdma_at("user", "token", "c.mensah", "--name", "e2e tests", env=demo_app.env)
    assert issued.returncode == 0, issued.stderr
    return issued.stdout.strip()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    yield from fixtures.chromium()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from fixtures.page(browser)
