"""The interfaces the use cases need; adapters implement them, tests may fake them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from mdma_at.domain.accountability import Books, Container, Count, Discrepancy, Movement
from mdma_at.domain.allergies import AllergyEntry
from mdma_at.domain.audit import AuditContent, AuditEvent, Checkpoint
from mdma_at.domain.check_ins import CheckIn, CheckInDraft
from mdma_at.domain.dosing.entries import Folded
from mdma_at.domain.dosing.records import DosingSession, NewEntry, SessionEntry
from mdma_at.domain.eligibility import Decision
from mdma_at.domain.events import DomainEvent
from mdma_at.domain.instruments.definitions import InstrumentDefinition
from mdma_at.domain.instruments.records import ItemAnswer
from mdma_at.domain.instruments.results import Alert, Score
from mdma_at.domain.measurement.records import (
    Administration,
    EnteredThrough,
    LinkDelivery,
    SafetyAlert,
    SelfReportLink,
    StoredAnswer,
)
from mdma_at.domain.patients import Patient, PatientDetails
from mdma_at.domain.randomisation.conduct import BlindingGuess, RatingAssignment
from mdma_at.domain.randomisation.study import Allocation, Participant, Study, UnblindingRequest
from mdma_at.domain.schedule.booking import Booking, Room
from mdma_at.domain.schedule.planning import PlannedVisit
from mdma_at.domain.schedule.records import Enrolment, ProtocolDeviation, Visit, VisitStatus
from mdma_at.domain.screening import (
    ConsentDocument,
    ConsentSignature,
    ConsentWithdrawal,
    ScreeningRecord,
)
from mdma_at.domain.staff import Role, Site, StaffMember
from mdma_at.domain.therapy_notes import Addendum, AddendumDraft, NoteDraft, TherapyNote
from mdma_at.domain.washout import ConcomitantMedication


class Clock(Protocol):
    def now(self) -> datetime: ...


class PasswordHasher(Protocol):
    # a real hash of a random secret: unknown users cost one verification too
    @property
    def dummy_hash(self) -> str: ...

    def hash(self, password: str) -> str: ...
    def verify(self, hashed: str, password: str) -> bool: ...
    def is_common(self, candidate: str) -> bool: ...  # on the shipped list (lower-case text)


@dataclass(frozen=True, slots=True)
class Credential:
    """A stored login or API credential (only its hash is stored)."""

    id: int
    user_id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    csrf_token: str | None = None


@dataclass(frozen=True, slots=True)
class ApiTokenRecord:
    """An API token as an administrator sees it: never the secret, which is not stored."""

    id: int
    user_id: int
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class SiteRepository(Protocol):
    def add(self, code: str, name: str, timezone: str = "UTC") -> Site: ...
    def get(self, site_id: int) -> Site | None: ...
    def by_code(self, code: str) -> Site | None: ...
    def list(self) -> Sequence[Site]: ...
    def update(self, site_id: int, **values: object) -> Site: ...


class StaffRepository(Protocol):
    def add(self, username: str, full_name: str, password_hash: str) -> StaffMember: ...
    def get(self, user_id: int) -> StaffMember | None: ...
    def by_username(self, username: str) -> tuple[StaffMember, str] | None: ...
    def grant(self, user_id: int, site_id: int, role: Role) -> None: ...
    def roles(self, user_id: int) -> dict[int, frozenset[Role]]: ...
    def count(self) -> int: ...
    def set_active(self, user_id: int, active: bool) -> None: ...
    def list(self) -> Sequence[StaffMember]: ...


class CredentialRepository(Protocol):
    """Login sessions and API tokens: looked up by the SHA-256 of the secret."""

    def add_session(
        self,
        user_id: int,
        token_hash: str,
        csrf_token: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> Credential: ...
    def session(self, token_hash: str) -> Credential | None: ...
    def touch_session(self, credential_id: int, expires_at: datetime) -> None: ...
    def revoke_session(self, credential_id: int, at: datetime) -> None: ...
    def add_api_token(
        self, user_id: int, name: str, token_hash: str, created_at: datetime, expires_at: datetime
    ) -> Credential: ...
    def api_token(self, token_hash: str) -> Credential | None: ...
    def api_tokens_of(self, user_id: int) -> Sequence[ApiTokenRecord]: ...
    def api_token_by_id(self, token_id: int) -> ApiTokenRecord | None: ...
    def revoke_api_token(self, token_id: int, at: datetime) -> None: ...
    def revoke_all_of(self, user_id: int, at: datetime) -> tuple[int, int]: ...


class LoginAttemptRepository(Protocol):
    def add(self, username: str, address: str, at: datetime, succeeded: bool) -> None: ...
    def failure_streak(
        self, *, since: datetime, username: str | None = None, address: str | None = None
    ) -> tuple[int, datetime | None]: ...


class PatientRepository(Protocol):
    def add(self, site_id: int, details: PatientDetails) -> Patient: ...
    def get(self, patient_id: int) -> Patient | None: ...
    def by_study_id(self, study_id: str) -> Patient | None: ...
    def search(
        self, site_ids: frozenset[int], text: str = "", limit: int = 200
    ) -> Sequence[Patient]: ...


class EnrolmentRepository(Protocol):
    def add(self, patient_id: int, protocol: str, enrolled_on: date) -> Enrolment: ...
    def get(self, enrolment_id: int) -> Enrolment | None: ...
    def for_patient(self, patient_id: int) -> Sequence[Enrolment]: ...
    def withdraw(self, enrolment_id: int, on: date, reason: str) -> Enrolment: ...


class VisitRepository(Protocol):
    def add_planned(self, enrolment_id: int, visit: PlannedVisit) -> Visit: ...
    def get(self, visit_id: int) -> Visit | None: ...
    def for_enrolment(self, enrolment_id: int) -> Sequence[Visit]: ...
    def replan(self, visit_id: int, visit: PlannedVisit, *, rescheduled: bool) -> Visit: ...
    def mark_held(self, visit_id: int, held_on: date) -> Visit: ...
    def set_status(self, visit_id: int, status: VisitStatus) -> Visit: ...
    def planned_between(
        self, site_ids: frozenset[int], start: date, end: date
    ) -> Sequence[tuple[Patient, Visit]]: ...
    def overdue(self, site_ids: frozenset[int], today: date) -> Sequence[tuple[Patient, Visit]]: ...


class BookingRepository(Protocol):
    """The sites' rooms, and each visit's booked time, room and staff (one booking per visit,
    changed in place: the audit log keeps what it was)."""

    def add_room(self, site_id: int, name: str) -> Room: ...
    def room(self, room_id: int) -> Room | None: ...
    def rooms(self, site_ids: frozenset[int]) -> Sequence[Room]: ...
    def book(
        self,
        visit_id: int,
        starts_at: datetime,
        ends_at: datetime,
        room_id: int,
        staff: Sequence[int],
        booked_by: int,
        at: datetime,
    ) -> Booking: ...
    def for_visit(self, visit_id: int) -> Booking | None: ...
    def for_visits(self, visit_ids: Sequence[int]) -> Sequence[Booking]: ...
    def overlapping(self, starts_at: datetime, ends_at: datetime) -> Sequence[Booking]: ...


class DeviationRepository(Protocol):
    def add(
        self,
        enrolment_id: int,
        visit_id: int | None,
        kind: str,
        description: str,
        recorded_at: datetime,
    ) -> ProtocolDeviation: ...
    def for_enrolment(self, enrolment_id: int) -> Sequence[ProtocolDeviation]: ...


class AuditLog(Protocol):
    def append(self, content: AuditContent) -> AuditEvent: ...
    def events(self) -> Iterator[AuditEvent]: ...
    def head_hash(self) -> str | None: ...
    def head(self) -> tuple[int, str] | None: ...
    def hash_at(self, event_id: int) -> str | None:
        """The hash of event `event_id`, or None when the trail has no such event."""
        ...

    def sealed_tables(self) -> Sequence[str]: ...
    def stored_rows(self, table_name: str) -> Iterator[tuple[int, str]]: ...
    def recent(
        self, limit: int = 50, entity_type: str | None = None, entity_id: str | None = None
    ) -> Sequence[AuditEvent]: ...


class ConcomitantMedicationRepository(Protocol):
    """The concomitant-medication list (issue 14): one row per course; only a stop is changed."""

    def add(self, patient_id: int, name: str, dose: str, started_on: date,
            stopped_on: date | None, recorded_by: int,
            recorded_at: datetime) -> ConcomitantMedication: ...  # fmt: skip
    def stop(self, course_id: int, stopped_on: date) -> ConcomitantMedication: ...
    def get(self, course_id: int) -> ConcomitantMedication | None: ...
    def for_patient(self, patient_id: int) -> Sequence[ConcomitantMedication]: ...


class AllergyRepository(Protocol):
    """Allergies and the coded "none known" (issue 14), added, never changed."""

    def add(self, patient_id: int, code: str | None, substance: str, reaction: str,
            recorded_by: int, recorded_at: datetime) -> AllergyEntry: ...  # fmt: skip
    def for_patient(self, patient_id: int) -> Sequence[AllergyEntry]: ...


class TherapyNoteRepository(Protocol):
    """Signed notes of preparation and integration sessions and their addenda (append-only)."""

    def add(
        self, patient_id: int, draft: NoteDraft, signed_by: int, at: datetime
    ) -> TherapyNote: ...
    def get(self, note_id: int) -> TherapyNote | None: ...
    def for_visit(self, visit_id: int) -> TherapyNote | None: ...
    def for_patient(self, patient_id: int) -> Sequence[TherapyNote]: ...
    def add_addendum(self, draft: AddendumDraft, signed_by: int, at: datetime) -> Addendum: ...
    def addenda(self, note_ids: Sequence[int]) -> Sequence[Addendum]: ...


class CheckInRepository(Protocol):
    """Daily contacts after dosing sessions (append-only)."""

    def add(
        self,
        patient_id: int,
        session_id: int,
        day: int,
        draft: CheckInDraft,
        *,
        indication: str | None,
        administration_id: int | None,
        recorded_by: int,
        recorded_at: datetime,
    ) -> CheckIn: ...
    def for_patient(self, patient_id: int) -> Sequence[CheckIn]: ...
    def sessions_since(
        self, site_ids: frozenset[int], since: date
    ) -> Sequence[tuple[Patient, DosingSession]]: ...
    def done_for(self, patient_ids: Sequence[int]) -> Sequence[tuple[int, int, int, int]]: ...


@dataclass(frozen=True, slots=True)
class SafetyReportSubmission:
    """An expedited safety report marked submitted (issue 17, item 4): which serious adverse
    event (its session entry), to whom, on which day, the receiver's reference, and who said so.
    Its clocks stop on the dashboard once this exists; one per event (the initial report)."""

    id: int
    entry_id: int
    submitted_on: date
    submitted_to: str
    reference: str
    recorded_by: int
    recorded_at: datetime


class SafetyReportRepository(Protocol):
    """Submissions of expedited safety reports; added, never changed."""

    def add(
        self, entry_id: int, submitted_on: date, submitted_to: str, reference: str,
        recorded_by: int, recorded_at: datetime,
    ) -> SafetyReportSubmission: ...  # fmt: skip
    def for_entries(self, entry_ids: Sequence[int]) -> Sequence[SafetyReportSubmission]: ...


@dataclass(frozen=True, slots=True)
class KeptFold:
    """A session's fold kept between transactions (ADR 0203): what it started from (`basis`:
    the session's fixed facts, the patient's sex and the rules), the fold, and the entries it
    covers: `count` of them, the last with id `last_id`."""

    basis: tuple[object, ...]
    folded: Folded
    count: int
    last_id: int


class SessionFolds(Protocol):
    """The folds this process keeps, one per recently read session of one database."""

    def get(self, session_id: int) -> KeptFold | None: ...
    def keep(self, session_id: int, kept: KeptFold) -> None: ...


@dataclass(frozen=True, slots=True)
class RegisterTally:
    """What the register's books are folded from, per table: (rows, highest id)."""

    containers: tuple[int, int]
    movements: tuple[int, int]
    closed_sessions: tuple[int, int]
    periods: tuple[int, int]


