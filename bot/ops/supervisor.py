"""The one process supervisor: named services started, health-checked, stopped and restarted.

`make run` (bot/ops/local.py), `make run-prod` (bot/ops/production.py), the integration and
production tests and the benchmarks all drive their processes through `Supervisor`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.ops.lifeline import Running, StateFile, Watchdog, die_with_parent

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "leadbot.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port_pair() -> int:
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


def wait_http(url: str, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll `url` until it answers with any HTTP status; fail early if the process behind it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{_name(process)} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers, if only with 401: that is all "up" means here
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


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


@dataclass
class Service:
    """How to run one process and how to tell it is ready."""

    argv: list[str]
    env: dict[str, str]
    ready: str | int | None  # URL to poll, port to connect to, or nothing
    stop_signal: int = signal.SIGTERM
    user: str | None = None
    ready_timeout: float = 60


class Supervisor:
    """Child processes by name, each in its own session (a signal reaches its children too).

    Subclasses define `services` (a topology) and call `start_service`; everything is stopped
    front to back (`stop_order`), each with its own stop signal, SIGKILL after 20 s. Should the
    supervisor itself die, its children die too (bot/ops/lifeline.py), and the next start in the
    same log folder stops whatever is left (`<log_dir>/supervisor.json`).
    """

    services: dict[str, Service]
    processes: dict[str, subprocess.Popen[bytes]]
    log_dir: Path | None
    _watchdog: Watchdog | None = None

    @property
    def state_file(self) -> StateFile:
        assert self.log_dir is not None
        return StateFile(self.log_dir / "supervisor.json")

    def start_service(self, name: str, *, wait: bool = True) -> None:
        service = self.services[name]
        assert self.log_dir is not None
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if self._watchdog is None:
            self.state_file.take_over(lambda message: print(message, file=sys.stderr, flush=True))
            self._watchdog = Watchdog()
        replaced = self.processes.get(name)
        if replaced is not None:  # it died on its own: its group number may be reused by anyone
            self._watchdog.forget(replaced.pid)
        log_file = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps its own copy
        self.processes[name] = process = subprocess.Popen(
            service.argv,
            cwd=ROOT,
            env=service.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=service.user,
            group=service.user,
            preexec_fn=die_with_parent(service.stop_signal),
        )
        log_file.close()
        self._watchdog.watch(process.pid, service.stop_signal)
        self._record()
        if wait:
            self.wait_ready(name)

    def _record(self) -> None:
        self.state_file.write(
            {
                name: Running.of(process.pid, self.services[name].stop_signal)
                for name, process in self.processes.items()
                if process.poll() is None
            }
        )

    def wait_ready(self, name: str) -> None:
        service, process = self.services[name], self.processes[name]
        if isinstance(service.ready, str):
            wait_http(service.ready, service.ready_timeout, process)
        elif isinstance(service.ready, int):
            wait_port(service.ready, service.ready_timeout, process)

    def stop(self, name: str | None = None, sig: int | None = None) -> None:
        """Stop one service (or all, in `stop_order`) and wait for it; SIGKILL after 20 s."""
        for key in [name] if name else [n for n in self.stop_order() if n in self.processes]:
            process = self.processes.pop(key, None)
            if process is None:
                continue
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, sig or self.services[key].stop_signal)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            if self._watchdog is not None:
                self._watchdog.forget(process.pid)
        if self._watchdog is None:
            return
        if name is None or not self.processes:
            self._watchdog.close()
            self._watchdog = None
            self.state_file.remove()
        else:
            self._record()

    def stop_order(self) -> list[str]:
        """Front to back; by default the reverse of the order the services were defined in."""
        return list(reversed(self.services))

    def kill(self, name: str) -> None:
        """SIGKILL one service, as a crash would."""
        self.stop(name, signal.SIGKILL)

    def restart(self, name: str) -> None:
        """Stop and start one service again and wait until it is ready (restart tests)."""
        self.stop(name)
        self.start_service(name)

    def ensure_running(self, order: list[str]) -> list[str]:
        """Start whatever in `order` is not running (after a crash or a fault test)."""
        started = []
        for name in order:
            process = self.processes.get(name)
            if process is None or process.poll() is not None:
                self.start_service(name, wait=False)
                started.append(name)
        for name in started:
            self.wait_ready(name)
        return started

    def run_until_stopped(self, start: Callable[[], None], banner: Callable[[], str]) -> int:
        """The foreground mode of `make run` / `make run-prod`: start, print `banner()`, watch.

        Ctrl-C or SIGTERM stops everything; so does any service exiting on its own (exit 1)."""
        stopping = False

        def _stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, _stop)
        status = 0
        try:
            start()
            print(banner(), flush=True)
            while not stopping:
                for name, process in list(self.processes.items()):
                    if process.poll() is not None:
                        print(
                            f"{name} stopped unexpectedly (exit {process.returncode}); see {self.log_dir}/{name}.log",
                            flush=True,
                        )
                        stopping, status = True, 1
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        except (OSError, RuntimeError, ValueError, TimeoutError) as exc:
            where = f" (logs in {self.log_dir}/)" if self.log_dir else ""
            print(f"could not start: {exc}{where}", file=sys.stderr)
            status = 1
        finally:
            print("\nStopping…", flush=True)
            self.stop()
        return status
