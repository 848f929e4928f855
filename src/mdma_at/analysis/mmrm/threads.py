"""Run the fit with single-threaded BLAS.

The likelihood does many small matrix products (k x k times k x m*p with k <= visits); OpenBLAS
threads only add synchronisation to them, and on a busy 2-core machine they made one likelihood
evaluation 10-20 times slower. threadpoolctl is the well-kept tool for this but is not a
dependency of the project, so this module calls OpenBLAS's own ``*_set_num_threads`` on the
libraries numpy and scipy loaded (Linux; elsewhere it does nothing).
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

_SUFFIXES = ("64_", "")
_PREFIXES = ("scipy_openblas", "openblas")


@cache
def _controls() -> tuple[tuple[object, object], ...]:
    maps = Path("/proc/self/maps")
    if not maps.is_file():
        return ()
    paths = sorted(
        {line.split()[-1] for line in maps.read_text().splitlines() if "openblas" in line.lower()}
    )
    found = []
    for path in paths:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in _PREFIXES:
            for suffix in _SUFFIXES:
                setter = getattr(library, f"{prefix}_set_num_threads{suffix}", None)
                getter = getattr(library, f"{prefix}_get_num_threads{suffix}", None)
                if setter is not None and getter is not None:
                    getter.restype = ctypes.c_int
                    found.append((setter, getter))
                    break
            else:
                continue
            break
    return tuple(found)


_lock = threading.Lock()
_state: dict[str, object] = {"depth": 0, "previous": []}


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Inside the block OpenBLAS uses one thread; the previous counts are restored after.

    Re-entrant and thread-safe: the first block to enter saves the counts, the last to leave
    restores them (the setting is process-wide).
    """
    controls = _controls()
    with _lock:
        if _state["depth"] == 0:
            _state["previous"] = [getter() for _, getter in controls]  # type: ignore[operator]
            for setter, _ in controls:
                setter(1)  # type: ignore[operator]
        _state["depth"] = int(_state["depth"]) + 1  # type: ignore[call-overload]
    try:
        yield
    finally:
        with _lock:
            _state["depth"] = int(_state["depth"]) - 1  # type: ignore[call-overload]
            if _state["depth"] == 0:
                previous = _state["previous"]
                for (setter, _), count in zip(controls, previous, strict=True):  # type: ignore[call-overload]
                    setter(count)  # type: ignore[operator]
