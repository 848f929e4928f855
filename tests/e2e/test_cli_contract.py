"""The command-line contract under hostile input, every command as a real subprocess.

DESIGN.md §5: exit 0 when the command answered, 1 only when the check it exists to make failed,
2 on bad input with one line ``error: FIELD: reason`` on stderr and nothing on stdout. Whatever is
fed in (binary, empty, huge, nested 100 000 deep, non-finite or oversized numbers, not UTF-8,
digits of other scripts, broken settings, a database that is not there), no run may end in a
traceback or in the guard's ``error: internal:`` line, which would mean a defect of mdma-at.

Bounded on purpose: one case per kind of input and command, not a random search; the unit tiers
test the parsers' rules one by one.

Where the process is the point, a case runs the real entry point (`python -m mdma_at`, a
subprocess): bytes on stdin; arguments that are not ASCII (the interpreter decodes them from the
bytes the shell hands over) and an argument near Linux's 128 kB limit; JSON nested 100 000 deep
(the real interpreter's stack, not pytest's) and a refusal whose line is not ASCII (the real
stderr's encoding); settings read from the environment (`serve`, and a malformed database URL);
and `serve` itself, which must refuse before it starts (in-process, a regression would start a
server inside the test). Every other case runs in-process (`run_in_process`,
`support.cli.mdma_at_in_process`): the same root command and the same exit-code guard
(`exit_code_of`, ADR 0066) with the same settings, where what is checked is the command's reader
and refusal, not the process; an exception escaping the guard fails the test there as a
traceback would here. A subprocess costs 1–2 s of interpreter start-up (`analyze` 3–6 s:
pandas and scipy), so 14 cases run through the shell and 27 in-process.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from mdma_at.entrypoints.cli.output import MAX_INPUT_BYTES
from support.cli import mdma_at_in_process
from support.postgres import free_port
from support.server import app_env

#: The environment of the commands that need no database: none of the developer's settings.
PURE = {key: value for key, value in os.environ.items() if not key.startswith("MDMA_AT_")}
ONE_ERROR_LINE = re.compile(r"error: [^:\s]+: \S.*")

#: Documents no JSON-reading command can use, and what the one line of the refusal says.
HOSTILE_JSON: dict[str, tuple[bytes, str]] = {
    "binary": (bytes(range(256)) * 8, "is not UTF-8 text"),
    "empty": (b"", "malformed JSON at line 1 column 1"),
    "not_utf8": ('{"protocol": "mapp_v1", "name": "José"}'.encode("latin-1"), "is not UTF-8"),
    "nested_100000_deep": (b"[" * 100_000 + b"]" * 100_000, "too deeply"),
    # named by the field, as the command's parser names it (the first in document order)
    "nan": (b'{"age": NaN, "weight_kg": NaN}', "age: nan is not a finite number"),
    "overflowing_float": (b'{"age": 1e999, "weight_kg": 1e999}', "age: inf is not a finite number"),
    "integer_of_5000_digits": (b'{"age": ' + b"9" * 5000 + b"}", "is beyond ±(2^53 − 1)"),
    "a_list_not_an_object": (b"[1, 2, 3]", "must be"),
}


#: The hostile documents fed through the real entry point (module docstring): the depth meets the
#: real interpreter's stack, and the refusal of the long integer is a line that is not ASCII.
THROUGH_THE_SHELL = {"nested_100000_deep", "integer_of_5000_digits"}


def run(
    *args: str, env: Mapping[str, str] | None = None, stdin: bytes = b""
) -> subprocess.CompletedProcess[str]:
    """The real entry point, as the shell runs it, fed `stdin` as bytes."""
    done = subprocess.run(
        [sys.executable, "-m", "mdma_at", *args],
        env=env if env is not None else PURE,
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )
    return subprocess.CompletedProcess(
        done.args,
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def run_in_process(
    *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The same command in-process, through the same root command and guard (module docstring)."""
    return mdma_at_in_process(*args, env=env if env is not None else PURE)


def assert_refused(done: subprocess.CompletedProcess[str], field: str | None = None) -> str:
    """Exit 2, one ``error: FIELD: reason`` line on stderr, nothing on stdout; returns the line."""
    assert "Traceback" not in done.stderr, done.stderr
    assert "error: internal" not in done.stderr, done.stderr
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and ONE_ERROR_LINE.fullmatch(lines[0]), done.stderr
    assert done.stdout == ""
    if field is not None:
        assert lines[0].startswith(f"error: {field}: "), lines[0]
    return lines[0]


# --- the JSON readers: screen and session replay ------------------------------------------------


@pytest.mark.parametrize(("command", "field"), [("screen", "intake"), ("session", "timeline")])
@pytest.mark.parametrize("kind", list(HOSTILE_JSON))
def test_a_hostile_json_file_is_refused_in_one_line_naming_the_input(
    tmp_path: Path, command: str, field: str, kind: str
) -> None:
    content, says = HOSTILE_JSON[kind]
    path = tmp_path / f"{kind}.json"
    path.write_bytes(content)
    args = ["screen", str(path)] if command == "screen" else ["session", "replay", str(path)]
    line = assert_refused((run if kind in THROUGH_THE_SHELL else run_in_process)(*args, "--json"))
    assert says in line
    if kind in ("nan", "overflowing_float"):  # named by the field the number sits in
        assert line.startswith("error: age: ")
    elif kind != "a_list_not_an_object":  # refused while reading: the line names the input
        assert line.startswith(f"error: {field}: ")


