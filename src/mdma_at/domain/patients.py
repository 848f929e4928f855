"""Patients: the pseudonymous study record and its validation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from mdma_at.domain.errors import InvalidInputs
from mdma_at.domain.plausibility import AGE_YEARS
from mdma_at.domain.vocabulary import Sex

STUDY_ID_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")
OLDEST_PLAUSIBLE_AGE_YEARS = AGE_YEARS[1]


@dataclass(frozen=True, slots=True)
class PatientDetails:
    """What staff enter when registering a patient. The study ID is the pseudonym in exports."""

    study_id: str
    name: str
    date_of_birth: date
    sex: Sex
    phone: str = ""
    email: str = ""
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""


@dataclass(frozen=True, slots=True)
class Patient:
    id: int
    site_id: int
    details: PatientDetails

    @property
    def study_id(self) -> str:
        return self.details.study_id


#: The longest text of each field: the columns' sizes (adapters/db/tables.py), checked here so
#: that SQLite, which does not enforce them, and PostgreSQL, which does, refuse the same input.
MAX_LENGTHS: dict[str, int] = {
    "study_id": 32,
    "name": 200,
    "phone": 64,
    "email": 200,
    "emergency_contact_name": 200,
    "emergency_contact_phone": 64,
}


def validate_patient_details(details: PatientDetails, today: date) -> None:
    """Refuse details that can never be right, naming the field.

    Raises:
        InvalidInput: study ID not 3–32 capitals, digits or dashes; a text over its length in
            `MAX_LENGTHS`; empty name; a date of birth in the future or more than 120 years ago;
            an email without '@'. `InvalidInputs` naming them all when there are several.
    """
    problems: list[tuple[str, str]] = []
    if not STUDY_ID_PATTERN.fullmatch(details.study_id):
        problems.append(
            (
                "study_id",
                f"{details.study_id!r} must be 3–32 capital letters, digits or dashes, "
                "starting with a letter or digit",
            )
        )
    for field, longest in MAX_LENGTHS.items():
        length = len(getattr(details, field))
        if length > longest:
            problems.append((field, f"{length} characters is over the limit of {longest}"))
    if not details.name.strip():
        problems.append(("name", "must not be empty"))
    if details.date_of_birth > today:
        problems.append(("date_of_birth", f"{details.date_of_birth} is in the future"))
    elif age_on(details.date_of_birth, today) > OLDEST_PLAUSIBLE_AGE_YEARS:
        problems.append(
            (
                "date_of_birth",
                f"{details.date_of_birth} gives an age above {OLDEST_PLAUSIBLE_AGE_YEARS} years",
            )
        )
    if details.email and "@" not in details.email:
        problems.append(("email", f"{details.email!r} is not an email address"))
    # Every problem at once, so the form can mark them all (issue 13, item 6).
    InvalidInputs.raise_all(problems)


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years on `day`."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday
