"""The patient list with status, age, next visit and site, filtered by status and site (issue 14,
item 2)."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

from mdma_at.bootstrap import Container
from mdma_at.entrypoints.api.app import create_app
from mdma_at.services.patients import schedule
from support.clinic import Clinic, register
from support.web import signed_in


def _study_ids(html: str) -> list[str]:
    return re.findall(
        r'<a href="/patients/\d+">([A-Z0-9-]+)</a>', html.split('id="patient-rows"')[1]
    )


def test_the_list_filters_by_status_and_site_and_shows_age_and_next_visit(
    ctx: Container, clinic: Clinic
) -> None:
    enrolled = register(ctx, clinic, "HC-0001")  # born 1984-03-12 (support/clinic.py)
    register(ctx, clinic, "HC-0002")
    register(ctx, clinic, "HB-0001", site=clinic.site_b)
    schedule.enrol(
        ctx.uow(), ctx.clock, clinic.coordinator_a, enrolled.id, "mapp_v1", date(2026, 11, 20)
    )
    with TestClient(create_app(ctx)) as client:
        signed_in(client, "admin")  # admin at both sites
        everyone = client.get("/patients").text
        assert set(_study_ids(everyone)) == {"HB-0001", "HC-0001", "HC-0002"}
        active = client.get("/patients?status=active").text
        assert _study_ids(active) == ["HC-0001"]
        row = active.split('data-status="active"')[1].split("</tr>")[0]
        # 1984-03-12 to 2026-11-22 (the fixed clock): 42 years
        assert "<td>42</td>" in row and "SITE-A" in row
        # the first visit of mapp_v1 is Preparation 1, 7 days after enrolment on 2026-11-20
        # (protocols/mapp_v1/schedule.py, MAPP1/MAPP2: 3 preparatory sessions, weekly)
        assert "Preparation 1 · Fri 27 Nov 2026" in row
        waiting = client.get("/patients?status=not_enrolled").text
        assert set(_study_ids(waiting)) == {"HC-0002", "HB-0001"}
        site_b = client.get(f"/patients?site={clinic.site_b.id}").text
        assert _study_ids(site_b) == ["HB-0001"]
        refused = client.get("/patients?status=sleeping")
    assert refused.status_code == 422
    assert "is not one of not_enrolled, active, withdrawn" in refused.text
