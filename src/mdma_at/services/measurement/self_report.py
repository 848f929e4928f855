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
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.instruments import DueStatus, InstrumentDefinition, Score
from mdma_at.domain.measurement.links import (
    SELF_REPORT_INSTRUMENTS,
    USED_REASON,
    LinkState,
    LinkVerdict,
    check_link,
    link_days,
)
from mdma_at.domain.measurement.records import EnteredThrough, SelfReportLink
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
from mdma_at.services.ports import Clock, UnitOfWork


@dataclass(frozen=True, slots=True)
class IssuedLink:
    """A new link and its token: the token is shown once and never stored."""

    link: SelfReportLink
    token: str


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
) -> IssuedLink:
    """Create a single-use link for the patient's PHQ-9, GAD-7 and PCL-5.

    Args:
        visit_id: the visit the answers count for; by default the most urgent visit at which the
            self-report questionnaires are overdue or due (none when nothing is due).
        days_valid: 1-30 days; 7 by default (site default).

    Raises:
        InvalidInput: ``days_valid`` out of range, ``visit_id`` not the patient's.
    """
    lifetime = link_days(days_valid)
    if visit_id is None:
        visit_id = _visit_due_for_self_report(uow, clock, principal, patient_id)
    token = secrets.token_urlsafe(32)
    now = clock.now()
    with uow:
        patient, actor = load_patient(
            uow, clock, principal, patient_id, Action.ISSUE_SELF_REPORT_LINK
        )
        check_visit(uow, patient, visit_id)
        link = uow.questionnaire_links.add(
            patient.id,
            visit_id,
            token_digest(token),
            [str(code) for code in SELF_REPORT_INSTRUMENTS],
            principal.user_id,
            now,
            now + lifetime,
        )
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
        )
        uow.commit()
    return IssuedLink(link, token)


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


def _visit_due_for_self_report(
    uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int
) -> int | None:
    measures = patient_measures(uow, clock, principal, patient_id)
    codes = {str(code) for code in SELF_REPORT_INSTRUMENTS}
    by_code = {v.code: v.id for v in measures.visits}
    for item in measures.due.items:  # most urgent first
        if item.instrument in codes and item.status in (DueStatus.OVERDUE, DueStatus.DUE):
            return by_code.get(item.visit_code)
    return None
