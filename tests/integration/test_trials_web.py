"""The study page and the trials API in-process (issue 16): the coordinator randomises from the
page, sees the refusal reasons on a refused button and never the arm; the statistician sees arms;
a blinded API reader finds no `arm` field and is refused the allocation list."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote_plus

from fastapi.testclient import TestClient

from integration.test_trials import _ready, statistician, study
from mdma_at.bootstrap import Container
from mdma_at.domain.randomisation.study import Study
from mdma_at.entrypoints.api.app import create_app
from mdma_at.services.access.auth import issue_api_token
from mdma_at.services.patients import consent
from mdma_at.services.trials import studies
from support.clinic import OPERATOR, Clinic
from support.db import row_counts
from support.web import signed_in

__all__ = ["statistician", "study"]  # fixtures, imported to be used here


def test_the_coordinator_randomises_from_the_page_and_never_sees_the_arm(
    ctx: Container, clinic: Clinic, study: Study
) -> None:
    ready = _ready(ctx, clinic, "HC-0101")
    unconsented = _ready(ctx, clinic, "HC-0102")
    studies.join_study(ctx.uow(), ctx.clock, clinic.coordinator_a, study.id, ready)
    studies.join_study(ctx.uow(), ctx.clock, clinic.coordinator_a, study.id, unconsented)
    consent.withdraw_consent(
        ctx.uow(), ctx.clock, clinic.coordinator_a, unconsented, "moved away",
        datetime(2026, 11, 1, tzinfo=UTC),
    )  # fmt: skip
    with TestClient(create_app(ctx)) as client:
        csrf = signed_in(client, "c.a")
        assert f'href="/studies/{study.id}">MAPP-X' in client.get("/studies").text
        page = client.get(f"/studies/{study.id}").text
        assert "withdrawn" in page  # the refused button says why
        posted = client.post(
            f"/studies/{study.id}/participants/{ready}/randomise",
            data={"csrf_token": csrf},
            follow_redirects=False,
        )
        assert posted.status_code == 303
        assert "Randomised: allocation number 1." in unquote_plus(posted.headers["location"])
        before = row_counts(ctx.settings.database_url, ignore=("audit_events", "audit_head"))
        refused = client.post(
            f"/studies/{study.id}/participants/{unconsented}/randomise",
            data={"csrf_token": csrf},
            follow_redirects=False,
        )
        assert "withdrawn" in unquote_plus(refused.headers["location"])
        assert (
            row_counts(ctx.settings.database_url, ignore=("audit_events", "audit_head")) == before
        )
        page = client.get(f"/studies/{study.id}").text
    assert "No. 1" in page
    # the participants table and the retention counts (the guess form below offers "placebo" as
    # an answer, which reveals nothing)
    shown = page.split("<h2>Participants</h2>")[1].split("<h2>Independent raters")[0]
    for word in ("mdma", "placebo", "MDMA-AT", "Arm"):
        assert word not in shown


def test_the_api_gives_arms_to_the_statistician_only(
    ctx: Container, clinic: Clinic, study: Study, statistician
) -> None:
    patient = _ready(ctx, clinic, "HC-0103")
    with TestClient(create_app(ctx)) as client:
        tokens = {
            who: issue_api_token(ctx.uow(), ctx.clock, OPERATOR, who, "trial test")[0]
            for who in ("c.a", "stat")
        }
        coordinator = {"Authorization": f"Bearer {tokens['c.a']}"}
        stat = {"Authorization": f"Bearer {tokens['stat']}"}
        joined = client.post(
            f"/api/studies/{study.id}/participants",
            json={"patient_id": patient},
            headers=coordinator,
        )
        assert joined.status_code == 201, joined.text
        done = client.post(
            f"/api/studies/{study.id}/participants/{patient}/randomisation", headers=coordinator
        )
        assert done.status_code == 201 and "arm" not in done.json()
        again = client.post(
            f"/api/studies/{study.id}/participants/{patient}/randomisation", headers=coordinator
        )
        assert again.status_code == 409 and "randomised already" in again.text
        blinded = client.get(f"/api/studies/{study.id}", headers=coordinator).json()
        assert "arm" not in blinded["participants"][0]
        assert (
            client.get(f"/api/studies/{study.id}/allocations", headers=coordinator).status_code
            == 403
        )
        unblinded = client.get(f"/api/studies/{study.id}", headers=stat).json()
        assert unblinded["participants"][0]["arm"] in {"mdma", "placebo"}
        no_reason = client.post(
            f"/api/studies/{study.id}/participants/{patient}/unblinding-requests",
            json={"reason": ""}, headers=coordinator,
        )  # fmt: skip
        assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
