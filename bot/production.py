"""Production mode: PostgreSQL, Redis, several Rasa instances behind nginx, action servers, the worker.

`python -m bot.production` starts the whole topology on loopback from the Debian packages and
stops it on Ctrl-C; the tests and the benchmark drive the same `ProductionStack` with free ports.
Also owns the JSON log format (`configure_logging`) our processes use in production.
"""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import glob
import json
import logging
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.launcher import free_port, wait_http
from bot.settings import Settings, current_settings, env_file_values, from_env

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent

log = logging.getLogger("leadbot.production")

# --------------------------------------------------------------------------- structured logs

_CONVERSATION: contextvars.ContextVar[str | None] = contextvars.ContextVar("leadbot_conversation", default=None)
_SECRET_SUFFIXES = ("TOKEN", "PASSWORD", "SECRET", "_KEY")


def bind_conversation(conversation_id: str | None) -> contextvars.Token[str | None]:
    """Tag every log line of the current task/thread with `conversation_id` (Rasa's sender id).

    A context variable, so concurrent action runs in one process never mix their ids."""
    return _CONVERSATION.set(conversation_id)


@contextlib.contextmanager
def conversation_logging(conversation_id: str | None) -> Iterator[None]:
    token = bind_conversation(conversation_id)
    try:
        yield
    finally:
        _CONVERSATION.reset(token)


def _secret_values(env: Mapping[str, str]) -> list[str]:
    """Values of secret-looking variables, longest first (so a prefix never masks half a secret)."""
    from urllib.parse import unquote, urlsplit

    values = {v for k, v in env.items() if k.upper().endswith(_SECRET_SUFFIXES) and len(v) >= 6}
    for value in env.values():  # passwords inside DSNs (LEADBOT_DATABASE_URL, …)
        if "://" in value and "@" in value:
            with contextlib.suppress(ValueError):
                password = urlsplit(value).password
                if password and len(password) >= 6:
                    values.update({password, unquote(password)})
    return sorted(values, key=len, reverse=True)


