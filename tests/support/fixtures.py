"""The test-infrastructure fixtures as plain generator functions, for conftest files to wrap.

Plain functions rather than ``@pytest.fixture`` objects, so each conftest picks the scope and the
name it wants and nothing is registered twice::

    # tests/integration/conftest.py
    from support import fixtures

    @pytest.fixture(scope="session")
    def postgres_server() -> Iterator[PostgresServer]:
        yield from fixtures.postgres_server()

    @pytest.fixture
    def postgres_url(postgres_server, request) -> Iterator[str]:
        yield from fixtures.postgres_database(postgres_server, request.node.name)

    # tests/e2e/conftest.py
    @pytest.fixture(scope="session")
    def browser() -> Iterator[Browser]:
        yield from fixtures.chromium()

    @pytest.fixture
    def page(browser) -> Iterator[Page]:
        yield from fixtures.page(browser)
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterator

from playwright.sync_api import Browser, Page

from support.browser import launch_chromium
from support.postgres import PostgresServer

_database_numbers = itertools.count(1)


def postgres_server() -> Iterator[PostgresServer]:
    """Start one throwaway PostgreSQL server, yield it, and remove it afterwards.

    Skips loudly where no PostgreSQL binaries exist and fails instead under ``CI``.
    """
    with PostgresServer.start() as server:
        yield server


def postgres_database(
    server: PostgresServer, hint: str = "test", template: str = "template0"
) -> Iterator[str]:
    """Create a fresh database on the server, yield its URL, and drop it afterwards.

    Args:
        server: The running server (usually the session's).
        hint: Readable part of the name, e.g. the test's name; it is shortened and made a legal
            identifier, and a counter plus a hash keep names unique within the session.
        template: The database it starts as a copy of; empty (``template0``) by default.

    Yields:
        The SQLAlchemy URL of the new database. Dispose your engines before the test ends; the
        drop disconnects any session still open.
    """
    name = database_name(hint, next(_database_numbers))
    url = server.create_database(name, template)
    try:
        yield url
    finally:
        server.drop_database(name)


def database_name(hint: str, number: int) -> str:
    """A legal, unique PostgreSQL database name built from a readable hint.

    Args:
        hint: Any text, e.g. ``test_login[postgres]``.
        number: A counter that makes the name unique within the session.

    Returns:
        ``t<number>_<slug>_<hash>``, at most 63 characters, ``[a-z0-9_]`` only.
    """
    slug = re.sub(r"[^a-z0-9]+", "_", hint.lower()).strip("_")[:40]
    digest = hashlib.sha1(hint.encode()).hexdigest()[:6]
    return f"t{number}_{slug}_{digest}"


def chromium() -> Iterator[Browser]:
    """Launch the system Chromium headless; skip loudly (fail under CI) when it is absent."""
    with launch_chromium() as browser:
        yield browser


def page(browser: Browser) -> Iterator[Page]:
    """A fresh page in its own browser context (no cookies shared between tests)."""
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()
