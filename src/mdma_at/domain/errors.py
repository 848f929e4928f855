"""The one exception tree of mdma-at.

Decisions are values (a refused dose is a `DoseDecision`, not an exception). Exceptions mean bad
input, a missing thing, a denied permission or a broken invariant; each entrypoint maps them to its
own surface in one table (HTTP problem details, CLI exit codes).
"""

from __future__ import annotations


class MdmaAtError(Exception):
    """Base of every error that mdma-at raises on purpose."""


class InvalidInput(MdmaAtError):
    """Input that can never be valid, whatever the clinical rules say: nothing is stored.

    `field` names the offending input (dotted path for nested input, e.g. ``vitals.systolic``).
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidInputs(InvalidInput):
    """Several fields of one form wrong at once: every problem, so a form can mark them all
    (issue 13, item 6). `field` and `reason` are the first, so whatever handles one
    `InvalidInput` still works; the message names them all."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        first_field, first_reason = problems[0]
        super().__init__(first_field, first_reason)
        self.problems = tuple(problems)
        self.args = ("; ".join(f"{f}: {r}" for f, r in problems),)

    @staticmethod
    def raise_all(problems: list[tuple[str, str]]) -> None:
        """Raise one `InvalidInput` for one problem, `InvalidInputs` for more; nothing for none."""
        if len(problems) == 1:
            raise InvalidInput(*problems[0])
        if problems:
            raise InvalidInputs(problems)


class NotFound(MdmaAtError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class Conflict(MdmaAtError):
    """The request collides with what is stored (a duplicate study ID, a closed record)."""


class DuplicateKey(Conflict):
    """A stored row already holds this unique key. The use cases look first and refuse with a
    clearer message; this is what a writer that lost a race to another one gets (ADR 0006)."""

    def __init__(self, table: str) -> None:
        super().__init__(f"{table}: a row with the same unique key is already stored")
        self.table = table


class UnknownProtocol(InvalidInput):
    """A protocol name that no definition in `mdma_at.protocols` carries."""

    def __init__(self, name: str) -> None:
        super().__init__("protocol", f"unknown protocol {name!r}")


class AuthenticationFailed(MdmaAtError):
    """Credentials or session not accepted. The message never says which part was wrong."""


class PermissionDenied(MdmaAtError):
    """The caller's roles at the patient's site do not allow this action.

    `needs` names the roles that would (for the 403 page: who to ask); empty when the refusal is
    not about roles (a stale form token).
    """

    def __init__(self, message: str, needs: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.needs = needs


class RateLimited(AuthenticationFailed):
    """Too many failed logins for an account or an address in the rate-limit window."""


class IntegrityError(MdmaAtError):
    """A broken invariant in stored data (e.g. a tampered audit chain)."""
