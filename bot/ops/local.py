"""The local stack of `make run` and the integration tests: action server, Rasa, chat page, worker.

`make run` uses fixed ports (Ctrl-C stops all); the tests and benchmarks take free ports and
SQLite files in a temporary folder. Everything listens on 127.0.0.1 unless LEADBOT_BIND_HOST
says otherwise; the action server answers only calls carrying LEADBOT_ACTION_TOKEN (generated
into `.env` on the first `make run`), and Rasa allows cross-origin calls from the chat page's
origin only (plus LEADBOT_CORS_ORIGINS). Under `make run` the Rasa HTTP API wants a token only
when LEADBOT_RASA_TOKEN is set: the shared runtime contract keeps it open on loopback in
development (other tools read trackers from it), and production mode always sets one. The
tests' and benchmarks' stacks always use one.
The worker process also serves the sales console (`leadbot serve`, /console/); its secret
LEADBOT_CONSOLE_SECRET is generated into `.env` like the action token.
Processes are run by the one `Supervisor`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.ops.generated_secrets import ensure_secrets
from bot.ops.processes import ACTION_TOKEN_HEADER, is_loopback
from bot.ops.sockets import holder_of, port_in_use
from bot.ops.supervisor import BIN, MODEL, ROOT, Service, Supervisor, free_port, wait_http
from bot.settings import Settings, current_settings

__all__ = ["BIN", "MODEL", "ROOT", "Stack", "free_port", "main", "wait_http"]

_DEV_SECRETS = ("action_token", "console_secret")


def _token() -> str:
    return secrets.token_hex(24)


@dataclass
class Stack(Supervisor):
    """One action server + one Rasa server (+ optionally the chat page and the worker)."""

    rasa_port: int = 5005
    actions_port: int = 5055
    web_port: int | None = 8000
    api_port: int | None = 5056
    host: str = "127.0.0.1"
    rasa_token: str = field(default_factory=_token, repr=False)
    action_token: str = field(default_factory=_token, repr=False)
    console_secret: str = field(default_factory=_token, repr=False)  # the worker's console (sessions, links)
    cors_origins: tuple[str, ...] = ()  # besides the chat page's own origin
    database_url: str = "sqlite:///leads.db"
    tracker_db_url: str = "sqlite:///rasa_tracker.db"
    sla_path: str = "sla.yml"
    model: Path = MODEL
    log_dir: Path | None = ROOT / "logs"
    run_dir: Path = ROOT / "var" / "local"
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)

    @classmethod
    def on_free_ports(cls, tmp: Path, *, web: bool = False, **overrides: Any) -> Stack:
        """A throwaway stack (tests, benchmarks): free loopback ports, SQLite files in `tmp`,
        no handoff channel, no worker."""
        settings: dict[str, Any] = {
            "rasa_port": free_port(),
            "actions_port": free_port(),
            "web_port": free_port() if web else None,
            "api_port": None,
            "database_url": f"sqlite:///{tmp}/leads.db",
            "tracker_db_url": f"sqlite:///{tmp}/tracker.db",
            "log_dir": Path(tmp) / "logs",
            "run_dir": Path(tmp) / "run",
        }
        settings.update(overrides)
        settings["extra_env"] = {"LEADBOT_HANDOFF_URL": "", **settings.get("extra_env", {})}
        return cls(**settings)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def rasa_auth(self) -> dict[str, str]:
        """The query parameters the Rasa HTTP API (/conversations/…, /model/…) wants."""
        return {"token": self.rasa_token} if self.rasa_token else {}

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def console_url(self) -> str:
        """The sales console, served by the worker's web app (`leadbot serve`)."""
        return f"http://localhost:{self.api_port}/console"

    @property
    def allowed_origins(self) -> list[str]:
        """The origins Rasa answers cross-origin calls from: the chat page, as both loopback names."""
        page = [f"http://localhost:{self.web_port}", f"http://127.0.0.1:{self.web_port}"] if self.web_port else []
        return list(dict.fromkeys([*page, *self.cors_origins]))

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "LEADBOT_SLA": self.sla_path,
                "LEADBOT_DATABASE_URL": self.database_url,
                "LEADBOT_TRACKER_DB_URL": self.tracker_db_url,
                "RASA_TELEMETRY_ENABLED": "false",
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.api_port:
            env["LEADBOT_API_PORT"] = str(self.api_port)
            # The one-click verdict links in handoffs point at this console unless .env says otherwise.
            if not env.get("LEADBOT_CONSOLE_URL"):
                env["LEADBOT_CONSOLE_URL"] = self.console_url
            # The actions sign the links when a lead is handed off, the worker's console reads them.
            env["LEADBOT_CONSOLE_SECRET"] = self.console_secret
        env.update(self.extra_env)
        return env

    def write_endpoints(self) -> Path:
        """endpoints.yml as `rasa run` in this folder reads it, pointed at this stack's action
        server (with the token header) and tracker database. Mode 0600: it holds the token."""
        config = yaml.safe_load((ROOT / "endpoints.yml").read_text()) or {}
        config["action_endpoint"] = {
            **(config.get("action_endpoint") or {}),
            "url": f"{self.actions_url}/webhook",
            "headers": {ACTION_TOKEN_HEADER: self.action_token},
        }
        config["tracker_store"] = {**(config.get("tracker_store") or {"type": "SQL"}), "url": self.tracker_db_url}
        self.run_dir.mkdir(parents=True, exist_ok=True)
        path = self.run_dir / "endpoints.yml"
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
            yaml.safe_dump(config, out, sort_keys=False)
        return path

    def _define_services(self) -> None:
        python, env = str(BIN / "python"), self.env()
        self.services["actions"] = Service(
            [python, "-m", "bot.ops", "actions", "--port", str(self.actions_port)],
            {**env, "SANIC_HOST": self.host, "LEADBOT_ACTION_TOKEN": self.action_token},
            f"{self.actions_url}/health",
        )
        cors = ["--cors", *self.allowed_origins] if self.allowed_origins else []
        self.services["rasa"] = Service(
            [
                python, "-m", "bot.ops.rasa_server", "run", "--enable-api", *cors,
                "--port", str(self.rasa_port), "--interface", self.host,
                "--model", str(self.model), "--endpoints", str(self.write_endpoints()),
                "--credentials", "credentials.yml",
            ],
            {**env, "LEADBOT_RASA_TOKEN": self.rasa_token},
            f"{self.rasa_url}/",
            ready_timeout=240,
        )  # fmt: skip
        if self.web_port:
            self.services["web"] = Service(
                [python, "-m", "http.server", str(self.web_port), "--bind", self.host, "--directory", "web"],
                env,
                f"{self.web_url}/index.html",
                ready_timeout=20,
            )
        if self.api_port:
            worker_env = {**env, "LEADBOT_API_HOST": self.host}
            self.services["worker"] = Service([python, "-m", "bot", "serve"], worker_env, None)

    def ports(self) -> dict[str, tuple[int, str]]:
        """Each service's port and the option of `python -m bot.ops local` that moves it."""
        ports = {"rasa": (self.rasa_port, "--rasa-port"), "actions": (self.actions_port, "--actions-port")}
        if self.web_port:
            ports["web"] = (self.web_port, "--web-port")
        if self.api_port:
            ports["worker"] = (self.api_port, "LEADBOT_API_PORT")
        return ports

    def start(self) -> None:
        if not self.model.exists():
            raise FileNotFoundError(f"{self.model} is missing: run `make setup` to train the model")
        self.state_file.take_over(lambda message: print(message, flush=True))
        for name, (port, option) in self.ports().items():
            if port_in_use(port):
                raise RuntimeError(
                    f"port {port} ({name}) is in use by {holder_of(port) or 'another program'}: "
                    f"stop that program, or choose another port ({option})"
                )
        self._define_services()
        for name in self.services:
            self.start_service(name, wait=False)
        for name in self.services:
            self.wait_ready(name)