@dataclass(frozen=True, slots=True)
class KeptBooks:
    """The register's books kept between transactions (ADR 0218), with the tally they cover."""

    tally: RegisterTally
    books: Books
    audit: tuple[int, str] | None  # the trail's head (id, hash) read after the books


class BooksKeeper(Protocol):
    """The books this process keeps of one database's register."""

    def get(self) -> KeptBooks | None: ...
    def keep(self, kept: KeptBooks) -> None: ...


class UnitOfWork(Protocol):
    """One transaction. Nothing is written unless `commit()` is called; leaving rolls back.

    Domain events emitted inside it are dispatched to their handlers when the outermost `with`
    block ends, and only those emitted before a commit; a rollback drops the rest (ADR 0009).
    """

    sites: SiteRepository
    staff: StaffRepository
    credentials: CredentialRepository
    login_attempts: LoginAttemptRepository
    patients: PatientRepository
    enrolments: EnrolmentRepository
    visits: VisitRepository
    bookings: BookingRepository
    deviations: DeviationRepository
    audit: AuditLog
    dosing_sessions: DosingSessionRepository
    session_entries: SessionEntryRepository
    screenings: ScreeningRepository
    consents: ConsentRepository
    questionnaire_links: QuestionnaireLinkRepository
    administrations: AdministrationRepository
    safety_alerts: SafetyAlertRepository
    pages: PageRepository
    register: RegisterRepository
    site_protocol: SiteProtocolRepository
    medications: ConcomitantMedicationRepository
    allergies: AllergyRepository
    therapy_notes: TherapyNoteRepository
    check_ins: CheckInRepository
    studies: StudyRepository
    research_keys: ResearchKeyRepository
    safety_reports: SafetyReportRepository
    trial_conduct: TrialConductRepository
    folds: SessionFolds  # not a table: the process's folds of this database's sessions
    kept_books: BooksKeeper  # not a table: the process's books of this database's register

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def emit(self, event: DomainEvent) -> None: ...
    def collected_events(self) -> Sequence[DomainEvent]: ...  # emitted, not yet dispatched


