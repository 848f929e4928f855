"""The CLI as a real subprocess."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping


def mdma_at(
    *args: str, env: Mapping[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run `python -m mdma_at ARGS` with `env`, feeding `stdin`; never raises on exit codes."""
    return subprocess.run(
        [sys.executable, "-m", "mdma_at", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
