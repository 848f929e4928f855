"""The pages over real HTTP: sign-in errors, CSRF on every form post, isolation by site."""

from __future__ import annotations

import re

import httpx
import pytest

from mdma_at.demo.clinic import DEMO_PASSWORD
from support.db import last_audit_action, row_counts
from support.server import RunningApp


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the form carries a CSRF token"
    return found.group(1)


def signed_in(app: RunningApp, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=app.base_url)
    form = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_of(form.text),
            "next": "/",
        },
    )
    assert response.status_code == 303, response.text
    return client


def test_pages_redirect_to_sign_in_when_anonymous(demo_app: RunningApp) -> None:
    response = httpx.get(f"{demo_app.base_url}/patients")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/patients")


def test_the_session_cookie_is_httponly_and_samesite_lax(demo_app: RunningApp) -> None:
    client = httpx.Client(base_url=demo_app.base_url)
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"username": "dr.ng", "password": DEMO_PASSWORD, "csrf_token": csrf_of(form.text)},
    )
    cookie = response.headers["set-cookie"].lower()
    assert "mdma_at_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_unknown_user_and_wrong_password_read_the_same(demo_app: RunningApp) -> None:
    pages = []
    for username, password in (("nobody", DEMO_PASSWORD), ("t.okafor", "wrong password")):
        client = httpx.Client(base_url=demo_app.base_url)
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )
        assert response.status_code == 401
        pages.append(re.search(r'id="login-message">([^<]+)<', response.text).group(1))  # type: ignore[union-attr]
    assert pages[0] == pages[1] == "Unknown user or wrong password."


def test_a_sign_in_without_its_csrf_token_is_refused(demo_app: RunningApp) -> None:
    client = httpx.Client(base_url=demo_app.base_url)
    client.get("/login")
    response = client.post("/login", data={"username": "dr.ng", "password": DEMO_PASSWORD})
    assert response.status_code == 403
    assert "security token" in response.text


@pytest.mark.parametrize("path", ["/patients/new", "/patients/1/withdraw", "/logout"])
def test_every_form_post_without_the_csrf_token_is_refused(demo_app: RunningApp, path: str) -> None:
    client = signed_in(demo_app, "c.mensah", DEMO_PASSWORD)
    before = row_counts(demo_app.database_url, ignore=("audit_events",))
    response = client.post(
        path,
        data={
            "csrf_token": "forged",
            "withdrawn_on": "2026-01-01",
            "reason": "x",
            "site_id": "1",
            "study_id": "X-1",
            "name": "x",
            "date_of_birth": "1990-01-01",
            "sex": "male",
        },
    )
    assert response.status_code == 403
    # nothing stored in any table; the refusal itself is audited
    assert row_counts(demo_app.database_url, ignore=("audit_events",)) == before
    assert last_audit_action(demo_app.database_url) == "csrf_rejected"
    assert client.get("/patients/1").status_code == 200  # still signed in, nothing changed
    assert "Withdrawn" not in client.get("/patients/1").text


def test_the_dashboard_shows_today_overdue_and_alerts(own_demo_app: RunningApp) -> None:
    # Its own clinic: a browser test records DEMO-006's overdue visit in the shared one.
    html = signed_in(own_demo_app, "c.mensah", DEMO_PASSWORD).get("/").text
    assert (
        "Today's visits" in html
        and "Overdue visits" in html
        and "Visits outside their window" in html
    )
    overdue = html.split("Overdue visits", 1)[1].split("Visits outside their window", 1)[0]
    assert "DEMO-006" in overdue  # the demo leaves one of its visits overdue (demo/clinic.py)


def test_a_therapist_of_another_site_cannot_open_a_chart(demo_app: RunningApp) -> None:
    client = signed_in(demo_app, "t.other", "other site password")
    assert client.get("/patients/1").status_code == 404  # as if it did not exist (issue 10)
    assert "DEMO-" not in client.get("/patients").text


def test_a_duplicate_study_id_on_the_form_is_shown_and_nothing_is_stored(
    demo_app: RunningApp,
) -> None:
    client = signed_in(demo_app, "c.mensah", DEMO_PASSWORD)
    form = client.get("/patients/new")
    before = row_counts(demo_app.database_url)
    response = client.post(
        "/patients/new",
        data={
            "csrf_token": csrf_of(form.text),
            "site_id": "1",
            "study_id": "DEMO-002",
            "name": "Someone",
            "date_of_birth": "1990-01-01",
            "sex": "male",
        },
    )
    assert response.status_code == 422
    assert "already registered" in response.text
    assert row_counts(demo_app.database_url) == before
    listing = client.get("/patients", params={"q": "DEMO-002"}).text
    assert len(re.findall(r'href="/patients/\d+"', listing)) == 1


def test_logout_ends_the_session(demo_app: RunningApp) -> None:
    client = signed_in(demo_app, "dr.ng", DEMO_PASSWORD)
    token = csrf_of(client.get("/").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/").status_code == 303