class CheckpointStore(Protocol):
    """Signed checkpoints of the audit chain, kept outside the database (ADR 0105)."""

    def append(self, checkpoint: Checkpoint) -> None: ...
    def read(self) -> Sequence[tuple[int, Checkpoint | None]]: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


# --- instruments (issue 4) ---


class QuestionnaireLinkRepository(Protocol):
    """Self-report links, looked up by the SHA-256 of their token."""

    def add(
        self,
        patient_id: int,
        visit_id: int | None,
        token_hash: str,
        instruments: Sequence[str],
        created_by: int | None,
        created_at: datetime,
        expires_at: datetime,
        reason: str | None = None,
    ) -> SelfReportLink: ...
    def get(self, link_id: int) -> SelfReportLink | None: ...
    def by_token_hash(self, token_hash: str) -> SelfReportLink | None: ...
    def mark_used(self, link_id: int, at: datetime) -> bool: ...
    def for_patient(self, patient_id: int) -> Sequence[SelfReportLink]: ...
    def add_delivery(
        self,
        link_id: int,
        channel: str,
        recipient: str,
        status: str,
        error: str | None,
        sent_by: int | None,
        at: datetime,
    ) -> LinkDelivery: ...
    def deliveries(self, link_ids: Sequence[int]) -> Sequence[LinkDelivery]: ...


