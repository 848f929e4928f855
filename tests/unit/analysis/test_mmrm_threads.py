"""The BLAS thread limit during a fit is nested safely and restored afterwards."""

from __future__ import annotations

import threading

from mdma_at.analysis.mmrm.threads import _controls, single_threaded_blas


def _counts() -> list[int]:
    return [getter() for _, getter in _controls()]


def test_nested_and_concurrent_blocks_restore_the_thread_counts_once_all_have_left() -> None:
    before = _counts()
    inside: list[list[int]] = []
    release = threading.Event()

    def other_fit() -> None:
        with single_threaded_blas():
            release.wait(timeout=5)
            inside.append(_counts())

    with single_threaded_blas():
        worker = threading.Thread(target=other_fit)
        worker.start()
        with single_threaded_blas():
            assert all(count == 1 for count in _counts())
    # The first block has left but the other thread is still inside: still one thread.
    assert all(count == 1 for count in _counts()) or not before
    release.set()
    worker.join()
    assert all(count == 1 for count in inside[0])
    assert _counts() == before
