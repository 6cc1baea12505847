"""The one settings object: every URL, DSN, token and knob leadbot reads from the environment.

A pydantic (v1: Rasa 3.6 pins it) `BaseSettings`, read from the environment over `.env` over the
defaults below, so a test or a process manager always wins over the file. Every field is one
`LEADBOT_*` variable documented in `.env.example` or `.env.production.example`
(tests/unit/test_settings.py keeps the three in step). Imports nothing from `bot`: everything
may read it, so it sits at the bottom of the import graph.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from dotenv import dotenv_values
from pydantic import BaseSettings, Field, ValidationError, validator

PREFIX = "LEADBOT_"
ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A variable that does not parse; the message names it and says what to fix."""


class Settings(BaseSettings):
    """A snapshot of the environment; call `current_settings()` again to see later changes."""

    # --- core: the SLA and the leads database -------------------------------------------
    sla_path: str = Field("sla.yml", env="LEADBOT_SLA")
    # URLs may carry a password: kept out of repr() (and so out of test failure messages).
    database_url: str = Field("sqlite:///leads.db", repr=False)
    # --- handoff channels ---------------------------------------------------------------
    handoff_url: str | None = None
    handoff_secret: str | None = Field(None, repr=False)
    allow_unsigned_webhooks: bool = False
    slack_webhook_url: str | None = Field(None, repr=False)
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = Field(None, repr=False)
    smtp_starttls: bool = True
    smtp_ca_file: str | None = None
    smtp_implicit_tls: bool = False  # set for port 465 by the validator below
    smtp_from: str | None = None
    smtp_to: tuple[str, ...] = ()
    # --- outbox worker ------------------------------------------------------------------
    handoff_max_attempts: int = 8
    handoff_backoff_seconds: float = 5.0
    handoff_backoff_max_seconds: float = 3600.0
    handoff_timeout_seconds: float = 10.0
    handoff_lease_seconds: float = 30.0
    worker_poll_seconds: float = 0.5
    # --- CRM channels (bot/delivery/hubspot.py, salesforce.py; field maps in crm.yml) ------
    hubspot_token: str | None = Field(None, repr=False)  # private-app access token
    hubspot_api_url: str = "https://api.hubapi.com"
    hubspot_forms_url: str = "https://api.hsforms.com"
    hubspot_portal_id: str | None = None
    hubspot_form_guid: str | None = None
    salesforce_url: str | None = None  # My Domain URL: the token endpoint (and the API unless the token says)
    salesforce_client_id: str | None = None
    salesforce_client_secret: str | None = Field(None, repr=False)
    salesforce_org_id: str | None = None  # Web-to-Lead's `oid`
    salesforce_web_to_lead_url: str = "https://webto.salesforce.com/servlet/servlet.WebToLead?encoding=UTF-8"
    # --- HTTP API, summaries, privacy ---------------------------------------------------
    feedback_token: str | None = Field(None, repr=False)
    api_host: str = "127.0.0.1"
    api_port: int = 5056
    tracker_db_url: str | None = Field(None, repr=False)
    transcript_base_url: str | None = None
    templates_dir: str | None = None
    # --- the SLA console (bot/web, served by `leadbot serve`) -----------------------------
    console_url: str | None = None  # public URL of the console, e.g. https://leads.example.com/console
    console_secret: str | None = Field(None, repr=False)  # signs session cookies and verdict links
    verdict_link_hours: int = 72
    login_max_failures: int = 5
    login_window_seconds: int = 900
    # --- the console's marketing side (bot/web/marketing.py, bot/web/beacon.py) ---------
    health_cache_seconds: int = 60  # the SLA-health page's figures are reused this long
    whatif_max_kib: int = 256  # largest SLA the "try a change" page accepts
    beacon_per_minute: int = 30  # widget beacons one address may send per minute
    # --- meeting booking webhooks (bot/web/booking.py, docs/booking.md) -----------------
    calcom_webhook_secret: str | None = Field(None, repr=False)  # verifies X-Cal-Signature-256
    calendly_webhook_secret: str | None = Field(None, repr=False)  # the subscription's signing key
    calendly_webhook_tolerance_seconds: int = 180  # older Calendly signatures are replays
    # --- `make run` (bot/ops/local.py) -------------------------------------------------
    bind_host: str = "127.0.0.1"
    # --- both modes: the Rasa HTTP API token, the Rasa -> action server secret -----------
    rasa_token: str | None = Field(None, repr=False)
    action_token: str | None = Field(None, repr=False)
    # --- logs and Rasa patches (both modes) ---------------------------------------------
    log_format: str = "text"
    log_level: str = "INFO"
    rasa_fast_validation: bool = True
    rasa_strict_tracker_store: bool = True
    rasa_fast_sqlite_tracker_store: bool = True  # Rasa's SQLite tracker store pooled, WAL, synchronous=NORMAL
    rasa_fewer_action_calls: bool = True  # no repeated slot extraction, no validation call bound to be rejected
    # --- production topology (`python -m bot.ops`; .env.production.example) -------------
    pg_password: str | None = Field(None, repr=False)
    pg_admin_password: str | None = Field(None, repr=False)
    redis_password: str | None = Field(None, repr=False)
    public_host: str = "127.0.0.1"
    public_port: int = 8080
    cors_origins: tuple[str, ...] = ()
    webhook_allow_no_origin: bool = False
    webhook_rate: str = "5r/s"
    webhook_burst: int = 20
    rasa_instances: int = 2
    rasa_base_port: int = 5005
    action_servers: int = 2
    actions_base_port: int = 5057
    actions_lb_port: int = 5054
    pg_port: int = 5433
    redis_port: int = 6380
    var_dir: Path = ROOT / "var" / "production"
    pg_data: Path | None = None
    model: Path = ROOT / "models" / "leadbot.tar.gz"
    lock_lifetime: int = 30

    class Config:
        env_prefix = PREFIX
        env_file = ".env"  # relative: the working directory's `.env`, read at each call
        extra = "ignore"
        allow_mutation = False

        @classmethod
        def parse_env_var(cls, field_name: str, raw_val: str) -> Any:
            # Lists are comma-separated in our files, not JSON (split by `_comma_separated`).
            return raw_val

        @classmethod
        def customise_sources(cls, init_settings: Any, env_settings: Any, file_secret_settings: Any) -> tuple[Any, ...]:
            return init_settings, _without_empty(env_settings)

    @validator("smtp_to", "cors_origins", pre=True)
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(item.strip().rstrip("/") for item in value.split(",") if item.strip())
        return value

    @validator("templates_dir", always=True)
    def _templates_next_to_cwd(cls, value: str | None) -> str | None:
        # Marketing's overrides live in ./templates by convention; no variable needed.
        if value is None and (Path.cwd() / "templates").is_dir():
            return str(Path.cwd() / "templates")
        return value

    @validator("smtp_implicit_tls", always=True)
    def _smtps_on_465(cls, value: bool, values: dict[str, Any]) -> bool:
        # Port 465 is SMTPS by convention (RFC 8314): implicit TLS whatever the variable says.
        return bool(value or values.get("smtp_port") == 465)

    @validator("calendly_webhook_tolerance_seconds")
    def _positive_tolerance(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("must be a positive number of seconds")
        return value

    @validator("log_format")
    def _known_log_format(cls, value: str) -> str:
        if value.lower() not in {"json", "text"}:
            raise ValueError("must be json or text")
        return value.lower()

    # ----------------------------------------------------------------- derived values

    @property
    def email_configured(self) -> bool:
        return bool(self.smtp_host and self.smtp_to)

    @property
    def hubspot_configured(self) -> bool:
        # A token for the CRM API (or the authenticated form endpoint), or a form to submit to.
        return bool(self.hubspot_token or (self.hubspot_portal_id and self.hubspot_form_guid))

    @property
    def salesforce_configured(self) -> bool:
        oauth = self.salesforce_url and self.salesforce_client_id and self.salesforce_client_secret
        return bool(oauth or self.salesforce_org_id)

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.public_port}"

    def require(self, name: str) -> str:
        """A field that must be set here (a production secret, generated on first start)."""
        value = getattr(self, name)
        if not value:
            raise SettingsError(f"{self.variable(name)} is not set")
        return str(value)

    @property
    def postgres_data(self) -> Path:
        return self.pg_data or self.var_dir / "postgres"

    def rasa_port(self, index: int) -> int:
        return self.rasa_base_port + index

    def actions_port(self, index: int) -> int:
        return self.actions_base_port + index

    def postgres_url(self, database: str) -> str:
        """The local production cluster's URL for one database, as the `leadbot` role."""
        password = quote(self.pg_password or "", safe="")
        return f"postgresql+psycopg2://leadbot:{password}@127.0.0.1:{self.pg_port}/{database}"

    def environment(self) -> dict[str, str]:
        """Every field that has a value, as the `LEADBOT_*` variables a child process reads back."""
        out: dict[str, str] = {}
        for name, value in self:
            if value is None:
                continue
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, tuple):
                text = ",".join(value)
            else:
                text = str(value)
            out[self.variable(name)] = text
        return out

    @classmethod
    def variable(cls, field_name: str) -> str:
        """The environment variable a field is read from."""
        return next(iter(cls.__fields__[field_name].field_info.extra["env_names"])).upper()

    @classmethod
    def variables(cls) -> dict[str, str]:
        """Variable name -> field name, for every field."""
        return {cls.variable(name): name for name in cls.__fields__}


