"""A small two-site clinic built through the real services, for integration and e2e tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mdma_at.bootstrap import Container
from mdma_at.domain.patients import Patient, PatientDetails
from mdma_at.domain.staff import Principal, Role, Site
from mdma_at.domain.vocabulary import Sex
from mdma_at.services.access.auth import load_principal
from mdma_at.services.access.staff import add_site, add_user
from mdma_at.services.audit import Actor
from mdma_at.services.patients.registry import register_patient

PASSWORD = "correct horse battery"
OPERATOR = Actor(None, "cli:test", "operator")


@dataclass
class Clinic:
    site_a: Site
    site_b: Site
    coordinator_a: Principal
    therapist_a: Principal
    therapist_b: Principal
    physician_a: Principal
    admin: Principal


def build_clinic(ctx: Container) -> Clinic:
    site_a = add_site(ctx.uow(), ctx.clock, OPERATOR, "SITE-A", "Harbour Clinic")
    site_b = add_site(ctx.uow(), ctx.clock, OPERATOR, "SITE-B", "Hillside Clinic")
    people = {
        "c.a": [("SITE-A", Role.COORDINATOR)],
        "t.a": [("SITE-A", Role.THERAPIST)],
        "t.b": [("SITE-B", Role.THERAPIST)],
        "dr.a": [("SITE-A", Role.PHYSICIAN)],
        "admin": [("SITE-A", Role.ADMIN), ("SITE-B", Role.ADMIN)],
    }
    principals = {}
    for username, grants in people.items():
        member = add_user(
            ctx.uow(),
            ctx.clock,
            ctx.hasher,
            OPERATOR,
            username=username,
            full_name=username.upper(),
            password=PASSWORD,
            grants=grants,
        )
        with ctx.uow() as uow:
            principals[username] = load_principal(uow, member.id)
    return Clinic(
        site_a,
        site_b,
        principals["c.a"],
        principals["t.a"],
        principals["t.b"],
        principals["dr.a"],
        principals["admin"],
    )


def register(
    ctx: Container, clinic: Clinic, study_id: str = "HC-0001", site: Site | None = None
) -> Patient:
    details = PatientDetails(
        study_id,
        "Jordan Reyes",
        date(1984, 3, 12),
        Sex.FEMALE,
        "+44 20 7946 0000",
        "jr@example.org",
        "Sam Reyes",
        "+44 20 7946 0001",
    )
    site = site or clinic.site_a
    principal = clinic.coordinator_a if site == clinic.site_a else clinic.admin
    return register_patient(ctx.uow(), ctx.clock, principal, site.id, details)
