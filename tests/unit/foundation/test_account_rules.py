"""Password rule, sign-in delays and the client address behind proxies (pure, ADR 0106)."""

from ipaddress import ip_network

import pytest

from mdma_at.domain.staff import password_problem
from mdma_at.services.access.auth import client_address, sign_in_delay

# A stand-in for the shipped list (adapters/data/common-passwords.txt.gz, which holds both).
COMMON = frozenset({"password", "dragon"})


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "must be at least 12 characters"),
        (" " * 12, "must not be blank (only spaces)"),
        ("\t" * 6 + " " * 6, "must not be blank (only spaces)"),
        ("a" * 12, "must not be one character repeated"),
        ("PASSWORD1234", "is on the list of commonly used passwords; choose a longer phrase"),
        ("dragon!!2026", "is on the list of commonly used passwords; choose a longer phrase"),
        ("Dr.Ada.Lovelace", "must not be the username or a variant of it"),
        ("DrAda.Lovelace99", "must not be the username or a variant of it"),
        ("ecalevol.ada.rd", "must not be the username or a variant of it"),
    ],
)
def test_refused_passwords_name_their_rule(password: str, problem: str) -> None:
    assert password_problem(password, "dr.ada.lovelace", COMMON.__contains__) == problem


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",  # spaces count: nothing is stripped
        "  leading and trailing  ",
        "passwordless sign-in is nice",  # contains a common word: no composition rules
        "ünïcödé pässphrase",
        "Dr.Ada.Lovelace-rides-again",  # contains the username, is not a variant of it
    ],
)
def test_accepted_passwords(password: str) -> None:
    assert password_problem(password, "dr.ada.lovelace", COMMON.__contains__) is None


def test_the_shipped_list_refuses_password1234() -> None:
    from mdma_at.adapters.passwords import Argon2Hasher, common_passwords

    # Django 5.2.17's common-passwords.txt.gz has 19,640 lines (counted with zcat | wc -l).
    assert len(common_passwords()) == 19_640
    hasher = Argon2Hasher()
    assert hasher.is_common("password1234") and not hasher.is_common("correct horse battery")


def test_production_hashes_use_argon2id_at_rfc_9106s_low_memory_parameters() -> None:
    # The service tests hash at a lower cost (tests/support/passwords.py); production must not.
    from mdma_at.adapters.passwords import Argon2Hasher

    hasher = Argon2Hasher()
    hashed = hasher.hash("correct horse battery")
    # RFC 9106 §4, the second recommended option: Argon2id, 64 MiB, 3 passes, 4 lanes
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert hasher.verify(hashed, "correct horse battery")
    assert not hasher.verify(hashed, "correct horse battery!")


@pytest.mark.parametrize(
    ("failures", "seconds"),
    # 5 free failures, then doubling from 1 s (ADR 0106), capped at 60 s
    [(0, 0), (4, 0), (5, 1), (6, 2), (7, 4), (10, 32), (11, 60), (500, 60)],
)
def test_sign_in_delay_doubles_after_the_free_failures_up_to_the_cap(
    failures: int, seconds: int
) -> None:
    assert sign_in_delay(failures, free=5, cap_seconds=60) == seconds


PROXIES = [ip_network("10.0.0.0/8"), ip_network("::1/128")]


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("198.51.100.7", None, "198.51.100.7"),
        # a header from an untrusted peer is ignored: anyone can write one
        ("198.51.100.7", "203.0.113.1", "198.51.100.7"),
        ("127.0.0.1", "203.0.113.1", "127.0.0.1"),  # a local peer is not trusted by default
        # from a trusted proxy: the right-most hop that is not a trusted proxy
        ("10.0.0.2", "203.0.113.1", "203.0.113.1"),
        ("10.0.0.2", "192.0.2.66, 203.0.113.1, 10.0.0.3", "203.0.113.1"),
        ("::1", "2001:db8::5", "2001:db8::5"),
        ("10.0.0.2", "10.0.0.3", "10.0.0.3"),  # only proxies: the left-most one
        ("10.0.0.2", "", "10.0.0.2"),
        (None, "203.0.113.1", "unknown"),
    ],
)
def test_the_client_address_believes_forwarded_for_only_from_trusted_proxies(
    peer: str | None, forwarded: str | None, client: str
) -> None:
    assert client_address(peer, forwarded, PROXIES) == client
