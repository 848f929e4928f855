"""One permission table for the pages and the API (issue 14, item 1; ADR 0130).

Every route the app answers is found in `entrypoints.permissions.ROUTES` (a new route without an
entry fails here), and for every role × route the answer agrees with `domain.access.PERMISSIONS`:
403 exactly for the roles the route's action does not grant, on the pages and in the API alike.
Then each role walks its own pages and follows nothing it may not use: every link, htmx load and
form on a page it may open leads to a route its role grants (no form that ends in 403).

On SQLite alone (ADR 0068): what is checked is routing (the permission table, the pages' links),
which does not depend on the database; each route's storage has its tests on both databases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from integration.test_session_recording import session
from mdma_at.bootstrap import Container
from mdma_at.domain.access import PERMISSIONS, Action
from mdma_at.domain.dosing.records import DosingSession
from mdma_at.domain.staff import Role
from mdma_at.entrypoints.api.app import create_app
from mdma_at.entrypoints.permissions import NAVIGATION, ROUTES, Open, route_keys
from mdma_at.services.access.auth import issue_api_token
from mdma_at.services.access.staff import add_user
from support.clinic import OPERATOR, PASSWORD, Clinic
from support.server import copy_sqlite_database
from support.web import signed_in

__all__ = ["session"]  # a fixture, imported to be used here

MISSING = "999999"  # no record has this ID in a fresh clinic


@pytest.fixture
def migrated_database_url(migrated_sqlite: Path, tmp_path: Path) -> str:
    """The tier's fixture on SQLite only: every role × every route costs ≈ 14 s per database, and
    routing is the same on both (docs/adr/0068)."""
    copy_sqlite_database(migrated_sqlite, tmp_path / "test.db")
    return f"sqlite:///{tmp_path / 'test.db'}"


@dataclass
class Caller:
    role: Role
    client: TestClient
    csrf: str
    token: str


@pytest.fixture
def app(ctx: Container) -> FastAPI:
    return create_app(ctx)


@pytest.fixture
def callers(ctx: Container, clinic: Clinic, app: FastAPI) -> Iterator[dict[Role, Caller]]:
    """One person per role, holding that role alone at site A, signed in and with a token."""
    found: dict[Role, Caller] = {}
    for role in Role:
        username = f"only.{role.value}"
        add_user(
            ctx.uow(),
            ctx.clock,
            ctx.hasher,
            OPERATOR,
            username=username,
            full_name=f"Only {role.value}",
            password=PASSWORD,
            grants=[("SITE-A", role)],
        )
        client = TestClient(app)
        csrf = signed_in(client, username)
        token, _ = issue_api_token(ctx.uow(), ctx.clock, OPERATOR, username, "permission test")
        found[role] = Caller(role, client, csrf, token)
    yield found
    for caller in found.values():
        caller.client.close()


def _url(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{([a-z_]+)\}", lambda m: values.get(m.group(1), MISSING), path)


def _roles(action: Action | Open) -> frozenset[Role]:
    return PERMISSIONS[action] if isinstance(action, Action) else frozenset(Role)


def test_every_route_has_an_entry_in_the_table_and_every_entry_a_route(app: FastAPI) -> None:
    answered = {key for key, _ in route_keys(app)}
    assert sorted(answered - ROUTES.keys()) == [], "routes with no entry in permissions.ROUTES"
    assert sorted(ROUTES.keys() - answered) == [], "entries for routes that do not exist"


def test_every_role_gets_403_exactly_where_the_table_says_on_pages_and_api(
    app: FastAPI, callers: dict[Role, Caller], session: DosingSession, clinic: Clinic
) -> None:
    values = {
        "patient_id": str(session.patient_id),
        "visit_id": str(session.visit_id),
        "session_id": str(session.id),
        "site_id": str(clinic.site_a.id),
        "instrument": "caps5",
        "kind": "note",
        "username": "nobody",
    }
    disagreements = []
    for (method, path), action in sorted(ROUTES.items()):
        if method == "MOUNT" or action is Open.PUBLIC or path == "/logout":
            continue
        for role, caller in callers.items():
            url = _url(path, values)
            if path.startswith("/api/"):
                headers = {"Authorization": f"Bearer {caller.token}"}
                answer = caller.client.request(
                    method, url, headers=headers, json={} if method == "POST" else None
                )
            elif method == "POST":
                answer = caller.client.post(
                    url, data={"csrf_token": caller.csrf}, follow_redirects=False
                )
            else:
                answer = caller.client.get(url, follow_redirects=False)
            expected_refusal = role not in _roles(action)
            if (answer.status_code == 403) != expected_refusal:
                disagreements.append(f"{role.value} {method} {path}: {answer.status_code}")
    assert disagreements == [], "\n".join(disagreements)


_LINKS = re.compile(r'(?:href|hx-get|action)="(/[^"#]*)"')
_POSTS = re.compile(r'<form[^>]*method="post"[^>]*action="(/[^"]*)"|hx-post="(/[^"]*)"')


def _route_of(method: str, url: str) -> Action | Open | None:
    path = url.split("?")[0]
    if path.startswith("/static/"):
        return Open.PUBLIC
    for (m, template), action in ROUTES.items():
        pattern = re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(template))
        if m == method and re.fullmatch(pattern, path):
            return action
    return None


def test_each_role_sees_its_own_work_and_is_offered_only_what_it_may_do(
    callers: dict[Role, Caller], session: DosingSession
) -> None:
    pid = session.patient_id
    pages = [href for _, href in NAVIGATION] + [
        f"/patients/{pid}",
        f"/patients/{pid}/measures",
        f"/patients/{pid}/screening/panel",
        f"/patients/{pid}/consent",
        f"/patients/{pid}/sessions",
        f"/patients/{pid}/measures/caps5/new",
        f"/sessions/{session.id}",
        f"/sessions/{session.id}/record",
        "/patients/new",
    ]
    offered_in_vain = []
    for role, caller in callers.items():
        for url in pages:
            if role not in _roles(_route_of("GET", url) or Open.PUBLIC):
                continue
            text = caller.client.get(url).text
            posts = {a or b for a, b in _POSTS.findall(text)}
            for target in set(_LINKS.findall(text)) | posts:
                method = "POST" if target in posts else "GET"
                action = _route_of(method, target)
                if action is None or role not in _roles(action):
                    offered_in_vain.append(f"{role.value} on {url}: {method} {target}")
    assert offered_in_vain == [], "\n".join(offered_in_vain)

    def nav(role: Role) -> list[str]:
        page = callers[role].client.get("/").text
        block = page.split('<nav aria-label="Main">')[1].split("</nav>")[0]
        return re.findall(r'<a href="([^"]+)"', block)

    # from the roles in domain/access.py: the rater rates, blind to the clinical record
    assert nav(Role.RATER) == ["/", "/ratings"]
    assert nav(Role.COORDINATOR) == [
        "/", "/worklist", "/patients", "/alerts", "/measures/due", "/sessions/open",
        "/studies", "/reports",
    ]  # fmt: skip
    assert nav(Role.PHYSICIAN) == [
        "/",
        "/worklist",
        "/patients",
        "/alerts",
        "/measures/due",
        "/sessions/open",
        "/screening/awaiting",
        "/studies",
        "/register",
        "/reports",
    ]
    assert nav(Role.PHARMACIST) == ["/", "/patients", "/register"]
    assert nav(Role.STATISTICIAN) == ["/", "/studies"]
