"""The composition root: the one place that picks concrete adapters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import Engine

from mdma_at.adapters.audit_checkpoints import CheckpointLog, derive_audit_key
from mdma_at.adapters.db.engine import make_engine
from mdma_at.adapters.db.uow import SqlUnitOfWork
from mdma_at.adapters.notify.email import SmtpNotifier
from mdma_at.adapters.notify.webhook import WebhookNotifier
from mdma_at.adapters.notify.worker import PagingWorker
from mdma_at.adapters.passwords import Argon2Hasher
from mdma_at.adapters.schedule_seal import FernetScheduleSeal, derive_seal_key
from mdma_at.config import Settings
from mdma_at.domain.events import (
    AlertAcknowledged,
    AlertRaised,
    PhysicianCalled,
    SafetyAlertAcknowledged,
    SafetyAlertOpened,
)
from mdma_at.protocols import PROTOCOLS
from mdma_at.protocols.checks import require_valid
from mdma_at.services.access.auth import AuthPolicy
from mdma_at.services.alerts.paging import PageRequests
from mdma_at.services.events import MessageBus
from mdma_at.services.ports import Clock, Notifier, PasswordHasher, ScheduleSeal, UnitOfWork


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Container:
    """Everything a request or command needs, built once per process."""

    settings: Settings
    engine: Engine
    clock: Clock

    def uow(self) -> UnitOfWork:
        return SqlUnitOfWork(self.engine, self.checkpoints, self.bus.dispatch)

    @cached_property
    def bus(self) -> MessageBus:
        """Who hears of each domain event, after the commit that stored it (ADR 0009)."""
        bus = MessageBus(self.uow, self.clock)
        pages = PageRequests(self.uow, self.clock, self.notifiers, self.pager.wake)
        bus.subscribe(AlertRaised, pages.alert_raised)
        bus.subscribe(PhysicianCalled, pages.physician_called)
        bus.subscribe(SafetyAlertOpened, pages.safety_alert_opened)
        bus.subscribe(AlertAcknowledged, pages.acknowledged)
        bus.subscribe(SafetyAlertAcknowledged, pages.acknowledged)
        return bus

    @cached_property
    def checkpoints(self) -> CheckpointLog:
        key = self.settings.audit_key
        return CheckpointLog(
            self.settings.checkpoint_directory(),
            key.encode("utf-8") if key else derive_audit_key(self.settings.secret_key),
        )

    @cached_property
    def notifiers(self) -> tuple[Notifier, ...]:
        """The ways pages go out, as configured (none: the console says nobody is paged)."""
        chosen: list[Notifier] = []
        if self.settings.smtp_url:
            chosen.append(SmtpNotifier(self.settings.smtp_url))
        if self.settings.page_webhook_url:
            chosen.append(WebhookNotifier(self.settings.page_webhook_url))
        return tuple(chosen)

    @property
    def mailer(self) -> Notifier | None:
        """The email notifier, which also sends patients their self-report links (ADR 0141);
        None when no SMTP server is configured."""
        return next((n for n in self.notifiers if n.channel == "email"), None)

    @cached_property
    def pager(self) -> PagingWorker:
        return PagingWorker(
            self.uow, self.clock, self.notifiers, self.settings.paging_interval_seconds
        )

    @cached_property
    def schedule_seal(self) -> ScheduleSeal:
        return FernetScheduleSeal(
            derive_seal_key(self.settings.randomisation_key or self.settings.secret_key)
        )

    @cached_property
    def hasher(self) -> PasswordHasher:
        return Argon2Hasher()

    @cached_property
    def auth_policy(self) -> AuthPolicy:
        return AuthPolicy(
            session_idle_minutes=self.settings.session_idle_minutes,
            max_failures_per_account=self.settings.max_failures_per_account,
            max_failures_per_address=self.settings.max_failures_per_address,
        )


def bootstrap(settings: Settings, clock: Clock | None = None) -> Container:
    """The container of the app or a command; first, every protocol passes its check (a rule
    that refers to a value that does not exist, a site default whose allowed range leaves out
    its own value), so a broken protocol stops the start, not a session halfway."""
    require_valid(PROTOCOLS.values())
    return Container(settings, make_engine(settings.database_url), clock or SystemClock())
