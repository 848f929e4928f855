"""The production layout in deploy/ (issue 18 item 4; docs/operations.md, "Production layout").

The nginx site file is run as shipped, by the real nginx, in front of the real app, over TLS with
a certificate made here; only its ports and file paths are swapped for the test's. The compose
file and the environment example are read and held against the settings the app reads. The
container image itself is not built: no podman or docker on the test machines.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mdma_at.config import Settings
from support.postgres import free_port, skip_or_fail
from support.server import RunningApp, serve_copy

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SITE_FILE = DEPLOY / "nginx" / "mdma-at.conf"
#: The address the test's client connects from: not nginx's own (127.0.0.1), so the app can only
#: learn it from the X-Forwarded-For that nginx writes.
CLIENT_ADDRESS = "127.0.0.2"
#: What a client writes in X-Forwarded-For to pose as someone else (RFC 5737 documentation range).
SPOOFED = "198.51.100.7"
NGINX_START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Proxy:
    certificate: Path
    https_url: str
    http_url: str
    access_log: Path


def _nginx() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found is None:
        skip_or_fail("nginx not found; install it with `apt-get install -y nginx` (.ci/run does)")
    assert found is not None
    return found


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts exactly this one)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _swapped(text: str, swaps: Mapping[str, str]) -> str:
    """`text` with each shipped value replaced; a value the site file no longer holds fails
    here, so the test cannot silently run some other configuration."""
    for shipped, local in swaps.items():
        assert shipped in text, f"deploy/nginx/mdma-at.conf no longer contains {shipped!r}"
        text = text.replace(shipped, local)
    return text


def _main_config(root: Path, app_port: int) -> tuple[Path, Proxy]:
    """nginx.conf for a server of the test's own: the shipped site file inside a minimal http
    block, with every file under `root`."""
    cert, key = _certificate(root)
    https_port, http_port = free_port(), free_port()
    access_log = root / "access.log"
    site = _swapped(
        SITE_FILE.read_text(),
        {
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
            "listen 80;": f"listen 127.0.0.1:{http_port};",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
            "/etc/ssl/mdma-at/fullchain.pem": str(cert),
            "/etc/ssl/mdma-at/privkey.pem": str(key),
            "/var/log/nginx/mdma-at.access.log": str(access_log),
        },
    )
    (root / "mdma-at.conf").write_text(site)
    temp_paths = "\n".join(
        f"  {kind}_temp_path {root / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = root / "nginx.conf"
    config.write_text(
        f"worker_processes 1;\npid {root / 'nginx.pid'};\nerror_log {root / 'error.log'};\n"
        "events { worker_connections 64; }\n"
        f"http {{\n{temp_paths}\n  proxy_max_temp_file_size 0;\n"
        f"  include {root / 'mdma-at.conf'};\n}}\n"
    )
    return config, Proxy(
        cert, f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}", access_log
    )


@pytest.fixture(scope="module")
def app(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app as production runs it behind the proxy: HTTPS-only cookies, nginx trusted (one
    for this file's tests: none changes what another reads). It serves a copy of the e2e tier's
    migrated demo clinic: the tests need a migrated database, not an empty one, and a copy saves
    a `db upgrade` subprocess."""
    env = {
        "MDMA_AT_ENVIRONMENT": "production",
        "MDMA_AT_SECURE_COOKIES": "true",
        "MDMA_AT_TRUSTED_PROXIES": "127.0.0.1",
    }
    with serve_copy(demo_template, tmp_path_factory.mktemp("app"), extra_env=env) as running:
        yield running


def _nginx_command(config: Path) -> list[str]:
    return [
        _nginx(),
        "-p",
        str(config.parent),
        "-e",
        str(config.parent / "error.log"),
        "-c",
        str(config),
    ]


