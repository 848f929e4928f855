"""Check-ins after a dosing session: one contact a day for the protocol's number of days.

Pure rules; the caller passes the patient's dosing days and today's date. A check-in belongs to
the latest dosing session on or before its day; day 1 is the day after the session (ADR 0139).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from mdma_at.domain.adverse_events import AeSeverity
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.sources import Source

MAX_TEXT = 2000


class ContactMode(StrEnum):
    PHONE = "phone"
    VIDEO = "video"
    IN_PERSON = "in_person"


@dataclass(frozen=True, slots=True)
class CheckInRules:
    """The protocol's check-in schedule and the rule that asks for a C-SSRS screener."""

    days: int  # daily contacts on days 1..days after each dosing session
    days_source: Source
    suds_low: int  # the distress scale (SUDS) of the check-in
    suds_high: int
    suds_source: Source
    screener_suds_above: int  # a SUDS above this asks for a C-SSRS screener
    screener_source: Source  # also: any report of suicidal thoughts asks for it
    max_sleep_hours: float
    sleep_source: Source


@dataclass(frozen=True, slots=True)
class DosingDay:
    """A dosing session the check-ins count from."""

    session_id: int
    session_number: int
    on: date


@dataclass(frozen=True, slots=True)
class ContactDay:
    """One day's contact after a dosing session, done or not."""

    session_id: int
    session_number: int
    day: int  # 1 = the day after the session
    on: date
    check_in_id: int | None

    @property
    def done(self) -> bool:
        return self.check_in_id is not None


@dataclass(frozen=True, slots=True)
class CheckInDraft:
    on: date
    mode: ContactMode
    suds: int
    sleep_hours: float
    suicidal_thoughts: bool  # the patient reports thoughts of suicide or self-harm
    ae_term: str = ""  # an adverse event reported at the contact (free text), or none
    ae_severity: AeSeverity | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class CheckIn:
    """A check-in as stored (append-only)."""

    id: int
    patient_id: int
    session_id: int
    day: int
    on: date
    mode: ContactMode
    suds: int
    sleep_hours: float
    suicidal_thoughts: bool
    ae_term: str
    ae_severity: AeSeverity | None
    notes: str
    screener_indicated: bool
    indication: str
    administration_id: int | None
    recorded_by: int
    recorded_at: datetime


def contact_day(
    dosing: Sequence[DosingDay], on: date, rules: CheckInRules
) -> tuple[DosingDay, int]:
    """The dosing session a contact on `on` follows and its day number, or `InvalidInput`."""
    before = [d for d in dosing if d.on < on]
    if not before:
        raise InvalidInput(
            "on", f"no dosing session before {on}: check-ins follow a dosing session"
        )
    session = max(before, key=lambda d: d.on)
    day = (on - session.on).days
    if day > rules.days:
        raise InvalidInput(
            "on",
            f"{on} is day {day} after dosing session {session.session_number} on {session.on}; "
            f"check-ins are for days 1–{rules.days} ({rules.days_source})",
        )
    return session, day


def contact_days(
    dosing: Sequence[DosingDay], done: Collection[tuple[int, int, int]], rules: CheckInRules
) -> list[ContactDay]:
    """Every contact day of every dosing session, with the check-in that covers it.

    `done` holds (check-in ID, session ID, day). A later session cuts the earlier one's days
    short: a day on or after the next session belongs to that one.
    """
    ordered = sorted(dosing, key=lambda d: d.on)
    by_key = {(session_id, day): check_in_id for check_in_id, session_id, day in done}
    days: list[ContactDay] = []
    for i, session in enumerate(ordered):
        following = ordered[i + 1].on if i + 1 < len(ordered) else None
        for day in range(1, rules.days + 1):
            on = session.on + timedelta(days=day)
            if following is not None and on >= following:
                break
            days.append(
                ContactDay(
                    session.session_id,
                    session.session_number,
                    day,
                    on,
                    by_key.get((session.session_id, day)),
                )
            )
    return days


def screener_indication(suds: int, suicidal_thoughts: bool, rules: CheckInRules) -> str | None:
    """Why this contact needs a C-SSRS screener, or None when it does not."""
    if suicidal_thoughts:
        return f"the patient reports suicidal thoughts ({rules.screener_source})"
    if suds > rules.screener_suds_above:
        return f"SUDS {suds} is above {rules.screener_suds_above} ({rules.screener_source})"
    return None


def check_check_in(draft: CheckInDraft, today: date, rules: CheckInRules) -> CheckInDraft:
    """The draft with its texts trimmed, or `InvalidInput` naming the field and the rule."""
    if draft.on > today:
        raise InvalidInput("on", f"{draft.on} is in the future")
    if not rules.suds_low <= draft.suds <= rules.suds_high:
        raise InvalidInput(
            "suds",
            f"{draft.suds} is outside the scale {rules.suds_low}–{rules.suds_high} "
            f"({rules.suds_source})",
        )
    hours = draft.sleep_hours
    if not math.isfinite(hours) or not 0 <= hours <= rules.max_sleep_hours:
        raise InvalidInput(
            "sleep_hours",
            f"{hours} is not between 0 and {rules.max_sleep_hours:g} hours ({rules.sleep_source})",
        )
    term = draft.ae_term.strip()
    if len(term) > MAX_TEXT or len(draft.notes.strip()) > MAX_TEXT:
        raise InvalidInput(
            "ae_term" if len(term) > MAX_TEXT else "notes", f"more than {MAX_TEXT} characters"
        )
    if term and draft.ae_severity is None:
        raise InvalidInput("ae_severity", f"give the severity of '{term}' (mild, moderate, severe)")
    if not term and draft.ae_severity is not None:
        raise InvalidInput("ae_term", "a severity was given without the event: name the event")
    return CheckInDraft(
        draft.on,
        draft.mode,
        draft.suds,
        hours,
        draft.suicidal_thoughts,
        term,
        draft.ae_severity,
        draft.notes.strip(),
    )
