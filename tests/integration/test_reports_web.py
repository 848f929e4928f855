"""The reports pages in-process (issue 17, item 4): a page per report for the coordinator, a
period that ends before it starts is 422 and a therapist 403, and a bad submission comes back
naming the field; none of them stores anything."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mdma_at.bootstrap import Container
from mdma_at.entrypoints.api.app import create_app
from mdma_at.entrypoints.web.reports.documents import REPORTS
from support.clinic import Clinic
from support.db import row_counts
from support.web import signed_in

PERIOD = {"start": "2026-07-01", "end": "2026-12-31"}


def test_each_report_page_and_its_refusals(
    ctx: Container, clinic: Clinic, migrated_database_url: str
) -> None:
    with TestClient(create_app(ctx)) as coordinator, TestClient(create_app(ctx)) as therapist:
        csrf = signed_in(coordinator, "c.a")
        signed_in(therapist, "t.a")
        for name in REPORTS:
            page = coordinator.get(f"/reports/{name}", params=PERIOD)
            assert page.status_code == 200 and 'id="report-period"' in page.text
            assert "2026-07-01 to 2026-12-31" in page.text and "C.A (c.a)" in page.text
        before = row_counts(migrated_database_url)
        backwards = coordinator.get(
            "/reports/annual-progress", params={"start": "2026-07-01", "end": "2026-06-30"}
        )
        assert backwards.status_code == 422 and "to" in backwards.text
        assert coordinator.get("/reports/nope", params=PERIOD).status_code == 404
        refused = coordinator.post(
            "/reports/expedited-safety/1/submitted",
            data={"csrf_token": csrf, "submitted_on": "soon", "submitted_to": "TGA"},
            follow_redirects=False,
        )
        assert refused.status_code == 303 and "submitted_on" in refused.headers["location"]
        assert row_counts(migrated_database_url) == before
        before = row_counts(migrated_database_url, ignore=("audit_events",))
        assert therapist.get("/reports/annual-progress", params=PERIOD).status_code == 403
        assert therapist.get("/reports").status_code == 403
        assert row_counts(migrated_database_url, ignore=("audit_events",)) == before
