"""A patient's record as FHIR resources (R4B models of `fhir.resources`, R4-compatible: ADR 0180).

Pure functions of the gathered record (services/exports/records.py): each builds the resource as
FHIR JSON and has the library validate it, so an export never holds a resource the library
would refuse. Ids are stable per record (``session-3``, ``vitals-41-hr``) so that an export run
twice gives the same references.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource

from mdma_at.domain.audit import AuditEvent
from mdma_at.domain.dosing.records import DosingSession, EntryKind, SessionEntry
from mdma_at.domain.schedule.records import Visit, VisitStatus
from mdma_at.domain.staff import Role, Site, StaffMember
from mdma_at.domain.washout import ConcomitantMedication
from mdma_at.interop.fhir import codes
from mdma_at.services.exports.disclosure import KitDisclosure
from mdma_at.services.exports.records import (
    ConsentRecord,
    Dose,
    MeasureRecord,
    PatientRecord,
    SessionRecord,
)

Json = dict[str, Any]


def validated(data: Json) -> Resource:
    """`data` parsed by the library's model of its resource type (raises on invalid FHIR)."""
    model = get_fhir_model_class(data["resourceType"]).model_validate(data)
    assert isinstance(model, Resource), data["resourceType"]  # every type built here is one
    return model


def patient_resources(record: PatientRecord, today: date) -> Iterator[Resource]:
    """Every resource of one patient's record, the patient first, then in record order."""
    patient_ref = _ref("Patient", str(record.patient.id))
    yield validated(_patient(record))
    for visit in record.visits:
        yield validated(_visit_encounter(visit, patient_ref, record.site))
    for session in record.sessions:
        yield from (validated(r) for r in _session_resources(session, patient_ref, record))
    for measure in record.measures:
        yield from (validated(r) for r in _measure_resources(measure, patient_ref))
    for course in record.medications:
        yield validated(_medication_statement(course, patient_ref, today))
    for consent in record.consents:
        yield validated(_consent(consent, patient_ref, record.site))
    targets = _targets(record)
    for event in record.trail:
        yield validated(_provenance(event, targets, patient_ref))


def organization(site: Site) -> Resource:
    """The site as the Organization that manages its patients and provides their encounters."""
    return validated(
        {
            "resourceType": "Organization",
            "id": f"site-{site.id}",
            "identifier": [{"system": codes.SITE_CODE, "value": site.code}],
            "active": True,
            "type": [{"text": "MDMA-assisted therapy clinic"}],
            "name": site.name,
        }
    )


def practitioner(member: StaffMember) -> Resource:
    return validated(
        {
            "resourceType": "Practitioner",
            "id": f"staff-{member.id}",
            "identifier": [{"system": codes.USERNAME, "value": member.username}],
            "active": member.active,
            "name": [{"text": member.full_name}],
        }
    )


def practitioner_roles(member: StaffMember, roles: dict[int, frozenset[Role]]) -> list[Resource]:
    """One PractitionerRole per site and role the staff member holds there."""
    return [
        validated(
            {
                "resourceType": "PractitionerRole",
                "id": f"staff-{member.id}-site-{site_id}-{role.value}",
                "active": member.active,
                "practitioner": _ref("Practitioner", f"staff-{member.id}", member.full_name),
                "organization": _ref("Organization", f"site-{site_id}"),
                "code": [{"coding": [{"system": codes.LOCAL_ROLES, "code": role.value}]}],
            }
        )
        for site_id, held in sorted(roles.items())
        for role in Role
        if role in held
    ]


# --- the chart ---------------------------------------------------------------------------------


