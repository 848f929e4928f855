"""Informed consent: versioned documents per site, signatures with a witness, withdrawal, and the
patient's consent status on a given day.

Status on a day (all times UTC; an event counts on the day it happened, and on later days):
- ``none``: no signature yet;
- ``withdrawn``: the most recent event is a withdrawal;
- ``outdated``: the most recent signature is of a version older than the site's version in effect
  that day (a newer version was published after it): re-consent before the next dosing session;
- ``current``: the most recent signature is of the version in effect.

A dosing session may start only with ``current`` consent (`dosing_consent`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.sources import Source

#: Informed consent is a condition of taking part: MAPP exclusion "unable to give informed consent"
#: [S33]; prescribers must obtain informed consent [S59]. That a revised form must be signed before
#: the next dosing session is this site's reading of good clinical practice (no trial text was
#: retrieved on re-consent timing): a site default, chosen for safety.
CONSENT_SOURCE = Source(
    "informed consent required [S33][S59]; re-consent on a newer version before the next dosing "
    "session",
    site_default=True,
)

MAX_TITLE = 200
MAX_REFERENCE = 500


class ConsentStatus(StrEnum):
    CURRENT = "current"
    NONE = "none"
    WITHDRAWN = "withdrawn"
    #: A newer version was published after the signature: re-consent is needed.
    OUTDATED = "outdated"


@dataclass(frozen=True, slots=True)
class ConsentDocument:
    """One version of a site's consent document (text, or a reference to the signed paper form)."""

    id: int
    site_id: int
    title: str
    version: int
    effective_on: date
    text: str
    reference: str
    published_at: datetime


@dataclass(frozen=True, slots=True)
class ConsentSignature:
    """The patient's signature (typed name, time) on one version, with a staff witness."""

    id: int
    patient_id: int
    document_id: int
    signed_name: str
    signed_at: datetime
    witness_id: int
    witness_name: str
    recorded_by: int


@dataclass(frozen=True, slots=True)
class ConsentWithdrawal:
    id: int
    patient_id: int
    withdrawn_at: datetime
    reason: str
    recorded_by: int


@dataclass(frozen=True, slots=True)
class ConsentState:
    """The status on `on` with the reason, the latest signature and the version in effect."""

    on: date
    status: ConsentStatus
    reason: str
    signature: ConsentSignature | None
    signed_document: ConsentDocument | None
    document_in_effect: ConsentDocument | None


def validate_consent_document(
    title: str,
    version: int,
    effective_on: date,
    text: str,
    reference: str,
    existing: Sequence[ConsentDocument],
) -> None:
    """Refuse a document version that cannot be right.

    Versions of a site only go up (`version` > every existing version) and take effect in order
    (`effective_on` ≥ the previous version's); a title is required, and a text or a reference.

    Raises:
        InvalidInput: naming ``title``, ``version``, ``effective_on`` or ``text``.
    """
    if not title.strip():
        raise InvalidInput("title", "is required")
    if len(title.strip()) > MAX_TITLE:
        raise InvalidInput(
            "title", f"{len(title.strip())} characters is over the limit {MAX_TITLE}"
        )
    if version < 1:
        raise InvalidInput("version", f"{version} must be 1 or more")
    if not text.strip() and not reference.strip():
        raise InvalidInput("text", "give the consent text or a reference to the document")
    if len(reference.strip()) > MAX_REFERENCE:
        raise InvalidInput("reference", f"is over the limit of {MAX_REFERENCE} characters")
    if existing:
        latest = max(existing, key=lambda d: d.version)
        if version <= latest.version:
            raise InvalidInput(
                "version", f"{version} must be above the latest version {latest.version}"
            )
        if effective_on < latest.effective_on:
            raise InvalidInput(
                "effective_on",
                f"{effective_on} is before version {latest.version}, effective "
                f"{latest.effective_on}",
            )


def document_in_effect(documents: Sequence[ConsentDocument], on: date) -> ConsentDocument | None:
    """The site's highest version whose effective date is on or before `on`."""
    effective = [d for d in documents if d.effective_on <= on]
    return max(effective, key=lambda d: d.version) if effective else None


def consent_state(
    documents: Sequence[ConsentDocument],
    signatures: Sequence[ConsentSignature],
    withdrawals: Sequence[ConsentWithdrawal],
    on: date,
) -> ConsentState:
    """The patient's consent status on the day `on` (see the module docstring).

    Args:
        documents: every version of the consent document of the patient's site.
        signatures: the patient's signatures; those after `on` are ignored.
        withdrawals: the patient's withdrawals; those after `on` are ignored.
        on: the day asked about (e.g. the day of a dosing session).
    """
    by_id = {d.id: d for d in documents}
    in_effect = document_in_effect(documents, on)
    signed = [s for s in signatures if s.signed_at.date() <= on]
    withdrawn = [w for w in withdrawals if w.withdrawn_at.date() <= on]
    latest = max(signed, key=lambda s: (s.signed_at, s.id), default=None)
    last_withdrawal = max(withdrawn, key=lambda w: (w.withdrawn_at, w.id), default=None)
    if latest is None:
        return ConsentState(
            on, ConsentStatus.NONE, f"no consent signed on or before {on}", None, None, in_effect
        )
    document = by_id.get(latest.document_id)
    if last_withdrawal is not None and last_withdrawal.withdrawn_at >= latest.signed_at:
        reason = (
            f"consent withdrawn on {last_withdrawal.withdrawn_at.date()}: {last_withdrawal.reason}"
        )
        return ConsentState(on, ConsentStatus.WITHDRAWN, reason, latest, document, in_effect)
    version = document.version if document else 0
    signed_text = f"version {version} signed on {latest.signed_at.date()}"
    if in_effect is not None and version < in_effect.version:
        reason = (
            f"{signed_text}, but version {in_effect.version} is in effect since "
            f"{in_effect.effective_on}: re-consent before the next dosing session"
        )
        return ConsentState(on, ConsentStatus.OUTDATED, reason, latest, document, in_effect)
    reason = f"{signed_text}, witnessed by {latest.witness_name}"
    return ConsentState(on, ConsentStatus.CURRENT, reason, latest, document, in_effect)


@dataclass(frozen=True, slots=True)
class DosingConsent:
    """Whether a dosing session may start as far as consent goes, with the reason and source."""

    allowed: bool
    status: ConsentStatus
    reason: str
    source: Source = CONSENT_SOURCE


def dosing_consent(state: ConsentState) -> DosingConsent:
    """A dosing session may start only with ``current`` consent on its day.

    ``none``, ``withdrawn`` and ``outdated`` (a newer version published after the signature) all
    refuse, naming why.
    """
    if state.status is ConsentStatus.CURRENT:
        return DosingConsent(True, state.status, f"consent is current: {state.reason}")
    return DosingConsent(
        False,
        state.status,
        f"a dosing session needs current consent; consent is {state.status.value}: {state.reason}",
    )