def _dev_secrets(env_file: Path) -> Settings:
    """The settings, with the action server's secret made on the first run (and the Rasa API's
    token too when the stack listens beyond this machine)."""
    names = _DEV_SECRETS if is_loopback(current_settings().bind_host) else (*_DEV_SECRETS, "rasa_token")
    variables = [Settings.variable(name) for name in names]
    found = ensure_secrets(variables, {k: v for k, v in os.environ.items() if v}, env_file)
    if found.generated:
        print(f"Generated {', '.join(found.generated)} into {env_file} (kept for later runs).", flush=True)
    return current_settings().copy(update={name: found.values[Settings.variable(name)] for name in names})


def main(argv: list[str] | None = None) -> int:
    """`make run`: the local stack on fixed ports, in the foreground."""
    parser = argparse.ArgumentParser(description="Run the assistant locally (Ctrl-C stops everything).")
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    parser.add_argument("--web-port", type=int, default=8000)
    parser.add_argument("--log-dir", type=Path, default=ROOT / "logs")
    parser.add_argument("--run-dir", type=Path, default=ROOT / "var" / "local", help="generated endpoints.yml")
    args = parser.parse_args(argv)
    configured = _dev_secrets(Path.cwd() / ".env")
    stack = Stack(
        rasa_port=args.rasa_port,
        actions_port=args.actions_port,
        web_port=args.web_port,
        api_port=configured.api_port,
        host=configured.bind_host,
        rasa_token=configured.rasa_token or "",
        action_token=configured.require("action_token"),
        console_secret=configured.require("console_secret"),
        cors_origins=configured.cors_origins,
        database_url=configured.database_url,
        tracker_db_url=configured.tracker_db_url or "sqlite:///rasa_tracker.db",
        sla_path=configured.sla_path,
        log_dir=args.log_dir,
        run_dir=args.run_dir,
    )
    print(f"Starting the action server, the Rasa server and the chat page (logs in {args.log_dir}/)…", flush=True)
    return stack.run_until_stopped(
        stack.start,
        lambda: (
            f"\n  Chat with the assistant:  http://localhost:{args.web_port}/\n"
            f"  Rasa REST webhook:        {stack.rasa_url}/webhooks/rest/webhook\n"
            f"  Rasa HTTP API:            {stack.rasa_url}/conversations/<id>/tracker"
            + ("?token=… (LEADBOT_RASA_TOKEN in .env)\n" if stack.rasa_token else " (loopback only)\n")
            + (
                f"  Sales console:            {stack.console_url}/  (accounts: leadbot users add)\n"
                if stack.api_port
                else ""
            )
            + f"  Listening on:             {stack.host} (LEADBOT_BIND_HOST)\n"
            f"  Leads:                    .venv/bin/leadbot leads list\n\n"
            "Press Ctrl-C to stop."
        ),
    )


if __name__ == "__main__":
    raise SystemExit(main())
