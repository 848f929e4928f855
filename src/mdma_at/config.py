"""Settings, read once at start-up from the environment (prefix MDMA_AT_) and never at import."""

from __future__ import annotations

import os
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from mdma_at.adapters.notify.email import smtp_url_problem
from mdma_at.adapters.notify.webhook import webhook_url_problem
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.local_time import zone_problem

DEFAULT_DATABASE_URL = "sqlite:///./var/mdma-at.db"


def server_timezone() -> str:
    """The machine's IANA zone (TZ, else where /etc/localtime points), else UTC: the default
    zone of a new site."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        candidates.append(str(localtime.resolve()).partition("zoneinfo/")[2])
    return next((name for name in candidates if name and zone_problem(name) is None), "UTC")


DEVELOPMENT_SECRET = "development-only-secret-change-me"


class Settings(BaseSettings):
    """Configuration of one installation (documented in README.md, "Configuration")."""

    model_config = SettingsConfigDict(env_prefix="MDMA_AT_", env_file=".env", extra="ignore")

    database_url: str = Field(DEFAULT_DATABASE_URL, description="SQLAlchemy URL")
    secret_key: str = Field(
        DEVELOPMENT_SECRET,
        description="derives the audit checkpoints' HMAC key (unless MDMA_AT_AUDIT_KEY is set); "
        "set in production",
    )
    environment: str = Field("development", pattern="^(development|production)$")
    secure_cookies: bool = Field(False, description="mark cookies Secure (set behind HTTPS)")
    session_idle_minutes: int = Field(30, ge=5, le=24 * 60)
    max_failures_per_account: int = Field(
        5, ge=1, description="failed sign-ins before each next one doubles the wait (ADR 0106)"
    )
    max_failures_per_address: int = Field(20, ge=1)
    # --- accounts and the audit trail (issue 10, ADRs 0105 and 0106) ---
    migration_database_url: str | None = Field(
        None,
        description="URL of the role that owns the schema and runs `db upgrade` (PostgreSQL); "
        "the server then runs as MDMA_AT_DATABASE_URL's role with only the grants it needs",
    )
    audit_key: str | None = Field(
        None,
        min_length=32,
        description="HMAC key of the audit checkpoints; derived from MDMA_AT_SECRET_KEY if unset",
    )
    audit_checkpoint_dir: Path | None = Field(
        None,
        description="append-only directory of signed audit checkpoints, outside the database; "
        "default: audit-checkpoints beside a SQLite file, else ./var/audit-checkpoints",
    )
    trusted_proxies: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(
        default_factory=list,
        description="addresses (CIDR) of reverse proxies whose X-Forwarded-For is believed",
    )
    max_body_bytes: int = Field(
        1024 * 1024, ge=1024, description="larger request bodies are refused with 413"
    )

    # --- trials (issue 16, ADR 0160) ---
    randomisation_key: str | None = Field(
        None,
        min_length=32,
        description="seals the statistician's randomisation seed; derived from "
        "MDMA_AT_SECRET_KEY if unset (keep it outside database backups)",
    )

    # --- reports (issue 17, item 4; ADR 0188) ---
    chromium: Path = Field(
        Path("/usr/bin/chromium"),
        description="the headless browser that prints reports to PDF",
    )

    # --- the bedside (issue 13): local time and paging (ADRs 0120, 0121) ---
    default_timezone: str = Field(
        default_factory=server_timezone,
        description="IANA time zone of a site added without --tz (default: the server's zone)",
    )
    smtp_url: str | None = Field(
        None,
        description="pages by email: smtp://user:password@host:587?from=pager@clinic.org "
        "(smtps:// for TLS from the start)",
    )
    page_webhook_url: str | None = Field(
        None, description="pages as a JSON POST to this URL (pager gateway, Teams, Slack)"
    )
    paging_interval_seconds: float = Field(
        2.0, gt=0, le=60, description="how often the paging worker looks for pages to send"
    )

    @field_validator("default_timezone")
    @classmethod
    def _iana_zone(cls, name: str) -> str:
        problem = zone_problem(name)
        if problem:
            raise ValueError(problem)
        return name

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, url: str | None) -> str | None:
        problem = smtp_url_problem(url) if url else None
        if problem:
            raise ValueError(problem)
        return url or None

    @field_validator("page_webhook_url")
    @classmethod
    def _webhook_url(cls, url: str | None) -> str | None:
        problem = webhook_url_problem(url) if url else None
        if problem:
            raise ValueError(problem)
        return url or None

    @field_validator("database_url", "migration_database_url")
    @classmethod
    def _use_psycopg3(cls, url: str | None) -> str | None:
        """`postgres://` and `postgresql://` URLs use the psycopg 3 driver."""
        for prefix in ("postgres://", "postgresql://"):
            if url and url.startswith(prefix):
                return "postgresql+psycopg://" + url.removeprefix(prefix)
        return url

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """`MDMA_AT_TRUSTED_PROXIES=10.0.0.1,10.1.0.0/16` as well as a JSON list."""
        if isinstance(value, str) and not value.lstrip().startswith("["):
            return [ip_network(part.strip()) for part in value.split(",") if part.strip()]
        return value

    def checkpoint_directory(self) -> Path:
        if self.audit_checkpoint_dir is not None:
            return self.audit_checkpoint_dir
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and ":memory:" not in self.database_url:
            return Path(self.database_url.removeprefix(prefix)).parent / "audit-checkpoints"
        return Path("var/audit-checkpoints")

    @model_validator(mode="after")
    def _refuse_development_secret_in_production(self) -> Settings:
        if self.environment == "production":
            if self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32:
                raise ValueError("MDMA_AT_SECRET_KEY must be set to 32+ random characters")
            if not self.secure_cookies:
                raise ValueError("production serves over HTTPS: set MDMA_AT_SECURE_COOKIES=true")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The installation's settings.

    Raises:
        InvalidInput: a variable that is invalid, named as the operator sets it
            (``MDMA_AT_SESSION_IDLE_MINUTES``), or ``settings`` for a rule across variables; the
            command line turns it into its one-line exit 2 instead of a traceback.
    """
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        location = "_".join(str(part) for part in first["loc"])
        field = f"MDMA_AT_{location.upper()}" if location else "settings"
        raise InvalidInput(field, first["msg"].removeprefix("Value error, ")) from None
