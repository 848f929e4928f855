"""Smoke tests of the e2e tooling: headless Chromium, the app-server helper, the vendored JS.

All but the last test need no part of the application, so a red test here means the tooling is
broken, not the app. Their app server is a stand-in FastAPI module written into the test's
temporary directory and run by uvicorn through ``support.server.app_server``, exactly as the real
``mdma-at serve`` is run; the last test uses the real one (``demo_app``). The ``browser``, ``page``
and ``demo_app`` fixtures come from ``tests/e2e/conftest.py``.
"""

from __future__ import annotations

import hashlib
import http.server
import re
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

import mdma_at
from support import browser
from support.server import RunningApp, app_server

VENDOR = Path(mdma_at.__file__).parent / "entrypoints" / "web" / "static" / "vendor"

BUTTON_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Smoke</title></head>
<body>
  <button type="button" id="confirm">Confirm dose</button>
  <p id="status">waiting</p>
  <script>
    document.getElementById("confirm").addEventListener("click", () => {
      document.getElementById("status").textContent = "dose confirmed";
    });
  </script>
</body></html>
"""

# A stand-in for the real app: the same framework, a /healthz, the vendored files as static files,
# and one htmx round trip.
STANDIN_APP = '''
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

app = FastAPI()
app.mount("/static/vendor", StaticFiles(directory=VENDOR), name="vendor")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/", response_class=HTMLResponse)
def index() -> str:
    return """<!doctype html><html lang="en"><head><title>Stand-in</title>
    <script src="/static/vendor/htmx.min.js"></script></head><body>
    <button hx-get="/next-visit" hx-target="#next-visit">Show next visit</button>
    <div id="next-visit">not loaded</div></body></html>"""


@app.get("/next-visit", response_class=HTMLResponse)
def next_visit() -> str:
    return "<p id='visit'>Dosing session 2</p>"
'''


class Unhealthy(http.server.BaseHTTPRequestHandler):
    """A server that is up but never healthy: every GET is a 503."""

    def do_GET(self) -> None:
        self.send_error(503, "database unreachable")

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output free of access-log lines."""


