"""`mdma-at trial blinding`: the statistician only; JSON per time point (issue 16, item 5;
docs/trials.md). The statistician's listing runs through the real entry point (a subprocess);
sealing the schedule first and the refusals run in-process through the same root command and
exit-code guard (ADR 0066)."""

from __future__ import annotations

import json
from pathlib import Path

from e2e.test_cli_trial import _clinic
from support.cli import mdma_at, mdma_at_in_process


def test_the_blinding_index_is_for_the_statistician_only(tmp_path: Path) -> None:
    env = _clinic(tmp_path)
    sealed = mdma_at_in_process("trial", "seal-schedule", "--study", "MAPP-X", "--as", "stat",
                                env=env)  # fmt: skip
    assert sealed.returncode == 0, sealed.stderr
    listed = mdma_at("trial", "blinding", "--study", "MAPP-X", "--as", "stat", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []  # no guesses yet: no time point to report
    blinded = mdma_at_in_process("trial", "blinding", "--study", "MAPP-X", "--as", "c.a", env=env)
    assert blinded.returncode == 2 and blinded.stdout == ""
    assert blinded.stderr.strip() == "error: as: c.a may not view allocation here"
    unknown = mdma_at_in_process("trial", "blinding", "--study", "NOPE", "--as", "stat", env=env)
    assert unknown.returncode == 2 and unknown.stderr.strip() == "error: study: no study NOPE"