class _ContextFilter(logging.Filter):
    """Adds `conversation_id` to every record and masks any secret value that slipped into a message."""

    def __init__(self, secrets_: list[str]) -> None:
        super().__init__()
        self._secrets = secrets_

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "conversation_id", None) is None:
            record.conversation_id = _CONVERSATION.get()
        if self._secrets:
            message = record.getMessage()
            masked = message
            for value in self._secrets:
                masked = masked.replace(value, "***")
            if masked != message:
                record.msg, record.args = masked, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, conversation_id (+ exception)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "conversation_id": getattr(record, "conversation_id", None),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(fmt: str | None = None, level: str | int | None = None) -> None:
    """Route the root logger to stderr as JSON lines (LEADBOT_LOG_FORMAT=json) or text.

    Replaces handlers that rasa_sdk/coloredlogs installed before our code was imported, so each
    line is written once. Safe to call several times."""
    configured = current_settings()
    fmt = (fmt or configured.log_format).lower()
    level = level or configured.log_level
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(conversation_id)s]: %(message)s")
    )
    handler.addFilter(_ContextFilter(_secret_values(os.environ)))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    for noisy in ("sanic.access", "urllib3", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Libraries that attach their own handlers (sanic, rasa_sdk) would print every line twice.
    for name in ("sanic.root", "sanic.error", "rasa_sdk"):
        named = logging.getLogger(name)
        named.handlers.clear()
        named.propagate = True


# --------------------------------------------------------------------------- settings


_SECRETS = ("rasa_token", "feedback_token", "pg_password", "pg_admin_password", "redis_password")


def load_settings(env: Mapping[str, str] | None = None, env_file: Path | None = None) -> Settings:
    """Production settings: the environment over `.env.production`; secrets left unset are
    generated once and kept in `<var>/secrets.env` (0600). The leads and tracker databases are
    the local cluster's, whatever the environment says."""
    source = dict(os.environ if env is None else env)
    file = env_file or Path(source.get("LEADBOT_ENV_FILE") or ROOT / ".env.production")
    merged = {**env_file_values(file), **{k: v for k, v in source.items() if v != ""}}
    merged.setdefault("LEADBOT_LOG_FORMAT", "json")
    var_dir = Path(merged.get("LEADBOT_VAR_DIR") or ROOT / "var" / "production").resolve()
    merged["LEADBOT_VAR_DIR"] = str(var_dir)
    generated_file = var_dir / "secrets.env"
    generated = env_file_values(generated_file)
    new: dict[str, str] = {}
    for name in _SECRETS:
        variable = Settings.variable(name)
        value = merged.get(variable) or generated.get(variable)
        if not value:
            value = new[variable] = secrets.token_hex(24)
        merged[variable] = value
    if new:
        var_dir.mkdir(parents=True, exist_ok=True)
        with open(os.open(generated_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a") as out:
            out.writelines(f"{k}={v}\n" for k, v in new.items())
    settings = from_env(merged)
    return settings.copy(
        update={
            "database_url": settings.postgres_url("leadbot"),
            "tracker_db_url": settings.postgres_url("rasa_tracker"),
            "cors_origins": settings.cors_origins
            or (f"http://localhost:{settings.public_port}", f"http://127.0.0.1:{settings.public_port}"),
        }
    )


def _passthrough(settings: Settings) -> dict[str, str]:
    """The settings as the child processes' `LEADBOT_*` variables, without the cluster's secrets."""
    return {
        variable: value
        for variable, value in settings.environment().items()
        if not variable.startswith(("LEADBOT_PG_", "LEADBOT_REDIS_", "LEADBOT_RASA_TOKEN"))
    }


# --------------------------------------------------------------------------- helpers


def _free_port_pair() -> int:
    """A free port whose successor is free too (instances take base, base + 1, …)."""
    for _ in range(50):
        port = free_port()
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
            return port
    raise RuntimeError("no two consecutive free ports")


def throwaway_settings(var_dir: Path, overrides: Mapping[str, str] | None = None) -> Settings:
    """Settings on free loopback ports with everything under `var_dir` (tests, benchmarks).

    LEADBOT_* variables of the calling shell are ignored so a developer's `.env.production`
    never leaks into a test run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADBOT_")}
    env.update({name: str(free_port()) for name in _SINGLE_PORTS})
    env.update(
        {
            "LEADBOT_ENV_FILE": str(var_dir / "no.env"),
            "LEADBOT_VAR_DIR": str(var_dir),
            "LEADBOT_RASA_BASE_PORT": str(_free_port_pair()),
            "LEADBOT_ACTIONS_BASE_PORT": str(_free_port_pair()),
            "LEADBOT_HANDOFF_URL": "",
        }
    )
    env.update(overrides or {})
    return load_settings(env)


_SINGLE_PORTS = (
    "LEADBOT_PUBLIC_PORT",
    "LEADBOT_ACTIONS_LB_PORT",
    "LEADBOT_API_PORT",
    "LEADBOT_PG_PORT",
    "LEADBOT_REDIS_PORT",
)


def wait_port(port: int, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{_name(process)} exited with {process.returncode}")
        with socket.socket() as sock:
            sock.settimeout(1)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f}s")


def _name(process: subprocess.Popen[bytes]) -> str:
    args = process.args if isinstance(process.args, list) else [process.args]
    return " ".join(map(str, args[:4]))


def _service_user(name: str) -> str | None:
    """The OS user a server runs as when we are root (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(name)
        return name
    except KeyError:
        return "nobody"


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
    return Path(found[-1]).parent


def _require(binary: str, package: str) -> str:
    candidates = (shutil.which(binary), f"/usr/sbin/{binary}", f"/usr/bin/{binary}")
    path = next((p for p in candidates if p and Path(p).exists()), None)
    if path is None:
        raise RuntimeError(f"{binary} is not installed: apt-get install -y {package}")
    return path


# --------------------------------------------------------------------------- the stack


@dataclass
class _Service:
    argv: list[str]
    env: dict[str, str]
    ready: str | int | None  # URL to poll, port to connect to, or nothing
    stop_signal: int = signal.SIGTERM
    user: str | None = None
    ready_timeout: float = 60


@dataclass
class ProductionStack:
    """The production topology as child processes; every one can be killed and restarted by name."""

    settings: Settings
    log_dir: Path | None = None
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    services: dict[str, _Service] = field(default_factory=dict)

    # ----------------------------------------------------------------- names and URLs

    @property
    def rasa_names(self) -> list[str]:
        return [f"rasa{i}" for i in range(self.settings.rasa_instances)]

    @property
    def action_names(self) -> list[str]:
        return [f"actions{i}" for i in range(self.settings.action_servers)]

    @property
    def public_url(self) -> str:
        return self.settings.public_url

    def rasa_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port(self.rasa_names.index(name))}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.api_port}"

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> None:
        s = self.settings
        if not s.model.exists():
            raise FileNotFoundError(f"{s.model} is missing: run `make setup` to train the model")
        ports = [
            s.public_port, s.actions_lb_port, s.api_port, s.pg_port, s.redis_port,
            *(s.rasa_port(i) for i in range(s.rasa_instances)),
            *(s.actions_port(i) for i in range(s.action_servers)),
        ]  # fmt: skip
        if len(set(ports)) != len(ports):
            raise ValueError(f"two services share a port: {sorted(ports)}; check LEADBOT_*_PORT")
        s.var_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir = self.log_dir or s.var_dir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._define_services()
        self._init_postgres()
        for name in ["postgres", "redis"]:
            self.start_service(name)
        self._bootstrap_databases()
        for name in [*self.action_names, "worker"]:
            self.start_service(name, wait=False)
        # Rasa loads TensorFlow and the model: start the instances together, wait once.
        for name in self.rasa_names:
            self.start_service(name, wait=False)
        self.start_service("nginx")
        for name in [*self.action_names, "worker", *self.rasa_names]:
            self._wait_ready(name)

    def start_service(self, name: str, *, wait: bool = True) -> None:
        service = self.services[name]
        assert self.log_dir is not None
        log_file = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the process
        self.processes[name] = subprocess.Popen(
            service.argv,
            cwd=ROOT,
            env=service.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=service.user,
            group=service.user,
        )
        log_file.close()
        if wait:
            self._wait_ready(name)

    def _wait_ready(self, name: str) -> None:
        service, process = self.services[name], self.processes[name]
        if isinstance(service.ready, str):
            wait_http(service.ready, service.ready_timeout, process)
        elif isinstance(service.ready, int):
            wait_port(service.ready, service.ready_timeout, process)

    def stop(self, name: str | None = None, sig: int | None = None) -> None:
        """Stop one service (or all, front to back) and wait for it; SIGKILL after 20 s."""
        order = ["nginx", *self.rasa_names, "worker", *self.action_names, "redis", "postgres"]
        for key in [name] if name else [n for n in order if n in self.processes]:
            process = self.processes.pop(key, None)
            if process is None or process.poll() is not None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig or self.services[key].stop_signal)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def ensure_running(self) -> list[str]:
        """Start whatever is not running (after a crash or a fault test); return what was started."""
        order = ["postgres", "redis", *self.action_names, "worker", *self.rasa_names, "nginx"]
        started = []
        for name in order:
            process = self.processes.get(name)
            if process is None or process.poll() is not None:
                self.start_service(name, wait=False)
                started.append(name)
        for name in started:
            self._wait_ready(name)
        return started

    def kill(self, name: str) -> None:
        """SIGKILL one service, as a crash would."""
        self.stop(name, signal.SIGKILL)

    def restart(self, name: str) -> None:
        self.stop(name)
        self.start_service(name)

    def __enter__(self) -> ProductionStack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    # ----------------------------------------------------------------- service definitions

    def _base_env(self) -> dict[str, str]:
        s = self.settings
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEADBOT_")}
        env.update(_passthrough(s))
        env.update(
            {
                "LEADBOT_DATABASE_URL": s.database_url,
                "LEADBOT_TRACKER_DB_URL": s.require("tracker_db_url"),
                "LEADBOT_FEEDBACK_TOKEN": s.require("feedback_token"),
                "LEADBOT_LOG_FORMAT": s.log_format,
                "RASA_TELEMETRY_ENABLED": "false",
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def _define_services(self) -> None:
        s = self.settings
        python = str(BIN / "python")
        base = self._base_env()
        pg_user = _service_user("postgres")
        pg_socket_dir = s.var_dir / "run"
        pg_socket_dir.mkdir(parents=True, exist_ok=True)
        if pg_user:
            shutil.chown(pg_socket_dir, user=pg_user)
        self.services["postgres"] = _Service(
            [
                str(_postgres_bin() / "postgres"), "-D", str(s.postgres_data), "-p", str(s.pg_port),
                "-k", str(pg_socket_dir), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200",
            ],
            {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},
            s.pg_port,
            stop_signal=signal.SIGINT,  # "fast" shutdown: SIGTERM would wait for Rasa to disconnect
            user=pg_user,
        )  # fmt: skip
        redis_conf = self._write_redis_conf()
        self.services["redis"] = _Service([_require("redis-server", "redis-server"), str(redis_conf)], {}, s.redis_port)
        rasa_env = {
            **base,
            "LEADBOT_ACTION_ENDPOINT": f"http://127.0.0.1:{s.actions_lb_port}/webhook",
            "LEADBOT_REDIS_HOST": "127.0.0.1",
            "LEADBOT_REDIS_PORT": str(s.redis_port),
            "LEADBOT_REDIS_PASSWORD": s.require("redis_password"),
            "LEADBOT_RASA_TOKEN": s.require("rasa_token"),
            "LEADBOT_CORS_ORIGINS": ",".join(s.cors_origins),
            "TICKET_LOCK_LIFETIME": str(s.lock_lifetime),
        }
        for i, name in enumerate(self.rasa_names):
            self.services[name] = _Service(
                [python, "-m", "bot.production", "rasa", "--port", str(s.rasa_port(i))],
                rasa_env,
                f"http://127.0.0.1:{s.rasa_port(i)}/",
                ready_timeout=300,
            )
        for i, name in enumerate(self.action_names):
            port = s.actions_port(i)
            self.services[name] = _Service(
                [python, "-m", "bot.production", "actions", "--port", str(port)],
                {**base, "SANIC_HOST": "127.0.0.1"},
                f"http://127.0.0.1:{port}/health",
            )
        self.services["worker"] = _Service(
            [python, "-m", "bot.production", "worker"],
            {**base, "LEADBOT_API_HOST": "127.0.0.1", "LEADBOT_API_PORT": str(s.api_port)},
            f"http://127.0.0.1:{s.api_port}/health",
        )
        nginx_conf = self._write_nginx_conf()
        self.services["nginx"] = _Service(
            [_require("nginx", "nginx"), "-p", str(s.var_dir / "nginx"), "-c", str(nginx_conf), "-e", "stderr"],
            {"PATH": os.environ.get("PATH", "")},
            s.public_port,
            stop_signal=signal.SIGQUIT,  # graceful: finish in-flight requests
        )

    def _write_redis_conf(self) -> Path:
        """A config file, not argv: `requirepass` must not show up in `ps`."""
        s = self.settings
        directory = s.var_dir / "redis"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "redis.conf"
        body = (
            f"port {s.redis_port}\nbind 127.0.0.1\nprotected-mode yes\ndaemonize no\n"
            f'dir {directory}\nsave ""\nappendonly no\nrequirepass {s.redis_password}\n'
        )
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
            out.write(body)
        return path

    def _write_nginx_conf(self) -> Path:
        s = self.settings
        prefix = s.var_dir / "nginx"
        for sub in ("logs", "temp"):
            (prefix / sub).mkdir(parents=True, exist_ok=True)
        worker_user = _service_user("www-data")
        if worker_user:
            shutil.chown(prefix / "temp", user=worker_user)
        origins = [f'    "{o}" 1;' for o in s.cors_origins if _safe_origin(o)]
        values = {
            "USER_DIRECTIVE": f"user {worker_user};" if worker_user else "",
            "PREFIX": str(prefix),
            "PUBLIC_LISTEN": f"{s.public_host}:{s.public_port}",
            "ACTIONS_LISTEN": f"127.0.0.1:{s.actions_lb_port}",
            "RASA_SERVERS": "\n".join(
                f"    server 127.0.0.1:{s.rasa_port(i)} max_fails=1 fail_timeout=5s;" for i in range(s.rasa_instances)
            ),
            "ACTION_SERVERS": "\n".join(
                f"    server 127.0.0.1:{s.actions_port(i)} max_fails=1 fail_timeout=3s;"
                for i in range(s.action_servers)
            ),
            "API_SERVER": f"127.0.0.1:{s.api_port}",
            "ORIGINS": "\n".join(origins),
            "NO_ORIGIN": "1" if s.webhook_allow_no_origin else "0",
            "WEBHOOK_RATE": s.webhook_rate,
            "WEBHOOK_BURST": str(s.webhook_burst),
        }
        path = prefix / "nginx.conf"
        path.write_text(render_template((DEPLOY / "nginx.conf.template").read_text(), values))
        return path

    # ----------------------------------------------------------------- PostgreSQL

    def _init_postgres(self) -> None:
        """initdb once (as the postgres user when root); a kept data dir is reused as is."""
        s = self.settings
        if (s.postgres_data / "PG_VERSION").exists():
            return
        user = _service_user("postgres")
        s.postgres_data.parent.mkdir(parents=True, exist_ok=True)
        s.postgres_data.mkdir(mode=0o700, exist_ok=True)
        if user:
            shutil.chown(s.postgres_data, user=user, group=user)
            _check_traversable(s.postgres_data, user)
        with tempfile.NamedTemporaryFile("w", prefix="leadbot-pw-", delete=False) as pw:
            pw.write(s.require("pg_admin_password") + "\n")
        try:
            if user:
                shutil.chown(pw.name, user=user)
            subprocess.run(
                [
                    str(_postgres_bin() / "initdb"), "-D", str(s.postgres_data), "-U", "postgres",
                    f"--pwfile={pw.name}",
                    "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
                ],
                check=True, capture_output=True, timeout=180, user=user, group=user,
                env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},
            )  # fmt: skip
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"initdb failed: {exc.stderr.decode(errors='replace')[-500:]}") from exc
        finally:
            os.unlink(pw.name)

    def _bootstrap_databases(self) -> None:
        """The `leadbot` role owns two databases: the leads (`leadbot`) and Rasa's tracker store."""
        import psycopg2

        s = self.settings
        admin = psycopg2.connect(
            host="127.0.0.1", port=s.pg_port, user="postgres", password=s.pg_admin_password, dbname="postgres"
        )
        admin.autocommit = True
        try:
            with admin.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_roles WHERE rolname = 'leadbot'")
                verb = "ALTER" if cur.fetchone() else "CREATE"
                cur.execute(f"{verb} ROLE leadbot LOGIN PASSWORD %s", (s.pg_password,))
                for db in ("leadbot", "rasa_tracker"):
                    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,))
                    if not cur.fetchone():
                        cur.execute(f'CREATE DATABASE "{db}" OWNER leadbot')
        finally:
            admin.close()


