"""Settings, read once at start-up from the environment (prefix MDMA_AT_) and never at import."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mdma_at.domain.errors import InvalidInput

DEFAULT_DATABASE_URL = "sqlite:///./var/mdma-at.db"
DEVELOPMENT_SECRET = "development-only-secret-change-me"


class Settings(BaseSettings):
    """Configuration of one installation (documented in README.md, "Configuration")."""

    model_config = SettingsConfigDict(env_prefix="MDMA_AT_", env_file=".env", extra="ignore")

    database_url: str = Field(DEFAULT_DATABASE_URL, description="SQLAlchemy URL")
    secret_key: str = Field(DEVELOPMENT_SECRET, description="signs CSRF tokens; set in production")
    environment: str = Field("development", pattern="^(development|production)$")
    secure_cookies: bool = Field(False, description="mark cookies Secure (set behind HTTPS)")
    session_idle_minutes: int = Field(30, ge=5, le=24 * 60)
    max_failures_per_account: int = Field(5, ge=1)
    max_failures_per_address: int = Field(20, ge=1)

    @field_validator("database_url")
    @classmethod
    def _use_psycopg3(cls, url: str) -> str:
        """`postgres://` and `postgresql://` URLs use the psycopg 3 driver."""
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url.removeprefix(prefix)
        return url

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
