"""Building the container for a command: settings from the environment, read once."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import typer

from mdma_at.services.audit import Actor, operator

if TYPE_CHECKING:
    from mdma_at.bootstrap import Container
    from mdma_at.domain.staff import Principal

T = TypeVar("T")


_built: list[Container] = []


def container() -> Container:
    # Imported here, not at the top: the pure commands (screen, score, session replay) must not
    # pay for SQLAlchemy, Alembic and FastAPI at start-up.
    from pydantic import ValidationError

    from mdma_at.bootstrap import bootstrap
    from mdma_at.config import get_settings
    from mdma_at.entrypoints.cli.output import bad_input

    try:
        settings = get_settings()
    except ValidationError as error:  # a setting that does not parse: one line, exit 2
        first = error.errors()[0]
        name = "MDMA_AT_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        bad_input(name, str(first["msg"]).removeprefix("Value error, "))
    built = bootstrap(settings)
    _built.append(built)
    return built


def close_containers() -> None:
    """Close the database pools the command opened. The root command calls it when a command
    ends, not only when the process does: a command run in-process (the test runner) must leave
    no connection or file handle behind."""
    while _built:
        _built.pop().engine.dispose()


def cli_actor() -> Actor:
    """Commands run by someone with a shell on the server are attributed to their OS login."""
    return operator(getpass.getuser())


def password(variable: str, prompt: str) -> str:
    """A password from the environment (scripts) or a hidden prompt (a person at the shell)."""
    return os.environ.get(variable) or typer.prompt(prompt, hide_input=True)


def signed_in(username: str) -> tuple[Container, Principal]:
    """The container and the staff member a command acts as: `--as USER` with their password
    (MDMA_AT_PASSWORD or a prompt), checked like a sign-in; a wrong one is exit 2 on `as`."""
    from mdma_at.domain.errors import AuthenticationFailed
    from mdma_at.entrypoints.cli.output import bad_input
    from mdma_at.services.access.auth import check_second_person

    ctx = container()
    try:
        principal = check_second_person(
            ctx.uow(), ctx.clock, ctx.hasher, username,
            password("MDMA_AT_PASSWORD", "Password"), "cli", ctx.auth_policy,
        )  # fmt: skip
    except AuthenticationFailed as failed:
        bad_input("as", str(failed))
    return ctx, principal


def run_service(call: Callable[[], T]) -> T:
    """Run a use case: bad input, a missing record or a denial is exit 2 with one line."""
    from mdma_at.domain.errors import NotFound, PermissionDenied
    from mdma_at.entrypoints.cli.output import bad_input, bad_input_exits

    with bad_input_exits():
        try:
            return call()
        except PermissionDenied as denied:
            bad_input("as", str(denied))
        except NotFound as missing:
            bad_input("id", str(missing))
