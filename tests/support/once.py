"""Work done once per test run and shared by every pytest-xdist worker (docs/adr/0067).

Each xdist worker is its own process with its own session fixtures, so a session fixture that
seeds the demo clinic runs once per worker. :func:`once_per_run` makes a directory once for the
whole run instead: the first worker to arrive makes it under an exclusive file lock while the
others wait, and every worker then reads the same finished directory. The lock and the
directory live in the run's temporary root, the parent of every worker's base temp directory
(the pattern of pytest-xdist's documentation, "Making session-scoped fixtures execute only
once"), so nothing is shared between two runs.

Without xdist (``-n 0``, or a plain ``pytest FILE``) the parent of the base temp directory is
shared by every run of the user, so there the directory is this run's own.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

#: Written last into a finished directory: a worker that died while making it left none.
_DONE = ".made"


def once_per_run(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]
) -> Path:
    """The directory `name`, filled by `make` once per test run, whichever worker asks first.

    Args:
        tmp_path_factory: The asking worker's factory (it knows the run's temporary root).
        name: A directory name unique within the run, e.g. ``"demo-template"``.
        make: Fills the empty directory it is given; if it raises, the next worker to ask tries
            again, and the error is this worker's test error.

    Returns:
        The finished directory. Treat it as read-only: copy what a test changes.
    """
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        directory = tmp_path_factory.mktemp(name)
        make(directory)
        return directory
    root = tmp_path_factory.getbasetemp().parent
    directory = root / name
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also on an error
        if not (directory / _DONE).exists():
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir()
            make(directory)
            (directory / _DONE).touch()
    return directory
