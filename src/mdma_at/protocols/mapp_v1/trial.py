"""Trial defaults of protocol mapp_v1 (issue 16): the CAPS-5 band used as a stratum."""

from __future__ import annotations

from mdma_at.domain.sources import Source

#: Baseline CAPS-5 total from which a participant is in the `severe` stratum (else `moderate`).
CAPS5_SEVERE_FROM = 35
CAPS5_SEVERE_SOURCE = Source(
    "MAPS programme CAPS-5 severity bands: moderate 23-34, severe 35-46 (secondary, "
    "clinical-facts.md [S13]); the MAPP2 baseline table reports moderate PTSD as CAPS-5 28-34 "
    "[S36]"
)
