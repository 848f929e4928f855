"""FHIR export of the demo clinic (issue 17, items 1 and 5): the Bulk Data files parsed back with
`fhir.resources`, their codes checked against the LOINC table and their values against the demo's
own script; `$everything` for two patients without leakage; bad input refused, nothing written.

Independent sources: LOINC codes from tests/clinical/reference/fhir/loinc_codes.csv (FHIR R4
vital-signs value set; docs/instruments.md §7 sources); values from the demo's script
(src/mdma_at/demo/sessions.py: DEMO-008's completed session, first reading 122/78, HR 70, 36.7 °C,
doses 80 mg + 40 mg; DEMO-005's session in progress, 120 mg given, the 60 mg supplemental held;
adverse events "Euphoric mood" and "Palpitations"; register lot L-2611-A in kit DEMO-K-001,
demo/register.py).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import column, create_engine, select, table

from mdma_at.demo.clinic import DEMO_PASSWORD
from support.cli import mdma_at, mdma_at_in_process
from support.db import last_audit_action, row_counts
from support.server import RunningApp, api_client, app_env, copy_sqlite_database

REFERENCE = Path(__file__).parents[1] / "clinical" / "reference" / "fhir" / "loinc_codes.csv"
LOINC = "http://loinc.org"
COMPLETED, IN_PROGRESS = "DEMO-008", "DEMO-005"  # demo/sessions.py


def _loinc_table() -> set[str]:
    with REFERENCE.open(encoding="utf-8") as table:
        return {row["code"] for row in csv.DictReader(table)}


@pytest.fixture(scope="module")
def clinic_env(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A copy of the demo clinic of this module's own (the export writes an audit event)."""
    workdir = tmp_path_factory.mktemp("fhir-export")
    copy_sqlite_database(demo_template, workdir / "e2e.db")
    return {**app_env(workdir), "MDMA_AT_PASSWORD": DEMO_PASSWORD}


