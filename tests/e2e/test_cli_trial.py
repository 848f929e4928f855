"""`mdma-at trial simulate-randomisation`, `seal-schedule` and `allocations`: the JSON and CSV
contracts, who may see the allocation list, and bad input.

Through the real entry point (`python -m mdma_at`, a subprocess): the simulation's JSON, sealing
the schedule and the statistician's CSV. The other method, the refusals and the set-up run
in-process (`support.cli.mdma_at_in_process`: the same root command and exit-code guard,
ADR 0066); a subprocess costs 1–2 s of interpreter start-up."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from mdma_at.bootstrap import bootstrap
from mdma_at.config import Settings
from mdma_at.services.access.auth import load_principal
from mdma_at.services.trials import studies
from support.cli import mdma_at, mdma_at_in_process

PASSWORD = "a long enough pass"

ARGS = ("--participants", "120", "--strata", "4", "--trials", "30", "--seed", "11", "--json")


def test_simulate_prints_the_three_fields_and_blocks_stay_within_half_the_largest_block() -> None:
    done = mdma_at(
        "trial", "simulate-randomisation", "--block-sizes", "2,4", *ARGS, env=dict(os.environ)
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == {"max_stratum_imbalance", "mean_abs_total_imbalance", "trials"}
    assert payload["trials"] == 30
    # issue 16, Done-when: never above half the largest block (4 / 2)
    assert payload["max_stratum_imbalance"] <= 2


def test_minimisation_is_a_method_too() -> None:
    done = mdma_at_in_process(
        "trial", "simulate-randomisation", "--block-sizes", "2", "--method", "minimisation",
        *ARGS, env=dict(os.environ),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["trials"] == 30


def test_a_block_size_that_cannot_hold_both_arms_is_exit_2_naming_the_field() -> None:
    done = mdma_at_in_process(
        "trial", "simulate-randomisation", "--block-sizes", "2,3", *ARGS, env=dict(os.environ)
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error: block_sizes: 3 is not")
    assert len(done.stderr.strip().splitlines()) == 1


def _clinic(tmp_path: Path) -> dict[str, str]:
    """A site with a coordinator, a physician and the statistician (through the CLI), and one
    study set up through the service (the CLI has no command to design a study). Set up
    in-process; the trial commands under test run as subprocesses."""
    env = {
        **os.environ,
        "MDMA_AT_DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.db'}",
        "MDMA_AT_AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "MDMA_AT_PASSWORD": PASSWORD,
        "MDMA_AT_RANDOMISATION_SEED": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    }
    assert mdma_at_in_process("db", "upgrade", env=env).returncode == 0
    assert mdma_at_in_process("site", "add", "SITE-A", "Harbour Clinic", env=env).returncode == 0
    for username, role in (("c.a", "coordinator"), ("dr.a", "physician"), ("stat", "statistician")):
        added = mdma_at_in_process(
            "user", "add", username, "--name", username, "--role", f"{role}@SITE-A",
            "--password-stdin", env=env, stdin=f"{PASSWORD}\n",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
    ctx = bootstrap(Settings(database_url=env["MDMA_AT_DATABASE_URL"]))
    with ctx.uow() as uow:
        site = uow.sites.by_code("SITE-A")
        found = uow.staff.by_username("c.a")
        assert site is not None and found is not None
        coordinator = load_principal(uow, found[0].id)
    studies.create_study(
        ctx.uow(), ctx.clock, coordinator, code="MAPP-X", title="MDMA-AT vs placebo",
        site_ids=[site.id], designated_physician="dr.a", target_size=10,
    )  # fmt: skip
    ctx.engine.dispose()
    return env


def test_the_allocation_list_is_for_the_statistician_only(tmp_path: Path) -> None:
    env = _clinic(tmp_path)
    refused = mdma_at_in_process(
        "trial", "seal-schedule", "--study", "MAPP-X", "--as", "c.a", env=env
    )
    assert refused.returncode == 2 and refused.stderr.startswith("error: as: ")
    sealed = mdma_at("trial", "seal-schedule", "--study", "MAPP-X", "--as", "stat", env=env)
    assert sealed.returncode == 0, sealed.stderr
    assert env["MDMA_AT_RANDOMISATION_SEED"] not in sealed.stdout

    listed = mdma_at("trial", "allocations", "--study", "MAPP-X", "--as", "stat", "--csv", env=env)
    assert listed.returncode == 0, listed.stderr
    header = next(csv.reader(io.StringIO(listed.stdout)))
    assert header == [
        "position", "study_id", "stratum", "arm", "randomised_at", "emergency_unblinded"
    ]  # fmt: skip

    blinded = mdma_at_in_process(
        "trial", "allocations", "--study", "1", "--as", "c.a", "--csv", env=env
    )
    assert blinded.returncode == 2
    assert blinded.stdout == ""
    assert blinded.stderr.startswith("error: as: c.a may not view allocation")

    unknown = mdma_at_in_process("trial", "allocations", "--study", "NOPE", "--as", "stat", env=env)
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == "error: study: no study NOPE"