class AdministrationRepository(Protocol):
    """Completed instruments with their scores, and their answers item by item (append-only)."""

    def add(
        self,
        patient_id: int,
        visit_id: int | None,
        definition: InstrumentDefinition,
        scored: Score,
        answers: Sequence[ItemAnswer],
        *,
        completed_on: date,
        recorded_at: datetime,
        entered_through: EnteredThrough,
        entered_by: int | None,
        link_id: int | None = None,
        criterion_f: bool | None = None,
        criterion_g: bool | None = None,
    ) -> Administration: ...
    def get(self, administration_id: int) -> Administration | None: ...
    def for_patient(self, patient_id: int) -> Sequence[Administration]: ...
    def answers(self, administration_id: int) -> Sequence[StoredAnswer]: ...
    def completed(self, patient_ids: Sequence[int]) -> Sequence[tuple[int, int, str, date]]: ...
    def active_schedules(
        self, site_ids: frozenset[int]
    ) -> Sequence[tuple[Patient, tuple[Visit, ...]]]: ...


class SafetyAlertRepository(Protocol):
    """Alerts raised by scores; open until acknowledged (append-only, acknowledgement is a row)."""

    def add(
        self, patient_id: int, administration_id: int, alert: Alert, raised_at: datetime
    ) -> SafetyAlert: ...
    def get(self, alert_id: int) -> SafetyAlert | None: ...
    def for_patient(self, patient_id: int) -> Sequence[SafetyAlert]: ...
    def open_at(self, site_ids: frozenset[int]) -> Sequence[tuple[Patient, SafetyAlert]]: ...
    def acknowledge(self, alert_id: int, user_id: int, at: datetime, action_taken: str) -> None: ...


