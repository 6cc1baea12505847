"""`make run-prod` killed with SIGKILL (as the OOM killer would): PostgreSQL, Redis, nginx, Rasa,
the action servers and the worker stop with it, and every port is free for the next start.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from bot.ops.lifeline import descendants, still_running
from bot.ops.production import throwaway_settings
from bot.ops.sockets import port_in_use
from bot.ops.supervisor import MODEL, ROOT

pytestmark = [pytest.mark.production, pytest.mark.timeout(600)]


def test_killed_production_supervisor_leaves_no_process_and_no_port_behind() -> None:
    missing = [b for b in ("nginx", "redis-server") if not (shutil.which(b) or Path(f"/usr/sbin/{b}").exists())]
    if missing or not list(Path("/usr/lib/postgresql").glob("*/bin/postgres")):
        pytest.skip(f"needs apt packages postgresql, redis-server, nginx (missing: {missing or 'pg'})")
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make setup` first")
    var = Path(tempfile.mkdtemp(prefix="leadbot-orphans-"))
    var.chmod(0o755)  # the postgres user must reach its data dir
    settings = throwaway_settings(var, {"LEADBOT_RASA_INSTANCES": "1", "LEADBOT_ACTION_SERVERS": "1"})
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADBOT_")}
    env.update({**settings.environment(), "LEADBOT_ENV_FILE": str(var / "no.env"), "PYTHONPATH": str(ROOT)})
    ports = [
        settings.public_port, settings.actions_lb_port, settings.api_port, settings.pg_port, settings.redis_port,
        settings.rasa_port(0), settings.actions_port(0),
    ]  # fmt: skip
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "bot.ops", "production"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    ready, output = threading.Event(), []

    def read() -> None:
        assert supervisor.stdout is not None
        for line in iter(supervisor.stdout.readline, b""):
            output.append(line.decode(errors="replace").rstrip())
            if "Press Ctrl-C to stop." in output[-1]:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    processes: dict[int, int] = {}
    try:
        assert ready.wait(420), "\n".join(output)
        processes = descendants(supervisor.pid)
        assert len(processes) >= 8  # postgres and its backends, redis, nginx and workers, rasa, actions, worker

        supervisor.send_signal(signal.SIGKILL)
        supervisor.wait(30)
        deadline = time.monotonic() + 40
        while (alive := still_running(processes)) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert alive == [], f"still running after the supervisor was killed: {alive}"
        assert [port for port in ports if port_in_use(port)] == []
    finally:
        if supervisor.poll() is None:
            supervisor.send_signal(signal.SIGINT)
            supervisor.wait(120)
        for pid in still_running(processes):
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(var, ignore_errors=True)
