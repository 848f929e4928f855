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

#: Follow-up visits that stay blinded: their CAPS-5 is rated by the participant's assigned
#: independent rater, as during treatment (ADR 0172). MAPP1/MAPP2 had no blinded follow-up beyond
#: 18 weeks, which the FDA named as a weakness in its 2024 complete response letter; no published
#: protocol fixes it, so keeping the blind through both durability visits is a site default.
FOLLOW_UP_BLINDED: dict[str, bool] = {"fu6m": True, "fu12m": True}
FOLLOW_UP_BLINDED_SOURCE = Source(
    "MAPP1/MAPP2 had no blinded follow-up beyond 18 weeks, an FDA objection (complete response "
    "letter 2024, clinical-facts.md [S21]); kept blind through 12 months to answer it",
    site_default=True,
)
