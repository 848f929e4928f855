"""Whole exports: a patient's `$everything` Bundle, and Bulk Data NDJSON for the clinic.

Both are built from records gathered as the exporting user may read them
(services/exports/records.py). The bulk layout follows the FHIR Bulk Data Access IG
(hl7.org/fhir/uv/bulkdata, export): one NDJSON file per resource type, one resource per line,
and a manifest naming each file with its type and count (ADR 0182).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fhir.resources.R4B.resource import Resource

from mdma_at.interop.fhir.resources import (
    organization,
    patient_resources,
    practitioner,
    practitioner_roles,
    validated,
)
from mdma_at.services.exports.records import PatientRecord

#: The order resource types are listed in (referenced resources first).
TYPE_ORDER = (
    "Organization",
    "Practitioner",
    "PractitionerRole",
    "Patient",
    "Encounter",
    "Observation",
    "QuestionnaireResponse",
    "MedicationAdministration",
    "MedicationStatement",
    "AdverseEvent",
    "Consent",
    "Provenance",
)


def resources(records: Sequence[PatientRecord], today: date) -> Iterator[Resource]:
    """Every resource of the records: the sites and the staff they name, then each patient's."""
    sites = {r.site.id: r.site for r in records}
    for site in sorted(sites.values(), key=lambda s: s.id):
        yield organization(site)
    staff: dict[int, Any] = {}
    for r in records:
        staff.update(r.staff)
    for user_id in sorted(staff):
        member, roles = staff[user_id]
        yield practitioner(member)
        yield from practitioner_roles(member, {s: held for s, held in roles.items() if s in sites})
    for r in records:
        yield from patient_resources(r, today)


def everything_bundle(record: PatientRecord, now: datetime) -> dict[str, Any]:
    """The `Patient/{id}/$everything` answer: a searchset Bundle, validated by the library."""
    found = list(resources([record], now.date()))
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": now.isoformat(),
        "total": len(found),
        "entry": [
            {
                "fullUrl": f"urn:mdma-at:{r.get_resource_type()}/{r.id}",
                "resource": _json(r),
                "search": {"mode": "match" if r.get_resource_type() == "Patient" else "include"},
            }
            for r in found
        ],
    }
    validated(bundle)
    return bundle


def write_bulk(
    records: Sequence[PatientRecord], out: Path, now: datetime, request: str
) -> dict[str, Any]:
    """Write one ``Type.ndjson`` per resource type and ``manifest.json`` into `out` (which must
    exist and be empty: the CLI checks it); returns the manifest."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for resource in resources(records, now.date()):
        by_type[resource.get_resource_type()].append(json.dumps(_json(resource)))
    output = []
    for kind in sorted(by_type, key=_type_rank):
        lines = by_type[kind]
        (out / f"{kind}.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
        output.append({"type": kind, "url": f"{kind}.ndjson", "count": len(lines)})
    manifest = {
        "transactionTime": now.isoformat(),
        "request": request,
        "requiresAccessToken": False,
        "output": output,
        "error": [],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _json(resource: Resource) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resource.model_dump_json())
    return data


def _type_rank(kind: str) -> int:
    return TYPE_ORDER.index(kind) if kind in TYPE_ORDER else len(TYPE_ORDER)
