"""Building the container for a command: settings from the environment, read once."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

from mdma_at.services.audit import Actor, operator

if TYPE_CHECKING:
    from mdma_at.bootstrap import Container


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
