"""The code systems and codes the FHIR export uses, each with where it comes from.

Vital signs follow the FHIR R4 vital-signs profiles (hl7.org/fhir/R4/observation-vitalsigns.html;
value set http://hl7.org/fhir/ValueSet/observation-vitalsignresult): the blood-pressure panel
85354-9 groups systolic 8480-6 and diastolic 8462-4 as components; heart rate 8867-4; body
temperature 8310-5; oxygen saturation 2708-6, with 59408-5 "by pulse oximetry" as a second coding
(the pulse oximeter is how the console records SpO2). Units are UCUM, as the profiles require.

Instrument codes (panels, totals, items, answers) are not repeated here: they are the protocol's
own, stored with every administration (protocols/mapp_v1/instruments.py, verified in
docs/instruments.md §7). Where LOINC has no code (CAPS-5; PCL-5 items, unverified; the C-SSRS
screener total) the export uses the local code system `LOCAL_INSTRUMENTS` (ADR 0181).
"""

from __future__ import annotations

from dataclasses import dataclass

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
AE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
PROVENANCE_AGENT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"

# Identifiers and local code systems of this installation (URNs: no web address is claimed).
STUDY_ID = "urn:mdma-at:study-id"
USERNAME = "urn:mdma-at:username"
SITE_CODE = "urn:mdma-at:site-code"
KIT_NUMBER = "urn:mdma-at:kit-number"
LOCAL_INSTRUMENTS = "urn:mdma-at:codesystem:instruments"
LOCAL_VISITS = "urn:mdma-at:codesystem:visits"
LOCAL_ROLES = "urn:mdma-at:codesystem:staff-roles"
LOCAL_AE_CATEGORY = "urn:mdma-at:codesystem:adverse-event-category"
LOCAL_AUDIT_ACTIONS = "urn:mdma-at:codesystem:audit-actions"
QUESTIONNAIRES = "urn:mdma-at:questionnaire"

VITAL_SIGNS_CATEGORY = "vital-signs"
SURVEY_CATEGORY = "survey"
# LOINC 59284-0 "Consent Document": the category FHIR R4's own Consent examples use.
CONSENT_DOCUMENT = "59284-0"


@dataclass(frozen=True, slots=True)
class VitalCode:
    """A vital sign's LOINC code, its display, its UCUM unit and its FHIR R4 profile."""

    code: str
    display: str
    unit: str
    profile: str


BP_PANEL = VitalCode(
    "85354-9",
    "Blood pressure panel with all children optional",
    "mm[Hg]",
    "http://hl7.org/fhir/StructureDefinition/bp",
)
SYSTOLIC = VitalCode("8480-6", "Systolic blood pressure", "mm[Hg]", BP_PANEL.profile)
DIASTOLIC = VitalCode("8462-4", "Diastolic blood pressure", "mm[Hg]", BP_PANEL.profile)
HEART_RATE = VitalCode(
    "8867-4", "Heart rate", "/min", "http://hl7.org/fhir/StructureDefinition/heartrate"
)
BODY_TEMPERATURE = VitalCode(
    "8310-5", "Body temperature", "Cel", "http://hl7.org/fhir/StructureDefinition/bodytemp"
)
OXYGEN_SATURATION = VitalCode(
    "2708-6",
    "Oxygen saturation in Arterial blood",
    "%",
    "http://hl7.org/fhir/StructureDefinition/oxygensat",
)
PULSE_OXIMETRY = VitalCode(
    "59408-5",
    "Oxygen saturation in Arterial blood by Pulse oximetry",
    "%",
    OXYGEN_SATURATION.profile,
)

#: The UCUM unit's human-readable form, as shown in `Quantity.unit`.
UNIT_TEXT = {"mm[Hg]": "mmHg", "/min": "beats/minute", "Cel": "C", "%": "%", "mg": "mg"}


def local_item_code(instrument: str, number: int) -> str:
    """The local code of an instrument item without a verified LOINC code (``caps5-item-3``)."""
    return f"{instrument}-item-{number}"


def local_total_code(instrument: str) -> str:
    return f"{instrument}-total"


def local_panel_code(instrument: str) -> str:
    return instrument
