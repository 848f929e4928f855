"""Patient self-report links: issue one, open it, and store the answers given there.

The link is the only credential of the public page: a random 256-bit token, shown once to the
coordinator, stored as its SHA-256 (like a session token, ADR 0004). It is bound to one patient
and one visit, works once, and expires (7 days by default, `domain.measurement.links`). Nothing is
stored from a refused link or from answers that fail validation; the link stays usable after a
validation error so the patient can correct the answer.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mdma_at.domain.access import Action
from mdma_at.domain.errors import Conflict, InvalidInput, NotFound
from mdma_at.domain.instruments import DueStatus, InstrumentDefinition, Score
from mdma_at.domain.measurement.links import (
    SELF_REPORT_INSTRUMENTS,
    USED_REASON,
    DeliveryStatus,
    LinkState,
    LinkVerdict,
    check_link,
    link_days,
    reason_for_link,
)
from mdma_at.domain.measurement.records import EnteredThrough, LinkDelivery, SelfReportLink
from mdma_at.domain.staff import Principal
from mdma_at.services.access.auth import token_digest
from mdma_at.services.audit import Actor, record
from mdma_at.services.measurement.measures import (
    Stored,
    check_visit,
    library_for,
    patient_measures,
    score_texts,
    store_score,
)
from mdma_at.services.patients.registry import load_patient
from mdma_at.services.ports import Clock, DeliveryFailed, Notifier, UnitOfWork
from mdma_at.services.records import require_child_of


@dataclass(frozen=True, slots=True)
class IssuedLink:
    """A new link and its token: the token is shown once and never stored; what it is for."""

    link: SelfReportLink
    token: str
    visit_label: str | None  # None: the link counts for no visit
    instrument_names: tuple[str, ...]
    email: str  # the patient's address ("" when the record has none)


@dataclass(frozen=True, slots=True)
class OpenedLink:
    """What the public page may show: the verdict and, when usable, the questionnaires.

    Nothing identifying the patient is shown: a forwarded link must not reveal whose it is.
    """

    verdict: LinkVerdict
    instruments: tuple[InstrumentDefinition, ...] = ()


@dataclass(frozen=True, slots=True)
class SelfReportResult:
    """The outcome of a submission: refused with the link's reason, or stored."""

    verdict: LinkVerdict
    stored: tuple[Stored, ...] = ()

    @property
    def scores(self) -> tuple[Score, ...]:
        return tuple(s.administration.score for s in self.stored)


def issue_self_report_link(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    patient_id: int,
    *,
    visit_id: int | None = None,
    days_valid: int | None = None,
    reason: str = "",
) -> IssuedLink:
    """Create a single-use link for the patient's PHQ-9, GAD-7 and PCL-5.

    Args:
        visit_id: the visit the answers count for; by default the most urgent visit at which the
            self-report questionnaires are overdue or due (none when nothing is due).
        days_valid: 1-30 days; 7 by default (site default).
        reason: why the link is needed; required when nothing is due at its visit or the patient
            is not enrolled (`links.reason_for_link`), stored and audited.

    Raises:
        InvalidInput: ``days_valid`` out of range, ``visit_id`` not the patient's, ``reason``
            missing when nothing is due. Nothing is stored.
    """
    lifetime = link_days(days_valid)
    due_visits = _visits_due_for_self_report(uow, clock, principal, patient_id)
    if visit_id is None and due_visits:
        visit_id = due_visits[0]
    token = secrets.token_urlsafe(32)
    now = clock.now()
    with uow:
        patient, actor = load_patient(
            uow, clock, principal, patient_id, Action.ISSUE_SELF_REPORT_LINK
        )
        visit = check_visit(uow, patient, visit_id)  # a wrong visit is named before the reason
        kept_reason = reason_for_link(visit_id in due_visits, reason)
        link = uow.questionnaire_links.add(
            patient.id,
            visit_id,
            token_digest(token),
            [str(code) for code in SELF_REPORT_INSTRUMENTS],
            principal.user_id,
            now,
            now + lifetime,
            kept_reason,
        )
        # never the token, nor the link that holds it: only its fingerprint is kept anywhere
        record(
            uow,
            clock,
            actor,
            "self_report_link_issued",
            "questionnaire_link",
            link.id,
            after={
                "patient": patient.study_id,
                "visit_id": visit_id,
                "instruments": list(link.instruments),
                "expires_at": link.expires_at,
            },
            reason=kept_reason,
        )
        names = instrument_names(uow, link)
        uow.commit()
    label = visit.label if visit else None
    return IssuedLink(link, token, label, names, patient.details.email)


