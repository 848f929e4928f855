"""Informed consent: publishing a site's consent document, the patient's signature with a staff
witness, withdrawal, and the status queries the schedule and the dosing console ask.

Rules are in `mdma_at.domain.screening.consent`; this module validates, authorises, stores and
audits. Times are UTC; a signature or withdrawal may be recorded after the fact (a paper form
signed earlier) but never in the future.
"""

from __future__ import annotations

from datetime import date, datetime

from mdma_at.domain.access import Action
from mdma_at.domain.errors import Conflict, InvalidInput, NotFound
from mdma_at.domain.screening import (
    ConsentDocument,
    ConsentSignature,
    ConsentState,
    ConsentStatus,
    ConsentWithdrawal,
    DosingConsent,
    validate_consent_document,
)
from mdma_at.domain.screening import consent as rules
from mdma_at.domain.staff import Principal, StaffMember
from mdma_at.services.audit import guard, record
from mdma_at.services.patients.registry import load_patient
from mdma_at.services.ports import Clock, UnitOfWork

MAX_NAME = 200
MAX_REASON = 2000


def publish_consent_document(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    site_id: int,
    *,
    title: str,
    version: int,
    effective_on: date,
    text: str = "",
    reference: str = "",
) -> ConsentDocument:
    """Publish a new version of the site's consent document.

    Patients who signed an older version have `outdated` consent from `effective_on` on, and must
    re-consent before their next dosing session.

    Raises:
        InvalidInput: see `validate_consent_document` (versions go up, effective dates in order).
    """
    with uow:
        actor = guard(uow, clock, principal, Action.PUBLISH_CONSENT_DOCUMENT, site_id)
        if uow.sites.get(site_id) is None:
            raise NotFound(f"no site {site_id}")
        existing = uow.consents.documents(site_id)
        validate_consent_document(title, version, effective_on, text, reference, existing)
        document = uow.consents.add_document(
            site_id,
            title.strip(),
            version,
            effective_on,
            text.strip(),
            reference.strip(),
            principal.user_id,
            clock.now(),
        )
        record(
            uow,
            clock,
            actor,
            "consent_document_published",
            "consent_document",
            document.id,
            after={
                "title": document.title,
                "version": version,
                "effective_on": effective_on,
                "reference": document.reference,
                "text_characters": len(document.text),
            },
        )
        uow.commit()
    return document


def consent_documents(
    uow: UnitOfWork, clock: Clock, principal: Principal, site_id: int
) -> tuple[ConsentDocument, ...]:
    """Every version of the site's consent document, oldest first."""
    with uow:
        guard(uow, clock, principal, Action.VIEW_PATIENTS, site_id)
        return tuple(uow.consents.documents(site_id))


def witnesses(
    uow: UnitOfWork, clock: Clock, principal: Principal, site_id: int
) -> tuple[StaffMember, ...]:
    """Staff who may witness a signature at the site (anyone holding a role there)."""
    with uow:
        guard(uow, clock, principal, Action.VIEW_PATIENTS, site_id)
        return tuple(uow.consents.witnesses(site_id))


def _when(value: datetime | None, clock: Clock, field: str) -> datetime:
    """`value` (default now), refused when naive or in the future."""
    now = clock.now()
    if value is None:
        return now
    if value.tzinfo is None:
        raise InvalidInput(field, f"{value.isoformat()} has no time zone; give UTC, e.g. ...Z")
    if value > now:
        raise InvalidInput(field, f"{value.isoformat()} is in the future")
    return value


