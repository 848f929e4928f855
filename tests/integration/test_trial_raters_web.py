"""Raters and the blinding assessment through the pages and the API in-process (issue 16, items
4, 5, 7): the rater's list shows the assignment and takes the rater's guess; the study page shows
retention to everyone and Bang's index to the statistician only; bad input is a 422 naming the
field and stores nothing; a CAPS-5 from anyone but the assigned rater is a 409."""

from __future__ import annotations

from urllib.parse import unquote_plus

from fastapi.testclient import TestClient

from integration.test_trial_raters import CAPS, _hold, _participant, _visits, rater
from integration.test_trials import IGNORE, statistician, study
from mdma_at.bootstrap import Container
from mdma_at.domain.randomisation.study import Study
from mdma_at.entrypoints.api.app import create_app
from mdma_at.services.access.auth import issue_api_token
from mdma_at.services.trials import raters
from support.clinic import OPERATOR, Clinic
from support.db import row_counts
from support.web import signed_in

__all__ = ["rater", "statistician", "study"]  # fixtures, imported to be used here


def test_the_rater_sees_the_assignment_and_guesses_from_their_list(
    ctx: Container, clinic: Clinic, study: Study, rater
) -> None:
    patient_id = _participant(ctx, clinic, study, "HC-0001")
    visits = _visits(ctx, clinic, patient_id)
    _hold(ctx, clinic, patient_id, "es1")
    raters.assign_rater(
        ctx.uow(), ctx.clock, clinic.coordinator_a, study.id, patient_id, visits["baseline"], "r.a"
    )
    with TestClient(create_app(ctx)) as client:
        csrf = signed_in(client, "r.a")
        listing = client.get("/ratings").text
        assert 'id="assigned-table"' in listing and "HC-0001" in listing
        assert "Baseline assessment" in listing and "Jordan" not in listing
        form = client.get(f"/patients/{patient_id}/measures/caps5/new").text
        assert f'value="{visits["baseline"]}"' in form and f'value="{visits["es1"]}"' not in form
        posted = client.post(
            f"/studies/{study.id}/participants/{patient_id}/blinding-guesses",
            data={"csrf_token": csrf, "respondent": "rater", "back": "/ratings",
                  "time_point": "es1", "guess": "placebo", "confidence": "somewhat"},
            follow_redirects=False,
        )  # fmt: skip
        assert posted.status_code == 303
        assert unquote_plus(posted.headers["location"]) == "/ratings?notice=Guess recorded."


def test_retention_for_all_and_the_index_for_the_statistician_only(
    ctx: Container, clinic: Clinic, study: Study, statistician
) -> None:
    patient_id = _participant(ctx, clinic, study, "HC-0001")
    with TestClient(create_app(ctx)) as client:
        signed_in(client, "c.a")
        page = client.get(f"/studies/{study.id}").text
        assert 'id="retention"' in page and 'id="blinding-index"' not in page
        assert f'action="/studies/{study.id}/participants/{patient_id}/rater"' in page
    with TestClient(create_app(ctx)) as client:
        signed_in(client, "stat")
        page = client.get(f"/studies/{study.id}").text
        assert 'id="blinding-index"' in page and "No guesses recorded yet." in page
        assert '/rater"' not in page and "blinding-guesses" not in page  # no form that ends in 403


def test_the_api_refuses_bad_guesses_and_a_caps5_from_the_wrong_rater(
    ctx: Container, clinic: Clinic, study: Study, rater
) -> None:
    patient_id = _participant(ctx, clinic, study, "HC-0001")
    visits = _visits(ctx, clinic, patient_id)
    _hold(ctx, clinic, patient_id, "es1")
    with TestClient(create_app(ctx)) as client:
        tokens = {
            who: issue_api_token(ctx.uow(), ctx.clock, OPERATOR, who, "trial test")[0]
            for who in ("c.a", "r.a", "t.a")
        }
        auth = {who: {"Authorization": f"Bearer {token}"} for who, token in tokens.items()}
        guesses = f"/api/studies/{study.id}/participants/{patient_id}/blinding-guesses"
        good = {"time_point": "es1", "respondent": "participant", "guess": "active",
                "confidence": "strong"}  # fmt: skip
        for change, field in (({"guess": "mdma"}, "guess"), ({"time_point": "x"}, "time_point"),
                              ({"confidence": ""}, "confidence")):  # fmt: skip
            before = row_counts(ctx.settings.database_url, ignore=IGNORE)
            refused = client.post(guesses, json=good | change, headers=auth["c.a"])
            assert refused.status_code == 422 and refused.json()["field"] == field
            assert row_counts(ctx.settings.database_url, ignore=IGNORE) == before
        assert client.post(guesses, json=good, headers=auth["c.a"]).status_code == 201
        assert client.post(guesses, json=good, headers=auth["c.a"]).status_code == 409
        index = f"/api/studies/{study.id}/blinding-index"
        assert client.get(index, headers=auth["c.a"]).status_code == 403
        retention = client.get(f"/api/studies/{study.id}/retention", headers=auth["c.a"]).json()
        assert {"visit", "expected", "seen", "blinded", "follow_up", "label"} == set(retention[0])
        assigned = client.post(
            f"/api/studies/{study.id}/participants/{patient_id}/rater-assignments",
            json={"visit_id": visits["baseline"], "rater": "t.a"}, headers=auth["c.a"],
        )  # fmt: skip
        assert assigned.status_code == 422 and assigned.json()["field"] == "rater"
        body = {"instrument": "caps5", "answers": CAPS, "completed_on": "2026-11-20",
                "visit_id": visits["baseline"]}  # fmt: skip
        before = row_counts(ctx.settings.database_url, ignore=IGNORE)
        refused = client.post(
            f"/api/patients/{patient_id}/administrations", json=body, headers=auth["r.a"]
        )
        assert refused.status_code == 409 and "no independent rater" in refused.text
        assert row_counts(ctx.settings.database_url, ignore=IGNORE) == before
