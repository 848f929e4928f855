"""The register over real HTTP (issue 15): the pharmacist's page receives stock and refuses bad
input naming the field with nothing stored; a witness's wrong password is refused; a blinded
therapist sees kits without contents; the API answers 422 naming the field."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import unquote_plus

import httpx

from mdma_at.demo.clinic import DEMO_PASSWORD
from mdma_at.demo.sessions import IN_PROGRESS
from support.server import RunningApp, api_client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the form carries a CSRF token"
    return found.group(1)


def signed_in(app: RunningApp, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=app.base_url)
    form = client.get("/login")
    data = {"username": username, "password": password, "csrf_token": csrf_of(form.text)}
    response = client.post("/login", data={**data, "next": "/"})
    assert response.status_code == 303, response.text
    return client


RECEIPT = {
    "kit_number": "HTTP-K-1", "supplier": "Lipomed AG", "lot": "L-HTTP-1",
    "expiry": (date.today() + timedelta(days=365)).isoformat(), "form": "capsule",
    "strength": "40 mg MDMA HCl", "contents": "placebo", "location": "Safe 1", "unit": "unit",
}  # fmt: skip


def _posted(client: httpx.Client, path: str, data: dict[str, str]) -> str:
    """Post a form from the register page; the message the page is redirected to show."""
    page = client.get("/register")
    site = re.search(r'name="site" value="(\d+)"', page.text)
    assert site is not None
    response = client.post(
        path, data={**data, "site": site.group(1), "csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 303, response.text
    return unquote_plus(response.headers["location"].split("=", 2)[-1])


def test_the_pharmacist_receives_and_bad_input_stores_nothing(demo_app: RunningApp) -> None:
    pharmacist = signed_in(demo_app, "p.lindqvist", DEMO_PASSWORD)
    message = _posted(pharmacist, "/register/receive", {**RECEIPT, "quantity": "0"})
    assert message == "quantity: must be a positive whole number, not 0"
    assert "HTTP-K-1" not in pharmacist.get("/register").text  # nothing stored
    message = _posted(pharmacist, "/register/receive", {**RECEIPT, "quantity": "30"})
    assert message == "Kit HTTP-K-1 received."
    stock = pharmacist.get("/register").text
    assert "HTTP-K-1" in stock and "placebo" in stock and "L-HTTP-1" in stock
    container = re.search(r'<tr id="kit-(\d+)">\s*<td>\d+</td><th scope="row">HTTP-K-1', stock)
    assert container is not None
    waste = {
        "container": container.group(1), "quantity": "1", "unit": "unit", "reason": "broken",
        "witness_username": "dr.ng", "witness_password": "not the password",
    }  # fmt: skip
    message = _posted(pharmacist, "/register/waste", waste)
    assert message.startswith("witness_password:")
    message = _posted(pharmacist, "/register/waste", {**waste, "witness_password": DEMO_PASSWORD})
    assert message.startswith("Waste ") and message.endswith("recorded, witnessed.")
    page = pharmacist.get("/register").text
    assert "29 unit" in page  # 30 received - 1 wasted
    # The demo's session in progress (other tests' sessions on this shared clinic must not be
    # dispensed to: their doses would then have to name a kit, ADR 0111).
    session = re.search(rf'<option value="(\d+)">{IN_PROGRESS}, session', page)
    assert session is not None, "the demo clinic has an open session to dispense to"
    dispense = {"container": container.group(1), "session": session.group(1), "quantity": "2",
                "unit": "unit"}  # fmt: skip
    message = _posted(pharmacist, "/register/dispense", dispense)
    assert message.startswith("Dispensing ") and message.endswith(" recorded.")
    assert "27 unit" in pharmacist.get("/register").text  # 29 - 2 dispensed

    therapist = signed_in(demo_app, "t.alvarez", DEMO_PASSWORD)
    blinded = therapist.get("/register").text
    assert "HTTP-K-1" in blinded and "placebo" not in blinded and "L-HTTP-1" not in blinded
    assert 'id="receive"' not in blinded


def test_the_api_refuses_bad_input_naming_the_field(demo_app: RunningApp) -> None:
    client = api_client(demo_app, "p.lindqvist", "register")
    sites = client.get("/api/register/sites/1/stock")
    assert sites.status_code == 200
    before = sites.json()
    refused = client.post(
        "/api/register/sites/1/receipts",
        json={**RECEIPT, "kit_number": "API-1", "quantity": 5, "unit": "mg"},
    )
    assert refused.status_code == 422
    assert "unit" in refused.text
    assert client.get("/api/register/sites/1/stock").json() == before


def test_a_dose_in_a_session_supplied_from_the_register_must_name_its_kit(
    demo_app: RunningApp,
) -> None:
    """The API's dose request (ADR 0111): the demo's session in progress was dispensed to, so a
    dose without its kit, or from a kit that is not a dispensing, is 422 naming the field, and
    the session and the register are as they were."""
    client = api_client(demo_app, "t.alvarez", "doses")
    patient = client.get("/api/patients", params={"q": IN_PROGRESS}).json()[0]
    sessions = client.get(f"/api/patients/{patient['id']}/sessions").json()
    running = next(s for s in sessions if s["status"] == "open")
    path = f"/api/sessions/{running['id']}"
    before = (client.get(path).json(), client.get("/api/register/sites/1/stock").json())
    for data, field in (
        ({"mg": 60}, "dispensing_id"),
        ({"mg": 60, "dispensing_id": "a kit"}, "dispensing_id"),
        ({"mg": 60, "dispensing_id": 1}, "dispensing_id"),  # the first receipt, not a dispensing
    ):
        refused = client.post(
            f"{path}/entries", json={"kind": "request_supplemental", "data": data}
        )
        assert refused.status_code == 422, refused.text
        assert field in refused.text
    assert (client.get(path).json(), client.get("/api/register/sites/1/stock").json()) == before
