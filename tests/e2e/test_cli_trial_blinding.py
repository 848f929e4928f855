"""`mdma-at trial blinding` as a subprocess: the statistician only; JSON per time point
(issue 16, item 5; docs/trials.md)."""

from __future__ import annotations

import json
from pathlib import Path

from e2e.test_cli_trial import _clinic
from support.cli import mdma_at


def test_the_blinding_index_is_for_the_statistician_only(tmp_path: Path) -> None:
    env = _clinic(tmp_path)
    assert (
        mdma_at("trial", "seal-schedule", "--study", "MAPP-X", "--as", "stat", env=env).returncode
        == 0
    )
    listed = mdma_at("trial", "blinding", "--study", "MAPP-X", "--as", "stat", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []  # no guesses yet: no time point to report
    blinded = mdma_at("trial", "blinding", "--study", "MAPP-X", "--as", "c.a", env=env)
    assert blinded.returncode == 2 and blinded.stdout == ""
    assert blinded.stderr.strip() == "error: as: c.a may not view allocation here"
    unknown = mdma_at("trial", "blinding", "--study", "NOPE", "--as", "stat", env=env)
    assert unknown.returncode == 2 and unknown.stderr.strip() == "error: study: no study NOPE"
