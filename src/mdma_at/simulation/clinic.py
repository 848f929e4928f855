"""The simulated trial's clinic: sites, staff with roles, consent forms, the two-arm study with
its sealed schedule, and the kits in each site's register. All through the use cases, as an
administrator, a statistician and the pharmacists would do it at the trial's start.

Central blinded raters hold the rater role at every site (MAPP2: a central pool of blinded
independent assessors [S3]); each site has its own coordinator, physician, therapist dyad and
pharmacist. Usernames carry the site code; the central accounts' names and everyone's password
are an `Accounts` (the standalone demo's, or those beside the demo clinic: `BESIDE_DEMO_CLINIC`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from mdma_at.demo import register
from mdma_at.demo.clinic import DEMO_PASSWORD
from mdma_at.domain.accountability import Contents, Form, Unit
from mdma_at.domain.staff import Principal, Role
from mdma_at.services.access.auth import load_principal
from mdma_at.services.access.staff import add_site, add_user
from mdma_at.services.audit import Actor
from mdma_at.services.patients import consent
from mdma_at.services.ports import Clock, PasswordHasher, ScheduleSeal, UnitOfWorkFactory
from mdma_at.services.register import ledger
from mdma_at.services.trials import studies

STUDY_CODE = "SIM-MAPP"
STUDY_TITLE = "MDMA-assisted therapy against placebo with therapy (simulated trial)"
#: Everyone's password in the simulated clinic: the file is a demonstration, never real data.
PASSWORD = "simulated-trial-2026"
SITE_NAMES = ("Harbour Clinic", "Northfield Centre", "Riverside Practice", "Westgate Unit")
RATERS = ("rater.1", "rater.2")
STATISTICIAN = "stat"
ADMIN = "admin"
CONSENT_TITLE = "Consent to take part in the simulated MDMA-AT trial"
CONSENT_TEXT = (
    "A simulated trial: three preparation sessions, three eight-hour dosing sessions with MDMA "
    "or placebo under two therapists and a physician, integration sessions, questionnaires and "
    "blinded interviews. You may stop at any time without giving a reason."
)
#: Capsules a participant can take from a kit: 80 + 40 mg, then 120 + 60 mg twice, in the demo
#: register's 20 mg capsules (the protocol's largest doses; protocols/mapp_v1/dosing.py), and
#: each session's spare. Without the spares a site whose participants all drew one arm ran its
#: kit dry (`demo --participants 4` stopped at the fourth session's dispensing).
CAPSULES_PER_PARTICIPANT = 6 + 9 + 9 + 3 * register.SPARE_CAPSULES
#: A lot's shelf life from its receipt (simulation default: no shelf life of the MAPP capsules
#: was found).
SHELF_LIFE = timedelta(days=3 * 365)
#: Each site is shipped an active and a placebo kit every year, for the candidates who arrive
#: that year (simulation default). Their last dosing session comes under five months after their
#: arrival (a week to enrolment, at most 135 days to es3), well inside the lot's shelf life; one
#: kit for a trial of many years would expire in it, and the register rightly refuses to
#: dispense an expired lot.
SUPPLY_PERIOD = timedelta(days=365)


def shipment(opened: date, arrives: date) -> int:
    """Which of a site's yearly shipments (0 the first, received when the trial opens) holds the
    kits for a candidate who arrives on `arrives`."""
    return (arrives - opened).days // SUPPLY_PERIOD.days


@dataclass(frozen=True, slots=True)
class Accounts:
    """The central accounts' usernames and the one password of every simulated account (the
    per-site staff are named by role and site code, `coord.sim1`, which nothing else uses)."""

    admin: str
    statistician: str
    raters: tuple[str, ...]
    password: str


#: `mdma-at demo`'s own database, where the simulated clinic is alone.
STANDALONE = Accounts(ADMIN, STATISTICIAN, RATERS, PASSWORD)
#: Beside the demo clinic (`db seed-demo --trial`, ADR 0219): its `admin` is taken, so the central
#: accounts carry `sim.`, and they sign in with the demo clinic's password, as its staff do.
BESIDE_DEMO_CLINIC = Accounts(
    f"sim.{ADMIN}", f"sim.{STATISTICIAN}", tuple(f"sim.{r}" for r in RATERS), DEMO_PASSWORD
)


class SharedHash:
    """A hasher that hashes the simulated clinic's one password once and gives every account
    that hash (with its salt): an Argon2 hash is made slow on purpose, and twenty accounts
    sharing one demonstration password would otherwise cost seconds. Verification is the
    wrapped hasher's own."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self._hasher = hasher
        self._made: dict[str, str] = {}

    @property
    def dummy_hash(self) -> str:
        return self._hasher.dummy_hash

    def hash(self, password: str) -> str:
        if password not in self._made:
            self._made[password] = self._hasher.hash(password)
        return self._made[password]

    def verify(self, hashed: str, password: str) -> bool:
        return self._hasher.verify(hashed, password)

    def __getattr__(self, name: str) -> Any:  # the rest of the hasher's interface, as it is
        return getattr(self._hasher, name)


