"""Building the container for a command: settings from the environment, read once."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

from mdma_at.services.audit import Actor, operator

if TYPE_CHECKING:
    from mdma_at.bootstrap import Container


def container() -> Container:
    # Imported here, not at the top: the pure commands (screen, score, session replay) must not
    # pay for SQLAlchemy, Alembic and FastAPI at start-up.
    from mdma_at.bootstrap import bootstrap
    from mdma_at.config import get_settings

    return bootstrap(get_settings())


def cli_actor() -> Actor:
    """Commands run by someone with a shell on the server are attributed to their OS login."""
    return operator(getpass.getuser())
