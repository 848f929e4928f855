"""The admin page of staff accounts over real HTTP, and the sign-in throttle's client address.

Its own app (the demo clinic), because deactivating accounts would change what other e2e tests
see in the shared demo app.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from mdma_at.demo.clinic import DEMO_PASSWORD
from support.server import RunningApp, api_token, serve_copy


@pytest.fixture(scope="module")
def app(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    with serve_copy(demo_template, tmp_path_factory.mktemp("admin-accounts")) as running:
        yield running


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page carries a CSRF token"
    return found.group(1)


def sign_in(app: RunningApp, username: str, **headers: str) -> httpx.Client:
    client = httpx.Client(base_url=app.base_url, headers=headers)
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return client


def audit_rows(app: RunningApp, action: str) -> list[tuple[str, str | None, str | None]]:
    engine = create_engine(app.env["MDMA_AT_DATABASE_URL"])
    with engine.connect() as db:
        rows = db.execute(
            text("SELECT actor, entity_id, reason FROM audit_events WHERE action = :a ORDER BY id"),
            {"a": action},
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_only_admins_see_the_page_and_its_link(app: RunningApp) -> None:
    admin = sign_in(app, "admin")
    assert 'href="/admin/users"' in admin.get("/").text
    listing = admin.get("/admin/users")
    assert listing.status_code == 200
    assert "dr.ng" in listing.text and "Deactivate dr.ng" in listing.text
    assert "Deactivate admin" not in listing.text  # not one's own account
    physician = sign_in(app, "t.okafor")
    assert 'href="/admin/users"' not in physician.get("/").text
    assert physician.get("/admin/users").status_code == 403


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(app: RunningApp) -> None:
    admin = sign_in(app, "admin")
    refused = admin.post("/admin/users/p.lindqvist/deactivate", data={"reason": "x"})
    assert refused.status_code == 403
    page = admin.get("/admin/users").text
    assert 'id="user-p.lindqvist"' in page
    row = page.split('id="user-p.lindqvist"')[1].split("</tr>")[0]
    assert "<td>active</td>" in row


def test_deactivation_from_the_page_stops_the_persons_open_session_at_once(
    app: RunningApp,
) -> None:
    victim = sign_in(app, "c.mensah")
    assert victim.get("/patients").status_code == 200
    admin = sign_in(app, "admin")
    token = csrf_of(admin.get("/admin/users").text)
    done = admin.post(
        "/admin/users/c.mensah/deactivate", data={"csrf_token": token, "reason": "left"}
    )
    assert done.status_code == 303
    assert "c.mensah%20deactivated" in done.headers["location"]
    stopped = victim.get("/patients")
    assert stopped.status_code == 303 and stopped.headers["location"].startswith("/login")
    assert audit_rows(app, "user_deactivated")[-1][0::2] == ("admin", "left")
    again = admin.post("/admin/users/c.mensah/reactivate", data={"csrf_token": token})
    assert again.status_code == 303 and "reactivated" in again.headers["location"]
    assert sign_in(app, "c.mensah").get("/patients").status_code == 200


def test_an_api_token_revoked_on_the_page_stops_working(app: RunningApp) -> None:
    secret = api_token(app, "dr.ng", "page test")
    bearer = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(f"{app.base_url}/api/patients", headers=bearer).status_code == 200
    admin = sign_in(app, "admin")
    page = admin.get("/admin/users").text
    token_id = re.search(r'action="/admin/tokens/(\d+)/revoke"', page)
    assert token_id is not None
    done = admin.post(
        f"/admin/tokens/{token_id.group(1)}/revoke", data={"csrf_token": csrf_of(page)}
    )
    assert done.status_code == 303 and "revoked" in done.headers["location"]
    assert httpx.get(f"{app.base_url}/api/patients", headers=bearer).status_code == 401
    assert audit_rows(app, "api_token_revoked")[-1][:2] == ("admin", token_id.group(1))


def test_a_forged_x_forwarded_for_does_not_change_the_throttled_address(app: RunningApp) -> None:
    # No MDMA_AT_TRUSTED_PROXIES: the header comes from the client itself and proves nothing.
    client = httpx.Client(base_url=app.base_url, headers={"X-Forwarded-For": "198.51.100.77"})
    token = csrf_of(client.get("/login").text)
    failed = client.post(
        "/login", data={"username": "nobody", "password": "wrong password", "csrf_token": token}
    )
    assert failed.status_code == 401
    assert audit_rows(app, "login_failed")[-1][2] == "from 127.0.0.1"
