"""The blinded rater's own list: the CAPS-5 ratings due, each opening a form that shows only what
the rating needs, and a submitted rating that is stored (issue 14, items 1 and 2)."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

from mdma_at.bootstrap import Container
from mdma_at.domain.staff import Role
from mdma_at.entrypoints.api.app import create_app
from mdma_at.services.access.staff import add_user
from mdma_at.services.measurement import measures
from mdma_at.services.patients import schedule
from support.clinic import OPERATOR, PASSWORD, Clinic, register
from support.web import signed_in

CAPS = ["2"] * 20  # 20 items rated 0-4 (CAPS-5, Weathers et al. 2018)


def test_a_rater_goes_from_their_list_to_a_stored_caps5_without_seeing_the_name(
    ctx: Container, clinic: Clinic
) -> None:
    patient = register(ctx, clinic)  # "Jordan Reyes", HC-0001
    schedule.enrol(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", date(2026, 6, 1)
    )
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
    with TestClient(create_app(ctx)) as rater:
        csrf = signed_in(rater, "r.a")
        listing = rater.get("/ratings")
        assert listing.status_code == 200
        assert "HC-0001" in listing.text and "Jordan" not in listing.text
        links = re.findall(
            r'href="(/patients/\d+/measures/caps5/new\?visit_id=(\d+))"', listing.text
        )
        assert links, listing.text
        form_url, visit_id = links[0]
        form = rater.get(form_url)
        assert form.status_code == 200
        assert "Jordan" not in form.text and "← My ratings" in form.text
        assert f'value="{visit_id}" selected' in form.text
        posted = rater.post(
            f"/patients/{patient.id}/measures/caps5/new",
            data={
                "csrf_token": csrf,
                "completed_on": "2026-11-22",
                "visit_id": visit_id,
                **{f"item-{n}": v for n, v in enumerate(CAPS, start=1)},
            },
            follow_redirects=False,
        )
        assert posted.status_code == 303, posted.text
        assert posted.headers["location"].startswith("/ratings?notice=")
        after = rater.get("/ratings").text
    stored = measures.patient_measures(ctx.uow(), ctx.clock, clinic.physician_a, patient.id)
    caps = [a for a in stored.administrations if a.instrument == "caps5"]
    assert [(a.visit_id, a.score.total) for a in caps] == [(int(visit_id), 40)]  # 20 items × 2
    assert f'visit_id={visit_id}"' not in after  # no longer due
