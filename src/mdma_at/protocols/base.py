"""The shape of a protocol definition: one frozen value per part of the programme."""

from __future__ import annotations

from dataclasses import dataclass

from mdma_at.domain.check_ins import CheckInRules
from mdma_at.domain.dosing.rules import DosingRules
from mdma_at.domain.eligibility.criteria import EligibilityCriteria
from mdma_at.domain.instruments.library import InstrumentLibrary
from mdma_at.domain.schedule.booking import BookingRules
from mdma_at.domain.schedule.definitions import ScheduleDefinition
from mdma_at.domain.therapy_notes import NoteRules
from mdma_at.domain.washout.table import MedicationTable
from mdma_at.protocols.settings import SiteSetting


@dataclass(frozen=True, slots=True)
class Protocol:
    """A named, versioned protocol. Each part is plain data consumed by a pure domain function.

    `site_settings` are the site defaults a site may set for itself, each within its allowed
    range (`mdma_at.protocols.settings`); everything else is the protocol's alone.
    """

    name: str
    title: str
    schedule: ScheduleDefinition
    dosing: DosingRules
    instruments: InstrumentLibrary
    eligibility: EligibilityCriteria
    medications: MedicationTable
    notes: NoteRules  # preparation and integration session notes (issue 14)
    check_ins: CheckInRules  # daily contacts after each dosing session (issue 14)
    bookings: BookingRules  # how long each kind of visit is booked for, the dyad (issue 14)
    site_settings: tuple[SiteSetting, ...] = ()
