"""Building the container for a command: settings from the environment, read once."""

from __future__ import annotations

import getpass

from mdma_at.bootstrap import Container, bootstrap
from mdma_at.config import get_settings
from mdma_at.services.audit import Actor, operator


def container() -> Container:
    return bootstrap(get_settings())


def cli_actor() -> Actor:
    """Commands run by someone with a shell on the server are attributed to their OS login."""
    return operator(getpass.getuser())
