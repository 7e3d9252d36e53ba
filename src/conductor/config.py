"""Configuration: one typed object, built by :func:`load_settings` and passed in.

Sources, highest priority first: keyword overrides, environment variables with the
``CONDUCTOR_`` prefix, a TOML file (``CONDUCTOR_CONFIG`` or ``./conductor.toml``), defaults.
Nothing here runs at import time.
"""

from __future__ import annotations

import os
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from conductor.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///conductor.db"


class Settings(BaseSettings):
    """Every setting Conductor reads. Documented in README.md (a test keeps it so)."""

    model_config = SettingsConfigDict(env_prefix="CONDUCTOR_", extra="forbid")

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL: ``sqlite:///path.db`` or ``postgresql+psycopg://user@host/db``."""

    timezone: str = "America/Los_Angeles"
    """The shop's time zone: visit weekdays and hours are read in it."""

    default_region: str = "US"
    """Region used to read phone numbers written without a country code."""

    echo_sql: bool = False
    """Log every SQL statement (debugging only: statements carry personal data)."""

    modem_port: str = "virtual"
    """Serial port of the SIM7600 (``/dev/ttyUSB2``, ``COM24``) or ``virtual`` for the built-in
    virtual modem."""

    modem_baudrate: int = Field(default=115200, gt=0)

    gateway_id: str = ""
    """Name of this gateway in leases and status (default: host name + port)."""

    sweep_interval_s: float = Field(default=30.0, gt=0)
    """Read the modem's whole storage this often, because +CMTI notifications get lost."""

    send_window_start: time = time(9, 0)
    send_window_end: time = time(20, 0)
    """Scheduled and bulk messages are held outside this window (shop time zone)."""

    send_interval_s: float = Field(default=2.0, ge=0)
    """Pause between two sends: 2 s is 30 messages a minute, what a consumer SIM can keep up."""

    daily_send_limit: int = Field(default=1000, ge=0)
    """SMS parts one gateway sends in 24 hours at most (0: no limit); carriers block a consumer
    SIM that behaves like a bulk sender."""

    lease_s: float = Field(default=120.0, gt=0)
    """How long a gateway owns a message it claimed before another may take it."""

    max_retries: int = Field(default=5, ge=0)
    """Transient send errors are retried this many times, with backoff, then fail."""

    multipart_timeout_s: float = Field(default=3600.0, gt=0)
    """Store a multi-part message with missing parts after waiting this long for them."""

    delivery_reports: bool = True
    """Ask the network for delivery reports (+CDS) and move messages to delivered."""

    secret_key: str = ""
    """Signs the console's session cookies. Set it (``CONDUCTOR_SECRET_KEY`` or
    ``CONDUCTOR_SECRET_KEY_FILE``) to at least 32 random characters; when empty, ``conductor web``
    makes a random one at start, and everyone has to log in again after a restart."""

    web_host: str = "127.0.0.1"
    """Address the console listens on (``0.0.0.0`` for the whole shop network)."""

    web_port: int = Field(default=8000, gt=0, lt=65536)

    cookie_secure: bool = False
    """Send the session cookie over HTTPS only (set it when the console is behind TLS)."""

    business_name: str = "MOTA Dispensary"
    """Shown in the console and used by the bot's help text."""

    smtp_host: str = ""
    """SMTP server for e-mail (empty: e-mail is off)."""

    smtp_port: int = Field(default=587, gt=0, lt=65536)

    smtp_tls: Literal["starttls", "ssl", "none"] = "starttls"
    """``starttls`` (port 587), ``ssl`` (implicit TLS, port 465) or ``none`` (a relay on this
    machine or the shop network only: the password and the mail travel in clear)."""

    smtp_user: str = ""
    """Log in with this user name (empty: no login)."""

    smtp_password: str = ""
    """Password of ``smtp_user``; may come from ``CONDUCTOR_SMTP_PASSWORD_FILE``."""

    mail_from: str = ""
    """Sender address of every e-mail (``MOTA Dispensary <hello@example.com>``)."""

    bot_mode: Literal["auto", "draft"] = "auto"
    """``auto``: the bot's replies are queued for sending; ``draft``: saved as suggestions
    for a person to approve in the console."""

    shop_hours: str = "9am-9pm every day"
    shop_address: str = "123 Main St, Los Angeles, CA"
    shop_phone: str = "(323) 555-0100"
    help_text: str = ""
    """Answer to HELP (empty: business name, phone and "Reply STOP to opt out")."""

    llm_base_url: str = ""
    """OpenAI-compatible endpoint (``https://api.openai.com/v1``, Ollama's
    ``http://127.0.0.1:11434/v1`` ...); empty: the offline responder only."""

    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout_s: float = Field(default=10.0, gt=0)

    loyalty_brands: list[str] = ["MOTA"]
    """Brands whose products earn loyalty points (matched against the catalogue's brands)."""

    loyalty_points_per_dollar: Decimal = Field(default=Decimal(1), gt=0)
    """Customer points per whole dollar of qualifying spend (before tax), rounded down."""

    loyalty_budtender_multiplier: int = Field(default=10, ge=0)
    """The budtender who sold it earns this many times the customer's points."""

    loyalty_min_confidence: float = Field(default=60.0, ge=0, le=100)
    """Receipts read with less OCR confidence (0-100) go to the review queue."""

    loyalty_max_receipt_age_days: int = Field(default=30, gt=0)
    """Receipts older than this (or dated in the future) go to the review queue."""

    loyalty_max_upload_mb: float = Field(default=10.0, gt=0)
    """Largest receipt photo accepted."""

    loyalty_vision_model: str = ""
    """A vision model at ``llm_base_url`` (e.g. ``gpt-4o-mini``) that reads receipts tesseract
    could not; empty: tesseract only."""

    @field_validator("secret_key")
    @classmethod
    def _strong_secret(cls, value: str) -> str:
        placeholders = {"changeme", "change-me", "secret", "please-change", "xxx"}
        if value and (len(value) < 32 or value.lower() in placeholders):
            raise ValueError(
                "use at least 32 random characters (python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "sqlite+pysqlite:", "postgresql")):
            raise ValueError(
                "must start with sqlite:/// or postgresql+psycopg:// (e.g. sqlite:///conductor.db)"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = _config_file()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)


def _config_file() -> Path | None:
    explicit = os.environ.get("CONDUCTOR_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(
                "CONDUCTOR_CONFIG", f"{path} does not exist", "point it at a TOML file"
            )
        return path
    local = Path("conductor.toml")
    return local if local.is_file() else None


def _from_files() -> dict[str, str]:
    """``CONDUCTOR_<NAME>_FILE=/run/secrets/x`` gives a setting the content of that file."""
    values: dict[str, str] = {}
    for name in Settings.model_fields:
        env = f"CONDUCTOR_{name.upper()}"
        path = os.environ.get(f"{env}_FILE")
        if path and env not in os.environ:
            try:
                values[name] = Path(path).read_text().strip()
            except OSError as exc:
                raise ConfigError(
                    f"{env}_FILE", f"cannot read {path}: {exc}", "fix the path"
                ) from exc
    return values


def load_settings(**overrides: Any) -> Settings:
    """Build the settings; a bad value raises :class:`ConfigError` naming the setting."""
    overrides = {**_from_files(), **overrides}
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or "settings"
        env = f"CONDUCTOR_{name.upper()}"
        raise ConfigError(env, first["msg"], f"set {env} or '{name}' in conductor.toml") from exc