def _patient(record: PatientRecord) -> Json:
    details = record.patient.details
    telecom = [
        {"system": system, "value": value, "use": "home"}
        for system, value in (("phone", details.phone), ("email", details.email))
        if value
    ]
    data: Json = {
        "resourceType": "Patient",
        "id": str(record.patient.id),
        "identifier": [{"system": codes.STUDY_ID, "value": details.study_id}],
        "name": [{"text": details.name}],
        "gender": details.sex.value,  # female | male | other: FHIR's administrative gender
        "birthDate": details.date_of_birth.isoformat(),
        "managingOrganization": _ref("Organization", f"site-{record.site.id}", record.site.name),
    }
    if telecom:
        data["telecom"] = telecom
    if details.emergency_contact_name or details.emergency_contact_phone:
        contact: Json = {"relationship": [{"text": "emergency contact"}]}
        if details.emergency_contact_name:
            contact["name"] = {"text": details.emergency_contact_name}
        if details.emergency_contact_phone:
            contact["telecom"] = [{"system": "phone", "value": details.emergency_contact_phone}]
        data["contact"] = [contact]
    return data


_VISIT_STATUS = {
    VisitStatus.PLANNED: "planned",
    VisitStatus.HELD: "finished",
    VisitStatus.CANCELLED: "cancelled",
}


def _visit_encounter(visit: Visit, patient_ref: Json, site: Site) -> Json:
    data: Json = {
        "resourceType": "Encounter",
        "id": f"visit-{visit.id}",
        "status": _VISIT_STATUS[visit.status],
        "class": {"system": codes.ACT_CODE, "code": "AMB", "display": "ambulatory"},
        "type": [
            {
                "coding": [{"system": codes.LOCAL_VISITS, "code": visit.code}],
                "text": visit.label,
            }
        ],
        "subject": patient_ref,
        "serviceProvider": _ref("Organization", f"site-{site.id}"),
    }
    if visit.status is not VisitStatus.CANCELLED:
        # a held visit's day, or the day it is planned for (the period a planned Encounter
        # expects); the protocol window stays in the clinic's own schedule
        day = (visit.held_on or visit.planned).isoformat()
        data["period"] = {"start": day, "end": day}
    return data


# --- dosing sessions ---------------------------------------------------------------------------


def _session_resources(
    session: SessionRecord, patient_ref: Json, record: PatientRecord
) -> Iterator[Json]:
    s = session.session
    encounter = _ref("Encounter", f"session-{s.id}")
    yield _session_encounter(s, patient_ref, record)
    for entry in session.vitals:
        yield from _vital_signs(entry, patient_ref, encounter)
    for dose in session.doses:
        yield _administration(dose, patient_ref, encounter)
    for entry in session.adverse_events:
        yield _adverse_event(entry, patient_ref, encounter)


def _session_encounter(s: DosingSession, patient_ref: Json, record: PatientRecord) -> Json:
    period = {"start": _instant(s.started_at)}
    if s.closed_at is not None:
        period["end"] = _instant(s.closed_at)
    data: Json = {
        "resourceType": "Encounter",
        "id": f"session-{s.id}",
        "status": "finished" if s.closed else "in-progress",
        "class": {"system": codes.ACT_CODE, "code": "AMB", "display": "ambulatory"},
        "type": [{"text": f"MDMA-assisted therapy dosing session {s.session_number}"}],
        "subject": patient_ref,
        "period": period,
        "serviceProvider": _ref("Organization", f"site-{record.site.id}"),
    }
    if any(v.id == s.visit_id for v in record.visits):
        data["partOf"] = _ref("Encounter", f"visit-{s.visit_id}")
    return data


def _vital_signs(entry: SessionEntry, patient_ref: Json, encounter: Json) -> Iterator[Json]:
    p = entry.payload
    base = f"vitals-{entry.id}"
    yield _vital(
        f"{base}-bp",
        codes.BP_PANEL,
        entry,
        patient_ref,
        encounter,
        components=[
            _component(codes.SYSTOLIC, p["systolic"]),
            _component(codes.DIASTOLIC, p["diastolic"]),
        ],
    )
    yield _vital(f"{base}-hr", codes.HEART_RATE, entry, patient_ref, encounter, p["heart_rate"])
    if p.get("temperature_c") is not None:
        yield _vital(
            f"{base}-temp",
            codes.BODY_TEMPERATURE,
            entry,
            patient_ref,
            encounter,
            p["temperature_c"],
        )
    if p.get("spo2") is not None:
        yield _vital(
            f"{base}-spo2",
            codes.OXYGEN_SATURATION,
            entry,
            patient_ref,
            encounter,
            p["spo2"],
            also=codes.PULSE_OXIMETRY,
        )