@pytest.fixture
def page_server(tmp_path: Path) -> Iterator[str]:
    """Serve ``tmp_path`` over HTTP from a thread, on a free port of 127.0.0.1."""
    (tmp_path / "index.html").write_text(BUTTON_PAGE)
    handler = partial(QuietHandler, directory=str(tmp_path))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            thread.join()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output free of access-log lines."""


def standin_command(app_dir: Path) -> Callable[[int], list[str]]:
    """Run ``app_dir/standin.py`` with uvicorn, as ``mdma-at serve`` runs the real app."""

    def command(port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(app_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "standin:app",
        ]

    return command


def write_standin(app_dir: Path, source: str = STANDIN_APP) -> None:
    (app_dir / "standin.py").write_text(f"VENDOR = {str(VENDOR)!r}\n{textwrap.dedent(source)}")


@pytest.mark.browser
def test_headless_chromium_clicks_a_button_on_a_locally_served_page(
    page: Page, page_server: str
) -> None:
    page.goto(f"{page_server}/index.html")

    page.get_by_role("button", name="Confirm dose").click()

    assert page.locator("#status").text_content() == "dose confirmed"


@pytest.mark.browser
def test_the_vendored_htmx_swaps_in_a_fragment_from_the_app_server(
    page: Page, tmp_path: Path
) -> None:
    write_standin(tmp_path)
    with app_server(tmp_path, command=standin_command(tmp_path)) as app:
        page.goto(app.base_url)

        page.get_by_role("button", name="Show next visit").click()

        page.locator("#visit").wait_for()
        assert page.locator("#next-visit").inner_text() == "Dosing session 2"


@pytest.mark.browser
def test_the_vendored_uplot_draws_a_chart(page: Page) -> None:
    page.set_content('<div id="chart"></div>')
    page.add_style_tag(path=VENDOR / "uPlot.min.css")
    page.add_script_tag(path=VENDOR / "uPlot.iife.min.js")

    page.evaluate(
        """() => new uPlot(
            {width: 400, height: 200, series: [{}, {label: "Systolic (mmHg)"}]},
            [[0, 1800, 3600], [128, 141, 135]],
            document.getElementById("chart"))"""
    )

    assert page.locator("#chart .uplot canvas").count() == 1
    assert "Systolic (mmHg)" in page.locator("#chart .u-legend").inner_text()


def test_the_app_server_helper_yields_a_healthy_server_and_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MDMA_AT_SECURE_COOKIES", "true")  # from a developer's shell, say
    write_standin(tmp_path)

    with app_server(tmp_path, command=standin_command(tmp_path)) as app:
        assert httpx.get(f"{app.base_url}/healthz").json() == {"status": "ok"}
        assert app.database_url == f"sqlite:///{tmp_path / 'e2e.db'}"
        assert app.env["MDMA_AT_DATABASE_URL"] == app.database_url
        assert len(app.env["MDMA_AT_SECRET_KEY"]) >= 32
        assert "MDMA_AT_SECURE_COOKIES" not in app.env

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{app.base_url}/healthz")


def test_an_app_that_dies_at_start_up_is_reported_with_its_stderr(tmp_path: Path) -> None:
    write_standin(tmp_path, "raise SystemExit('cannot open the clinic database')")

    with (
        pytest.raises(RuntimeError, match="exited with code 1") as failure,
        app_server(tmp_path, command=standin_command(tmp_path)),
    ):
        pass

    assert "cannot open the clinic database" in str(failure.value)


def test_an_app_that_never_becomes_healthy_is_stopped_and_reported(tmp_path: Path) -> None:
    # The stand-in answers from a thread of this process, listening before its process (a
    # sleeper) is spawned: the first /healthz already gets the 503, so a busy machine cannot turn
    # it into a connection refusal and the wait need not outlast a slow interpreter start.
    servers: list[http.server.ThreadingHTTPServer] = []

    def unhealthy(port: int) -> list[str]:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Unhealthy)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return [sys.executable, "-c", "import time; time.sleep(600)"]

    try:
        with (
            pytest.raises(RuntimeError, match=r"did not answer 200 on /healthz .*answered 503"),
            app_server(tmp_path, command=unhealthy, startup_timeout_s=2),
        ):
            pass
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def test_a_failing_preparation_command_stops_before_the_server_starts(tmp_path: Path) -> None:
    with (
        pytest.raises(RuntimeError, match="`mdma-at no-such-command` failed before the server"),
        app_server(tmp_path, before=[["no-such-command"]]),
    ):
        pass

    assert not (tmp_path / "server.stderr").exists()


def test_the_vendored_files_match_the_checksums_in_vendored_md() -> None:
    listed = re.findall(
        r"^\| `([\w.]+)` \| `([0-9a-f]{64})` \|$", (VENDOR / "VENDORED.md").read_text(), re.M
    )
    files = {name: digest for name, digest in listed if not name.endswith(".tgz")}

    assert set(files) == {"htmx.min.js", "uPlot.iife.min.js", "uPlot.min.css", "axe.min.js"}
    for name, digest in files.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_the_real_app_started_through_the_helper_serves_the_vendored_htmx(
    demo_app: RunningApp,
) -> None:
    health = httpx.get(f"{demo_app.base_url}/healthz")
    served = httpx.get(f"{demo_app.base_url}/static/vendor/htmx.min.js")

    assert health.status_code == 200
    assert served.content == (VENDOR / "htmx.min.js").read_bytes()


def test_without_chromium_the_browser_tests_skip_loudly_outside_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match=r"NOT TESTED: .*no-chromium not found"):
        browser.require_chromium()


def test_without_chromium_the_browser_tests_fail_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match=r"under CI: .*no-chromium not found"):
        browser.require_chromium()