def render_template(template: str, values: Mapping[str, str]) -> str:
    """Fill `${UPPER_CASE}` placeholders; nginx's own `$variables` pass through untouched."""
    return re.sub(r"\$\{([A-Z_]+)\}", lambda m: values[m.group(1)], template)


def _safe_origin(origin: str) -> bool:
    """An origin goes into nginx.conf verbatim: allow only scheme://host[:port]."""
    return re.fullmatch(r"https?://[A-Za-z0-9.\-]+(:\d+)?", origin) is not None


def _check_traversable(path: Path, user: str) -> None:
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if parent.stat().st_uid != pwd.getpwnam(user).pw_uid and not mode & 0o001:
            raise RuntimeError(
                f"{user} cannot reach {path}: {parent} is not world-searchable; set LEADBOT_PG_DATA elsewhere"
            )


# --------------------------------------------------------------------------- process entry points


def _run_rasa(port: int) -> int:
    """`rasa run` with the token and CORS list read from the environment, never from argv (`ps`)."""
    from rasa.__main__ import main as rasa_main

    settings = current_settings()
    token = settings.rasa_token or ""
    origins = list(settings.cors_origins)
    sys.argv = [
        "rasa", "run", "--enable-api", "--auth-token", token, "--cors", *origins,
        "--port", str(port), "--interface", "127.0.0.1", "--model", str(settings.model),
        "--endpoints", str(DEPLOY / "endpoints.production.yml"), "--credentials", str(ROOT / "credentials.yml"),
    ]  # fmt: skip
    cache_action_response_validator()
    if settings.rasa_strict_tracker_store:
        _fail_turns_when_the_tracker_store_is_down()
    if settings.rasa_requeue_expired_tickets:
        _requeue_expired_lock_tickets()
    rasa_main()
    return 0