def _vital(
    resource_id: str,
    code: codes.VitalCode,
    entry: SessionEntry,
    patient_ref: Json,
    encounter: Json,
    value: float | None = None,
    *,
    components: list[Json] | None = None,
    also: codes.VitalCode | None = None,
) -> Json:
    coding = [_loinc(code)] + ([_loinc(also)] if also is not None else [])
    profiles = [
        "http://hl7.org/fhir/StructureDefinition/vitalsigns",
        code.profile,
    ]
    data: Json = {
        "resourceType": "Observation",
        "id": resource_id,
        "meta": {"profile": list(dict.fromkeys(profiles))},
        "status": "final",
        "category": [_category(codes.VITAL_SIGNS_CATEGORY, "Vital Signs")],
        "code": {"coding": coding, "text": code.display},
        "subject": patient_ref,
        "encounter": encounter,
        "effectiveDateTime": _instant(entry.t),
        "issued": _instant(entry.recorded_at),
    }
    if entry.recorded_by is not None:
        data["performer"] = [
            _ref("Practitioner", f"staff-{entry.recorded_by}", entry.recorded_by_name)
        ]
    if components is not None:
        data["component"] = components
    elif value is not None:
        data["valueQuantity"] = _quantity(value, code.unit)
    return data


def _component(code: codes.VitalCode, value: float) -> Json:
    return {"code": {"coding": [_loinc(code)]}, "valueQuantity": _quantity(value, code.unit)}


_DOSE_LABEL = {
    EntryKind.REQUEST_INITIAL: "initial dose",
    EntryKind.REQUEST_SUPPLEMENTAL: "supplemental dose",
}


def _administration(dose: Dose, patient_ref: Json, encounter: Json) -> Json:
    entry = dose.entry
    data: Json = {
        "resourceType": "MedicationAdministration",
        "id": f"dose-{entry.id}",
        "status": "completed",
        "subject": patient_ref,
        "context": encounter,
        "effectiveDateTime": _instant(entry.t),
        "dosage": {
            "text": f"{_DOSE_LABEL[entry.kind]} {entry.payload['mg']:g} mg by mouth",
            "route": {"text": "oral"},
            "dose": _quantity(entry.payload["mg"], "mg"),
        },
        "note": [{"text": _DOSE_LABEL[entry.kind]}],
    }
    if entry.recorded_by is not None:
        data["performer"] = [
            {"actor": _ref("Practitioner", f"staff-{entry.recorded_by}", entry.recorded_by_name)}
        ]
    if dose.kit is None:
        # No register behind the session: the dose is of the programme's drug, as charted.
        data["medicationCodeableConcept"] = {"text": "midomafetamine (MDMA)"}
    else:
        data["contained"] = [_kit_medication(dose.kit)]
        data["medicationReference"] = {"reference": "#kit"}
    return data


def _kit_medication(kit: KitDisclosure) -> Json:
    """The kit the dose came from. A blinded reader gets its number alone (disclosure.py)."""
    medication: Json = {
        "resourceType": "Medication",
        "id": "kit",
        "identifier": [{"system": codes.KIT_NUMBER, "value": kit.kit_number}],
    }
    if kit.blinded:
        medication["code"] = {"text": "study drug (contents blinded)"}
        return medication
    active = kit.contents == "active"
    medication["code"] = {"text": "midomafetamine (MDMA)" if active else "placebo"}
    if kit.strength:
        medication["form"] = {"text": kit.strength}
    batch: Json = {}
    if kit.lot:
        batch["lotNumber"] = kit.lot
    if kit.expiry is not None:
        batch["expirationDate"] = kit.expiry.isoformat()
    if batch:
        medication["batch"] = batch
    return medication