def sign_consent(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    patient_id: int,
    *,
    document_id: int,
    signed_name: str,
    witness_id: int,
    signed_at: datetime | None = None,
) -> ConsentSignature:
    """Record the patient's signature (typed full name and time) on a version, with a witness.

    Args:
        document_id: the version of the consent document of the patient's site in effect on the
            day of signing (not before its effective date, not once a later one took effect).
        signed_name: the name the patient typed (required, ≤ 200 characters).
        witness_id: a staff member holding a role at the patient's site.
        signed_at: when the patient signed; default now; never in the future.

    Raises:
        InvalidInput: ``signed_name``, ``signed_at``, ``document_id`` or ``witness_id``.
    """
    name = " ".join(signed_name.split())
    if not name:
        raise InvalidInput("signed_name", "the patient's typed name is required")
    if len(name) > MAX_NAME:
        raise InvalidInput("signed_name", f"{len(name)} characters is over the limit {MAX_NAME}")
    when = _when(signed_at, clock, "signed_at")
    with uow:
        patient, actor = load_patient(uow, clock, principal, patient_id, Action.RECORD_CONSENT)
        document = uow.consents.document(document_id)
        if document is None or document.site_id != patient.site_id:
            raise InvalidInput(
                "document_id", f"{document_id} is not a consent document of the patient's site"
            )
        if when.date() < document.effective_on:
            raise InvalidInput(
                "signed_at",
                f"{when.date()} is before version {document.version} takes effect on "
                f"{document.effective_on}",
            )
        in_effect = rules.document_in_effect(uow.consents.documents(patient.site_id), when.date())
        if in_effect is not None and in_effect.id != document.id:
            # issue 14, item 8: a patient consents to the text in effect, never to an old one
            raise InvalidInput(
                "document_id",
                f"version {document.version} was superseded by version {in_effect.version} "
                f"(effective {in_effect.effective_on}): the patient signs the version in effect",
            )
        witness = uow.staff.get(witness_id)
        if (
            witness is None
            or not witness.active
            or not uow.staff.roles(witness_id).get(patient.site_id)
        ):
            raise InvalidInput(
                "witness_id", f"{witness_id} is not a staff member at the patient's site"
            )
        signature = uow.consents.add_signature(
            patient.id, document.id, name, when, witness.id, principal.user_id, clock.now()
        )
        record(
            uow,
            clock,
            actor,
            "consent_signed",
            "patient",
            patient.id,
            after={
                "document": document.id,
                "title": document.title,
                "version": document.version,
                "signed_name": name,
                "signed_at": when,
                "witness": witness.username,
            },
        )
        uow.commit()
    return signature


def withdraw_consent(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    patient_id: int,
    reason: str,
    withdrawn_at: datetime | None = None,
) -> ConsentWithdrawal:
    """Record that the patient withdrew consent (every record is kept; no dosing session starts).

    Raises:
        InvalidInput: ``reason`` blank or too long, ``withdrawn_at`` in the future.
        Conflict: there is no signed consent to withdraw.
    """
    text = reason.strip()
    if not text:
        raise InvalidInput("reason", "withdrawal of consent needs a reason")
    if len(text) > MAX_REASON:
        raise InvalidInput("reason", f"{len(text)} characters is over the limit {MAX_REASON}")
    when = _when(withdrawn_at, clock, "withdrawn_at")
    with uow:
        patient, actor = load_patient(uow, clock, principal, patient_id, Action.RECORD_CONSENT)
        before = _state(uow, patient.id, patient.site_id, when.date())
        if before.status in (ConsentStatus.NONE, ConsentStatus.WITHDRAWN):
            raise Conflict(f"{patient.study_id} has no consent to withdraw ({before.reason})")
        withdrawal = uow.consents.add_withdrawal(
            patient.id, when, text, principal.user_id, clock.now()
        )
        record(
            uow,
            clock,
            actor,
            "consent_withdrawn",
            "patient",
            patient.id,
            before={"consent": before.status},
            after={"consent": ConsentStatus.WITHDRAWN, "withdrawn_at": when},
            reason=text,
        )
        uow.commit()
    return withdrawal


def _state(uow: UnitOfWork, patient_id: int, site_id: int, on: date) -> ConsentState:
    return rules.consent_state(
        uow.consents.documents(site_id),
        uow.consents.signatures(patient_id),
        uow.consents.withdrawals(patient_id),
        on,
    )


def consent_state(uow: UnitOfWork, patient_id: int, on: date) -> ConsentState:
    """The patient's consent on the day `on`, with the reason (no authorisation: for use inside
    another use case that has authorised its caller; re-entrant in an open unit of work)."""
    with uow:
        patient = uow.patients.get(patient_id)
        if patient is None:
            raise NotFound(f"no patient {patient_id}")
        return _state(uow, patient.id, patient.site_id, on)


def consent_status(uow: UnitOfWork, patient_id: int, on: date) -> ConsentStatus:
    """`current`, `none`, `withdrawn` or `outdated` on the day `on` (see `consent_state`)."""
    return consent_state(uow, patient_id, on).status


def dosing_consent(
    uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int, on: date
) -> DosingConsent:
    """May a dosing session start on `on` as far as consent goes? For the dosing console.

    Returns the pure rule's decision (`allowed` with the reason and source): only `current`
    consent allows a session; `outdated` (a newer version published since) needs re-consent.
    """
    with uow:
        load_patient(uow, clock, principal, patient_id, Action.VIEW_PATIENTS)
        return rules.dosing_consent(consent_state(uow, patient_id, on))


def patient_consent(
    uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int, on: date
) -> tuple[ConsentState, tuple[ConsentSignature, ...], tuple[ConsentWithdrawal, ...]]:
    """For the chart and the API: the state on `on`, and the full signing history."""
    with uow:
        patient, _ = load_patient(uow, clock, principal, patient_id, Action.VIEW_PATIENTS)
        state = _state(uow, patient.id, patient.site_id, on)
        return (
            state,
            tuple(uow.consents.signatures(patient.id)),
            tuple(uow.consents.withdrawals(patient.id)),
        )
