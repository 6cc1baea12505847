"""What ties the supervisor's children to it: they die with it, and a new start cleans up after a dead one.

Three layers, because SIGKILL leaves the supervisor no last word: each child asks the kernel for
its stop signal when the supervisor dies (PR_SET_PDEATHSIG); a watchdog process stops whole
process groups (nginx workers, PostgreSQL backends) once the supervisor's end of a pipe closes;
and a state file lists what ran, so the next start stops leftovers or says who holds the folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int) -> Callable[[], None] | None:
    """A `preexec_fn` that has the kernel send `sig` to the child when the supervisor dies.

    The kernel watches the *thread* that forked, so only the main thread (which lives as long
    as the process) sets it; children started from other threads rely on the watchdog."""
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    parent = os.getpid()
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
        if os.getppid() != parent:  # the supervisor died between fork and prctl
            os.kill(os.getpid(), sig)

    return preexec


class Watchdog:
    """The watchdog process (bot/ops/watchdog.py) and our end of its pipe."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(Path(__file__).with_name("watchdog.py"))],
            stdin=subprocess.PIPE,
            start_new_session=True,  # a Ctrl-C or a signal to our group must not reach it
        )

    def watch(self, group: int, stop_signal: int) -> None:
        self._send(f"+{group} {int(stop_signal)}\n")

    def forget(self, group: int) -> None:
        self._send(f"-{group}\n")

    def close(self) -> None:
        """Everything was stopped: the watchdog exits without touching anything."""
        if self.process.stdin:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
        self.process.wait(timeout=30)

    def _send(self, line: str) -> None:
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.write(line.encode())
            self.process.stdin.flush()


@dataclass(frozen=True)
class Running:
    """One process as recorded in the state file: its pid and start time tell it from a reused pid."""

    pid: int
    started: int
    stop_signal: int = signal.SIGTERM

    @classmethod
    def of(cls, pid: int, stop_signal: int = signal.SIGTERM) -> Running:
        return cls(pid, start_time(pid) or 0, int(stop_signal))

    def alive(self) -> bool:
        return self.started != 0 and start_time(self.pid) == self.started


def start_time(pid: int) -> int | None:
    """Field 22 of /proc/PID/stat (clock ticks since boot); None when no such process (or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return None if fields[0] == "Z" else int(fields[19])


class StateFile:
    """`supervisor.json`: the supervisor and the services it runs, rewritten at every change."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, services: dict[str, Running]) -> None:
        body = {
            "supervisor": Running.of(os.getpid()).__dict__,
            "services": {name: running.__dict__ for name, running in services.items()},
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(body, indent=1))
        temporary.replace(self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def take_over(self, report: Callable[[str], None]) -> None:
        """Before a start: refuse while the recorded supervisor lives, stop what a dead one left."""
        try:
            body = json.loads(self.path.read_text())
            owner = Running(**body["supervisor"])
            services = {name: Running(**fields) for name, fields in body["services"].items()}
        except FileNotFoundError:
            return
        except (ValueError, KeyError, TypeError):
            report(f"ignoring unreadable {self.path}")
            return
        if owner.pid != os.getpid() and owner.alive():
            raise RuntimeError(
                f"another leadbot supervisor (pid {owner.pid}) is running with {self.path.parent}: "
                f"stop it first (Ctrl-C in its terminal, or `kill {owner.pid}`)"
            )
        leftovers = {name: running for name, running in services.items() if running.alive()}
        if leftovers:
            listed = ", ".join(f"{name} (pid {r.pid})" for name, r in leftovers.items())
            report(f"stopping what an earlier run left running after it died: {listed}")
            stop_groups(list(leftovers.values()))
        self.remove()


def stop_groups(processes: list[Running], grace: float = 10.0) -> None:
    """Each process group gets its stop signal, SIGKILL after `grace` seconds."""
    for running in processes:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(running.pid, running.stop_signal)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(r.alive() for r in processes):
        time.sleep(0.2)
    for running in processes:  # the whole group: workers may outlive their leader
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(running.pid, signal.SIGKILL)


def descendants(pid: int) -> dict[int, int]:
    """pid -> start time of every live process below `pid` (its children, theirs, …)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    found: dict[int, int] = {}
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            started = start_time(child)
            if ppid == parent and child not in found and started:
                found[child] = started
                frontier.append(child)
    return found


def still_running(processes: dict[int, int]) -> list[int]:
    """Which of `processes` (pid -> start time, as `descendants` gives) still run."""
    return [pid for pid, started in processes.items() if start_time(pid) == started]
