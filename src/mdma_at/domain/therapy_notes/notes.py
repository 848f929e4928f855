"""The structured note of a preparation or integration session, and its addenda.

A note is signed when it is stored and never changes afterwards (the table is append-only in the
database): what was written is what the therapist signed (ADR 0138). A later correction is an
addendum that names the note, says why, and is signed in its turn.

The rules are pure: the caller passes the visit's kind, who holds which role at the patient's
site, and today's date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.domain.sources import Source
from mdma_at.domain.staff import Role

#: The visits that get a therapy note: the non-drug sessions of the programme (the dosing session
#: has its own record, the console's timeline).
NOTE_KINDS = frozenset({VisitKind.PREPARATION, VisitKind.INTEGRATION})

MAX_TEXT = 10_000  # characters per field: a long note, not a pasted document


@dataclass(frozen=True, slots=True)
class NoteRules:
    """The protocol's limits for a note (protocol data, each with its source)."""

    max_minutes: int  # longest plausible session; above it the duration is a typing error
    duration_source: Source
    dyad_size: int  # therapists in the room at most (the co-therapist dyad)
    dyad_source: Source


@dataclass(frozen=True, slots=True)
class NoteDraft:
    """What the therapist typed, before it is checked and signed."""

    visit_id: int
    session_on: date  # the day the session took place
    themes: str
    risks: str  # risks noticed ("none noticed" is an answer, an empty field is not)
    plan: str
    present: tuple[int, ...]  # user IDs of the therapists in the room
    duration_minutes: int


@dataclass(frozen=True, slots=True)
class TherapyNote:
    """A signed, locked note as stored."""

    id: int
    patient_id: int
    visit_id: int
    session_on: date
    themes: str
    risks: str
    plan: str
    present: tuple[int, ...]
    duration_minutes: int
    signed_by: int
    signed_at: datetime


@dataclass(frozen=True, slots=True)
class AddendumDraft:
    note_id: int
    reason: str  # why the note needs a correction or a completion
    text: str


@dataclass(frozen=True, slots=True)
class Addendum:
    id: int
    note_id: int
    reason: str
    text: str
    signed_by: int
    signed_at: datetime


def check_note(
    draft: NoteDraft,
    *,
    visit_kind: VisitKind,
    visit_label: str,
    author_id: int,
    roles_at_site: Mapping[int, frozenset[Role]],
    today: date,
    rules: NoteRules,
) -> NoteDraft:
    """The draft with its texts trimmed, or `InvalidInput` naming the field and the rule.

    `roles_at_site` holds, for each user ID named in `present`, the roles they hold at the
    patient's site (an unknown user is absent from it).
    """
    if visit_kind not in NOTE_KINDS:
        raise InvalidInput(
            "visit_id",
            f"{visit_label} is a {visit_kind.value} visit: notes are for preparation and "
            "integration sessions",
        )
    if draft.session_on > today:
        raise InvalidInput("session_on", f"{draft.session_on} is in the future")
    themes = _text("themes", draft.themes)
    risks = _text("risks", draft.risks)
    plan = _text("plan", draft.plan)
    if draft.duration_minutes <= 0:
        raise InvalidInput(
            "duration_minutes", f"{draft.duration_minutes} is not a duration: give minutes above 0"
        )
    if draft.duration_minutes > rules.max_minutes:
        raise InvalidInput(
            "duration_minutes",
            f"{draft.duration_minutes} minutes is longer than {rules.max_minutes} "
            f"({rules.duration_source})",
        )
    present = tuple(dict.fromkeys(draft.present))
    if not present:
        raise InvalidInput("present", "name the therapists who were in the room")
    if len(present) > rules.dyad_size:
        raise InvalidInput(
            "present",
            f"{len(present)} therapists named; the dyad is at most {rules.dyad_size} "
            f"({rules.dyad_source})",
        )
    for user_id in present:
        if Role.THERAPIST not in roles_at_site.get(user_id, frozenset()):
            raise InvalidInput("present", f"user {user_id} is not a therapist at this site")
    if author_id not in present:
        raise InvalidInput("present", "the therapist who signs the note must have been present")
    return NoteDraft(
        draft.visit_id, draft.session_on, themes, risks, plan, present, draft.duration_minutes
    )


def check_addendum(draft: AddendumDraft) -> AddendumDraft:
    """An addendum needs its reason and its text (`InvalidInput` naming the empty one)."""
    return AddendumDraft(draft.note_id, _text("reason", draft.reason), _text("text", draft.text))


def _text(field: str, value: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInput(field, "required: write what applies (e.g. 'none noticed')")
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(field, f"{len(cleaned)} characters is more than {MAX_TEXT}")
    return cleaned
