"""Patient self-report links: who may use one, until when, and why a link is refused.

A link is a random token given to one patient (by text message, e-mail or on paper). Only its
SHA-256 is stored, like a session token (ADR 0004), so a database dump does not hand out working
links. A link is single-use and expires; after either, or for a token nobody issued, the page
refuses with the reason and stores nothing (issue 4, item 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.instruments.definitions import InstrumentCode
from mdma_at.domain.sources import Source

#: The instruments a patient fills in at a self-report link, in the order they are shown.
SELF_REPORT_INSTRUMENTS: tuple[InstrumentCode, ...] = (
    InstrumentCode.PHQ9,
    InstrumentCode.GAD7,
    InstrumentCode.PCL5,
)

DEFAULT_LINK_DAYS = 7
LONGEST_LINK_DAYS = 30
LINK_EXPIRY_SOURCE = Source(
    "A single-use, expiring link; 7 days by default and at most 30 days are site "
    "defaults: long enough to fill in before a visit whose window is a week, short enough that a "
    "forwarded or forgotten link soon stops working (chosen for privacy)",
    site_default=True,
)


UNKNOWN_REASON = "This link is not valid. Please ask the clinic for a new link."
USED_REASON = (
    "This link has already been used: your answers were received. "
    "Each link works once; ask the clinic if you need to answer again."
)


#: The longest reason for a link with nothing due (a text column; checked here so SQLite, which
#: does not enforce sizes, refuses what PostgreSQL would).
LONGEST_REASON = 500


def reason_for_link(something_due: bool, reason: str) -> str | None:
    """The reason stored with a new link: required when nothing is due at its visit.

    A link whose visit has no self-report questionnaire due or overdue (or that counts for no
    visit, as for a patient who is not enrolled) sends the patient questionnaires the schedule
    does not ask for; the clinic may have a reason (a worsening reported on the phone), and it
    must say it (issue 14, item 7).

    Args:
        something_due: whether a self-report questionnaire is due or overdue at the link's visit.
        reason: the coordinator's text ("" when none was given).

    Returns:
        The reason, trimmed, or None when none was given for a link with something due.

    Raises:
        InvalidInput: ``reason`` missing when nothing is due, or longer than 500 characters.
    """
    reason = reason.strip()
    if len(reason) > LONGEST_REASON:
        raise InvalidInput("reason", f"is longer than {LONGEST_REASON} characters")
    if not reason and not something_due:
        raise InvalidInput(
            "reason",
            "nothing is due for this patient at this visit (or the patient is not enrolled): "
            "say why the link is needed",
        )
    return reason or None


class DeliveryStatus(StrEnum):
    SENT = "sent"
    FAILED = "failed"


class LinkState(StrEnum):
    USABLE = "usable"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class LinkVerdict:
    """Whether a link may be used now, and the reason shown to the patient."""

    state: LinkState
    reason: str

    @property
    def usable(self) -> bool:
        return self.state is LinkState.USABLE


def link_days(days: int | None) -> timedelta:
    """How long a new link stays valid: `days` (1-30), or the site default of 7 days.

    Raises:
        InvalidInput: ``days_valid`` outside 1-30.
    """
    if days is None:
        return timedelta(days=DEFAULT_LINK_DAYS)
    if not 1 <= days <= LONGEST_LINK_DAYS:
        raise InvalidInput(
            "days_valid", f"{days} is outside 1–{LONGEST_LINK_DAYS} days ({LINK_EXPIRY_SOURCE})"
        )
    return timedelta(days=days)


def check_link(expires_at: datetime | None, used_at: datetime | None, now: datetime) -> LinkVerdict:
    """Decide whether a stored link may be used at `now`.

    Args:
        expires_at: when the link stops working (it works while ``now < expires_at``);
            None when no link with that token was ever issued.
        used_at: when it was used, or None.
        now: the current time (UTC).

    Returns:
        `USABLE`, or the refusal: `UNKNOWN`, `USED` (used is checked before expiry, so a patient
        who already answered is told so), or `EXPIRED`.
    """
    if expires_at is None:
        return LinkVerdict(LinkState.UNKNOWN, UNKNOWN_REASON)
    if used_at is not None:
        return LinkVerdict(LinkState.USED, USED_REASON)
    if now >= expires_at:
        return LinkVerdict(
            LinkState.EXPIRED,
            f"This link expired on {expires_at:%d %b %Y at %H:%M} UTC. "
            "Please ask the clinic for a new link.",
        )
    return LinkVerdict(LinkState.USABLE, f"valid until {expires_at:%d %b %Y at %H:%M} UTC")
