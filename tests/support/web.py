"""Signing in to the pages through an in-process TestClient (integration tests of the pages)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from support.clinic import PASSWORD


def signed_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign `username` in (by default with the clinic's password); returns the session's CSRF
    token."""
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert found
    return found.group(1)
