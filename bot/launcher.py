"""Starts and stops the local stack: action server, Rasa server, chat page, handoff worker.

Used by `make run` (fixed ports, Ctrl-C stops all) and by the integration tests (free ports).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "leadbot.tar.gz"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll `url` until it answers with any HTTP status; fail early if the process behind it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{' '.join(map(str, process.args))} exited with {process.returncode}")  # type: ignore[arg-type]
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers, if only with 401: that is all "up" means here
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


@dataclass
class Stack:
    """One action server + one Rasa server (+ optionally the chat page and the worker)."""

    rasa_port: int = 5005
    actions_port: int = 5055
    web_port: int | None = 8000
    api_port: int | None = 5056
    database_url: str = "sqlite:///leads.db"
    tracker_db_url: str = "sqlite:///rasa_tracker.db"
    sla_path: str = "sla.yml"
    model: Path = MODEL
    log_dir: Path = ROOT / "logs"
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _argv: dict[str, list[str]] = field(default_factory=dict)

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

    def start(self) -> None:
        if not self.model.exists():
            raise FileNotFoundError(f"{self.model} is missing: run `make setup` to train the model")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._spawn(
            "actions", [str(BIN / "python"), "-m", "rasa_sdk", "--actions", "actions", "-p", str(self.actions_port)]
        )
        self._spawn(
            "rasa",
            [
                str(BIN / "python"), "-m", "bot.rasa_server", "run", "--enable-api", "--cors", "*",
                "--port", str(self.rasa_port), "--interface", "0.0.0.0",
                "--model", str(self.model), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
            ],
        )  # fmt: skip
        if self.web_port:
            self._spawn("web", [str(BIN / "python"), "-m", "http.server", str(self.web_port), "--directory", "web"])
        if self.api_port:
            self._spawn("worker", [str(BIN / "python"), "-m", "bot", "serve"])
        wait_http(f"{self.actions_url}/health", 60, self.processes["actions"])
        wait_http(f"{self.rasa_url}/status", 240, self.processes["rasa"])
        if self.web_port:
            wait_http(f"{self.web_url}/index.html", 20, self.processes["web"])

    def _spawn(self, name: str, argv: list[str]) -> None:
        self._argv[name] = argv
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the process
        self.processes[name] = subprocess.Popen(
            argv, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self, name: str | None = None, sig: int = signal.SIGTERM) -> None:
        for key in [name] if name else list(self.processes):
            process = self.processes.pop(key, None)
            if process is None or process.poll() is not None:
                continue
            os.killpg(process.pid, sig)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def restart(self, name: str) -> None:
        """Stop and start one server again (tests of restarts and reconnection)."""
        self.stop(name)
        self._spawn(name, self._argv[name])
        health = {"actions": f"{self.actions_url}/health", "rasa": f"{self.rasa_url}/status"}
        if name in health:
            wait_http(health[name], 240, self.processes[name])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the assistant locally (Ctrl-C stops everything).")
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    parser.add_argument("--web-port", type=int, default=8000)
    args = parser.parse_args(argv)
    from bot.settings import current_settings

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
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        print("Starting the action server, the Rasa server and the chat page (logs in logs/)…", flush=True)
        stack.start()
        print(
            f"\n  Chat with the assistant:  http://localhost:{args.web_port}/\n"
            f"  Rasa REST webhook:        {stack.rasa_url}/webhooks/rest/webhook\n"
            f"  Leads:                    .venv/bin/leadbot leads list\n\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        while not stopping:
            for name, process in stack.processes.items():
                if process.poll() is not None:
                    print(f"{name} stopped unexpectedly (exit {process.returncode}); see logs/{name}.log", flush=True)
                    stopping = True
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping…", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
