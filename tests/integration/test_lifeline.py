"""No orphans: a killed supervisor's children and grandchildren die, and a new start cleans up
after a dead one or names the live one. Real processes (sleep, sh), no Rasa: seconds each.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.ops.lifeline import Running, StateFile, start_time
from bot.ops.supervisor import ROOT

# A supervisor with two services: `sh` starting a background `sleep` (a grandchild, in the
# service's process group) and a plain `sleep`. It prints READY and waits to be killed.
SUPERVISOR = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from bot.ops.supervisor import Service, Supervisor

    class Toy(Supervisor):
        def __init__(self, log_dir):
            self.log_dir, self.processes = Path(log_dir), {}
            self.services = {
                "pair": Service(["sh", "-c", "sleep 300 & sleep 300"], {"PATH": "/usr/bin:/bin"}, None),
                "single": Service(["sleep", "300"], {}, None),
            }

    toy = Toy(sys.argv[1])
    for name in toy.services:
        toy.start_service(name)
    print("READY", flush=True)
    time.sleep(300)
    """
)


def _wait_until_gone(processes: dict[int, int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while True:
        alive = [pid for pid, started in processes.items() if start_time(pid) == started]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def _group_members(groups: set[int]) -> dict[int, int]:
    members = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) in groups and fields[0] != "Z":
                members[int(entry)] = int(fields[19])
    return members


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(["sleep", "300"], start_new_session=True)
    yield process
    if process.poll() is None:
        process.kill()
    process.wait()


def test_killed_supervisor_takes_its_children_and_their_children_with_it(tmp_path: Path) -> None:
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR, str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    assert supervisor.stdout is not None
    assert supervisor.stdout.readline().strip() == b"READY"
    time.sleep(0.5)  # let `sh` start its background sleep
    state = json.loads((tmp_path / "supervisor.json").read_text())
    groups = {entry["pid"] for entry in state["services"].values()}
    processes = _group_members(groups)
    assert len(processes) >= 3  # sh, its sleep, the single sleep

    supervisor.kill()
    supervisor.wait()
    assert _wait_until_gone(processes, 20) == []


def test_a_start_stops_what_a_dead_supervisor_left_running(tmp_path: Path, sleeper: subprocess.Popen[bytes]) -> None:
    dead_supervisor = Running(pid=2**22 - 1, started=12345)
    state = StateFile(tmp_path / "supervisor.json")
    _write(state, dead_supervisor, {"rasa": Running.of(sleeper.pid)})
    reports: list[str] = []

    state.take_over(reports.append)

    sleeper.wait(timeout=15)
    assert reports == [f"stopping what an earlier run left running after it died: rasa (pid {sleeper.pid})"]
    assert not state.path.exists()


def test_a_start_refuses_while_the_earlier_supervisor_still_runs(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    state = StateFile(tmp_path / "supervisor.json")
    _write(state, Running.of(sleeper.pid), {})
    with pytest.raises(RuntimeError) as refused:
        state.take_over(print)
    assert f"kill {sleeper.pid}" in str(refused.value) and str(tmp_path) in str(refused.value)
    assert sleeper.poll() is None and state.path.exists()


def test_a_recorded_pid_now_used_by_another_program_is_left_alone(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    state = StateFile(tmp_path / "supervisor.json")
    reused = Running(pid=sleeper.pid, started=(start_time(sleeper.pid) or 0) - 1)
    _write(state, Running(pid=2**22 - 1, started=1), {"rasa": reused})
    state.take_over(print)
    time.sleep(0.3)
    assert sleeper.poll() is None


def _write(state: StateFile, supervisor: Running, services: dict[str, Running]) -> None:
    state.path.write_text(
        json.dumps({"supervisor": supervisor.__dict__, "services": {k: v.__dict__ for k, v in services.items()}})
    )


def test_a_stopped_supervisor_leaves_no_state_file_and_no_watchdog(tmp_path: Path) -> None:
    from bot.ops.supervisor import Service, Supervisor

    class Toy(Supervisor):
        def __init__(self) -> None:
            self.log_dir, self.processes = tmp_path, {}
            self.services = {"single": Service(["sleep", "300"], {}, None)}

    toy = Toy()
    toy.start_service("single")
    watchdog = toy._watchdog
    assert watchdog is not None and (tmp_path / "supervisor.json").exists()
    toy.stop()
    assert watchdog.process.poll() == 0
    assert not (tmp_path / "supervisor.json").exists()


def test_a_start_names_the_program_that_holds_a_port_it_needs(tmp_path: Path) -> None:
    import socket

    from bot.ops.local import Stack

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        stack = Stack.on_free_ports(tmp_path, rasa_port=port)
        with pytest.raises(RuntimeError) as refused:
            stack.start()
    message = str(refused.value)
    assert f"port {port} (rasa) is in use by pid {os.getpid()}" in message and "--rasa-port" in message
    assert stack.processes == {}