def send_self_report_link(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    link_id: int,
    token: str,
    mailer: Notifier | None,
    url: str,
) -> tuple[IssuedLink, LinkDelivery]:
    """Email a link to the patient's address through the clinic's email notifier.

    The token comes back from the page that showed it (the clinic keeps only its fingerprint),
    and must be the link's. The message holds the link, which is the point; the delivery record
    and the audit entry hold only where it went and what became of it (sent, or failed with the
    reason). The mail is handed over with no transaction open, like a page (ADR 0121).

    Raises:
        InvalidInput: ``token`` not this link's; ``email`` when the patient has no address.
        Conflict: no email notifier configured, or the link is used or expired.
    """
    if mailer is None:
        raise Conflict("no SMTP server is configured, so links cannot be sent by email")
    with uow:
        link = uow.questionnaire_links.by_token_hash(token_digest(token))
        if link is None or link.id != link_id:
            raise InvalidInput("token", "is not the token of this link")
        patient, actor = load_patient(
            uow, clock, principal, link.patient_id, Action.SEND_SELF_REPORT_LINK
        )
        verdict = _verdict(link, clock)
        if not verdict.usable:
            raise Conflict(f"this link cannot be sent: {verdict.reason}")
        recipient = patient.details.email
        if not recipient:
            raise InvalidInput("email", "the patient's record has no email address")
        visit = check_visit(uow, patient, link.visit_id)
        names = instrument_names(uow, link)
    subject, body = link_message(link, names, visit.label if visit else None, url)
    error: str | None = None
    try:
        mailer.send(recipient, subject, body, {"link_id": link.id})
    except DeliveryFailed as failed:
        error = str(failed)
    status = DeliveryStatus.FAILED if error else DeliveryStatus.SENT
    with uow:
        delivery = uow.questionnaire_links.add_delivery(
            link.id, mailer.channel, recipient, status, error, principal.user_id, clock.now()
        )
        record(
            uow,
            clock,
            actor,
            f"self_report_link_{'send_failed' if error else 'sent'}",
            "questionnaire_link",
            link.id,
            after={"channel": mailer.channel, "recipient": recipient, "status": str(status)},
            reason=error,
        )
        uow.commit()
    issued = IssuedLink(link, token, visit.label if visit else None, names, recipient)
    return issued, delivery


def link_message(
    link: SelfReportLink, names: Sequence[str], visit_label: str | None, url: str
) -> tuple[str, str]:
    """The email to the patient: which questionnaires, for which visit, until when, the link.

    It names no patient and no diagnosis: a mailbox can be shared and a message forwarded.
    """
    visit = f" before your visit ({visit_label})" if visit_label else ""
    body = (
        f"Your clinic asks you to answer a few questionnaires ({', '.join(names)}){visit}.\n\n"
        f"Open this link to answer them:\n{url}\n\n"
        f"The link works once and expires on {link.expires_at:%d %b %Y at %H:%M} UTC. "
        "Please do not forward it: it is meant for you alone.\n"
    )
    return "Questionnaires from your clinic", body


def open_self_report(uow: UnitOfWork, clock: Clock, token: str) -> OpenedLink:
    """The questionnaires behind a link, or the reason it cannot be used (read-only)."""
    with uow:
        link = uow.questionnaire_links.by_token_hash(token_digest(token))
        verdict = _verdict(link, clock)
        if link is None or not verdict.usable:
            return OpenedLink(verdict)
        library = library_for(uow, link.patient_id)
    return OpenedLink(verdict, tuple(library.get(code) for code in link.instruments))


