"""What a server start pays for: every app server, worker and test server imports the whole web
app, so a heavy library imported at module level costs every start. pandas and scipy were half of
it (≈ 5 s of CPU of ≈ 9.5 s, `python -X importtime`); only the statistics need them, and they are
imported where they are used (ADR 0070)."""

from __future__ import annotations

import json
import subprocess
import sys

#: Libraries that only the statistics and the exports need.
HEAVY = ("pandas", "scipy", "pyarrow", "pyreadstat", "statsmodels")


def test_the_web_app_starts_without_the_statistics_libraries() -> None:
    probe = (
        "import json, sys; import mdma_at.entrypoints.api.app; "
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
