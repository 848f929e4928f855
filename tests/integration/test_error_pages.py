"""Error pages say what happened and offer the way back: the page before (only from this site),
the patient list, the dashboard; a 403 names the role it would need (issue 14, item 9)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mdma_at.bootstrap import Container
from mdma_at.domain.staff import Role
from mdma_at.entrypoints.api.app import create_app
from mdma_at.services.access.staff import add_user
from support.clinic import OPERATOR, PASSWORD, Clinic
from support.web import signed_in

BASE = "http://testserver"  # TestClient's own origin


def test_a_403_names_the_role_it_needs_and_leads_back(ctx: Container, clinic: Clinic) -> None:
    with TestClient(create_app(ctx)) as client:
        signed_in(client, "c.a")  # a coordinator: screenings awaiting signature are physicians'
        refused = client.get("/screening/awaiting", headers={"Referer": f"{BASE}/patients?q=HC"})
    assert refused.status_code == 403
    page = refused.text
    assert "Your role does not allow this." in page
    # domain/access.py: only a physician signs a screening verdict
    assert 'id="needed-role">This needs the role of <strong>physician</strong>' in page
    assert 'href="/patients?q=HC" id="back-before"' in page
    assert 'href="/patients">The patient list' in page and 'href="/">The dashboard' in page
    assert 'aria-label="Main"' in page  # the navigation is there too: no dead end


def test_a_404_offers_the_patient_list_and_no_way_back_to_another_site(
    ctx: Container, clinic: Clinic
) -> None:
    with TestClient(create_app(ctx)) as client:
        signed_in(client, "t.a")
        missing = client.get("/patients/999999", headers={"Referer": "https://evil.example/x"})
    assert missing.status_code == 404
    assert "There is no such record, or none you may see." in missing.text
    assert "no patient 999999" in missing.text
    assert "back-before" not in missing.text and "evil.example" not in missing.text
    assert 'href="/patients">The patient list' in missing.text
    assert "needed-role" not in missing.text


def test_a_rater_is_led_back_to_their_ratings_not_to_the_patient_list(
    ctx: Container, clinic: Clinic
) -> None:
    add_user(
        ctx.uow(),
        ctx.clock,
        ctx.hasher,
        OPERATOR,
        username="r.a",
        full_name="Rita Rater",
        password=PASSWORD,
        grants=[("SITE-A", Role.RATER)],
    )
    with TestClient(create_app(ctx)) as client:
        signed_in(client, "r.a")
        refused = client.get("/patients")
    assert refused.status_code == 403
    assert 'href="/ratings">My ratings' in refused.text
    assert 'href="/patients">The patient list' not in refused.text