_AE_OUTCOME = {
    "resolved": "resolved",
    "resolving": "recovering",
    "not_resolved": "ongoing",
    "resolved_with_sequelae": "resolvedWithSequelae",
    "fatal": "fatal",
    "unknown": "unknown",
}


def _adverse_event(entry: SessionEntry, patient_ref: Json, encounter: Json) -> Json:
    p = entry.payload
    serious = bool(p.get("serious"))
    category = [{"coding": [{"system": codes.LOCAL_AE_CATEGORY, "code": p["category"]}]}]
    for flag in ("solicited", "special_interest"):
        if p.get(flag):
            category.append({"coding": [{"system": codes.LOCAL_AE_CATEGORY, "code": flag}]})
    data: Json = {
        "resourceType": "AdverseEvent",
        "id": f"ae-{entry.id}",
        "actuality": "actual",
        "category": category,
        "event": {"text": p["term"]},
        "subject": patient_ref,
        "encounter": encounter,
        "date": p.get("onset") or _instant(entry.t),
        "recordedDate": _instant(entry.recorded_at),
        "seriousness": {
            "coding": [
                {
                    "system": codes.AE_SERIOUSNESS,
                    "code": "serious" if serious else "non-serious",
                }
            ]
        },
        "outcome": {"coding": [{"system": codes.AE_OUTCOME, "code": _AE_OUTCOME[p["outcome"]]}]},
    }
    if p.get("severity"):
        data["severity"] = {"coding": [{"system": codes.AE_SEVERITY, "code": p["severity"]}]}
    if entry.recorded_by is not None:
        data["recorder"] = _ref(
            "Practitioner", f"staff-{entry.recorded_by}", entry.recorded_by_name
        )
    if p.get("relatedness"):
        data["suspectEntity"] = [
            {
                "instance": {"display": "MDMA-assisted therapy dosing session"},
                "causality": [{"assessment": {"text": p["relatedness"].replace("_", " ")}}],
            }
        ]
    return data


# --- instruments -------------------------------------------------------------------------------


def _measure_resources(measure: MeasureRecord, patient_ref: Json) -> Iterator[Json]:
    a = measure.administration
    response_id = f"qr-{a.id}"
    encounter = _ref("Encounter", f"visit-{a.visit_id}") if a.visit_id is not None else None
    yield _questionnaire_response(measure, patient_ref, encounter)
    items = [
        _item_observation(measure, answer.number, patient_ref, encounter)
        for answer in measure.answers
        if answer.value is not None
    ]
    if a.score.total is not None:
        total = _measure_observation(
            measure,
            f"score-{a.id}-total",
            _instrument_code(
                a.total_loinc, codes.local_total_code(a.instrument), f"{a.instrument} total"
            ),
            patient_ref,
            encounter,
        )
        total["valueInteger"] = a.score.total
        total["derivedFrom"] = [_ref("QuestionnaireResponse", response_id)]
        if items:
            total["hasMember"] = [_ref("Observation", item["id"]) for item in items]
        if a.score.severity:
            total["interpretation"] = [{"text": a.score.severity.replace("_", " ")}]
        yield total
    yield from items


