"""Fuzzing the dev stack: 10,000 generated messages and metadata payloads, 0 action errors.

Starts `bot.ops.local.Stack` (action server + Rasa server, SQLite in a temp dir) on free
loopback ports, sends hypothesis-generated hostile messages with hostile widget metadata over
the REST channel from a pool of visitors, then reads the action server's and Rasa's logs for
any action that raised (`tests/fuzzing.py`): Rasa answers 200 even then, so status codes alone
prove nothing. Also counts HTTP statuses and servers that died.

    .venv/bin/python benchmarks/bench_fuzz.py [--messages 10000] [--visitors 200]

Writes `results/fuzz.md`; exit status 1 on any action error, dropped message, 5xx or dead server.
Rasa's REST channel raises (and answers 200 with no reply) when `metadata` is not a JSON object:
those are counted apart from action errors, since no action ran.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from itertools import cycle
from pathlib import Path

import requests
from hypothesis import HealthCheck, given, settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

from bot.ops.local import MODEL, Stack  # noqa: E402
from tests.fuzzing import action_errors, dropped_turns, log_offsets, message, metadata  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--visitors", type=int, default=200)
    args = parser.parse_args()
    if not MODEL.exists():
        print(f"{MODEL} is missing: run `make setup` first", file=sys.stderr)
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="bench-fuzz-"))
    (tmp / "training").symlink_to(ROOT / "training")
    sla = tmp / "sla.yml"
    sla.write_text((ROOT / "sla.yml").read_text(encoding="utf-8"), encoding="utf-8")
    stack = Stack.on_free_ports(tmp, sla_path=str(sla))
    stack.start()
    log_dir = tmp / "logs"
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    load_before = os.getloadavg()
    started = time.monotonic()
    try:
        before = log_offsets(log_dir)
        senders = cycle([f"fuzz-{i}" for i in range(args.visitors)])
        session = requests.Session()

        @settings(max_examples=args.messages, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(text=message, meta=metadata)
        def one(text: str, meta: object) -> None:
            body = {"sender": next(senders), "message": text, "metadata": meta}
            try:
                response = session.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
                statuses[response.status_code] += 1
            except requests.RequestException as error:
                statuses[0] += 1
                failures.append(f"{type(error).__name__}: {error}"[:200])

        one()
        seconds = time.monotonic() - started
        errors = action_errors(log_dir, before)
        dropped = Counter(dropped_turns(log_dir, before))
        alive = [name for name, process in stack.processes.items() if process.poll() is None]
    finally:
        stack.stop()
    sent = sum(statuses.values())
    server_errors = sum(n for code, n in statuses.items() if code >= 500 or code == 0)
    lines = [
        "# Fuzzing the dev stack: hostile messages and metadata over REST",
        "",
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {platform.node()} · {os.cpu_count()} CPUs · "
        f"load {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after · {seconds:.0f} s",
        "",
        f"- messages: **{sent:,}** from {args.visitors} visitors (hypothesis, `tests/fuzzing.py`)",
        f"- **action errors (action server + Rasa logs): {len(errors)}**",
        f"- **messages Rasa's REST channel dropped before any action ran: {sum(dropped.values())}** "
        f"(answered 200 with no reply) {dict(dropped.most_common(5))}",
        f"- HTTP statuses: {dict(sorted(statuses.items()))} (0 = no answer); 5xx or none: {server_errors}",
        f"- servers alive at the end: {', '.join(sorted(alive))}",
    ]
    if errors or failures:
        lines += ["", "## First errors", "", *[f"- `{e}`" for e in (errors + failures)[:20]]]
    report = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "fuzz.md").write_text(report, encoding="utf-8")
    print(report)
    return 1 if errors or dropped or server_errors or len(alive) < len(stack.processes) else 0


if __name__ == "__main__":
    sys.exit(main())
