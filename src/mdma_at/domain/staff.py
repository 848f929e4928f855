"""Sites, staff and the roles they hold at each site."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    PHYSICIAN = "physician"
    THERAPIST = "therapist"
    PHARMACIST = "pharmacist"
    COORDINATOR = "coordinator"
    RATER = "rater"
    STATISTICIAN = "statistician"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Site:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: int
    username: str
    full_name: str
    active: bool


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: a staff member and the roles they hold, per site."""

    user_id: int
    username: str
    full_name: str
    roles_by_site: Mapping[int, frozenset[Role]] = field(default_factory=dict)

    def roles_at(self, site_id: int) -> frozenset[Role]:
        return self.roles_by_site.get(site_id, frozenset())

    @property
    def site_ids(self) -> frozenset[int]:
        return frozenset(site for site, roles in self.roles_by_site.items() if roles)

    @property
    def all_roles(self) -> frozenset[Role]:
        return frozenset(role for roles in self.roles_by_site.values() for role in roles)
