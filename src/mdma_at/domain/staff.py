"""Sites, staff and the roles they hold at each site."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    """A clinic. Its time zone (IANA name) is how its pages show times and read typed ones; its
    on-call physician is who is paged, every `repage_minutes` until a critical alert is
    acknowledged (issue 13)."""

    id: int
    code: str
    name: str
    timezone: str = "UTC"
    on_call_name: str | None = None
    on_call_email: str | None = None
    repage_minutes: int = 5


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


# --- passwords (NIST SP 800-63B §5.1.1.2; ADR 0106) ---

MIN_PASSWORD_LENGTH = 12  # NIST SP 800-63B allows 8; 12 is the site default for clinical data
_SEPARATORS = str.maketrans("", "", "._-")


def password_problem(password: str, username: str, is_common: Callable[[str], bool]) -> str | None:
    """Why `password` is refused for `username`, or None. No composition rules (NIST 800-63B).

    Every character counts as typed (nothing is stripped), but a password of whitespace only or
    of one repeated character is effectively blank. Refused too: a password on the common list
    (`is_common` takes lower-case text), also with digits or symbols appended ("password1234"),
    and the username or its obvious variants (any case, digits appended, reversed, without its
    dots, dashes and underscores).
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    if not password.strip():
        return "must not be blank (only spaces)"
    if len(set(password)) == 1:
        return "must not be one character repeated"
    lowered = password.lower()
    stem = lowered.rstrip("0123456789!?.,;:-_#*@$%&+=~ ")
    if is_common(lowered) or (stem and is_common(stem)):
        return "is on the list of commonly used passwords; choose a longer phrase"
    name = username.lower()
    variants = {name, name.translate(_SEPARATORS)}
    variants |= {variant[::-1] for variant in variants}
    forms = {lowered, stem, lowered.translate(_SEPARATORS), stem.translate(_SEPARATORS)}
    if forms & variants:
        return "must not be the username or a variant of it"
    return None
