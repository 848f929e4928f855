"""Medication washout before baseline: the table types, the arithmetic and interaction warnings."""

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
    "Interaction",
    "InteractionWarning",
    "MedicationEntry",
    "MedicationTable",
    "WashoutKind",
    "WashoutPlan",
    "WashoutRule",
    "interaction_warnings",
    "normalise_name",
    "plan_washout",
    "washout_days",
]