@pytest.fixture(scope="module")
def proxy(app: RunningApp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    root = tmp_path_factory.mktemp("nginx")
    config, proxy = _main_config(root, int(app.base_url.rsplit(":", 1)[1]))
    checked = subprocess.run(
        [*_nginx_command(config), "-t"], capture_output=True, text=True, timeout=30, check=False
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
    server = subprocess.Popen(
        [*_nginx_command(config), "-g", "daemon off;"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(int(proxy.https_url.rsplit(":", 1)[1]), server, root / "error.log")
        yield proxy
    finally:
        server.send_signal(signal.SIGQUIT)  # nginx's graceful shutdown
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_for_port(port: int, server: subprocess.Popen[bytes], error_log: Path) -> None:
    deadline = time.monotonic() + NGINX_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"nginx exited {server.returncode}: {error_log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on {port}: {error_log.read_text()}")


@pytest.fixture
def client(proxy: Proxy) -> Iterator[httpx.Client]:
    """A browser at CLIENT_ADDRESS that trusts the test's certificate and nothing else."""
    trust = ssl.create_default_context(cafile=proxy.certificate)
    transport = httpx.HTTPTransport(verify=trust, local_address=CLIENT_ADDRESS)
    with httpx.Client(transport=transport, timeout=30) as browser:
        yield browser


def test_nginx_passes_the_client_address_and_request_id_to_the_app_over_tls(
    app: RunningApp, proxy: Proxy, client: httpx.Client
) -> None:
    form = client.get(f"{proxy.https_url}/login")
    assert form.status_code == 200
    # the app's own HSTS header, once (nginx adds none: deploy/nginx/mdma-at.conf)
    assert form.headers.get_list("strict-transport-security") == [
        "max-age=31536000; includeSubDomains"  # entrypoints/api/headers.py, HSTS
    ]
    csrf = client.cookies["mdma_at_login_csrf"]  # Secure: sent back only because this is HTTPS

    failed = client.post(
        f"{proxy.https_url}/login",
        data={"username": "nobody.proxy", "password": "wrong", "csrf_token": csrf},
        headers={"X-Forwarded-For": SPOOFED},
    )
    assert failed.status_code == 401

    # The throttle counted the client's own address: the one nginx appended, not the spoofed one
    # before it, and not nginx's (the app's direct peer).
    with sqlite3.connect(app.workdir / "e2e.db") as db:
        addresses = [
            row[0]
            for row in db.execute(
                "SELECT address FROM login_attempts WHERE username = 'nobody.proxy'"
            )
        ]
    assert addresses == [CLIENT_ADDRESS]

    # nginx's request id reached the app: it came back in the response and is on the app's line
    request_id = failed.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id: 16 random bytes, hex
    # the app logs a request once it has sent the response: wait for the line, as for nginx's
    logged = once_logged(app, request_id)
    assert [(line["route"], line["status"]) for line in logged] == [("/login", 401)]
    assert f"request_id={request_id}" in access_log_once_it_holds(proxy, f"request_id={request_id}")


def once_logged(app: RunningApp, request_id: str, patience_s: float = 10.0) -> list[dict[str, Any]]:
    """The app's "request" log lines of `request_id`, once there is one (or after `patience_s`
    seconds, a liveness limit: the caller's assertion then says what is missing)."""
    deadline = time.monotonic() + patience_s
    while True:
        # whole lines only: the app may be half-way through writing the last one
        complete = (app.workdir / "server.stderr").read_text().split("\n")[:-1]
        lines = [json.loads(line) for line in complete if line.startswith("{")]
        logged = [
            line
            for line in lines
            if line.get("request_id") == request_id and line["event"] == "request"
        ]
        if logged or time.monotonic() >= deadline:
            return logged
        time.sleep(0.05)


def access_log_once_it_holds(proxy: Proxy, text: str, patience_s: float = 10.0) -> str:
    """The access log after nginx has written `text` (or given up waiting): nginx logs a request
    once it has finished with it, which can be after the client has read the response."""
    deadline = time.monotonic() + patience_s
    log = proxy.access_log.read_text()
    while text not in log and time.monotonic() < deadline:
        time.sleep(0.05)
        log = proxy.access_log.read_text()
    return log


def test_plain_http_redirects_to_https_and_the_operator_paths_stay_private(
    proxy: Proxy, client: httpx.Client
) -> None:
    redirect = client.get(f"{proxy.http_url}/login?next=/", follow_redirects=False)
    assert redirect.status_code == 301
    assert redirect.headers["location"] == "https://127.0.0.1/login?next=/"
    assert client.get(f"{proxy.https_url}/metrics").status_code == 403
    assert client.get(f"{proxy.https_url}/readyz").status_code == 403  # only from the host
    assert client.get(f"{proxy.https_url}/healthz").status_code == 200


def test_the_access_log_never_holds_a_self_report_token(proxy: Proxy, client: httpx.Client) -> None:
    token = "Zk3xQ9-secret_token_of_a_patient"
    client.get(f"{proxy.https_url}/r/{token}")
    log = access_log_once_it_holds(proxy, "/r/[token]")
    assert "/r/[token]" in log
    assert token not in log


def test_nginx_turns_away_a_body_the_app_would_refuse(proxy: Proxy, client: httpx.Client) -> None:
    """client_max_body_size equals MDMA_AT_MAX_BODY_BYTES's default (1 MiB, config.Settings), so
    a body the app would refuse never occupies a worker."""
    assert Settings.model_fields["max_body_bytes"].default == 1024 * 1024
    too_big = client.post(f"{proxy.https_url}/login", content=b"x" * (1024 * 1024 + 1))
    assert too_big.status_code == 413


# --- the files around the proxy: systemd unit, compose, image, environment ---------------------

SETTINGS = {f"MDMA_AT_{name.upper()}" for name in Settings.model_fields}
EXAMPLE = DEPLOY / "mdma-at.env.example"
#: `systemd-analyze security` exposure, 0 (locked down) to 100; below 20 it says "OK" (systemd
#: 252's own bands). The shipped unit scores 17.
EXPOSURE_LIMIT = "20"


def _example_lines() -> dict[str, tuple[str, bool]]:
    """Variable -> (value, set): `KEY=value` is set, `#KEY=value` shows the default."""
    found: dict[str, tuple[str, bool]] = {}
    for line in EXAMPLE.read_text().splitlines():
        match = re.fullmatch(r"(#?)(MDMA_AT_[A-Z_]+)=(.*)", line)
        if match:
            found[match[2]] = (match[3], not match[1])
    return found


def test_the_environment_example_names_exactly_the_settings_the_app_reads() -> None:
    assert set(_example_lines()) == SETTINGS


def test_the_environment_example_starts_production_only_once_the_secret_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    for name, (value, is_set) in _example_lines().items():
        if is_set:
            monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match="MDMA_AT_SECRET_KEY must be set"):
        Settings(_env_file=None)
    monkeypatch.setenv("MDMA_AT_SECRET_KEY", "s" * 48)
    settings = Settings(_env_file=None)
    assert settings.environment == "production" and settings.secure_cookies
    assert [str(network) for network in settings.trusted_proxies] == ["127.0.0.1/32"]


def test_compose_waits_for_the_database_migrates_once_then_serves() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "migrate", "app"}
    db, migrate, app = services["db"], services["migrate"], services["app"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "pgdata:/var/lib/postgresql/data" in db["volumes"]
    assert migrate["command"] == ["mdma-at", "db", "upgrade"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert app["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    assert app["command"][:2] == ["mdma-at", "serve"] and "--workers" in app["command"]
    assert "/healthz" in " ".join(app["healthcheck"]["test"])
    assert all(port.startswith("127.0.0.1:") for port in app["ports"])  # nginx is the client
    for service in (migrate, app):
        assert service["env_file"] == "mdma-at.env"
        assert set(service["environment"]) <= SETTINGS
        assert "checkpoints:/var/lib/mdma-at/audit-checkpoints" in service["volumes"]
    assert set(compose["volumes"]) == {"pgdata", "checkpoints"}
    init_script = DEPLOY / "postgres" / "10-runtime-role.sh"
    assert f"./postgres/{init_script.name}:/docker-entrypoint-initdb.d/" in " ".join(db["volumes"])
    assert "CREATE ROLE mdma_app" in init_script.read_text()


def test_the_image_is_built_in_two_stages_and_runs_unprivileged_with_a_health_check() -> None:
    """Read, not built: no container runtime on the test machines."""
    containerfile = (DEPLOY / "Containerfile").read_text()
    assert len(re.findall(r"^FROM ", containerfile, re.MULTILINE)) == 2
    assert "uv sync --frozen --no-dev" in containerfile
    assert re.search(r"^USER mdma-at$", containerfile, re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", containerfile, re.MULTILINE)


def test_systemd_accepts_the_unit_and_rates_it_locked_down(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        skip_or_fail("systemd-analyze not found; it comes with Debian's systemd package")
    assert analyze is not None
    installed = shutil.which("mdma-at") or str(Path(sys.executable).parent / "mdma-at")
    unit = tmp_path / "mdma-at.service"
    unit.write_text(
        _swapped(
            (DEPLOY / "mdma-at.service").read_text(), {"/opt/mdma-at/.venv/bin/mdma-at": installed}
        )
    )
    text = unit.read_text()
    for hardening in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes"):
        assert hardening in text
    assert "EnvironmentFile=/etc/mdma-at/mdma-at.env" in text
    assert re.search(r"^User=mdma-at$", text, re.MULTILINE)
    verified = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    assert verified.returncode == 0, verified.stderr
    rated = subprocess.run(
        [analyze, "security", "--offline=yes", f"--threshold={EXPOSURE_LIMIT}", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert rated.returncode == 0, rated.stdout[-2000:]