@pytest.fixture(scope="module")
def exported(clinic_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The coordinator's bulk export, through the real entry point (a subprocess)."""
    out = tmp_path_factory.mktemp("bulk") / "fhir"
    done = mdma_at("export", "fhir", "--out", str(out), "--as", "c.mensah", env=clinic_env)
    assert done.returncode == 0, done.stderr
    return out


def _lines(out: Path, kind: str) -> list[dict[str, Any]]:
    path = out / f"{kind}.ndjson"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _all(out: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(out.glob("*.ndjson")):
        yield from _lines(out, path.stem)


def _codings(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if "system" in value and "code" in value:
            yield value
        for inner in value.values():
            yield from _codings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _codings(inner)


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value["reference"]
        for inner in value.values():
            yield from _references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _references(inner)


def test_every_exported_resource_parses_back_with_the_library(exported: Path) -> None:
    manifest = json.loads((exported / "manifest.json").read_text(encoding="utf-8"))
    files = {p.name for p in exported.glob("*.ndjson")}
    assert {item["url"] for item in manifest["output"]} == files
    for item in manifest["output"]:
        lines = _lines(exported, item["type"])
        assert len(lines) == item["count"] > 0
        model = get_fhir_model_class(item["type"])
        for line in lines:
            assert line["resourceType"] == item["type"]
            model.model_validate(line)  # raises on anything the library refuses
    expected = {
        "Patient", "Practitioner", "PractitionerRole", "Organization", "Encounter",
        "Observation", "QuestionnaireResponse", "MedicationAdministration",
        "MedicationStatement", "AdverseEvent", "Consent", "Provenance",
    }  # fmt: skip
    assert {item["type"] for item in manifest["output"]} == expected


def test_every_reference_points_at_an_exported_resource(exported: Path) -> None:
    present = {f"{r['resourceType']}/{r['id']}" for r in _all(exported)}
    dangling = {
        ref
        for resource in _all(exported)
        for ref in _references(resource)
        if not ref.startswith("#") and ref not in present
    }
    assert dangling == set()


def test_every_loinc_code_is_in_the_loinc_table(exported: Path) -> None:
    used = {c["code"] for r in _all(exported) for c in _codings(r) if c["system"] == LOINC}
    assert used - _loinc_table() == set()
    # each vital sign and each instrument with a LOINC panel is there
    for code in ("85354-9", "8480-6", "8462-4", "8867-4", "8310-5", "44261-6", "70274-6"):
        assert code in used


def test_the_demo_sessions_values_come_through(exported: Path) -> None:
    patients = {p["identifier"][0]["value"]: p["id"] for p in _lines(exported, "Patient")}
    assert len(patients) == 12  # demo/clinic.py: DEMO-001 … DEMO-012
    completed = f"Patient/{patients[COMPLETED]}"
    vitals = [
        o
        for o in _lines(exported, "Observation")
        if o["subject"]["reference"] == completed
        and o["category"][0]["coding"][0]["code"] == "vital-signs"
    ]
    first = min(vitals, key=lambda o: o["effectiveDateTime"])["effectiveDateTime"]
    at_first = {
        o["code"]["coding"][0]["code"]: o for o in vitals if o["effectiveDateTime"] == first
    }
    bp = [(c["code"]["coding"][0]["code"], c["valueQuantity"]["value"]) for c in at_first[
        "85354-9"]["component"]]  # fmt: skip
    assert bp == [("8480-6", 122), ("8462-4", 78)]
    assert at_first["8867-4"]["valueQuantity"]["value"] == 70
    assert at_first["8310-5"]["valueQuantity"]["value"] == 36.7
    doses = {d["subject"]["reference"]: d for d in _lines(exported, "MedicationAdministration")}
    given = sorted(
        (d["subject"]["reference"], d["dosage"]["dose"]["value"])
        for d in _lines(exported, "MedicationAdministration")
    )
    in_progress = f"Patient/{patients[IN_PROGRESS]}"
    assert given == sorted([(completed, 80), (completed, 40), (in_progress, 120)])
    assert doses[completed]["contained"][0]["identifier"][0]["value"] == "DEMO-K-001"
    events = {
        (e["subject"]["reference"], e["event"]["text"]) for e in _lines(exported, "AdverseEvent")
    }
    assert events == {(completed, "Euphoric mood"), (in_progress, "Palpitations")}


def test_a_blinded_exporter_receives_no_lot_contents_or_arm(exported: Path) -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in exported.glob("*.ndjson"))
    for hidden in ("L-2611-A", "L-2611-P", "placebo", "Lipomed", "lotNumber", "DEMO-K-002"):
        assert hidden not in text
    assert "DEMO-K-001" in text


def test_the_export_is_audited_as_the_user_who_asked(
    exported: Path, clinic_env: dict[str, str]
) -> None:
    engine = create_engine(clinic_env["MDMA_AT_DATABASE_URL"])
    events = table("audit_events", column("action"), column("actor"), column("role"))
    try:
        with engine.connect() as db:
            found = db.execute(
                select(events.c.actor, events.c.role).where(events.c.action == "fhir_bulk_exported")
            ).all()
    finally:
        engine.dispose()
    # the coordinator's export (other tests here may export as the physician)
    assert ("c.mensah", "coordinator") in [tuple(row) for row in found]


def _export(env: dict[str, str], out: Path, *args: str) -> tuple[int, str]:
    done = mdma_at_in_process("export", "fhir", "--out", str(out), *args, env=env)
    return done.returncode, done.stderr.strip()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--as", "c.mensah", "--since", "2026-02-30"), "error: since: '2026-02-30' is not a date"),
        (
            ("--as", "c.mensah", "--since", "2026-10-01", "--until", "2026-09-01"),
            "error: until: 2026-09-01 is before the start of the period (2026-10-01)",
        ),
        (("--as", "t.alvarez"), "error: as: t.alvarez may not export records at any site"),
        (("--as", "r.blind"), "error: as: r.blind may not export records at any site"),
    ],
)
def test_bad_input_is_refused_by_name_and_nothing_is_written(
    clinic_env: dict[str, str], tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    url = clinic_env["MDMA_AT_DATABASE_URL"]
    before = row_counts(url, ignore=("audit_events", "login_attempts"))
    code, stderr = _export(clinic_env, tmp_path / "out", *args)
    assert (code, stderr.startswith(message)) == (2, True), stderr
    assert not (tmp_path / "out").exists()
    assert row_counts(url, ignore=("audit_events", "login_attempts")) == before


def test_an_output_path_that_is_a_file_is_refused(
    clinic_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "fhir").write_text("a file", encoding="utf-8")
    code, stderr = _export(clinic_env, tmp_path / "fhir", "--as", "c.mensah")
    assert (code, stderr) == (2, f"error: out: {tmp_path / 'fhir'} is a file, not a directory")
    assert (tmp_path / "fhir").read_text(encoding="utf-8") == "a file"


def test_a_non_empty_output_directory_is_refused_without_force(
    clinic_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    code, stderr = _export(clinic_env, tmp_path, "--as", "c.mensah")
    assert code == 2
    assert (
        stderr == f"error: out: {tmp_path} exists and is not empty (give --force to write into it)"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


# --- $everything ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def physician(demo_app: RunningApp) -> Iterator[httpx.Client]:
    with api_client(demo_app, "dr.ng") as client:
        yield client


def _patient_id(client: httpx.Client, study_id: str) -> int:
    found = client.get("/api/patients", params={"q": study_id}).json()
    return int(found[0]["id"])


def test_everything_returns_each_patients_own_record_and_nothing_of_the_other(
    demo_app: RunningApp, physician: httpx.Client
) -> None:
    # The shared clinic: reading stores only the audit event, and what other tests add to these
    # two records is still theirs alone.
    bundles = {}
    for study_id in (COMPLETED, IN_PROGRESS):
        patient_id = _patient_id(physician, study_id)
        answer = physician.get(f"/api/fhir/Patient/{patient_id}/$everything")
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("application/fhir+json")
        bundles[study_id] = (patient_id, answer.json())
    for study_id, (patient_id, body) in bundles.items():
        bundle = Bundle.model_validate(body)
        assert bundle.type == "searchset" and bundle.total == len(body["entry"])
        own = f"Patient/{patient_id}"
        patients = [
            e["resource"] for e in body["entry"] if e["resource"]["resourceType"] == "Patient"
        ]
        assert [p["identifier"][0]["value"] for p in patients] == [study_id]
        for entry in body["entry"]:
            get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(
                entry["resource"]
            )
            for ref in _references(entry["resource"]):
                assert not ref.startswith("Patient/") or ref == own, (entry["resource"]["id"], ref)
        other = next(s for s in bundles if s != study_id)
        assert other not in json.dumps(body)
    completed = bundles[COMPLETED][1]
    kinds = {e["resource"]["resourceType"] for e in completed["entry"]}
    assert {"MedicationAdministration", "AdverseEvent", "Provenance", "Encounter"} <= kinds
    assert last_audit_action(demo_app.database_url) == "fhir_everything_exported"


def test_a_non_exporting_role_gets_403_and_an_unknown_patient_404(
    demo_app: RunningApp, physician: httpx.Client
) -> None:
    url = f"/api/fhir/Patient/{_patient_id(physician, COMPLETED)}/$everything"
    before = row_counts(demo_app.database_url, ignore=("audit_events", "api_tokens"))
    with api_client(demo_app, "t.alvarez") as therapist:
        refused = therapist.get(url)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert physician.get("/api/fhir/Patient/999999/$everything").status_code == 404
    assert row_counts(demo_app.database_url, ignore=("audit_events", "api_tokens")) == before


def test_another_sites_coordinator_gets_404_for_this_sites_patient(
    demo_app: RunningApp, physician: httpx.Client
) -> None:
    # c.other: the coordinator of the e2e template's second site (tests/e2e/conftest.py)
    url = f"/api/fhir/Patient/{_patient_id(physician, COMPLETED)}/$everything"
    with api_client(demo_app, "c.other") as other:
        before = row_counts(demo_app.database_url, ignore=("audit_events",))
        hidden = other.get(url)
    assert hidden.status_code == 404  # not 403: an ID at another site cannot be probed
    assert COMPLETED not in hidden.text
    assert row_counts(demo_app.database_url, ignore=("audit_events",)) == before


@pytest.mark.parametrize(
    ("query", "field"),
    [({"start": "2026-02-30"}, "start"), ({"start": "2026-10-01", "end": "2026-09-01"}, "end")],
)
def test_everything_refuses_a_bad_period_by_name(
    physician: httpx.Client, query: dict[str, str], field: str
) -> None:
    patient_id = _patient_id(physician, COMPLETED)
    refused = physician.get(f"/api/fhir/Patient/{patient_id}/$everything", params=query)
    assert refused.status_code == 422
    assert refused.json()["field"] == field


def test_force_replaces_an_earlier_exports_files_and_keeps_the_rest(
    clinic_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    (tmp_path / "Basic.ndjson").write_text("{}\n", encoding="utf-8")  # an earlier export's
    code, stderr = _export(clinic_env, tmp_path, "--as", "dr.ng", "--force", "--json")
    assert code == 0, stderr
    names = {p.name for p in tmp_path.iterdir()}
    assert "notes.txt" in names and "manifest.json" in names and "Basic.ndjson" not in names