def _without_empty(source: Callable[[BaseSettings], dict[str, Any]]) -> Callable[[BaseSettings], dict[str, Any]]:
    """An empty variable (`LEADBOT_HANDOFF_URL=`, as `.env.example` ships) means "the default"."""

    def read(settings: BaseSettings) -> dict[str, Any]:
        return {k: v for k, v in source(settings).items() if not (isinstance(v, str) and v.strip() == "")}

    return read


def current_settings() -> Settings:
    """The settings now, from the environment and `./.env`: cheap enough to call per use.

    Building them (pydantic, dotenv) costs more than a whole turn's reading of the visitor's
    answer, so the last result is kept while what it was built from is unchanged: the working
    directory, our variables in the environment, and `./.env` (its size and modification time)
    and `./templates`. Settings are immutable, so sharing one object is safe."""
    global _last
    key = _inputs()
    last = _last
    if last is not None and last[0] == key:
        return last[1]
    settings = _checked(lambda: Settings(), os.environ)  # type: ignore[call-arg]
    _last = (key, settings)
    return settings


_last: tuple[tuple[Any, ...], Settings] | None = None


def _inputs() -> tuple[Any, ...]:
    """What `Settings()` reads, as a comparable key (os.environ is case-insensitive to pydantic)."""
    cwd = os.getcwd()
    ours = tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(PREFIX)))
    try:
        st = os.stat(os.path.join(cwd, ".env"))
        env_file: tuple[int, int, int] | None = (st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        env_file = None
    return cwd, ours, env_file, os.path.isdir(os.path.join(cwd, "templates"))


def from_env(env: Mapping[str, str], env_file: Path | None = None) -> Settings:
    """Settings from `env` over `env_file` only: the process environment is not consulted.

    Every field is passed explicitly (its default when the mapping lacks it), so nothing of
    the calling shell leaks in (production topology, tests on throwaway ports)."""
    merged = {**env_file_values(env_file), **{k: v for k, v in env.items() if v.strip() != ""}}
    values: dict[str, Any] = {}
    for variable, name in Settings.variables().items():
        if variable in merged:
            values[name] = merged[variable]
        else:
            field = Settings.__fields__[name]
            values[name] = field.get_default()
    build = lambda: Settings(_env_file=None, **values)  # type: ignore[call-arg]  # noqa: E731
    return _checked(build, merged)


def env_file_values(path: Path | None) -> dict[str, str]:
    """The variables of a dotenv file (empty ones dropped); {} when there is no file."""
    if path is None or not path.exists():
        return {}
    return {k: v for k, v in dotenv_values(path).items() if v}


def _checked(build: Callable[[], Settings], env: Mapping[str, str]) -> Settings:
    try:
        return build()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0])
            variable = Settings.variable(name) if name in Settings.__fields__ else name
            value = env.get(variable)
            secret = variable.endswith(("TOKEN", "PASSWORD", "SECRET", "_KEY"))
            got = f" (got {value!r})" if value is not None and not secret else ""
            problems.append(f"{variable}{got}: {error['msg']}")
        raise SettingsError(
            "invalid configuration: " + "; ".join(problems) + ". Fix the environment or .env (see .env.example)."
        ) from None
