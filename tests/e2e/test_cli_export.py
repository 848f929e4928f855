"""`mdma-at export sdtm|research` on the demo clinic with a running study (issue 17, items 2, 3
and 5): the .xpt read back against the SDTMIG rules, the identifier scan of the research set, an
analysis run on it, the blind kept, every export audited, and the refusals that write nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd
import pyreadstat
import pytest

from mdma_at.analysis.efficacy import derive_change
from mdma_at.analysis.safety import teae_summary
from mdma_at.bootstrap import Container, bootstrap
from mdma_at.config import Settings
from mdma_at.demo.clinic import DEMO_PASSWORD, DEMO_PATIENTS, DEMO_SITE, DEMO_STAFF
from mdma_at.domain.patients import PatientDetails
from mdma_at.domain.vocabulary import Sex
from mdma_at.interop.sdtm import rules
from mdma_at.interop.sdtm.spec import SPECS
from mdma_at.services.patients.registry import register_patient
from support.cli import mdma_at, mdma_at_in_process
from support.db import last_audit_action, row_counts
from support.export_seed import STUDY, run_demo_study
from support.server import app_env, copy_sqlite_database
from support.trial_seed import _principal

#: The demo patients who may join a study (demo/clinic.py, demo/screening.py): DEMO-001 is
#: ineligible, DEMO-003's verdict unsigned, DEMO-007's consent outdated, DEMO-012 withdrew.
PARTICIPANTS = {f"DEMO-{n:03d}" for n in (2, 4, 5, 6, 8, 9, 10, 11)}
#: A patient registered for the scan: 96 years old, so their age must leave as "90+".
ELDER = ("DEMO-090", "Marguerite Okonkwo-Villanueva", date(1930, 2, 14), "+44 20 7946 0090")
DEFINE = "{http://www.cdisc.org/ns/odm/v1.3}"
IGNORE = ("audit_events", "audit_head")


@pytest.fixture(scope="module")
def clinic(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Container, dict[str, str]]]:
    """A copy of the demo clinic (no server: the exports need only its database) with DEMO-RCT
    running and the 96-year-old registered, shared by the module's tests: an export writes only
    its audit event and, on the first research export, the research keys (drawn once and kept,
    whichever test draws them); the refusals count rows around their own command."""
    home = tmp_path_factory.mktemp("clinic")
    copy_sqlite_database(demo_template, home / "e2e.db")
    env = {**app_env(home), "MDMA_AT_PASSWORD": DEMO_PASSWORD}
    ctx = bootstrap(Settings(database_url=env["MDMA_AT_DATABASE_URL"]))
    run_demo_study(ctx)
    register_patient(
        ctx.uow(), ctx.clock, _principal(ctx, "c.mensah"), 1,
        PatientDetails(ELDER[0], ELDER[1], ELDER[2], Sex.MALE, ELDER[3], "elder@example.org"),
    )  # fmt: skip
    yield ctx, env
    ctx.engine.dispose()


def _export(env: dict[str, str], *args: str) -> None:
    done = mdma_at_in_process("export", *args, env=env)
    assert done.returncode == 0, done.stderr


def test_the_xpt_files_read_back_within_the_sdtmig_rules(
    clinic: tuple[Container, dict[str, str]], tmp_path: Path
) -> None:
    _, env = clinic
    out = tmp_path / "sdtm"
    _export(env, "sdtm", "--study", STUDY, "--out", str(out), "--as", "s.stat")
    assert last_audit_action(env["MDMA_AT_DATABASE_URL"]) == "sdtm_exported"
    define = ET.parse(out / "define.xml").getroot()
    lengths = {
        item.get("OID"): int(item.get("Length") or 0) for item in define.iter(f"{DEFINE}ItemDef")
    }
    specs = {spec.name: spec for spec in SPECS}
    written = sorted(p.stem.upper() for p in out.glob("*.xpt"))
    # every domain of issue 17 item 2 has records in the demo study (SUPPAE with the AEs)
    assert set(written) == set(specs)
    for name in written:
        path = out / f"{name.lower()}.xpt"
        # SAS transport v5 starts with the library header record; v8 says LIBV8 (SAS TS-140)
        assert path.read_bytes()[:80].startswith(b"HEADER RECORD*******LIBRARY HEADER RECORD")
        frame, meta = pyreadstat.read_xport(path)
        spec = specs[name]
        assert meta.table_name == name and len(name) <= rules.MAX_NAME
        assert meta.file_label == spec.label and len(meta.file_label) <= rules.MAX_LABEL
        assert meta.column_names == [v.name for v in spec.variables]
        assert meta.column_labels == [v.label for v in spec.variables]
        for variable in spec.variables:
            width = meta.variable_storage_width[variable.name]
            assert rules.NAME.fullmatch(variable.name), variable.name
            assert len(variable.label) <= rules.MAX_LABEL
            if meta.readstat_variable_types[variable.name] == "string":
                assert variable.type == "Char" and 1 <= width <= rules.MAX_CHAR
                assert lengths[f"IT.{name}.{variable.name}"] == width
            else:
                assert variable.type == "Num" and width == 8
        assert rules.problems(name, meta.file_label, spec.labels, frame.to_dict("list")) == []
        for column in (c for c in frame.columns if c.endswith("DY")):
            assert (frame[column].dropna() != 0).all(), f"{name}.{column} has a day 0"
    dm = pd.read_csv(out / "dm.csv", keep_default_na=False)
    assert set(dm["SUBJID"]) == PARTICIPANTS
    assert set(dm["ARMCD"]) <= {"MDMA", "PLACEBO"} and "" not in set(dm["ARMCD"])
    ex = pd.read_csv(out / "ex.csv")
    # demo/sessions.py: DEMO-008's completed session 80 mg + 40 mg, DEMO-005's today 120 mg
    doses = sorted(zip(ex["USUBJID"], ex["EXDOSE"], strict=True))
    assert doses == [(f"{STUDY}-DEMO-005", 120.0), (f"{STUDY}-DEMO-008", 40.0),
                     (f"{STUDY}-DEMO-008", 80.0)]  # fmt: skip
    supp = pd.read_csv(out / "suppae.csv")
    assert set(supp["QNAM"]) == {"AESOLIC", "AEPOSIT", "AEABUSE", "AESI"}


def test_a_blinded_user_receives_no_arm_in_any_export(
    clinic: tuple[Container, dict[str, str]], tmp_path: Path
) -> None:
    ctx, env = clinic
    _export(env, "sdtm", "--study", STUDY, "--out", str(tmp_path / "s"), "--as", "c.mensah")
    _export(env, "research", "--out", str(tmp_path / "r"), "--as", "c.mensah")
    dm = pd.read_csv(tmp_path / "s" / "dm.csv", keep_default_na=False)
    assert set(dm["ARMCD"]) == {""} and set(dm["ARMNRS"]) == {"BLINDED"}
    with ctx.uow() as uow:
        study = uow.studies.by_code(STUDY)
        assert study is not None
    names = [a.name for a in study.arms] + [a.code for a in study.arms]
    for path in [*(tmp_path / "s").iterdir(), *(tmp_path / "r").iterdir()]:
        text = path.read_bytes().decode("latin-1")
        for name in names:
            # arm codes are words of other text ("mdma" in the treatment name), so whole cells
            for cell in (f",{name},", f",{name}\n", f",{name.upper()},", f",{name.upper()}\n"):
                assert cell not in text, f"{name!r} in {path.name}"
    subjects = pd.read_csv(tmp_path / "r" / "subjects.csv")
    assert set(subjects["arm"]) <= {"blinded", "open_label", "not_randomised"}


def test_the_research_set_holds_no_identifier_of_any_demo_patient(
    clinic: tuple[Container, dict[str, str]], tmp_path: Path
) -> None:
    _, env = clinic
    csv_dir, parquet_dir = tmp_path / "csv", tmp_path / "parquet"
    _export(env, "research", "--out", str(csv_dir), "--as", "s.stat")
    assert last_audit_action(env["MDMA_AT_DATABASE_URL"]) == "research_exported"
    _export(env, "research", "--out", str(parquet_dir), "--format", "parquet", "--as", "s.stat")
    texts = {p.name: p.read_text() for p in csv_dir.iterdir()}
    for path in parquet_dir.iterdir():
        texts[path.name] = pd.read_parquet(path).to_csv(index=False)
    identifiers = {DEMO_SITE[1], "Next of kin", "example.org", "7946"}  # demo/clinic.py details
    for study_id, name, born, _, _ in [*DEMO_PATIENTS, (*ELDER[:3], None, None)]:
        identifiers |= {study_id, study_id.lower(), name, *name.split(), born.isoformat(),
                        born.strftime("%d/%m/%Y"), born.strftime("%m/%d/%Y"),
                        born.strftime("%Y%m%d")}  # fmt: skip
    identifiers |= {full for _, full, _ in DEMO_STAFF}
    for file_name, text in texts.items():
        for identifier in identifiers:
            assert identifier not in text, f"{identifier!r} in {file_name}"
    # 45 CFR 164.514(b)(2)(i)(C): the 96-year-old is "90+", their age in years nowhere
    subjects = pd.read_csv(csv_dir / "subjects.csv", dtype=str, keep_default_na=False)
    assert "90+" in set(subjects["age"]) and "96" not in set(subjects["age"])
    # the same pseudonyms and shifted dates in both exports (keys drawn once, kept)
    again = pd.read_parquet(parquet_dir / "visits.parquet")
    assert pd.read_csv(csv_dir / "visits.csv", keep_default_na=False).equals(again)


def test_dates_keep_their_intervals_and_the_real_dates_stay_home(
    clinic: tuple[Container, dict[str, str]], tmp_path: Path
) -> None:
    ctx, env = clinic
    _export(env, "research", "--out", str(tmp_path / "r"), "--as", "s.stat")
    visits = pd.read_csv(tmp_path / "r" / "visits.csv", keep_default_na=False)
    with ctx.uow() as uow:
        patients = list(uow.patients.search(frozenset({1}), limit=100))
        keys = {k.research_id: k for k in uow.research_keys.for_patients([p.id for p in patients])}
        real = {
            (keys_of.research_id, v.code): v.held_on or v.planned
            for p in patients
            for keys_of in uow.research_keys.for_patients([p.id])
            for e in uow.enrolments.for_patient(p.id)
            for v in uow.visits.for_enrolment(e.id)
        }
    assert len(keys) == len(patients)
    for row in visits.itertuples():
        moved = date.fromisoformat(str(row.date)) - real[(row.subject, row.visit)]
        assert moved.days == keys[str(row.subject)].day_shift != 0


def test_a_safety_analysis_reads_the_research_set_as_it_is(
    clinic: tuple[Container, dict[str, str]], tmp_path: Path
) -> None:
    _, env = clinic
    _export(env, "research", "--out", str(tmp_path / "r"), "--as", "s.stat")
    population = pd.read_csv(tmp_path / "r" / "population.csv")
    aes = pd.read_csv(tmp_path / "r" / "aes.csv", keep_default_na=False)
    arms = sorted(set(population["arm"]))
    table = teae_summary(aes, population, arms)
    # demo/sessions.py: two dosed participants (DEMO-008 completed, DEMO-005 today), each with
    # one adverse event after the initial dose (euphoric mood; palpitations)
    assert len(population) == 2
    counted = table.set_index(table.columns[0]).loc["any"]
    assert sum(int(counted[f"{arm}_n"]) for arm in arms) == 2
    # and the efficacy table: change from baseline of every CAPS-5 after it
    change = derive_change(pd.read_csv(tmp_path / "r" / "efficacy.csv"))
    assert (change["change"] == change["value"] - change["baseline"]).all()


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("sdtm", "--study", "NO-SUCH-STUDY", "--as", "s.stat"), "study"),
        (("sdtm", "--study", STUDY, "--as", "t.alvarez"), "as"),
        (("research", "--as", "r.blind"), "as"),
    ],
)
def test_refusals_write_nothing(
    clinic: tuple[Container, dict[str, str]], tmp_path: Path, args: tuple[str, ...], field: str
) -> None:
    _, env = clinic
    url = env["MDMA_AT_DATABASE_URL"]
    before = row_counts(url, ignore=IGNORE)
    out = tmp_path / "out"
    done = mdma_at_in_process("export", *args, "--out", str(out), env=env)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {field}: ") and len(done.stderr.splitlines()) == 1
    assert not out.exists()
    assert row_counts(url, ignore=IGNORE) == before
    if field == "as":
        assert last_audit_action(url) == "access_denied"


def test_a_directory_that_is_not_empty_needs_force(
    clinic: tuple[Container, dict[str, str]], tmp_path: Path
) -> None:
    _, env = clinic
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    before = row_counts(env["MDMA_AT_DATABASE_URL"])
    args = ("export", "sdtm", "--study", STUDY, "--out", str(out), "--as", "s.stat")
    done = mdma_at(*args, env=env)  # the real entry point, once
    assert done.returncode == 2
    assert done.stderr.startswith("error: out: ") and "--force" in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert row_counts(env["MDMA_AT_DATABASE_URL"]) == before  # not even an audit event
    _export(env, *args[1:], "--force")
    assert (out / "dm.xpt").exists() and (out / "notes.txt").read_text() == "keep me"