@pytest.mark.parametrize("command", [["screen"], ["session", "replay"]])
def test_a_file_over_the_size_cap_is_refused_before_it_is_read(
    tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)  # sparse: costs no disk
    assert "larger than" in assert_refused(run_in_process(*command, str(path), "--json"))


@pytest.mark.parametrize("command", [["screen"], ["session", "replay"]])
def test_a_directory_is_refused_as_unreadable(tmp_path: Path, command: list[str]) -> None:
    assert "cannot read" in assert_refused(run_in_process(*command, str(tmp_path), "--json"))


def test_binary_on_stdin_is_refused_naming_stdin() -> None:
    line = assert_refused(run("screen", "-", "--json", stdin=bytes(range(256))), "intake")
    assert "stdin is not UTF-8" in line


# --- score: item values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "first_item",
    [
        "١",  # ARABIC-INDIC DIGIT ONE: int() takes it
        "１",  # FULLWIDTH DIGIT ONE: int() takes it
        "+1",
        "0001",
        "1e0",
        os.fsdecode(b"\xff"),  # a byte that is not UTF-8, as the shell hands it over
        "9" * 5000,  # longer than int() converts
    ],
)
def test_score_refuses_an_item_not_written_in_plain_digits(first_item: str) -> None:
    # an argument that is not ASCII reaches the command through the interpreter's decoding
    runner = run if not first_item.isascii() else run_in_process
    done = runner("score", "phq9", "--items", ",".join([first_item] + ["0"] * 8), "--json")
    assert_refused(done, "items[1]")


def test_score_with_50000_answers_is_refused_naming_the_count() -> None:
    # 100 kB, near Linux's limit of 128 kB for one argument
    done = run("score", "gad7", "--items", ",".join(["0"] * 50_000), "--json")
    assert "got 50000 answers" in assert_refused(done, "items")


def test_an_unknown_option_is_a_usage_error_in_one_line() -> None:
    assert_refused(run_in_process("score", "phq9", "--itemz", "0", "--json"))


def test_serve_refuses_fewer_than_one_worker() -> None:
    # issue 18, bad input: `--workers 0` or a negative number is exit 2, before anything starts
    line = assert_refused(run("serve", "--workers", "0"), "workers")
    assert line.endswith("Input should be greater than or equal to 1")


# --- analyze mmrm: the CSV reader -----------------------------------------------------------


def _trial_csv(path: Path, response: dict[int, str] | None = None) -> Path:
    """Twelve subjects, two arms, three visits; `response` overrides cells by row number."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["SUBJ", "ARM", "VISIT", "Y"])
        for row in range(36):
            subject, visit = divmod(row, 3)
            value = (response or {}).get(row, f"{(subject * 7 + visit * 3) % 10 - 4.5:.1f}")
            writer.writerow([f"S{subject:02d}", "AB"[subject % 2], f"V{visit + 1}", value])
    return path


FORMULA = "Y ~ ARM*VISIT + us(VISIT | SUBJ)"


# two of the reader's failures (in-process: a subprocess each would load pandas and scipy); the
# rest is unit-tested
@pytest.mark.parametrize("content", [bytes(range(256)) * 8, b""], ids=["binary", "empty"])
def test_analyze_refuses_a_file_that_is_not_a_csv_table(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    refused = run_in_process("analyze", "mmrm", str(path), "--formula", FORMULA, "--json")
    assert_refused(refused, "DATA")


def test_analyze_refuses_a_non_finite_response(tmp_path: Path) -> None:
    path = _trial_csv(tmp_path / "data.csv", {4: "-Infinity"})
    assert_refused(run_in_process("analyze", "mmrm", str(path), "--formula", FORMULA, "--json"))


# --- the database commands and the settings ---------------------------------------------------


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    return app_env(tmp_path, {f"MDMA_AT_{name.upper()}": value for name, value in settings.items()})


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("not a url", "MDMA_AT_DATABASE_URL"),
        ("nosuchdialect://host/db", "MDMA_AT_DATABASE_URL"),
        ("postgresql://postgres@127.0.0.1:{port}/none", "database"),  # nothing listens there
    ],
    ids=["malformed", "unknown_dialect", "unreachable"],
)
def test_db_upgrade_refuses_a_database_it_cannot_use(tmp_path: Path, url: str, field: str) -> None:
    env = _env(tmp_path, database_url=url.format(port=free_port()))
    # the URL as the real process reads it from its environment once; the others in-process
    runner = run if url == "not a url" else run_in_process
    assert_refused(runner("db", "upgrade", env=env), field)


def test_audit_verify_on_a_database_never_upgraded_is_refused_not_a_broken_chain(
    tmp_path: Path,
) -> None:
    # exit 1 would claim the chain is broken; there is no chain yet
    refused = run_in_process("audit", "verify", env=_env(tmp_path))
    assert "no such table" in assert_refused(refused, "database")


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"environment": "production"}, "settings"),  # with the development secret
        ({"environment": "staging"}, "MDMA_AT_ENVIRONMENT"),
        ({"session_idle_minutes": "١٠"}, "MDMA_AT_SESSION_IDLE_MINUTES"),
    ],
    ids=["production_with_the_development_secret", "unknown_environment", "non_ascii_minutes"],
)
def test_invalid_settings_are_refused_in_one_line_naming_the_variable(
    tmp_path: Path, settings: dict[str, str], field: str
) -> None:
    env = _env(tmp_path, **settings)
    if settings.get("environment") == "production":
        env["MDMA_AT_SECRET_KEY"] = "development-only-secret-change-me"
    assert_refused(run("serve", "--port", str(free_port()), env=env), field)
