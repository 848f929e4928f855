"""How `mdma-at demo` grows with the trial (issue 19, item 5): the seconds for 104 and for 1,040
simulated participants through the full services (each in a fresh SQLite file, as a newcomer
runs it), and their ratio. Linear growth gives a ratio near 10.

    make bench-demo            # or: .venv/bin/python bench/demo.py [SMALL LARGE]

The seconds are the command's own `seconds` (the run and the primary analysis, not the
interpreter's start-up). Not a timed test: a benchmark to read on a quiet machine. On a shared
one, read the CPU seconds printed beside them (the command's whole process, start-up included),
which other work on the machine barely changes.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path


def seconds(participants: int) -> tuple[float, float]:
    """(the run's own seconds, the CPU seconds of its process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MDMA_AT_")}
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as workdir:
        out = Path(workdir) / "demo"
        done = subprocess.run(
            [sys.executable, "-m", "mdma_at", "demo", "--participants", str(participants),
             "--json", "--out", str(out)],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"demo of {participants} failed: {done.stderr.strip()}")
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = cpu.ru_utime + cpu.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
        return float(json.loads(done.stdout)["seconds"]), used


def main() -> None:
    small, large = (int(a) for a in sys.argv[1:3]) if len(sys.argv) >= 3 else (104, 1040)
    first, first_cpu = seconds(small)
    print(f"{small:>6} participants: {first:8.1f} s ({first / small:.3f} s each), "
          f"CPU {first_cpu:.1f} s", flush=True)  # fmt: skip
    second, second_cpu = seconds(large)
    print(f"{large:>6} participants: {second:8.1f} s ({second / large:.3f} s each), "
          f"CPU {second_cpu:.1f} s")  # fmt: skip
    print(f"ratio {second / first:.2f} (CPU {second_cpu / first_cpu:.2f}) for "
          f"{large / small:.0f}x the participants (linear: {large / small:.0f})")  # fmt: skip


if __name__ == "__main__":
    main()
