"""Production mode: PostgreSQL, Redis, several Rasa instances behind nginx, action servers, the worker.

`python -m bot.ops production` (`make run-prod`) starts the whole topology on loopback from the
Debian packages and stops it on Ctrl-C; the tests and the benchmark drive the same
`ProductionStack` with free ports. Settings come from `bot.settings`, read here over
`.env.production`, with the secrets generated on first start.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.ops.bootstrap import (
    bootstrap_databases,
    init_postgres,
    postgres_bin,
    require,
    service_user,
    write_nginx_conf,
    write_redis_conf,
)
from bot.ops.generated_secrets import ensure_secrets
from bot.ops.logs import configure_logging, conversation_logging
from bot.ops.supervisor import BIN, ROOT, Service, Supervisor, free_port, free_port_pair
from bot.settings import Settings, env_file_values, from_env

__all__ = [
    "ROOT",
    "ProductionStack",
    "configure_logging",
    "conversation_logging",
    "load_settings",
    "main",
    "throwaway_settings",
]


# The handoff secret too: webhooks are then always signed, and the receiver reads it from secrets.env.
_SECRETS = (
    "rasa_token", "action_token", "feedback_token", "handoff_secret", "pg_password", "pg_admin_password",
    "redis_password", "console_secret",
)  # fmt: skip


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
    merged.update(ensure_secrets(map(Settings.variable, _SECRETS), merged, var_dir / "secrets.env").values)
    settings = from_env(merged)
    return settings.copy(
        update={
            "database_url": settings.postgres_url("leadbot"),
            "tracker_db_url": settings.postgres_url("rasa_tracker"),
            "cors_origins": settings.cors_origins
            or (f"http://localhost:{settings.public_port}", f"http://127.0.0.1:{settings.public_port}"),
            # nginx serves the console at /console/ (deploy/nginx.conf.template); set
            # LEADBOT_CONSOLE_URL to the address sales really opens (https://…) behind a TLS proxy.
            "console_url": settings.console_url or f"{settings.public_url}/console",
        }
    )


def _passthrough(settings: Settings) -> dict[str, str]:
    """The settings as the child processes' `LEADBOT_*` variables, without the cluster's secrets."""
    return {
        variable: value
        for variable, value in settings.environment().items()
        if not variable.startswith(("LEADBOT_PG_", "LEADBOT_REDIS_", "LEADBOT_RASA_TOKEN", "LEADBOT_ACTION_TOKEN"))
    }


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
            "LEADBOT_RASA_BASE_PORT": str(free_port_pair()),
            "LEADBOT_ACTIONS_BASE_PORT": str(free_port_pair()),
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


@dataclass
class ProductionStack(Supervisor):
    """The production topology as child processes; every one can be killed and restarted by name."""

    settings: Settings
    log_dir: Path | None = None
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)

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
        init_postgres(s)
        for name in ["postgres", "redis"]:
            self.start_service(name)
        bootstrap_databases(s)
        for name in [*self.action_names, "worker"]:
            self.start_service(name, wait=False)
        # Rasa loads TensorFlow and the model: start the instances together, wait once.
        for name in self.rasa_names:
            self.start_service(name, wait=False)
        self.start_service("nginx")
        for name in [*self.action_names, "worker", *self.rasa_names]:
            self.wait_ready(name)

    def stop_order(self) -> list[str]:
        return ["nginx", *self.rasa_names, "worker", *self.action_names, "redis", "postgres"]

    def ensure_running(self, order: list[str] | None = None) -> list[str]:
        """Start whatever is not running (after a crash or a fault test); return what was started."""
        return super().ensure_running(order or list(reversed(self.stop_order())))

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
        pg_user = service_user("postgres")
        pg_socket_dir = s.var_dir / "run"
        pg_socket_dir.mkdir(parents=True, exist_ok=True)
        if pg_user:
            shutil.chown(pg_socket_dir, user=pg_user)
        self.services["postgres"] = Service(
            [
                str(postgres_bin() / "postgres"), "-D", str(s.postgres_data), "-p", str(s.pg_port),
                "-k", str(pg_socket_dir), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200",
            ],
            {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},
            s.pg_port,
            stop_signal=signal.SIGINT,  # "fast" shutdown: SIGTERM would wait for Rasa to disconnect
            user=pg_user,
        )  # fmt: skip
        redis_conf = write_redis_conf(s)
        self.services["redis"] = Service([require("redis-server", "redis-server"), str(redis_conf)], {}, s.redis_port)
        rasa_env = {
            **base,
            "LEADBOT_ACTION_ENDPOINT": f"http://127.0.0.1:{s.actions_lb_port}/webhook",
            "LEADBOT_REDIS_HOST": "127.0.0.1",
            "LEADBOT_REDIS_PORT": str(s.redis_port),
            "LEADBOT_REDIS_PASSWORD": s.require("redis_password"),
            "LEADBOT_RASA_TOKEN": s.require("rasa_token"),
            "LEADBOT_ACTION_TOKEN": s.require("action_token"),
            "LEADBOT_CORS_ORIGINS": ",".join(s.cors_origins),
            "TICKET_LOCK_LIFETIME": str(s.lock_lifetime),
        }
        for i, name in enumerate(self.rasa_names):
            self.services[name] = Service(
                [python, "-m", "bot.ops", "rasa", "--port", str(s.rasa_port(i))],
                rasa_env,
                f"http://127.0.0.1:{s.rasa_port(i)}/",
                ready_timeout=300,
            )
        for i, name in enumerate(self.action_names):
            port = s.actions_port(i)
            self.services[name] = Service(
                [python, "-m", "bot.ops", "actions", "--port", str(port)],
                {**base, "SANIC_HOST": "127.0.0.1", "LEADBOT_ACTION_TOKEN": s.require("action_token")},
                f"http://127.0.0.1:{port}/health",
            )
        self.services["worker"] = Service(
            [python, "-m", "bot.ops", "worker"],
            {**base, "LEADBOT_API_HOST": "127.0.0.1", "LEADBOT_API_PORT": str(s.api_port)},
            f"http://127.0.0.1:{s.api_port}/health",
        )
        nginx_conf = write_nginx_conf(s)
        self.services["nginx"] = Service(
            [require("nginx", "nginx"), "-p", str(s.var_dir / "nginx"), "-c", str(nginx_conf), "-e", "stderr"],
            {"PATH": os.environ.get("PATH", "")},
            s.public_port,
            stop_signal=signal.SIGQUIT,  # graceful: finish in-flight requests
        )


def _describe(stack: ProductionStack) -> str:
    s = stack.settings
    return (
        f"\n  Public endpoint (nginx):  {s.public_url}/  (listening on {s.public_host}:{s.public_port})\n"
        f"  REST webhook:             {s.public_url}/webhooks/rest/webhook\n"
        f"  Allowed origins:          {', '.join(s.cors_origins)}\n"
        f"  socket.io:                {s.public_url}/socket.io/\n"
        f"  Rasa HTTP API:            {s.public_url}/conversations/<id>/tracker?token=$LEADBOT_RASA_TOKEN\n"
        f"  Feedback API:             {s.public_url}/feedback/<lead_id>  (Bearer $LEADBOT_FEEDBACK_TOKEN)\n"
        f"  Sales console:            {s.console_url}/  (accounts: leadbot users add)\n"
        f"  Rasa instances:           {', '.join(stack.rasa_url(n) for n in stack.rasa_names)}\n"
        f"  PostgreSQL:               127.0.0.1:{s.pg_port} (data in {s.postgres_data})"
        f"   Redis: 127.0.0.1:{s.redis_port}\n"
        f"  Logs:                     {stack.log_dir}/\n"
        f"  Secrets not set in the environment were generated into {s.var_dir / 'secrets.env'}\n"
        "  (give LEADBOT_HANDOFF_SECRET to your webhook receiver: it signs every handoff)\n\n"
        "Press Ctrl-C to stop."
    )


def _serve(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.rasa_instances:
        settings = settings.copy(update={"rasa_instances": args.rasa_instances})
    stack = ProductionStack(settings)
    print("Starting PostgreSQL, Redis, action servers, Rasa instances and nginx (1–3 minutes)…", flush=True)
    return stack.run_until_stopped(stack.start, lambda: _describe(stack))


def main(argv: list[str] | None = None) -> int:
    """`make run-prod`: the whole topology in the foreground."""
    parser = argparse.ArgumentParser(prog="python -m bot.ops production", description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-instances", type=int, default=None)
    return _serve(parser.parse_args(argv))
