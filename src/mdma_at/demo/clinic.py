"""The demo clinic: one site, staff in every role, a dozen patients at every stage.

Everything is created through the same use cases the clinic uses, so the demo is audited like real
work and exercises the real rules. Dates are relative to the clock, so the demo always looks live.
Names are invented.
"""

from __future__ import annotations

from datetime import date, timedelta

from mdma_at.demo.instruments import seed_demo_measures
from mdma_at.demo.screening import seed_demo_screening
from mdma_at.demo.sessions import seed_demo_sessions
from mdma_at.demo.therapy import seed_demo_therapy
from mdma_at.demo.trial import seed_demo_trial
from mdma_at.demo.worklist import seed_demo_worklist
from mdma_at.domain.patients import PatientDetails
from mdma_at.domain.schedule.records import VisitStatus
from mdma_at.domain.staff import Principal, Role
from mdma_at.domain.vocabulary import Sex
from mdma_at.protocols import DEFAULT_PROTOCOL
from mdma_at.services.access.auth import load_principal
from mdma_at.services.access.staff import add_site, add_user, set_on_call
from mdma_at.services.audit import Actor
from mdma_at.services.patients import schedule
from mdma_at.services.patients.registry import register_patient
from mdma_at.services.ports import Clock, PasswordHasher, ScheduleSeal, UnitOfWorkFactory

DEMO_SITE = ("DEMO", "Harbour Clinic (demo)")
DEMO_PASSWORD = "demo-clinic-2026"
DEMO_ON_CALL = ("Dr Morgan Ng", "dr.ng@harbour-clinic.example")
DEMO_STAFF: tuple[tuple[str, str, tuple[Role, ...]], ...] = (
    ("admin", "Avery Admin", (Role.ADMIN,)),
    ("dr.ng", "Dr Morgan Ng", (Role.PHYSICIAN,)),
    ("t.alvarez", "Sam Alvarez", (Role.THERAPIST,)),
    ("t.okafor", "Chidi Okafor", (Role.THERAPIST,)),
    ("p.lindqvist", "Elin Lindqvist", (Role.PHARMACIST,)),
    ("c.mensah", "Ama Mensah", (Role.COORDINATOR,)),
    ("r.blind", "Robin Blind", (Role.RATER,)),
    ("s.stat", "Kai Statistician", (Role.STATISTICIAN,)),
)

# study ID, name, date of birth, sex, days since enrolment (None: registered, not yet enrolled)
DEMO_PATIENTS: tuple[tuple[str, str, date, Sex, int | None], ...] = (
    ("DEMO-001", "Jordan Reyes", date(1984, 3, 12), Sex.FEMALE, None),
    ("DEMO-002", "Alex Moreau", date(1979, 7, 2), Sex.MALE, 3),
    ("DEMO-003", "Riley Chen", date(1990, 11, 23), Sex.FEMALE, 16),
    ("DEMO-004", "Casey Novak", date(1972, 1, 30), Sex.MALE, 31),
    ("DEMO-005", "Taylor Osei", date(1988, 5, 17), Sex.OTHER, 38),
    ("DEMO-006", "Jamie Kowalski", date(1981, 9, 8), Sex.FEMALE, 52),
    ("DEMO-007", "Drew Haddad", date(1969, 12, 14), Sex.MALE, 75),
    ("DEMO-008", "Quinn Larsen", date(1995, 4, 4), Sex.FEMALE, 104),
    ("DEMO-009", "Rowan Adeyemi", date(1976, 6, 21), Sex.MALE, 140),
    ("DEMO-010", "Skyler Dubois", date(1986, 8, 29), Sex.FEMALE, 190),
    ("DEMO-011", "Emerson Tanaka", date(1983, 2, 11), Sex.MALE, 330),
    ("DEMO-012", "Hayden Brooks", date(1992, 10, 5), Sex.FEMALE, 60),
)
WITHDRAWN = "DEMO-012"
OVERDUE = "DEMO-006"  # its latest visit is left unrecorded, so the dashboard shows it overdue


def seed_demo_clinic(
    uow: UnitOfWorkFactory,
    clock: Clock,
    hasher: PasswordHasher,
    actor: Actor,
    seal: ScheduleSeal | None = None,
) -> list[tuple[str, str]]:
    """Load the demo clinic into an empty database; returns (username, roles) to print.

    With `seal` (the randomisation key's seal), the demo's running study too (`demo.trial`).
    """
    site = add_site(uow(), clock, actor, *DEMO_SITE)
    # The on-call physician, so that `make run` with MDMA_AT_SMTP_URL set pages for real (the
    # .example domain is reserved: point the SMTP URL at a local catcher such as aiosmtpd).
    set_on_call(uow(), clock, actor, site.code, name=DEMO_ON_CALL[0], email=DEMO_ON_CALL[1])
    for username, full_name, roles in DEMO_STAFF:
        add_user(
            uow(),
            clock,
            hasher,
            actor,
            username=username,
            full_name=full_name,
            password=DEMO_PASSWORD,
            grants=[(site.code, role) for role in roles],
        )
    with uow() as work:
        found = work.staff.by_username("c.mensah")
        assert found is not None
        coordinator = load_principal(work, found[0].id)
    today = clock.now().date()
    for study_id, name, born, sex, days in DEMO_PATIENTS:
        details = PatientDetails(
            study_id,
            name,
            born,
            sex,
            "+44 20 7946 0000",
            f"{study_id.lower()}@example.org",
            "Next of kin",
            "+44 20 7946 0001",
        )
        patient = register_patient(uow(), clock, coordinator, site.id, details)
        seed_demo_screening(
            uow, clock, patient, None if days is None else today - timedelta(days=days)
        )
        if days is not None:
            _walk_programme(
                uow,
                clock,
                coordinator,
                patient.id,
                today - timedelta(days=days),
                today,
                leave_last_open=study_id == OVERDUE,
            )
        if study_id == WITHDRAWN:
            schedule.withdraw(
                uow(),
                clock,
                coordinator,
                patient.id,
                today - timedelta(days=5),
                "moved abroad; agreed to be contacted for follow-up",
            )
    seed_demo_measures(uow, clock)
    seed_demo_sessions(uow, clock, site.id, hasher, DEMO_PASSWORD)
    seed_demo_therapy(uow, clock)
    seed_demo_worklist(uow, clock, actor, site.code)
    if seal is not None:
        seed_demo_trial(uow, clock, seal, site.id)
    return [(username, ", ".join(r.value for r in roles)) for username, _, roles in DEMO_STAFF]


def _walk_programme(
    uow: UnitOfWorkFactory,
    clock: Clock,
    coordinator: Principal,
    patient_id: int,
    enrolled_on: date,
    today: date,
    *,
    leave_last_open: bool,
) -> None:
    """Enrol, then record every visit whose planned date has passed, as held on that date."""
    _, visits = schedule.enrol(uow(), clock, coordinator, patient_id, DEFAULT_PROTOCOL, enrolled_on)
    if leave_last_open:  # stop before the last visit whose window has closed: it is overdue
        closed = [v for v in visits if v.window_end < today]
        due = [v for v in visits if v.sequence < closed[-1].sequence] if closed else []
    else:
        due = [v for v in visits if v.planned < today]
    for visit in due:
        with uow() as work:
            current = work.visits.get(visit.id)
        if current is not None and current.status is VisitStatus.PLANNED:
            schedule.record_visit(uow(), clock, coordinator, visit.id, current.planned)