def _questionnaire_response(
    measure: MeasureRecord, patient_ref: Json, encounter: Json | None
) -> Json:
    a = measure.administration
    items = []
    for answer in measure.answers:
        item: Json = {"linkId": str(answer.number), "text": answer.label}
        if answer.value is not None:
            value: Json = {"valueInteger": answer.value}
            if answer.answer_loinc:
                value = {"valueCoding": {"system": codes.LOINC, "code": answer.answer_loinc}}
            item["answer"] = [value]
        items.append(item)
    data: Json = {
        "resourceType": "QuestionnaireResponse",
        "id": f"qr-{a.id}",
        "questionnaire": f"{codes.QUESTIONNAIRES}:{a.instrument}",
        "status": "completed",
        "subject": patient_ref,
        "authored": _instant(a.recorded_at),
        "item": items,
    }
    if encounter is not None:
        data["encounter"] = encounter
    if a.entered_by is not None:
        data["author"] = _ref("Practitioner", f"staff-{a.entered_by}")
    else:
        data["author"] = patient_ref  # the patient, at a self-report link
    return data


def _item_observation(
    measure: MeasureRecord, number: int, patient_ref: Json, encounter: Json | None
) -> Json:
    a = measure.administration
    answer = next(x for x in measure.answers if x.number == number)
    code = _instrument_code(
        answer.loinc, codes.local_item_code(a.instrument, number), f"{a.instrument} item {number}"
    )
    data = _measure_observation(
        measure, f"score-{a.id}-item-{number}", code, patient_ref, encounter
    )
    data["valueInteger"] = answer.value
    data["derivedFrom"] = [_ref("QuestionnaireResponse", f"qr-{a.id}")]
    return data


def _measure_observation(
    measure: MeasureRecord, resource_id: str, code: Json, patient_ref: Json, encounter: Json | None
) -> Json:
    a = measure.administration
    data: Json = {
        "resourceType": "Observation",
        "id": resource_id,
        "status": "final",
        "category": [_category(codes.SURVEY_CATEGORY, "Survey")],
        "code": code,
        "subject": patient_ref,
        "effectiveDateTime": a.completed_on.isoformat(),
        "issued": _instant(a.recorded_at),
    }
    if encounter is not None:
        data["encounter"] = encounter
    return data


def _instrument_code(loinc: str | None, local: str, text: str) -> Json:
    """The LOINC code where the protocol has a verified one, else the local code system's."""
    if loinc:
        return {"coding": [{"system": codes.LOINC, "code": loinc}], "text": text}
    return {"coding": [{"system": codes.LOCAL_INSTRUMENTS, "code": local}], "text": text}


# --- medications, consent, provenance ----------------------------------------------------------


def _medication_statement(course: ConcomitantMedication, patient_ref: Json, today: date) -> Json:
    period = {"start": course.started_on.isoformat()}
    if course.stopped_on is not None:
        period["end"] = course.stopped_on.isoformat()
    stopped = course.stopped_on is not None and course.stopped_on < today
    data: Json = {
        "resourceType": "MedicationStatement",
        "id": f"med-{course.id}",
        "status": "completed" if stopped else "active",
        "medicationCodeableConcept": {"text": course.name},
        "subject": patient_ref,
        "effectivePeriod": period,
        "dateAsserted": _instant(course.recorded_at),
    }
    if course.dose:
        data["dosage"] = [{"text": course.dose}]
    return data


def _consent(consent: ConsentRecord, patient_ref: Json, site: Site) -> Json:
    signature, document = consent.signature, consent.document
    data: Json = {
        "resourceType": "Consent",
        "id": f"consent-{signature.id}",
        "status": "inactive" if consent.withdrawn is not None else "active",
        "scope": {"coding": [{"system": codes.CONSENT_SCOPE, "code": "treatment"}]},
        "category": [{"coding": [{"system": codes.LOINC, "code": codes.CONSENT_DOCUMENT}]}],
        "patient": patient_ref,
        "dateTime": _instant(signature.signed_at),
        "performer": [patient_ref],
        "organization": [_ref("Organization", f"site-{site.id}", site.name)],
        "verification": [
            {
                "verified": True,
                "verifiedWith": _ref(
                    "Practitioner", f"staff-{signature.witness_id}", signature.witness_name
                ),
                "verificationDate": _instant(signature.signed_at),
            }
        ],
    }
    if document is not None:
        data["policy"] = [
            {"uri": f"urn:mdma-at:consent-document:{document.id}:v{document.version}"}
        ]
        data["sourceAttachment"] = {"title": f"{document.title}, version {document.version}"}
    else:  # consent-ppc-1: a policy or a rule
        data["policyRule"] = {"text": "the site's consent document"}
    if consent.withdrawn is not None:
        data["provision"] = {
            "period": {
                "start": _instant(signature.signed_at),
                "end": _instant(consent.withdrawn.withdrawn_at),
            }
        }
    return data


