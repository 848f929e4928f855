"""The register's invariants over random programs, against SQLite and PostgreSQL (issue 15,
item 3): every op is decided twice, by the in-memory books and by the books folded from the
database under the register's lock, and stored when accepted. The two must agree op by op, and
the books folded back from the database must keep every invariant and equal the model's."""

from __future__ import annotations

from dataclasses import replace
from itertools import count

from hypothesis import HealthCheck, Phase, given, settings

from mdma_at.bootstrap import Container
from mdma_at.domain.accountability import Books, Movement
from mdma_at.domain.errors import InvalidInput
from mdma_at.services.patients import schedule
from mdma_at.services.register.ledger import load_books
from support.clinic import Clinic, register
from support.register_programs import (
    CONTAINERS,
    SITE_A,
    Op,
    assert_invariants,
    close_day,
    dated,
    movement_for,
    programs,
)

_examples = count(1)


class Stored:
    """One example's rows in the shared database: its own sites, kits, sessions and entries."""

    def __init__(self, ctx: Container, clinic: Clinic) -> None:
        n = next(_examples)
        self.ctx = ctx
        with ctx.uow() as uow:
            sites = {SITE_A: uow.sites.add(f"P{n}A", "A").id, 2: uow.sites.add(f"P{n}B", "B").id}
            self.containers = {
                c.id: uow.register.add_container(
                    replace(c, site_id=sites[c.site_id]), clinic.admin.user_id, ctx.clock.now()
                ).id
                for c in CONTAINERS
            }
            uow.commit()
        self.sites = sites
        patient = register(ctx, clinic, study_id=f"HC-{n:04d}")
        _, visits = schedule.enrol(
            ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1",
            ctx.clock.now().date(),
        )  # fmt: skip
        with ctx.uow() as uow:
            self.sessions = {
                number: uow.dosing_sessions.add(
                    patient.id, visit.id, "mapp_v1", number, ctx.clock.now(), None, False, 61.0
                ).id
                for number, visit in enumerate((v for v in visits if v.dosing_number), start=1)
            }
            uow.commit()
        self.movements: dict[int, int] = {}
        self.user = clinic.admin.user_id
        self.witness = clinic.physician_a.user_id

    def translate(self, m: Movement) -> Movement:
        ids = self.movements
        return replace(
            m,
            container_id=self.containers[m.container_id],
            recorded_by=self.user,
            witness_id=None if m.witness_id is None else
            (self.user if m.witness_id == m.recorded_by else self.witness),
            signed_off_by=None if m.signed_off_by is None else self.user,
            session_id=None if m.session_id is None else self.sessions[m.session_id],
            dispensing_id=None if m.dispensing_id is None else ids[m.dispensing_id],
            linked_id=None if m.linked_id is None else ids.get(m.linked_id, -1),
            to_site_id=None if m.to_site_id is None else self.sites[m.to_site_id],
        )  # fmt: skip

    def apply(self, op: Op, movement: Movement | None, at_day: object) -> bool:
        """Decide and store on the database; True when accepted."""
        with self.ctx.uow() as uow:
            uow.register.lock_sites(list(self.sites.values()))
            books = load_books(uow)
            try:
                if op.name == "close_session":
                    books.close_session(self.sessions[op.session])
                    uow.register.close_session(
                        self.sessions[op.session], self.user, self.ctx.clock.now()
                    )
                elif op.name == "close_period":
                    site = self.sites[SITE_A]
                    books.close_period(site, at_day)  # type: ignore[arg-type]
                    uow.register.close_period(site, at_day, self.user, self.ctx.clock.now())  # type: ignore[arg-type]
                else:
                    assert movement is not None
                    mine = self.translate(movement)
                    books.apply(replace(mine, id=max(books.movements, default=0) + 1))
                    stored = uow.register.add_movement(mine, self.ctx.clock.now())
                    self.movements[movement.id] = stored.id
            except InvalidInput:
                return False
            uow.commit()
        return True


@settings(
    max_examples=12,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: each example is slow
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(programs)
def test_the_stored_register_keeps_the_invariants(
    ctx: Container, clinic: Clinic, program: list[Op]
) -> None:
    stored = Stored(ctx, clinic)
    model = Books()
    for container in CONTAINERS:
        model = model.add_container(container)
    next_id = 1
    for op, at in dated(program):
        movement = None
        try:
            if op.name == "close_session":
                model = model.close_session(op.session)
            elif op.name == "close_period":
                model = model.close_period(SITE_A, close_day(at))
            else:
                movement = movement_for(model, op, next_id, at)
                assert movement is not None
                model = model.apply(movement)
                next_id += 1
            accepted = True
        except InvalidInput:
            accepted = False
        assert stored.apply(op, movement, close_day(at)) == accepted, op
    with ctx.uow() as uow:
        books = load_books(uow)
    assert_invariants(books)
    for local, real in stored.containers.items():
        assert books.balance(real) == model.balance(local)
