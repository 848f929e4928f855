"""Paging the site's on-call physician (issue 13, item 3; ADR 0121).

One reconciliation pass (`run_paging`) decides who must be paged from what is stored, so a page
never depends on the request that raised the alert still being alive:

- a critical vital sign in an open session pages while the alert is active and unacknowledged
  (`AlertState.paging`): at once, again at once on each new critical reading, and again every
  `site.repage_minutes` (default 5) until a physician acknowledges it;
- an escalation press pages once;
- an open safety alert from a questionnaire (PHQ-9 item 9, C-SSRS) pages once, and a critical
  one pages again every `repage_minutes` until acknowledged.

A critical alert raised, an escalation pressed or a safety alert opened does not wait for the
pass: its domain event's handler (`PageRequests`, ADR 0009) queues the page right after the
commit that stored it and wakes the worker, which sends it.

The pass first queues page rows in one transaction (committed), then sends each due row with
no transaction open, then records the outcome (sent; retrying with back-off; failed with the
reason) in its own transaction, audited. Acknowledging cancels the rows still waiting. It runs
in a worker thread of the server (adapters.notify.worker), never on the event loop and never
inside the transaction that stored the reading, so a notifier that is down never blocks
recording.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from mdma_at.domain.dosing.entries import Folded
from mdma_at.domain.dosing.records import DosingSession, EntryKind
from mdma_at.domain.events import (
    AlertAcknowledged,
    AlertRaised,
    PhysicianCalled,
    SafetyAlertAcknowledged,
    SafetyAlertOpened,
)
from mdma_at.domain.local_time import local_time
from mdma_at.domain.measurement.records import SafetyAlert
from mdma_at.domain.patients import Patient
from mdma_at.domain.staff import Site
from mdma_at.domain.vocabulary import AlertLevel
from mdma_at.services.audit import SYSTEM, record
from mdma_at.services.ports import Clock, DeliveryFailed, Notifier, Page, UnitOfWork
from mdma_at.services.protocol_settings import session_rules
from mdma_at.services.sessions.folds import folded_session

# Back-off between attempts of one page: 30 s, 1, 2 and 4 min, then it is marked failed (the
# re-page of a still unacknowledged alert is a new page, so paging goes on after that).
RETRY_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=4),
)
WAITING = ("pending", "retrying")
# How long a worker holds a page it took for sending before another may take it: longer than a
# notifier's timeout (10 s), so two workers never send one page; short, so a worker killed in
# the middle of sending delays the page by at most this much (site default, ADR 0201).
SENDING_LEASE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class LiveSession:
    """An open session with its folded state (for paging and the live alert lists)."""

    patient: Patient
    session: DosingSession
    folded: Folded


def open_session_states(uow: UnitOfWork, site_ids: frozenset[int]) -> list[LiveSession]:
    """Every open session at `site_ids`, folded (inside the caller's transaction)."""
    out = []
    for patient, session in uow.dosing_sessions.open_at(site_ids):
        rules = session_rules(uow, patient, session)
        folded = folded_session(uow, session, patient.details.sex.value, rules)
        out.append(LiveSession(patient, session, folded))
    return out


def session_key(session_id: int) -> str:
    return f"session:{session_id}:critical"


def _critical_readings(live: LiveSession) -> list[tuple[datetime, datetime, str]]:
    """(time of the reading, when it was recorded, what was read) of each critical reading."""
    out = []
    for entry, step in live.folded.steps:
        critical = [a.alert for a in step.alerts if a.alert.level is AlertLevel.CRITICAL]
        if critical:
            what = ", ".join(f"{a.parameter} {a.value:g}" for a in critical)
            out.append((entry.t, entry.recorded_at, what))
    return out


@dataclass(frozen=True, slots=True)
class _Need:
    """Something that must be paged now."""

    site: Site
    patient: Patient
    session_id: int | None
    safety_alert_id: int | None
    key: str
    cause: str
    subject: str
    body: str


def _recipients(site: Site, notifiers: Sequence[Notifier]) -> list[tuple[str, str]]:
    """(channel, recipient) for each notifier that can reach the site's on-call physician."""
    out = []
    for notifier in notifiers:
        if notifier.channel == "email":
            if site.on_call_email:
                out.append((notifier.channel, site.on_call_email))
        else:
            who = site.on_call_email or site.on_call_name or f"on-call physician, {site.code}"
            out.append((notifier.channel, who))
    return out


def _repage_due(pages: Sequence[Page], now: datetime, minutes: int) -> bool:
    last = max(p.created_at for p in pages)
    return now - last >= timedelta(minutes=minutes)


def _session_needs(uow: UnitOfWork, now: datetime, site: Site, live: LiveSession) -> list[_Need]:
    """What one open session must page now: each escalation not paged yet, and its critical
    alert while paging (a new critical reading, or the re-page falling due)."""
    needs: list[_Need] = []
    zone = ZoneInfo(site.timezone)
    study_id = live.patient.details.study_id
    number = live.session.session_number
    for entry, _ in live.folded.steps:
        if entry.kind is EntryKind.ESCALATE:
            key = f"session:{live.session.id}:escalation:{entry.id}"
            if not uow.pages.for_key(key):
                reason = str(entry.payload.get("note") or "")
                needs.append(
                    _Need(
                        site,
                        live.patient,
                        live.session.id,
                        None,
                        key,
                        "escalation",
                        f"[{site.code}] Physician needed: patient {study_id}, session {number}",
                        f"{entry.recorded_by_name} asked for the physician at "
                        f"{local_time(entry.t, zone, '%H:%M')} ({site.timezone})."
                        + (f" {reason}" if reason else ""),
                    )
                )
    key = session_key(live.session.id)
    readings = _critical_readings(live)
    if not live.folded.state.alerts.paging or not readings:
        return needs
    t, recorded_at, what = readings[-1]
    pages = uow.pages.for_key(key)
    new_reading = not pages or max(p.created_at for p in pages) < recorded_at
    if new_reading or _repage_due(pages, now, site.repage_minutes):
        needs.append(
            _Need(
                site,
                live.patient,
                live.session.id,
                None,
                key,
                "critical_vitals" if new_reading else "repage",
                f"[{site.code}] CRITICAL vital signs: patient {study_id}, session {number}",
                f"{what} at {local_time(t, zone, '%H:%M')} ({site.timezone})."
                + ("" if new_reading else " Not yet acknowledged: paging again.")
                + " Acknowledge on the session console to stop the paging.",
            )
        )
    return needs


def _safety_alert_needs(
    uow: UnitOfWork, now: datetime, site: Site, patient: Patient, alert: SafetyAlert
) -> list[_Need]:
    """An open safety alert pages once; a critical one again every `repage_minutes`."""
    key = f"safety_alert:{alert.id}"
    pages = uow.pages.for_key(key)
    critical = alert.level == AlertLevel.CRITICAL.value
    if pages and not (critical and _repage_due(pages, now, site.repage_minutes)):
        return []
    zone = ZoneInfo(site.timezone)
    return [
        _Need(
            site,
            patient,
            None,
            alert.id,
            key,
            "safety_alert" if not pages else "repage",
            f"[{site.code}] Safety alert ({alert.level}): patient {patient.details.study_id}",
            f"{alert.reason} Raised {local_time(alert.raised_at, zone)} ({site.timezone})."
            " Acknowledge it in the alert queue with the action taken.",
        )
    ]


def _needs(
    uow: UnitOfWork, now: datetime, sites: Mapping[int, Site]
) -> tuple[list[_Need], set[str]]:
    """What must be paged now, and the keys whose paging has stopped (acknowledged)."""
    needs: list[_Need] = []
    stopped: set[str] = set()
    for live in open_session_states(uow, frozenset(sites)):
        needs += _session_needs(uow, now, sites[live.patient.site_id], live)
        if not live.folded.state.alerts.paging:
            stopped.add(session_key(live.session.id))
    for patient, alert in uow.safety_alerts.open_at(frozenset(sites)):
        needs += _safety_alert_needs(uow, now, sites[patient.site_id], patient, alert)
    return needs, stopped


# One pass at a time: the worker's pass and a request's page request must not both queue the same
# page. The lock serialises threads of this process; `hold_queue` the server's processes (ADR 0201).
_QUEUEING = threading.RLock()


def queue_pages(uow: UnitOfWork, clock: Clock, notifiers: Sequence[Notifier]) -> list[Page]:
    """Store a pending page per channel for everything that must be paged now; cancel the
    waiting pages of alerts that were acknowledged. Committed before anything is sent."""
    if not notifiers:
        return []
    with _QUEUEING, uow:
        uow.pages.hold_queue()
        sites = {site.id: site for site in uow.sites.list()}
        needs, stopped = _needs(uow, clock.now(), sites)
        for key in stopped:
            for waiting in uow.pages.for_key(key):
                if waiting.status in WAITING:
                    uow.pages.update(
                        waiting.id,
                        status="cancelled",
                        last_error="the alert was acknowledged",
                        next_attempt_at=None,
                    )
        queued = _queue(uow, clock, notifiers, needs)
        uow.commit()
    return queued


def _queue(
    uow: UnitOfWork, clock: Clock, notifiers: Sequence[Notifier], needs: Sequence[_Need]
) -> list[Page]:
    """A pending page per channel of each need, audited (inside the caller's transaction)."""
    now = clock.now()
    queued = []
    for need in needs:
        for channel, recipient in _recipients(need.site, notifiers):
            page = uow.pages.add(
                site_id=need.site.id,
                patient_id=need.patient.id,
                session_id=need.session_id,
                safety_alert_id=need.safety_alert_id,
                alert_key=need.key,
                cause=need.cause,
                message=f"{need.subject}\n{need.body}",
                channel=channel,
                recipient=recipient,
                created_at=now,
            )
            queued.append(page)
            record(
                uow,
                clock,
                SYSTEM,
                "page_queued",
                "page",
                page.id,
                after={
                    "key": need.key,
                    "cause": need.cause,
                    "channel": channel,
                    "recipient": recipient,
                },
            )
    return queued


@dataclass(frozen=True, slots=True)
class PageRequests:
    """The paging subscriber of the domain events (ADR 0009): a critical alert raised, the
    physician called for or a safety alert opened queues its page at once, in its own unit of
    work after the commit that stored it, and wakes the worker to send it; an acknowledgement
    wakes the worker to cancel the pages still waiting. The worker's pass (`run_paging`) stays
    the safety net: it re-pages, and it pages whatever a crash kept from being queued here."""

    uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    notifiers: Sequence[Notifier]
    wake: Callable[[], None]

    def alert_raised(self, event: AlertRaised) -> None:
        if event.critical:
            self._for_session(event.session_id)

    def physician_called(self, event: PhysicianCalled) -> None:
        self._for_session(event.session_id)

    def safety_alert_opened(self, event: SafetyAlertOpened) -> None:
        if not self.notifiers:
            return
        with _QUEUEING, self.uow_factory() as uow:
            uow.pages.hold_queue()
            alert = uow.safety_alerts.get(event.safety_alert_id)
            patient = uow.patients.get(event.patient_id)
            site = uow.sites.get(patient.site_id) if patient is not None else None
            if alert is None or patient is None or site is None or not alert.is_open:
                return
            needs = _safety_alert_needs(uow, self.clock.now(), site, patient, alert)
            _queue(uow, self.clock, self.notifiers, needs)
            uow.commit()
        self.wake()

    def acknowledged(self, event: AlertAcknowledged | SafetyAlertAcknowledged) -> None:
        self.wake()

    def _for_session(self, session_id: int) -> None:
        if not self.notifiers:
            return
        with _QUEUEING, self.uow_factory() as uow:
            uow.pages.hold_queue()
            session = uow.dosing_sessions.get(session_id)
            patient = uow.patients.get(session.patient_id) if session is not None else None
            site = uow.sites.get(patient.site_id) if patient is not None else None
            if session is None or patient is None or site is None or session.closed:
                return
            rules = session_rules(uow, patient, session)
            folded = folded_session(uow, session, patient.details.sex.value, rules)
            live = LiveSession(patient, session, folded)
            needs = _session_needs(uow, self.clock.now(), site, live)
            _queue(uow, self.clock, self.notifiers, needs)
            uow.commit()
        self.wake()


def deliver_due(
    uow_factory: Callable[[], UnitOfWork], clock: Clock, notifiers: Sequence[Notifier]
) -> list[Page]:
    """Send every page whose time has come, with no transaction open while sending; record and
    audit each outcome. Each page is first taken for sending (a short lease, committed): with
    several server processes, the one that took it sends it and the others pass it by."""
    by_channel = {n.channel: n for n in notifiers}
    with uow_factory() as uow:
        due = list(uow.pages.due(clock.now()))
    outcomes = []
    for page in due:
        if not _take(uow_factory(), clock, page):
            continue
        notifier = by_channel.get(page.channel)
        subject, _, body = page.message.partition("\n")
        error: str | None = None
        if notifier is None:
            error = f"the {page.channel} notifier is no longer configured"
        else:
            try:
                notifier.send(
                    page.recipient,
                    subject,
                    body,
                    {"alert": page.alert_key, "cause": page.cause, "site_id": page.site_id},
                )
            except DeliveryFailed as failed:
                error = str(failed)
        outcomes.append(_record_outcome(uow_factory(), clock, page, error))
    return outcomes


def _take(uow: UnitOfWork, clock: Clock, page: Page) -> bool:
    if page.next_attempt_at is None:
        return False
    with uow:
        taken = uow.pages.claim(page.id, page.next_attempt_at, clock.now() + SENDING_LEASE)
        uow.commit()
    return taken


def _record_outcome(uow: UnitOfWork, clock: Clock, page: Page, error: str | None) -> Page:
    now = clock.now()
    attempts = page.attempts + 1
    with uow:
        if error is None:
            values: dict[str, object] = {
                "status": "sent",
                "attempts": attempts,
                "sent_at": now,
                "next_attempt_at": None,
            }
            action = "page_sent"
        elif attempts <= len(RETRY_DELAYS):
            values = {
                "status": "retrying",
                "attempts": attempts,
                "last_error": error,
                "next_attempt_at": now + RETRY_DELAYS[attempts - 1],
            }
            action = "page_failed_retrying"
        else:
            values = {
                "status": "failed",
                "attempts": attempts,
                "last_error": error,
                "next_attempt_at": None,
            }
            action = "page_failed"
        updated = uow.pages.update(page.id, **values)
        record(
            uow,
            clock,
            SYSTEM,
            action,
            "page",
            page.id,
            before={"status": page.status, "attempts": page.attempts},
            after={k: str(v) if isinstance(v, datetime) else v for k, v in values.items()},
        )
        uow.commit()
    return updated


def run_paging(
    uow_factory: Callable[[], UnitOfWork], clock: Clock, notifiers: Sequence[Notifier]
) -> list[Page]:
    """One pass: queue what must be paged, then deliver what is due (the worker's tick)."""
    queue_pages(uow_factory(), clock, notifiers)
    return deliver_due(uow_factory, clock, notifiers)


# --- what the pages show ---


@dataclass(frozen=True, slots=True)
class PagingStatus:
    """What the console and alert lists say about paging for one alert."""

    configured: bool  # a notifier is set up on this server
    reachable: bool  # and the site names someone it can reach
    pages: tuple[Page, ...]

    @property
    def latest(self) -> tuple[Page, ...]:
        """The pages of the latest round (one per channel)."""
        return latest_round(self.pages)


def paging_for_session(
    uow: UnitOfWork, session_id: int, site_id: int, notifiers: Sequence[Notifier]
) -> PagingStatus:
    """The pages sent for a session (vitals and escalations), oldest first. The caller has
    loaded the session through its access check (`load_session`)."""
    with uow:
        site = uow.sites.get(site_id)
        pages = tuple(uow.pages.for_session(session_id))
    reachable = site is not None and bool(_recipients(site, notifiers))
    return PagingStatus(bool(notifiers), reachable, pages)


def latest_round(pages: tuple[Page, ...]) -> tuple[Page, ...]:
    """The pages of the latest round (one per channel)."""
    if not pages:
        return ()
    last = max(p.created_at for p in pages)
    return tuple(p for p in pages if p.created_at == last)