def submit_self_report(
    uow: UnitOfWork,
    clock: Clock,
    token: str,
    answers: Mapping[str, Sequence[str]],
    *,
    for_patient_id: int | None = None,
) -> SelfReportResult:
    """Score and store the answers given at a link, and use the link up.

    Args:
        token: the token from the link.
        answers: per instrument code, the answer texts in item order ("" = not answered).
            An instrument left entirely empty is not stored (it stays due).
        for_patient_id: when the caller knows whose answers these are (staff tools), they must
            be the link's patient.

    Returns:
        The refusal with its reason (used, expired, unknown link: nothing stored), or the stored
        administrations and the alerts they raised.

    Raises:
        InvalidInput: ``phq9.items[9]`` etc. naming the item; ``answers`` when nothing was
            answered; ``patient`` when the link belongs to another patient. Nothing is stored.
    """
    with uow:
        link = uow.questionnaire_links.by_token_hash(token_digest(token))
        verdict = _verdict(link, clock)
        if link is None or not verdict.usable:
            _audit_refusal(uow, clock, link, verdict)
            return SelfReportResult(verdict)
        if for_patient_id is not None and for_patient_id != link.patient_id:
            raise InvalidInput("patient", "this link was issued for another patient")
        patient = uow.patients.get(link.patient_id)
        assert patient is not None
        library = library_for(uow, patient.id)
        scored: list[tuple[InstrumentDefinition, Score]] = []
        for code in link.instruments:
            definition = library.get(code)
            texts = list(answers.get(code, ()))
            if not texts or all(not text.strip() for text in texts):
                continue
            try:
                scored.append((definition, score_texts(definition, texts)))
            except InvalidInput as refused:
                raise InvalidInput(f"{code}.{refused.field}", refused.reason) from None
        if not scored:
            raise InvalidInput("answers", "no questions were answered")
        actor = Actor(None, f"patient-link:{link.id}", "patient", patient.site_id)
        if not uow.questionnaire_links.mark_used(link.id, clock.now()):
            # another submission used the link between our read and this write
            return SelfReportResult(LinkVerdict(LinkState.USED, USED_REASON))
        stored = tuple(
            store_score(
                uow,
                clock,
                actor,
                patient,
                link.visit_id,
                definition,
                result,
                completed_on=clock.now().date(),
                entered_through=EnteredThrough.SELF_REPORT_LINK,
                link_id=link.id,
            )
            for definition, result in scored
        )
        record(
            uow,
            clock,
            actor,
            "self_report_link_used",
            "questionnaire_link",
            link.id,
            after={"instruments": [str(d.code) for d, _ in scored]},
        )
        uow.commit()
    return SelfReportResult(verdict, stored)


def instrument_names(uow: UnitOfWork, link: SelfReportLink) -> tuple[str, ...]:
    """The names of the link's questionnaires, in the patient's protocol (inside a transaction)."""
    library = library_for(uow, link.patient_id)
    return tuple(library.get(code).name for code in link.instruments)


def _verdict(link: SelfReportLink | None, clock: Clock) -> LinkVerdict:
    if link is None:
        return check_link(None, None, clock.now())
    return check_link(link.expires_at, link.used_at, clock.now())


def _audit_refusal(
    uow: UnitOfWork, clock: Clock, link: SelfReportLink | None, verdict: LinkVerdict
) -> None:
    """A refused submission is a security event: recorded, and nothing else is written."""
    actor = Actor(None, f"patient-link:{link.id if link else 'unknown'}", "patient")
    record(
        uow,
        clock,
        actor,
        "self_report_link_refused",
        "questionnaire_link",
        link.id if link else None,
        reason=verdict.state.value,
    )
    uow.commit()


def _visits_due_for_self_report(
    uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int
) -> list[int]:
    """The visits at which a self-report questionnaire is overdue or due, most urgent first."""
    measures = patient_measures(uow, clock, principal, patient_id)
    codes = {str(code) for code in SELF_REPORT_INSTRUMENTS}
    by_code = {v.code: v.id for v in measures.visits}
    due: list[int] = []
    for item in measures.due.items:  # most urgent first
        if item.instrument in codes and item.status in (DueStatus.OVERDUE, DueStatus.DUE):
            visit_id = by_code.get(item.visit_code)
            if visit_id is not None and visit_id not in due:
                due.append(visit_id)
    return due


def require_link_of(uow: UnitOfWork, link_id: int, patient_id: int) -> None:
    """A link reached through a patient must be that patient's: else NotFound, like a link that
    does not exist, before anything else is read or checked (ADR 0100)."""
    with uow:
        link = uow.questionnaire_links.get(link_id)
    if link is None:
        raise NotFound(f"no self-report link {link_id}")
    require_child_of(link.patient_id, patient_id, "self-report link", link_id)