# --- screening (issue 3) ---


class ScreeningRepository(Protocol):
    """Stored screenings with their signature (append-only), oldest first."""

    def add(
        self,
        patient_id: int,
        protocol: str,
        screening_date: date,
        intake: Mapping[str, object],
        verdict: Mapping[str, object],
        decision: Decision,
        earliest_baseline: date | None,
        recorded_by: int,
        recorded_at: datetime,
    ) -> ScreeningRecord: ...
    def sign(
        self,
        screening_id: int,
        signed_by: int,
        signed_at: datetime,
        decision: Decision,
        override_reason: str | None,
    ) -> ScreeningRecord: ...
    def get(self, screening_id: int) -> ScreeningRecord | None: ...
    def for_patient(self, patient_id: int) -> Sequence[ScreeningRecord]: ...
    def latest(self, patient_id: int) -> ScreeningRecord | None: ...
    def unsigned_at(
        self, site_ids: frozenset[int]
    ) -> Sequence[tuple[int, str, ScreeningRecord]]: ...


class ConsentRepository(Protocol):
    """Consent document versions per site, patients' signatures and withdrawals (append-only)."""

    def add_document(
        self,
        site_id: int,
        title: str,
        version: int,
        effective_on: date,
        text: str,
        reference: str,
        published_by: int | None,
        published_at: datetime,
    ) -> ConsentDocument: ...
    def documents(self, site_id: int) -> Sequence[ConsentDocument]: ...
    def document(self, document_id: int) -> ConsentDocument | None: ...
    def add_signature(
        self,
        patient_id: int,
        document_id: int,
        signed_name: str,
        signed_at: datetime,
        witness_id: int,
        recorded_by: int,
        recorded_at: datetime,
    ) -> ConsentSignature: ...
    def signatures(self, patient_id: int) -> Sequence[ConsentSignature]: ...
    def add_withdrawal(
        self,
        patient_id: int,
        withdrawn_at: datetime,
        reason: str,
        recorded_by: int,
        recorded_at: datetime,
    ) -> ConsentWithdrawal: ...
    def withdrawals(self, patient_id: int) -> Sequence[ConsentWithdrawal]: ...
    def witnesses(self, site_id: int) -> Sequence[StaffMember]: ...


# --- session (issue 5) ---


class DosingSessionRepository(Protocol):
    """Dosing sessions, one per dosing visit."""

    def add(
        self,
        patient_id: int,
        visit_id: int,
        protocol: str,
        session_number: int,
        started_at: datetime,
        started_by: int | None,
        childbearing_potential: bool,
        weight_kg: float | None,
    ) -> DosingSession: ...
    def get(self, session_id: int) -> DosingSession | None: ...
    def lock(self, session_id: int) -> DosingSession | None: ...
    def for_visit(self, visit_id: int) -> DosingSession | None: ...
    def for_patient(self, patient_id: int) -> Sequence[DosingSession]: ...
    def open_at(self, site_ids: frozenset[int]) -> Sequence[tuple[Patient, DosingSession]]: ...
    def close(self, session_id: int, at: datetime) -> DosingSession: ...


class SessionEntryRepository(Protocol):
    """The entries of a session, append-only, in the order they were recorded."""

    def append(
        self,
        session_id: int,
        entry: NewEntry,
        recorded_by: int | None,
        recorded_by_name: str,
        role: str | None,
        recorded_at: datetime,
    ) -> SessionEntry: ...
    def for_session(self, session_id: int) -> Sequence[SessionEntry]: ...
    def after(self, session_id: int, entry_id: int) -> Sequence[SessionEntry]:
        """The session's entries with an id above `entry_id`, in order (0: all of them)."""
        ...

    def tally(self, session_id: int) -> tuple[int, int]:
        """How many entries the session has and the highest id among them (0 when none)."""
        ...

    def appended_to(self) -> frozenset[int]:
        """The sessions this transaction appended entries to: what it reads of them may not
        be committed yet, so no fold of them is kept (services.sessions.folds)."""
        ...