def _fail_turns_when_the_tracker_store_is_down() -> None:
    """Let a tracker store error fail the turn instead of Rasa's silent in-memory fallback.

    Rasa 3.6 wraps the SQL store in `FailSafeTrackerStore`: when PostgreSQL is down, `retrieve`
    returns None, so the turn runs on a *new, empty* conversation (the visitor gets the greeting
    again and the action server sees no answers), and `save` keeps it in process memory only.
    Raising instead makes the REST channel answer 200 with no messages and stores nothing;
    the visitor's retry after the outage continues the real conversation."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    def strict(name: str) -> Any:
        async def call(self: FailSafeTrackerStore, *args: Any) -> Any:
            try:
                return await getattr(self._tracker_store, name)(*args)
            except Exception as exc:
                log.error("tracker store unavailable (%s): %s; the turn fails", name, type(exc).__name__)
                raise

        return call

    for name in ("retrieve", "retrieve_full_tracker", "save"):
        setattr(FailSafeTrackerStore, name, strict(name))


def _requeue_expired_lock_tickets() -> None:
    """Fix a hang in Rasa's ticket lock after a Rasa instance is killed mid-turn.

    The dead instance's ticket stays first in the queue until it expires; a turn waiting behind it
    (nginx re-sends it to the other instance) holds a ticket issued moments later with the same
    lifetime. If the waiter's own ticket expires before it polls again, `now_serving` never equals
    its number and Rasa 3.6 waits forever (seen in test_faults: 120 s gateway timeouts). Here a
    waiter whose ticket vanished takes a new one and queues again."""
    import asyncio

    from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore

    @contextlib.asynccontextmanager
    async def lock(
        self: LockStore, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> Any:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            while True:
                current = self.get_lock(conversation_id)
                if not current:
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
                if not current.is_locked(ticket):
                    break
                if current._ticket_for_ticket_number(ticket) is None:
                    log.warning("lock ticket expired while waiting; queueing again")
                    ticket = self.issue_ticket(conversation_id, lock_lifetime)
                    continue
                await asyncio.sleep(wait_time_in_seconds)
                self.update_lock(conversation_id)
            yield current
        finally:
            self.cleanup(conversation_id, ticket)

    LockStore.lock = lock  # type: ignore[method-assign,assignment]


def cache_action_response_validator() -> None:
    """Validate action server responses with one prebuilt validator instead of `jsonschema.validate`.

    Profiling under load (benchmarks/results/bench_load.md) showed Rasa 3.6 spending ~45% of its
    CPU in `jsonschema.validate`, which re-checks the schema itself on every action call. Same
    schema, same errors: only the per-call `check_schema` is skipped. LEADBOT_RASA_FAST_VALIDATION=false
    restores Rasa's own code."""
    if not current_settings().rasa_fast_validation:
        return
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    spec = RemoteAction.action_response_format_spec()
    validator_class = validator_for(spec)
    validator_class.check_schema(spec)
    validator = validator_class(spec)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error if isinstance(error, ValidationError) else ValidationError(error.message)

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def _run_actions(port: int) -> int:
    """The action server with our log format and the conversation id bound for every action call."""
    from rasa_sdk import endpoint
    from rasa_sdk.executor import ActionExecutor

    configure_logging()
    original = ActionExecutor.run

    async def run_bound(self: ActionExecutor, action_call: dict[str, Any]) -> Any:
        with conversation_logging(action_call.get("sender_id")):
            return await original(self, action_call)

    ActionExecutor.run = run_bound  # type: ignore[method-assign]
    endpoint.run("actions", port=port, cors_origins=None)
    return 0


