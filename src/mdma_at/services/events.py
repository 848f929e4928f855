"""The message bus: domain events to their handlers, after the commit that stored them (ADR 0009).

A use case emits events into its unit of work (`uow.emit`). The unit of work keeps them with an
`EventCollector` and, once its work is committed and its connection closed, hands them to
`MessageBus.dispatch`. Each handler opens its own unit of work (it is given a factory when it is
wired in `bootstrap`), so a handler that fails never undoes the write that raised the event: the
failure is logged and audited (`event_handler_failed`) and the next handler runs. Nothing is
dispatched for work that was rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from mdma_at.domain.events import DomainEvent
from mdma_at.services.audit import SYSTEM, record
from mdma_at.services.ports import Clock, UnitOfWork

log = logging.getLogger(__name__)

E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Any], None]  # typed at `subscribe`: a handler of E takes an E


class EventCollector:
    """The events of one unit of work: pending until its commit, then committed until taken.

    A rollback drops the pending ones; what an earlier commit made durable stays committed."""

    def __init__(self) -> None:
        self._pending: list[DomainEvent] = []
        self._committed: list[DomainEvent] = []

    def emit(self, event: DomainEvent) -> None:
        self._pending.append(event)

    def collected(self) -> tuple[DomainEvent, ...]:
        """Every event not dispatched yet, committed first."""
        return (*self._committed, *self._pending)

    def committed(self) -> None:
        self._committed.extend(self._pending)
        self._pending.clear()

    def rolled_back(self) -> None:
        self._pending.clear()

    def take_committed(self) -> list[DomainEvent]:
        """The committed events, once: the caller dispatches them."""
        taken, self._committed = self._committed, []
        return taken


class MessageBus:
    """Handlers by event type; `dispatch` runs each event's handlers in subscription order.

    Args:
        uow_factory: a fresh unit of work, for auditing a handler's failure.
    """

    def __init__(self, uow_factory: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.handlers: dict[type[DomainEvent], list[Handler]] = {}
        self._uow_factory = uow_factory
        self._clock = clock

    def subscribe(self, kind: type[E], handler: Callable[[E], None]) -> None:
        self.handlers.setdefault(kind, []).append(handler)

    def dispatch(self, events: Sequence[DomainEvent]) -> None:
        """Run the handlers of each event (of its exact type). Never raises: the events' write is
        committed, and failing the caller now would only invite it to be made twice."""
        for event in events:
            for handler in self.handlers.get(type(event), ()):
                try:
                    handler(event)
                except Exception as failure:  # a handler's bug must not reach the caller
                    self._failed(event, handler, failure)

    def _failed(self, event: DomainEvent, handler: Handler, failure: Exception) -> None:
        name = getattr(handler, "__qualname__", repr(handler))
        log.exception("handler %s failed on %r", name, event)
        try:
            with self._uow_factory() as uow:
                record(
                    uow,
                    self._clock,
                    SYSTEM,
                    "event_handler_failed",
                    "domain_event",
                    type(event).__name__,
                    after={"event": repr(event), "handler": name, "error": repr(failure)},
                )
                uow.commit()
        except Exception:  # the database itself may be what failed: the log has it
            log.exception("the failure of %s could not be audited", name)
