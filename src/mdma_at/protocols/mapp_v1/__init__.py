"""Protocol `mapp_v1`: the MAPP1/MAPP2 phase 3 programme as data (DESIGN.md §4)."""

from __future__ import annotations

from mdma_at.protocols.base import Protocol
from mdma_at.protocols.mapp_v1.aftercare import CHECK_INS, NOTES
from mdma_at.protocols.mapp_v1.dosing import DOSING
from mdma_at.protocols.mapp_v1.eligibility import ELIGIBILITY
from mdma_at.protocols.mapp_v1.instruments import INSTRUMENTS
from mdma_at.protocols.mapp_v1.medications import MEDICATIONS
from mdma_at.protocols.mapp_v1.schedule import BOOKINGS, SCHEDULE
from mdma_at.protocols.mapp_v1.site_settings import SITE_SETTINGS

MAPP_V1 = Protocol(
    name="mapp_v1",
    title="MDMA-assisted therapy for PTSD, MAPP1/MAPP2 phase 3 programme",
    schedule=SCHEDULE,
    dosing=DOSING,
    instruments=INSTRUMENTS,
    eligibility=ELIGIBILITY,
    medications=MEDICATIONS,
    site_settings=SITE_SETTINGS,
    notes=NOTES,
    check_ins=CHECK_INS,
    bookings=BOOKINGS,
)