def _run_worker() -> int:
    from bot import cli

    configure_logging()  # before cli.main: its basicConfig is then a no-op
    return cli.main(["serve"])


def _describe(stack: ProductionStack) -> str:
    s = stack.settings
    return (
        f"\n  Public endpoint (nginx):  {s.public_url}/  (listening on {s.public_host}:{s.public_port})\n"
        f"  REST webhook:             {s.public_url}/webhooks/rest/webhook\n"
        f"  Allowed origins:          {', '.join(s.cors_origins)}\n"
        f"  socket.io:                {s.public_url}/socket.io/\n"
        f"  Rasa HTTP API:            {s.public_url}/conversations/<id>/tracker?token=$LEADBOT_RASA_TOKEN\n"
        f"  Feedback API:             {s.public_url}/feedback/<lead_id>  (Bearer $LEADBOT_FEEDBACK_TOKEN)\n"
        f"  Rasa instances:           {', '.join(stack.rasa_url(n) for n in stack.rasa_names)}\n"
        f"  PostgreSQL:               127.0.0.1:{s.pg_port} (data in {s.postgres_data})"
        f"   Redis: 127.0.0.1:{s.redis_port}\n"
        f"  Logs:                     {stack.log_dir}/\n"
        f"  Secrets not set in the environment were generated into {s.var_dir / 'secrets.env'}\n\n"
        "Press Ctrl-C to stop."
    )


