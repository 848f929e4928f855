"""The e2e tier: the real app as a subprocess on the demo clinic, the CLI as a subprocess."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from support import fixtures
from support.cli import mdma_at
from support.server import RunningApp, app_server

OTHER_SITE_PASSWORD = "other site password"


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The demo clinic, plus a second site with one therapist (for the isolation tests)."""
    workdir = tmp_path_factory.mktemp("demo-app")
    with app_server(
        workdir,
        before=[["db", "upgrade"], ["db", "seed-demo"], ["site", "add", "OTHER", "Other Clinic"]],
    ) as app:
        added = mdma_at(
            "user",
            "add",
            "t.other",
            "--name",
            "Other Therapist",
            "--role",
            "therapist@OTHER",
            "--password-stdin",
            env=app.env,
            stdin=OTHER_SITE_PASSWORD + "\n",
        )
        assert added.returncode == 0, added.stderr
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