# --- paging (issue 13) ---


class DeliveryFailed(Exception):
    """A notifier could not hand the page over; the message says why (shown to the clinic)."""


class Notifier(Protocol):
    """One way of reaching the on-call physician (email, webhook). `send` blocks until the page
    is handed over or raises `DeliveryFailed`; it is called after the commit, off the event loop."""

    channel: str

    def send(self, recipient: str, subject: str, body: str, data: Mapping[str, object]) -> None: ...


@dataclass(frozen=True, slots=True)
class Page:
    """One page to the on-call physician on one channel, and what became of it.

    status: pending (not tried yet), retrying (failed, tried again at `next_attempt_at`), sent,
    failed (gave up after the last attempt; `last_error` says why)."""

    id: int
    site_id: int
    patient_id: int
    session_id: int | None
    safety_alert_id: int | None
    alert_key: str
    cause: str
    message: str
    channel: str
    recipient: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None


class PageRepository(Protocol):
    def add(
        self,
        *,
        site_id: int,
        patient_id: int,
        session_id: int | None,
        safety_alert_id: int | None,
        alert_key: str,
        cause: str,
        message: str,
        channel: str,
        recipient: str,
        created_at: datetime,
    ) -> Page: ...
    def due(self, now: datetime) -> Sequence[Page]: ...
    def claim(self, page_id: int, seen_next_attempt_at: datetime, until: datetime) -> bool:
        """Take a due page for sending: move its next attempt to `until` only if it is still
        waiting at `seen_next_attempt_at` (compare-and-set). False: another worker took it."""
        ...

    def hold_queue(self) -> None:
        """Serialise queueing across server processes until the transaction ends (two workers
        deciding at once would both queue the same page)."""
        ...

    def get(self, page_id: int) -> Page | None: ...
    def update(self, page_id: int, **values: object) -> Page: ...
    def for_key(self, alert_key: str) -> Sequence[Page]: ...
    def for_session(self, session_id: int) -> Sequence[Page]: ...
    def for_safety_alerts(self, alert_ids: Sequence[int]) -> Sequence[Page]: ...


# --- controlled-substance register (issue 15) ---


class RegisterRepository(Protocol):
    """Containers, ledger movements, counts, discrepancies, closed periods, reconciled sessions.

    Append-only: nothing here is ever updated or deleted (the database refuses it)."""

    def lock_sites(self, site_ids: Sequence[int]) -> None: ...
    def add_container(self, container: Container, received_by: int, at: datetime) -> Container: ...
    def containers(self, after: int = 0) -> Sequence[Container]:
        """The containers, in id order; only those with an id above `after` when given."""
        ...

    def add_movement(self, movement: Movement, recorded_at: datetime) -> Movement: ...
    def movements(self, after: int = 0) -> Sequence[Movement]:
        """The ledger, in id order; only the movements with an id above `after` when given."""
        ...

    def add_count(self, count: Count, recorded_at: datetime) -> Count: ...
    def counts(self) -> Sequence[Count]: ...
    def open_discrepancy(self, count: Count, opened_at: datetime) -> Discrepancy: ...
    def resolve(
        self,
        discrepancy_id: int,
        reason: str,
        resolved_by: int,
        at: datetime,
        adjustment_id: int | None,
    ) -> None: ...
    def discrepancies(self) -> Sequence[Discrepancy]: ...
    def close_period(self, site_id: int, through: date, closed_by: int, at: datetime) -> None: ...
    def periods(self) -> Sequence[tuple[int, date]]: ...
    def close_session(self, session_id: int, closed_by: int, at: datetime) -> None: ...
    def closed_sessions(self, after: int = 0) -> frozenset[int]:
        """The reconciled sessions; only those closed by a row with an id above `after`."""
        ...

    def tally(self) -> RegisterTally:
        """Rows and highest id of the containers, movements, session closes and periods."""
        ...

    def written(self) -> bool:
        """Whether this transaction has stored anything in the register: what it reads may not
        be committed yet, so no books of it are kept (services.register.kept)."""
        ...


