"""The paging worker: one daemon thread per server process running `services.paging.run_paging`.

It ticks every `MDMA_AT_PAGING_INTERVAL_SECONDS` (2 s) and at once when woken (after a request
committed something that may need a page), so a page leaves within seconds of the commit and
re-pages happen even when no browser is open (ADR 0121). Sending blocks this thread, never the
event loop or a request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from mdma_at.services.alerts.paging import run_paging
from mdma_at.services.ports import Clock, Notifier, UnitOfWork

log = logging.getLogger(__name__)


class PagingWorker:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        notifiers: Sequence[Notifier],
        interval_seconds: float,
    ) -> None:
        self.notifiers = tuple(notifiers)
        self._uow_factory = uow_factory
        self._clock = clock
        self._interval = interval_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def configured(self) -> bool:
        return bool(self.notifiers)

    def start(self) -> None:
        if self._thread is None and self.notifiers:
            self._thread = threading.Thread(target=self._run, name="paging", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Look for pages now rather than at the next tick (called after a commit)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                run_paging(self._uow_factory, self._clock, self.notifiers)
            except Exception:  # a bad pass must not end paging for the process
                log.exception("paging pass failed; trying again at the next tick")
            self._wake.wait(self._interval)
            self._wake.clear()
