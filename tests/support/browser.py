"""Headless Chromium for the browser tests: the system Chromium, driven by Playwright's sync API.

Playwright's own browser downloads are never used (``playwright install`` is never run): the tests
launch Debian's ``chromium`` package at :data:`CHROMIUM`, which ``.ci/run`` installs with apt-get.
Where it is absent the browser tests skip with a loud reason, except under ``CI``, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

from mdma_at.demo.clinic import DEMO_PASSWORD
from support.postgres import skip_or_fail
from support.server import RunningApp

#: Debian's Chromium (package ``chromium``); a wrapper script that execs /usr/lib/chromium/chromium.
CHROMIUM = Path("/usr/bin/chromium")

#: Why each flag: no sandbox because CI runs as root (Chromium refuses its sandbox as root); no GPU
#: in a headless VM; and no traffic of its own (updates, sync, field trials, QUIC) so a test run
#: touches only the servers the test started.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)


def require_chromium() -> Path:
    """Return the system Chromium, or skip loudly (fail under CI) when it is not installed."""
    if not os.access(CHROMIUM, os.X_OK):
        skip_or_fail(
            f"{CHROMIUM} not found; the browser tests did not run."
            " Install it with `apt-get install -y chromium chromium-driver` (or run .ci/run)"
        )
    return CHROMIUM


@contextmanager
def launch_chromium() -> Iterator[Browser]:
    """Launch the system Chromium headless and close it (and Playwright's driver) at exit.

    Yields:
        A Playwright ``Browser``; open pages with ``browser.new_context().new_page()``.
    """
    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Page, app: RunningApp, username: str) -> None:
    """Sign in as a demo account through the login form, and land on the dashboard."""
    page.goto(f"{app.base_url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Clinic dashboard")).to_be_visible()