# --- site overrides of protocol defaults (issue 12, item 4) ---


@dataclass(frozen=True, slots=True)
class SiteValueChange:
    """One change of a site's value for a protocol's site default.

    `value` None puts the protocol's own value back. The site's value of a key is the value of
    its latest change; earlier changes stay, as the history of what applied when.
    """

    id: int
    site_id: int
    protocol: str
    key: str
    value: float | None
    reason: str
    changed_by_id: int | None
    changed_by: str
    changed_at: datetime


class SiteProtocolRepository(Protocol):
    """The changes of each site's protocol values, append-only (the database refuses edits)."""

    def add(
        self,
        site_id: int,
        protocol: str,
        key: str,
        value: float | None,
        reason: str,
        changed_by_id: int | None,
        changed_by: str,
        changed_at: datetime,
    ) -> SiteValueChange: ...
    def history(self, site_id: int, protocol: str) -> Sequence[SiteValueChange]: ...  # oldest first


# --- trials (issue 16) ---


class StudyRepository(Protocol):
    """Studies and their sealed seed; participants, allocations and unblindings (append-only)."""

    def add(self, study: Study, created_by: int) -> Study: ...
    def get(self, study_id: int) -> Study | None: ...
    def by_code(self, code: str) -> Study | None: ...
    def list(self) -> Sequence[Study]: ...
    def lock(self, study_id: int) -> None: ...
    def seal(self, study_id: int, sealed_seed: str, commitment: str) -> None: ...
    def sealed_seed(self, study_id: int) -> str | None: ...
    def add_participant(
        self, study_id: int, patient_id: int, levels: dict[str, str], by: int, at: datetime
    ) -> Participant: ...
    def participants(self, study_id: int) -> Sequence[Participant]: ...
    def participant_of(self, study_id: int, patient_id: int) -> Participant | None: ...
    def participant(self, participant_id: int) -> Participant | None: ...
    def add_allocation(self, allocation: Allocation) -> Allocation: ...
    def allocations(self, study_id: int) -> Sequence[Allocation]: ...
    def add_unblinding_request(
        self, participant_id: int, reason: str, by: int, at: datetime
    ) -> UnblindingRequest: ...
    def approve_unblinding(self, request_id: int, by: int, at: datetime) -> None: ...
    def unblinding_requests(self, study_id: int) -> Sequence[UnblindingRequest]: ...


class TrialConductRepository(Protocol):
    """Rater assignments and blinding guesses of a study (issue 16, items 4-5); append-only.
    The latest assignment of a visit is the one that counts; one guess per person and time point
    (`BlindingGuess.respondent_key`), a second is refused as `DuplicateKey`."""

    def add_assignment(self, assignment: RatingAssignment) -> RatingAssignment: ...
    def assignments(self, study_id: int) -> Sequence[RatingAssignment]: ...
    def assignment_for_visit(self, visit_id: int) -> RatingAssignment | None: ...
    def assignments_of(self, rater_id: int) -> Sequence[RatingAssignment]: ...
    def add_guess(self, guess: BlindingGuess) -> BlindingGuess: ...
    def guesses(self, study_id: int) -> Sequence[BlindingGuess]: ...
    def guesses_of(self, participant_id: int) -> Sequence[BlindingGuess]: ...


class ScheduleSeal(Protocol):
    """Seals the statistician's seed so that the database alone cannot reveal the schedule
    (ADR 0160). `open` raises IntegrityError when the sealed text was changed or the key is
    not the one it was sealed with."""

    def seal(self, seed: str) -> str: ...
    def open(self, sealed: str) -> str: ...


# --- research exports (issue 17, item 3) ---


@dataclass(frozen=True, slots=True)
class ResearchKey:
    """A patient's research pseudonym and date shift (ADR 0185): drawn at random once, at the
    patient's first research export, and kept only here, in the identified database."""

    patient_id: int
    research_id: str
    day_shift: int
    created_at: datetime


class ResearchKeyRepository(Protocol):
    """Research keys: added once per patient, never changed (a second key is a DuplicateKey)."""

    def add(
        self, patient_id: int, research_id: str, day_shift: int, created_at: datetime
    ) -> ResearchKey: ...
    def for_patients(self, patient_ids: Sequence[int]) -> Sequence[ResearchKey]: ...