def _targets(record: PatientRecord) -> dict[tuple[str, str], list[str]]:
    """The exported resources each audited record became: (entity type, id) -> references."""
    patient = f"Patient/{record.patient.id}"
    targets: dict[tuple[str, str], list[str]] = {("patient", str(record.patient.id)): [patient]}
    for e in record.enrolments:
        targets[("enrolment", str(e.id))] = [patient]
    for v in record.visits:
        targets[("visit", str(v.id))] = [f"Encounter/visit-{v.id}"]
    for s in record.sessions:
        targets[("dosing_session", str(s.session.id))] = [f"Encounter/session-{s.session.id}"]
    for m in record.measures:
        targets[("instrument_administration", str(m.administration.id))] = [
            f"QuestionnaireResponse/qr-{m.administration.id}"
        ]
    for c in record.medications:
        targets[("concomitant_medication", str(c.id))] = [f"MedicationStatement/med-{c.id}"]
    return targets


def _provenance(
    event: AuditEvent, targets: dict[tuple[str, str], list[str]], patient: Json
) -> Json:
    """The audit trail's event as Provenance: who (login, role, site), when, what, why."""
    c = event.content
    target = targets.get((c.entity_type, c.entity_id or ""), [patient["reference"]])
    if c.actor_id is not None:
        who = _ref("Practitioner", f"staff-{c.actor_id}", c.actor)
    else:
        who = {"display": c.actor}
    agent: Json = {
        "type": {"coding": [{"system": codes.PROVENANCE_AGENT_TYPE, "code": "author"}]},
        "who": who,
    }
    if c.role:
        agent["role"] = [{"coding": [{"system": codes.LOCAL_ROLES, "code": c.role}]}]
    if c.site_id is not None:
        agent["onBehalfOf"] = _ref("Organization", f"site-{c.site_id}")
    data: Json = {
        "resourceType": "Provenance",
        "id": f"audit-{event.id}",
        "target": [{"reference": t} for t in target],
        "recorded": c.occurred_at,
        "activity": {"coding": [{"system": codes.LOCAL_AUDIT_ACTIONS, "code": c.action}]},
        "agent": [agent],
        # the event's place in the hash chain: `mdma-at audit verify` proves it unaltered
        "policy": [f"urn:mdma-at:audit-event:{event.id}:sha256:{event.hash}"],
    }
    if c.reason:
        data["reason"] = [{"text": c.reason}]
    return data


# --- small shapes ------------------------------------------------------------------------------


def _ref(kind: str, resource_id: str, display: str | None = None) -> Json:
    ref: Json = {"reference": f"{kind}/{resource_id}"}
    if display:
        ref["display"] = display
    return ref


def _loinc(code: codes.VitalCode) -> Json:
    return {"system": codes.LOINC, "code": code.code, "display": code.display}


def _category(code: str, display: str) -> Json:
    return {"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": code, "display": display}]}


def _quantity(value: float, unit: str) -> Json:
    number = int(value) if float(value).is_integer() else float(value)
    return {
        "value": number,
        "unit": codes.UNIT_TEXT.get(unit, unit),
        "system": codes.UCUM,
        "code": unit,
    }


def _instant(value: datetime) -> str:
    """A FHIR dateTime with its offset (stored times are UTC; a naive one is read as UTC)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.isoformat()
