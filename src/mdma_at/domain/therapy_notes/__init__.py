"""Notes of the non-drug sessions (preparation, integration): written by a therapist of the dyad,
signed and locked at once; a correction is an addendum with its reason (issue 14, item 4)."""

from mdma_at.domain.therapy_notes.notes import (
    NOTE_KINDS,
    Addendum,
    AddendumDraft,
    NoteDraft,
    NoteRules,
    TherapyNote,
    check_addendum,
    check_note,
)

__all__ = [
    "NOTE_KINDS",
    "Addendum",
    "AddendumDraft",
    "NoteDraft",
    "NoteRules",
    "TherapyNote",
    "check_addendum",
    "check_note",
]
