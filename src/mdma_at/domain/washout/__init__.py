"""Medication washout before baseline: the table types, the arithmetic and interaction warnings."""

from mdma_at.domain.washout.concomitant import (
    ConcomitantMedication,
    RestartWarning,
    in_use_for_session,
    restarted_serotonergic,
    stopped_washouts,
)
from mdma_at.domain.washout.planning import WashoutPlan, plan_washout, washout_days
from mdma_at.domain.washout.table import (
    Interaction,
    MedicationEntry,
    MedicationTable,
    WashoutKind,
    WashoutRule,
    normalise_name,
)
from mdma_at.domain.washout.warnings import InteractionWarning, interaction_warnings

__all__ = [
    "ConcomitantMedication",
    "Interaction",
    "InteractionWarning",
    "MedicationEntry",
    "MedicationTable",
    "RestartWarning",
    "WashoutKind",
    "WashoutPlan",
    "WashoutRule",
    "in_use_for_session",
    "interaction_warnings",
    "normalise_name",
    "plan_washout",
    "restarted_serotonergic",
    "stopped_washouts",
    "washout_days",
]
