"""`mdma-at demo` as a newcomer runs it (issue 19): a small simulated trial through the real
services, whose database then passes `audit verify` and whose register reconciles to zero
difference; and every bad input refused with exit 2, one line, and nothing written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from support.cli import mdma_at, mdma_at_in_process
from support.db import row_counts

PASSWORD = "simulated-trial-2026"  # the simulated clinic's accounts (simulation/clinic.py)


def _clean_env(**extra: str) -> dict[str, str]:
    """The shell's environment without any configured database: the demo makes its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MDMA_AT_")}
    return {**env, **extra}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    out = tmp_path_factory.mktemp("demo") / "trial"
    done = mdma_at("demo", "--participants", "8", "--json", "--out", str(out),
                   env=_clean_env(), timeout=900)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out, json.loads(done.stdout)


def test_the_json_has_the_contract_fields(demo_run: tuple[Path, dict[str, object]]) -> None:
    out, result = demo_run
    assert set(result) == {"participants", "randomised", "completed", "primary", "report",
                           "seconds"}  # fmt: skip
    assert result["randomised"] == 8  # --participants is the number randomised
    assert isinstance(result["participants"], int) and result["participants"] >= 8
    assert isinstance(result["completed"], int) and 0 <= result["completed"] <= 8
    primary = result["primary"]
    assert isinstance(primary, dict)
    assert set(primary) == {"arms", "difference", "ci_low", "ci_high", "p", "cohens_d"}
    assert set(primary["arms"]) == {"mdma", "placebo"}
    for means in primary["arms"].values():
        assert set(means) == {"ls_mean_change", "se"}
    assert primary["ci_low"] <= primary["difference"] <= primary["ci_high"]
    assert 0 <= primary["p"] <= 1
    report = Path(str(result["report"]))
    assert report == out / "trial-report.html" and report.is_file()
    assert "CONSORT" in report.read_text(encoding="utf-8")
    assert isinstance(result["seconds"], float | int)


def test_its_database_passes_audit_verify(demo_run: tuple[Path, dict[str, object]]) -> None:
    out, _ = demo_run
    env = _clean_env(MDMA_AT_DATABASE_URL=f"sqlite:///{out / 'mdma-at-demo.db'}")
    verified = mdma_at_in_process("audit", "verify", env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_its_register_reconciles_to_zero_difference(
    demo_run: tuple[Path, dict[str, object]],
) -> None:
    out, _ = demo_run
    url = f"sqlite:///{out / 'mdma-at-demo.db'}"
    engine = create_engine(url)
    try:
        with engine.connect() as db:
            sessions = db.execute(text("SELECT count(*) FROM dosing_sessions")).scalar_one()
            counts = db.execute(text("SELECT counted, expected FROM register_counts")).all()
            open_discrepancies = db.execute(
                text("SELECT count(*) FROM register_discrepancies")
            ).scalar_one()
    finally:
        engine.dispose()
    assert sessions > 0
    assert counts, "every kit was counted at the end"
    assert all(counted == expected for counted, expected in counts)
    assert open_discrepancies == 0
    env = _clean_env(MDMA_AT_DATABASE_URL=url, MDMA_AT_PASSWORD=PASSWORD)
    for site in ("SIM1", "SIM2", "SIM3"):
        listed = mdma_at_in_process("register", "discrepancies", "--as", f"pharm.{site.lower()}",
                                    "--site", site, "--json", env=env)  # fmt: skip
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout) == []


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--participants", "3"), "participants"),
        (("--seed", "1.5"), "seed"),
        (("--seed", "one"), "seed"),
        (("--sites", "0"), "sites"),
        (("--effect", "nan"), "effect"),
    ],
)
def test_bad_input_is_exit_2_and_writes_nothing(
    tmp_path: Path, args: tuple[str, ...], field: str
) -> None:
    out = tmp_path / "demo"
    refused = mdma_at_in_process("demo", *args, "--out", str(out), env=_clean_env())
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"error: {field}: ")
    assert len(refused.stderr.strip().splitlines()) == 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_directory_that_is_not_empty_is_refused_without_force(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    refused = mdma_at_in_process("demo", "--participants", "4", "--out", str(out),
                                 env=_clean_env())  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: out: ")
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_replicates_print_the_rate_with_its_interval_and_repeat_by_seed(tmp_path: Path) -> None:
    args = ("demo", "--replicates", "3", "--participants", "12", "--effect", "0", "--json")
    first = mdma_at_in_process(*args, "--out", str(tmp_path / "unused"), env=_clean_env())
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    assert set(result) == {
        "replicates", "participants", "effect", "alpha", "measure", "rejections", "rate",
        "ci_low", "ci_high", "mean_difference",
    }  # fmt: skip
    assert result["measure"] == "type_i_error" and result["replicates"] == 3
    assert result["ci_low"] <= result["rate"] <= result["ci_high"]
    again = mdma_at_in_process(*args, env=_clean_env())
    assert json.loads(again.stdout) == result
    assert not (tmp_path / "unused").exists()  # replicates touch no database and no directory


def test_a_configured_database_that_is_not_empty_is_refused_and_left_alone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    env = _clean_env(MDMA_AT_DATABASE_URL=url,
                     MDMA_AT_AUDIT_CHECKPOINT_DIR=str(tmp_path / "checkpoints"))  # fmt: skip
    assert mdma_at_in_process("db", "upgrade", env=env).returncode == 0
    assert mdma_at_in_process("site", "add", "SITE-A", "Harbour Clinic", env=env).returncode == 0
    assert mdma_at_in_process("user", "add", "admin", "--name", "Avery Admin",
                              "--role", "admin@SITE-A", "--password-stdin", env=env,
                              stdin="a-long-enough-password-2026\n").returncode == 0  # fmt: skip
    before = row_counts(url)
    refused = mdma_at_in_process("demo", "--participants", "4", "--out", str(tmp_path / "demo"),
                                 env=env)  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: database: not empty")
    assert row_counts(url) == before
    assert not (tmp_path / "demo").exists()
