"""The local stack of `make run` and the integration tests: action server, Rasa, chat page, worker.

`make run` uses fixed ports (Ctrl-C stops all); the tests and benchmarks take free ports and
SQLite files in a temporary folder. Processes are run by the one `Supervisor`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.ops.supervisor import BIN, MODEL, ROOT, Service, Supervisor, free_port, wait_http
from bot.settings import current_settings

__all__ = ["BIN", "MODEL", "ROOT", "Stack", "free_port", "main", "wait_http"]


@dataclass
class Stack(Supervisor):
    """One action server + one Rasa server (+ optionally the chat page and the worker)."""

    rasa_port: int = 5005
    actions_port: int = 5055
    web_port: int | None = 8000
    api_port: int | None = 5056
    database_url: str = "sqlite:///leads.db"
    tracker_db_url: str = "sqlite:///rasa_tracker.db"
    sla_path: str = "sla.yml"
    model: Path = MODEL
    log_dir: Path | None = ROOT / "logs"
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
        }
        settings.update(overrides)
        settings["extra_env"] = {"LEADBOT_HANDOFF_URL": "", **settings.get("extra_env", {})}
        return cls(**settings)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "LEADBOT_SLA": self.sla_path,
                "LEADBOT_DATABASE_URL": self.database_url,
                "LEADBOT_TRACKER_DB_URL": self.tracker_db_url,
                "LEADBOT_ACTION_ENDPOINT": f"{self.actions_url}/webhook",
                "RASA_TELEMETRY_ENABLED": "false",
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.api_port:
            env["LEADBOT_API_PORT"] = str(self.api_port)
        env.update(self.extra_env)
        return env

    def _define_services(self) -> None:
        python, env = str(BIN / "python"), self.env()
        self.services["actions"] = Service(
            [python, "-m", "rasa_sdk", "--actions", "actions", "-p", str(self.actions_port)],
            env,
            f"{self.actions_url}/health",
        )
        self.services["rasa"] = Service(
            [
                python, "-m", "bot.ops.rasa_server", "run", "--enable-api", "--cors", "*",
                "--port", str(self.rasa_port), "--interface", "0.0.0.0",
                "--model", str(self.model), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
            ],
            env,
            f"{self.rasa_url}/status",
            ready_timeout=240,
        )  # fmt: skip
        if self.web_port:
            self.services["web"] = Service(
                [python, "-m", "http.server", str(self.web_port), "--directory", "web"],
                env,
                f"{self.web_url}/index.html",
                ready_timeout=20,
            )
        if self.api_port:
            self.services["worker"] = Service([python, "-m", "bot", "serve"], env, None)

    def start(self) -> None:
        if not self.model.exists():
            raise FileNotFoundError(f"{self.model} is missing: run `make setup` to train the model")
        self._define_services()
        for name in self.services:
            self.start_service(name, wait=False)
        for name in self.services:
            self.wait_ready(name)


def main(argv: list[str] | None = None) -> int:
    """`make run`: the local stack on fixed ports, in the foreground."""
    parser = argparse.ArgumentParser(description="Run the assistant locally (Ctrl-C stops everything).")
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    parser.add_argument("--web-port", type=int, default=8000)
    args = parser.parse_args(argv)
    configured = current_settings()
    stack = Stack(
        rasa_port=args.rasa_port,
        actions_port=args.actions_port,
        web_port=args.web_port,
        api_port=configured.api_port,
        database_url=configured.database_url,
        tracker_db_url=configured.tracker_db_url or "sqlite:///rasa_tracker.db",
        sla_path=configured.sla_path,
    )
    print("Starting the action server, the Rasa server and the chat page (logs in logs/)…", flush=True)
    return stack.run_until_stopped(
        stack.start,
        lambda: (
            f"\n  Chat with the assistant:  http://localhost:{args.web_port}/\n"
            f"  Rasa REST webhook:        {stack.rasa_url}/webhooks/rest/webhook\n"
            f"  Leads:                    .venv/bin/leadbot leads list\n\n"
            "Press Ctrl-C to stop."
        ),
    )


if __name__ == "__main__":
    raise SystemExit(main())