@dataclass(frozen=True, slots=True)
class SiteTeam:
    """One site and the people who work there."""

    site_id: int
    code: str
    coordinator: Principal
    physician: Principal
    lead: Principal
    partner: Principal
    pharmacist: Principal


@dataclass(frozen=True, slots=True)
class TrialClinic:
    """The study, its sites and central staff; `kits` the container ids of each site's active
    and placebo kit by (site id, shipment), filled in as shipments arrive; `shelf` is what each
    kit physically holds (the capsules the simulated pharmacists handle), counted against the
    books at the end."""

    study_id: int
    sites: tuple[SiteTeam, ...]
    raters: tuple[Principal, ...]
    statistician: Principal
    admin: Principal
    opened: date
    kits: dict[tuple[int, int], dict[Contents, int]]
    shelf: dict[int, int]

    def kits_for(self, site_id: int, arrives: date) -> dict[Contents, int]:
        """The kits a candidate of the site who arrives on `arrives` is dosed from."""
        return self.kits[(site_id, shipment(self.opened, arrives))]


def schedule_seed(seed: int) -> str:
    """The study's randomisation seed, derived from the run's `--seed` (32 hex digits); a
    simulated trial's allocation is reproducible, never secret."""
    return hashlib.sha256(f"mdma-at simulated trial {seed}".encode()).hexdigest()[:32]


def open_trial(
    uow: UnitOfWorkFactory,
    clock: Clock,
    hasher: PasswordHasher,
    seal: ScheduleSeal,
    actor: Actor,
    *,
    sites: int,
    seed: int,
    target: int,
    first_shipment: list[int],
    start: date,
    accounts: Accounts = STANDALONE,
) -> TrialClinic:
    """Set the trial up on `start` (the clock must read that day); each site receives its first
    shipment, kits of `first_shipment[n]` capsules at site n (`receive_shipment`)."""
    hasher = SharedHash(hasher)
    password = accounts.password
    codes = [f"SIM{n + 1}" for n in range(sites)]
    site_ids = []
    for n, code in enumerate(codes):
        name = SITE_NAMES[n] if n < len(SITE_NAMES) else f"Site {n + 1}"
        site_ids.append(add_site(uow(), clock, actor, code, f"{name} (simulated)").id)
    everywhere = [(code, Role.ADMIN) for code in codes]
    _user(uow, clock, hasher, actor, password, accounts.admin, "Avery Admin", everywhere)
    _user(uow, clock, hasher, actor, password, accounts.statistician, "Kai Statistician",
          [(c, Role.STATISTICIAN) for c in codes])  # fmt: skip
    for n, username in enumerate(accounts.raters):
        _user(uow, clock, hasher, actor, password, username, f"Central Rater {n + 1}",
              [(c, Role.RATER) for c in codes])  # fmt: skip
    staff = (
        ("coord", "Coordinator", Role.COORDINATOR),
        ("dr", "Physician", Role.PHYSICIAN),
        ("t1", "Lead Therapist", Role.THERAPIST),
        ("t2", "Co-therapist", Role.THERAPIST),
        ("pharm", "Pharmacist", Role.PHARMACIST),
    )
    for code in codes:
        for prefix, title, role in staff:
            _user(uow, clock, hasher, actor, password, f"{prefix}.{code.lower()}",
                  f"{title} {code}", [(code, role)])  # fmt: skip
    admin = principal(uow, accounts.admin)
    for site_id in site_ids:
        consent.publish_consent_document(
            uow(), clock, admin, site_id, title=CONSENT_TITLE, version=1,
            effective_on=start, text=CONSENT_TEXT, reference="SIM-ICF v1.0",
        )  # fmt: skip
    study = studies.create_study(
        uow(), clock, admin, code=STUDY_CODE, title=STUDY_TITLE, site_ids=site_ids,
        designated_physician=f"dr.{codes[0].lower()}", target_size=target,
    )  # fmt: skip
    statistician = principal(uow, accounts.statistician)
    studies.seal_schedule(uow(), clock, seal, statistician, study.id, schedule_seed(seed))
    teams = []
    for code, site_id in zip(codes, site_ids, strict=True):
        pharmacist, coordinator, physician, lead, partner = (
            principal(uow, f"{p}.{code.lower()}") for p in ("pharm", "coord", "dr", "t1", "t2")
        )
        teams.append(SiteTeam(site_id, code, coordinator, physician, lead, partner, pharmacist))
    clinic = TrialClinic(
        study.id,
        tuple(teams),
        tuple(principal(uow, r) for r in accounts.raters),
        statistician,
        admin,
        start,
        {},
        {},
    )
    for team, capsules in zip(teams, first_shipment, strict=True):
        receive_shipment(uow, clock, clinic, team, 0, capsules)
    return clinic


