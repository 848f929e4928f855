"""Security headers on every response (issue 10, item 5): a strict CSP, nosniff, a referrer
policy, HSTS when cookies are secure, no caching of anything but static files; Swagger UI served
from this server, never a CDN; no inline script or style in any template."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from starlette.testclient import TestClient

from mdma_at.bootstrap import bootstrap
from mdma_at.config import Settings
from mdma_at.demo.clinic import DEMO_PASSWORD
from mdma_at.entrypoints.api.app import create_app
from support.server import RunningApp

TEMPLATES = Path(__file__).parents[2] / "src/mdma_at/entrypoints/web/templates"
#: The CSP the issue asks for, directive by directive.
REQUIRED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
#: Inline handlers still in templates owned elsewhere; each must move to a data attribute
#: (`data-print` is handled by static/behaviours.js). Remove an entry once its template is fixed.
KNOWN_INLINE: set[tuple[str, str]] = set()


def signed_in(app: RunningApp) -> httpx.Client:
    client = httpx.Client(base_url=app.base_url)
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found
    response = client.post(
        "/login",
        data={"username": "dr.ng", "password": DEMO_PASSWORD, "csrf_token": found.group(1)},
    )
    assert response.status_code == 303
    return client


@pytest.fixture(scope="module")
def client(demo_app: RunningApp) -> Iterator[httpx.Client]:
    signed = signed_in(demo_app)
    yield signed
    signed.close()


def csp(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/patients",
        "/patients/1",
        "/patients/999999",  # an error page
        "/api/patients",
        "/api/patients/999999",  # a problem
        "/api/docs",
        "/healthz",
        "/static/app.css",
    ],
)
def test_every_response_carries_the_security_headers(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers={"Authorization": "Bearer not-a-token"})
    policy = csp(response)
    for directive, value in REQUIRED_CSP.items():
        assert policy[directive] == value, (directive, policy)
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in ("no-referrer", "same-origin")
    if path.startswith("/static/"):
        assert "no-store" not in response.headers.get("cache-control", "")
    else:
        assert response.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in response.headers  # cookies are not secure here


def test_a_refused_upload_carries_the_headers_too(client: httpx.Client) -> None:
    response = client.post("/api/patients", content=b" " * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert response.headers["cache-control"] == "no-store"
    assert csp(response)["frame-ancestors"] == "'none'"


def test_hsts_is_sent_whenever_cookies_are_secure() -> None:
    secure = bootstrap(Settings(database_url="sqlite://", secure_cookies=True))
    plain = bootstrap(Settings(database_url="sqlite://", secure_cookies=False))
    with TestClient(create_app(secure)) as https, TestClient(create_app(plain)) as http:
        assert "max-age=31536000" in https.get("/healthz").headers["strict-transport-security"]
        assert "strict-transport-security" not in http.get("/healthz").headers


def test_swagger_ui_is_served_from_here_never_a_cdn(client: httpx.Client) -> None:
    page = client.get("/api/docs").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/vendor/swagger-ui-bundle.js" in sources
    assert all(s.startswith("/") for s in sources), sources
    assert "<script>" not in page  # started by /static/api-docs.js
    assert client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/vendor/swagger-ui.LICENSE").status_code == 200


def test_pages_tell_htmx_not_to_inject_its_style(client: httpx.Client) -> None:
    page = client.get("/").text
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>' in page
    assert ".htmx-indicator" in client.get("/static/app.css").text


def test_no_template_has_inline_script_or_style() -> None:
    """The CSP refuses inline script and style: a template with one breaks in the browser."""
    found = set()
    for template in sorted(TEMPLATES.glob("*.html")):
        text = template.read_text()
        for pattern in (
            # an inline script element (a JSON data block is not run, so the CSP allows it)
            r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>",
            r"\son[a-z]+=\"[^\"]*\"",  # an inline event handler
            r"\sstyle=\"[^\"]*\"",  # an inline style attribute
            r"<style\b",  # a style element
            r"javascript:",
        ):
            found |= {(template.name, m.strip()) for m in re.findall(pattern, text)}
    assert found <= KNOWN_INLINE, found - KNOWN_INLINE


@pytest.mark.browser
def test_the_pages_and_the_api_docs_work_under_the_policy(page: Page, demo_app: RunningApp) -> None:
    """htmx panels load, no resource or script is refused, and Swagger UI renders the API."""
    refused: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            refused.append(message.text)

    page.on("console", on_console)
    page.goto(f"{demo_app.base_url}/login")
    page.get_by_label("Username").fill("dr.ng")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Clinic dashboard")).to_be_visible()
    page.goto(f"{demo_app.base_url}/patients/1")
    # the screening card is loaded by htmx after the page
    expect(page.locator("#screening-card")).not_to_contain_text("Loading the screening verdict")
    page.goto(f"{demo_app.base_url}/api/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=15_000)
    assert refused == []
