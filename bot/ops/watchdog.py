"""Stops what a supervisor started when the supervisor dies without stopping it (SIGKILL, OOM).

Run as a plain script by `bot.ops.lifeline.Watchdog` (no `bot` imports: it starts fast and
outlives the package). stdin carries `+PGID SIGNAL` / `-PGID` lines; end of file means the
supervisor is gone: every group still listed gets its stop signal, then SIGKILL after a grace time.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time

GRACE_SECONDS = 10.0


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal(group: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, sig)


def main() -> int:
    # Ctrl-C is for the supervisor, which then stops everything itself and closes our stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    groups: dict[int, int] = {}
    for line in sys.stdin:
        fields = line.split()
        if len(fields) == 2 and fields[0].startswith("+"):
            groups[int(fields[0][1:])] = int(fields[1])
        elif len(fields) == 1 and fields[0].startswith("-"):
            groups.pop(int(fields[0][1:]), None)
    for group, sig in groups.items():
        _signal(group, sig)
    deadline = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < deadline and any(_alive(g) for g in groups):
        time.sleep(0.2)
    for group in groups:
        _signal(group, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