def receive_shipment(
    uow: UnitOfWorkFactory,
    clock: Clock,
    clinic: TrialClinic,
    team: SiteTeam,
    number: int,
    capsules: int,
) -> None:
    """The site's pharmacist books in shipment `number` on the clock's day: an active and a
    placebo bulk kit of a fresh lot, each able to supply every participant of that shipment
    (the arm is not known when the kits are sized)."""
    kits = {}
    lots = {Contents.ACTIVE: ("A", "20 mg MDMA HCl"), Contents.PLACEBO: ("P", "placebo")}
    for contents, (letter, strength) in lots.items():
        receipt = ledger.Receipt(
            f"{team.code}-K{number + 1}-{letter}", "Lipomed AG (simulated)",
            f"L-{team.code}-{number + 1}-{letter}",
            clock.now().date() + SHELF_LIFE, Form.CAPSULE, strength, contents,
            "Pharmacy safe", max(1, capsules), Unit.DOSAGE_UNIT,
        )  # fmt: skip
        container, _ = ledger.receive(
            uow(), clock, team.pharmacist, team.site_id, receipt, at=clock.now()
        )
        kits[contents] = container.id
        clinic.shelf[container.id] = max(1, capsules)
    clinic.kits[(team.site_id, number)] = kits
    assert register.CAPSULE_MG == 20, "CAPSULES_PER_PARTICIPANT counts 20 mg capsules"


def count_kits(uow: UnitOfWorkFactory, clock: Clock, clinic: TrialClinic) -> None:
    """At the trial's end each site's pharmacist counts every kit: what is on the shelf, which
    the books must match (a difference would open a discrepancy)."""
    pharmacists = {team.site_id: team.pharmacist for team in clinic.sites}
    for (site_id, _), kits in clinic.kits.items():
        for container_id in kits.values():
            ledger.count(uow(), clock, pharmacists[site_id], container_id,
                         counted=clinic.shelf[container_id])  # fmt: skip


def _user(
    uow: UnitOfWorkFactory,
    clock: Clock,
    hasher: PasswordHasher,
    actor: Actor,
    password: str,
    username: str,
    full_name: str,
    grants: list[tuple[str, Role]],
) -> None:
    add_user(uow(), clock, hasher, actor, username=username, full_name=full_name,
             password=password, grants=grants)  # fmt: skip


def principal(uow: UnitOfWorkFactory, username: str) -> Principal:
    with uow() as work:
        found = work.staff.by_username(username)
        assert found is not None, username
        return load_principal(work, found[0].id)
