"""A site sets its own value for a protocol site default (issue 12, item 4; ADR 0090): through
`mdma-at site protocol` as a real subprocess and through the admin page, over real HTTP.

The "Done when" of issue 12: the admin command lowers the heart-rate caution limit, and a session
started afterwards shows the new limit on its console and raises a caution alert on a reading
that was inside the limit before, while a session already running keeps the values it started
with. Refusals exit 2 with one line naming the value (or page error) and store nothing.

`site protocol set` runs through the real entry point (a subprocess) in the first test and for
the first refusal; issuing the API token, reading the values back and the other refusals run
in-process through the same root command and exit-code guard (ADR 0066). The refusals need no
app server: they run on a copy of the demo clinic of their own.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import httpx

from e2e.test_admin_accounts import audit_rows, csrf_of, sign_in
from support.cli import copy_for_the_cli, mdma_at, mdma_at_in_process
from support.db import row_counts
from support.server import RunningApp

HR_CAUTION = "thresholds.caution.heart_rate"
# 110/min: inside the protocol's heart-rate caution limit (> 120/min, DESIGN.md §4), above the
# 100/min the site sets (the low end of the allowed range: tachycardia is above 100/min).
READING = {"systolic": 124, "diastolic": 78, "heart_rate": 110, "temperature_c": 36.8}


def _start(client: httpx.Client, study_id: str, visit_code: str) -> int:
    found = client.get("/api/patients", params={"q": study_id}).json()
    chart = client.get(f"/api/patients/{found[0]['id']}").json()
    visit = next(v for v in chart["enrolments"][-1]["visits"] if v["code"] == visit_code)
    started = client.post(
        f"/api/visits/{visit['id']}/session",
        json={"started_at": datetime.now(UTC).isoformat(), "childbearing_potential": False},
    )
    assert started.status_code == 201, started.text
    session_id = int(started.json()["id"])
    reading = client.post(
        f"/api/sessions/{session_id}/entries", json={"kind": "vitals", "data": READING}
    )
    assert reading.status_code == 201, reading.text
    return session_id


def _console(client: httpx.Client, session_id: int) -> tuple[str, str]:
    """The console's limits line for the caution level, and its active alerts."""
    page = client.get(f"/sessions/{session_id}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    limits = re.search(r"<strong>Caution alert</strong>: (.*?)</li>", text)
    alerts = re.search(r'id="active-alerts">(.*?)</(ul|p)>', text, re.S)
    assert limits and alerts
    return limits.group(1), " ".join(re.sub(r"<[^>]+>", " ", alerts.group(1)).split())


def test_the_admin_command_changes_the_console_and_the_decision_together(
    own_demo_app: RunningApp,
) -> None:
    issued = mdma_at_in_process(
        "user", "token", "t.alvarez", "--name", "overrides", env=own_demo_app.env
    )
    assert issued.returncode == 0, issued.stderr
    api = httpx.Client(
        base_url=own_demo_app.base_url,
        headers={"Authorization": f"Bearer {issued.stdout.strip()}"},
    )
    web = sign_in(own_demo_app, "t.alvarez")
    running = _start(api, "DEMO-010", "es3")
    limits, alerts = _console(web, running)
    assert "heart rate > 120/min" in limits and alerts == "No active alert."

    changed = mdma_at(
        "site", "protocol", "set", "DEMO", HR_CAUTION, "100",
        "--reason", "younger cohort: earlier warning", env=own_demo_app.env,
    )  # fmt: skip
    assert changed.returncode == 0, changed.stderr

    started_after = _start(api, "DEMO-011", "es3")
    limits, alerts = _console(web, started_after)
    assert "heart rate > 100/min" in limits
    assert "heart rate high · caution" in alerts
    # the session that was running keeps the values it started with
    limits, alerts = _console(web, running)
    assert "heart rate > 120/min" in limits and alerts == "No active alert."

    shown = mdma_at_in_process("site", "protocol", "show", "DEMO", "--json", env=own_demo_app.env)
    row = next(v for v in json.loads(shown.stdout)["values"] if v["key"] == HR_CAUTION)
    # DESIGN.md §4: the protocol's limit is 120/min; the site's is the 100 set above.
    assert (row["default"], row["site_value"], row["in_force"]) == (120, 100, 100)
    assert row["reason"] == "younger cohort: earlier warning"


def test_a_refused_value_exits_2_naming_the_value_and_stores_nothing(
    demo_template: Path, tmp_path: Path
) -> None:
    env = copy_for_the_cli(demo_template, tmp_path)
    counts = row_counts(env["MDMA_AT_DATABASE_URL"])
    for args, line in (
        ((HR_CAUTION, "99", "--reason", "x"), f"error: {HR_CAUTION}: 99 is outside the allowed"),
        ((HR_CAUTION, "lots", "--reason", "x"), f"error: {HR_CAUTION}: 'lots' is not a number"),
        ((HR_CAUTION, "110", "--reason", " "), "error: reason: is required"),
        ((HR_CAUTION, "110"), "error: reason: Missing option"),
        (("thresholds.caution.systolic", "150", "--reason", "x"), "error: key: "),
    ):
        # the first through the shell, the others in-process through the same guard
        run = mdma_at if line.startswith(f"error: {HR_CAUTION}: 99") else mdma_at_in_process
        refused = run("site", "protocol", "set", "DEMO", *args, env=env)
        assert refused.returncode == 2, refused.stderr
        assert refused.stderr.startswith(line) and len(refused.stderr.splitlines()) == 1
    unknown = mdma_at_in_process(
        "site", "protocol", "reset", "NOPE", HR_CAUTION, "--reason", "x", env=env
    )
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: site: ")
    assert row_counts(env["MDMA_AT_DATABASE_URL"]) == counts


def test_the_admin_page_lists_sets_and_refuses_by_name(own_demo_app: RunningApp) -> None:
    admin = sign_in(own_demo_app, "admin")
    assert 'href="/admin/protocol"' in admin.get("/").text
    listing = admin.get("/admin/protocol")
    assert listing.status_code == 200
    row = re.search(r'id="setting-thresholds-caution-heart_rate">(.*?)</tr>', listing.text, re.S)
    assert row, "a row for the heart-rate caution limit"
    # its protocol value (120, DESIGN.md §4), source, allowed range and a form
    cells = html.unescape(row.group(1))
    assert "120 /min" in cells and "HR > 120/min" in cells and "100–120 /min" in cells
    token = csrf_of(listing.text)
    action = f"/admin/protocol/DEMO/{HR_CAUTION}"

    counts = row_counts(own_demo_app.database_url)
    refused = admin.post(action, data={"csrf_token": token, "value": "130", "reason": "x"})
    assert refused.status_code == 303
    shown = html.unescape(admin.get(refused.headers["location"]).text)
    assert f"{HR_CAUTION}: 130 is outside the allowed range 100–120" in shown
    no_reason = admin.post(action, data={"csrf_token": token, "value": "110", "reason": ""})
    assert "reason: is required" in html.unescape(admin.get(no_reason.headers["location"]).text)
    assert row_counts(own_demo_app.database_url) == counts

    done = admin.post(action, data={"csrf_token": token, "value": "110", "reason": "cohort"})
    assert "is now 110" in html.unescape(admin.get(done.headers["location"]).text)
    # entity 1: DEMO, the only site the demo clinic adds (demo/clinic.py)
    assert audit_rows(own_demo_app, "site_protocol_value_set") == [("admin", "1", "cohort")]
    back = admin.post(
        action, data={"csrf_token": token, "action": "reset", "value": "", "reason": "done"}
    )
    after = html.unescape(admin.get(back.headers["location"]).text)
    assert "the protocol's value again" in after
    history = re.search(r'id="site-protocol-history"(.*?)</table>', after, re.S)
    assert history and history.group(1).index("done") < history.group(1).index("cohort")

    therapist = sign_in(own_demo_app, "t.alvarez")
    assert 'href="/admin/protocol"' not in therapist.get("/").text
    assert therapist.get("/admin/protocol").status_code == 403