def _serve(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.rasa_instances:
        settings = settings.copy(update={"rasa_instances": args.rasa_instances})
    stack = ProductionStack(settings)
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    status = 0
    try:
        print("Starting PostgreSQL, Redis, action servers, Rasa instances and nginx (1–3 minutes)…", flush=True)
        stack.start()
        print(_describe(stack), flush=True)
        while not stopping:
            for name, process in list(stack.processes.items()):
                if process.poll() is not None:
                    print(f"{name} stopped unexpectedly (exit {process.returncode}); see {stack.log_dir}/{name}.log")
                    stopping, status = True, 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    except (OSError, RuntimeError, ValueError, TimeoutError) as exc:
        print(f"could not start: {exc}" + (f" (logs in {stack.log_dir}/)" if stack.log_dir else ""), file=sys.stderr)
        status = 1
    finally:
        print("\nStopping…", flush=True)
        stack.stop()
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.production", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="start the whole topology (default)")
    run.add_argument("--rasa-instances", type=int, default=None)
    rasa = sub.add_parser("rasa", help="(internal) one Rasa instance")
    rasa.add_argument("--port", type=int, required=True)
    actions = sub.add_parser("actions", help="(internal) one action server")
    actions.add_argument("--port", type=int, required=True)
    sub.add_parser("worker", help="(internal) the handoff worker + feedback API")
    args = parser.parse_args(argv)
    if args.command == "rasa":
        return _run_rasa(args.port)
    if args.command == "actions":
        return _run_actions(args.port)
    if args.command == "worker":
        return _run_worker()
    if args.command is None:
        args.rasa_instances = None
    return _serve(args)


if __name__ == "__main__":
    raise SystemExit(main())
