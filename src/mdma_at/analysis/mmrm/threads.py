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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

_SUFFIXES = ("64_", "")
_PREFIXES = ("scipy_openblas", "openblas")

_Setter = Callable[[int], object]
_Getter = Callable[[], int]


@cache
def _controls() -> tuple[tuple[_Setter, _Getter], ...]:
    maps = Path("/proc/self/maps")
    if not maps.is_file():
        return ()
    paths = sorted(
        {line.split()[-1] for line in maps.read_text().splitlines() if "openblas" in line.lower()}
    )
    found: list[tuple[_Setter, _Getter]] = []
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


@dataclass
class _Saved:
    """How many blocks are open, and the thread counts the last one to leave restores."""

    depth: int = 0
    previous: list[int] = field(default_factory=list)


_state = _Saved()


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Inside the block OpenBLAS uses one thread; the previous counts are restored after.

    Re-entrant and thread-safe: the first block to enter saves the counts, the last to leave
    restores them (the setting is process-wide).
    """
    controls = _controls()
    with _lock:
        if _state.depth == 0:
            _state.previous = [getter() for _, getter in controls]
            for setter, _ in controls:
                setter(1)
        _state.depth += 1
    try:
        yield
    finally:
        with _lock:
            _state.depth -= 1
            if _state.depth == 0:
                for (setter, _), count in zip(controls, _state.previous, strict=True):
                    setter(count)
