"""Concurrency benchmark of the production topology (run on demand): conversations that send several
messages at once, through nginx and straight at the Rasa instances, and what their trackers kept.

    python benchmarks/bench_concurrency.py [--conversations 30] [--messages 4] [--rounds 3] [--stagger 0.02]
                                          [--baseline [--baseline-rounds 1]]

Starts one throwaway topology (bot.ops.production: two Rasa instances, Redis lock store, nginx),
then per round and per route every conversation fires its messages together (message i of a
"direct" conversation goes to instance i % 2, no nginx), all conversations at the same time. Each
tracker is then read back through the Rasa API and counted: messages lost, stored twice, turns
interleaved (a user event stored before the previous turn finished) and conversations reordered.
"Reordered" compares with the send order, so it is measured on the staggered rounds only (message i
sent `i * stagger` s after the first); for sends at the same instant there is no order to keep.
--baseline first runs the same rounds on the topology as it was before issue 14 (Rasa's own
`type: redis` lock store, REST balanced with `least_conn`), in the same run, for comparison.
Writes benchmarks/results/concurrency.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.ops import bootstrap  # noqa: E402
from bot.ops.production import ProductionStack, throwaway_settings  # noqa: E402
from tests.production.conftest import (  # noqa: E402
    ALLOWED_ORIGIN,
    SCRIPTS,
    Visitor,
    burst_outcome,
    fire_at_once,
    post_turn,
    run_concurrently,
    webhook_upstreams,
)

RESULTS = ROOT / "benchmarks" / "results"


# A Rasa instance reading its endpoints from another folder (the baseline's), else as in production.
_RASA_FROM = (
    "import sys; from pathlib import Path; from bot.ops import processes; "
    "processes.DEPLOY = Path(sys.argv[2]); raise SystemExit(processes.run_rasa(int(sys.argv[1])))"
)


class BaselineStack(ProductionStack):
    """The topology before issue 14: Rasa's `type: redis` lock store, REST turns by `least_conn`."""

    def _define_services(self) -> None:
        deploy = self.settings.var_dir / "baseline-deploy"
        deploy.mkdir(parents=True, exist_ok=True)
        endpoints = (bootstrap.DEPLOY / "endpoints.production.yml").read_text()
        (deploy / "endpoints.production.yml").write_text(
            endpoints.replace("type: bot.ops.lock_store.LeadbotLockStore", "type: redis")
        )
        template = (bootstrap.DEPLOY / "nginx.conf.template").read_text()
        (deploy / "nginx.conf.template").write_text(template.replace("hash $rest_route consistent;", "least_conn;", 1))
        original, bootstrap.DEPLOY = bootstrap.DEPLOY, deploy
        try:
            super()._define_services()
        finally:
            bootstrap.DEPLOY = original
        for i, name in enumerate(self.rasa_names):
            python = self.services[name].argv[0]
            self.services[name].argv = [python, "-c", _RASA_FROM, str(self.settings.rasa_port(i)), str(deploy)]


@dataclass
class Round:
    topology: str
    route: str
    stagger: float
    conversations: int = 0
    messages: int = 0
    failed_requests: int = 0
    lost: int = 0
    duplicated: int = 0
    interleaved: int = 0
    reordered: int = 0
    dirty_trackers: int = 0
    split_conversations: int = 0  # served by more than one instance (nginx route only)
    unreadable: int = 0  # trackers the Rasa API would not return (counted as not clean)
    latencies: list[float] = field(default_factory=list)


def read_tracker(visitor: Visitor) -> dict | None:
    for _ in range(3):
        try:
            return visitor.tracker()
        except Exception as exc:  # an instance restarting, a 502: say so, try again
            print(f"    tracker of {visitor.sender}: {type(exc).__name__}", flush=True)
            time.sleep(2)
    return None


def run_round(stack: ProductionStack, route: str, conversations: int, messages: list[str], stagger: float) -> Round:
    urls = [stack.public_url] if route == "nginx" else [stack.rasa_url(n) for n in stack.rasa_names]
    visitors = [Visitor(stack) for _ in range(conversations)]
    topology = "before (Rasa's redis lock store, least_conn)" if isinstance(stack, BaselineStack) else "now"
    result = Round(topology, route, stagger, conversations, conversations * len(messages))

    def timed(url: str, visitor: Visitor, text: str) -> object:
        started = time.monotonic()
        response = post_turn(url, visitor, text)
        result.latencies.append(time.monotonic() - started)
        return response

    def burst(visitor: Visitor) -> list:
        targets = [(urls[i % len(urls)], text) for i, text in enumerate(messages)]
        return fire_at_once([lambda u=u, t=t: timed(u, visitor, t) for u, t in targets], stagger)

    replies = run_concurrently([lambda v=v: burst(v) for v in visitors], workers=conversations)
    for visitor, responses in zip(visitors, replies, strict=True):
        result.failed_requests += sum(
            1 for r in responses if isinstance(r, BaseException) or r.status_code != 200 or not r.json()
        )
        tracker = read_tracker(visitor)
        if tracker is None:
            result.unreadable += 1
            continue
        outcome = burst_outcome(tracker, messages)
        result.lost += len(outcome.lost)
        result.duplicated += len(outcome.duplicated)
        result.interleaved += outcome.interleaved
        result.reordered += bool(stagger) and outcome.reordered
        result.dirty_trackers += not outcome.clean
    if route == "nginx":
        senders = {v.sender for v in visitors}
        served: dict[str, set[str]] = {}
        for sender, upstreams in webhook_upstreams(stack):
            if sender in senders:
                served.setdefault(sender, set()).add(upstreams[-1])
        result.split_conversations = sum(1 for s in served.values() if len(s) > 1)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=30)
    parser.add_argument("--messages", type=int, default=4, help="sent at once per conversation (max 9)")
    parser.add_argument("--rounds", type=int, default=3, help="per route and stagger")
    parser.add_argument("--stagger", type=float, default=0.02, help="seconds between messages in staggered rounds")
    parser.add_argument("--baseline", action="store_true", help="also the topology before issue 14, first")
    parser.add_argument("--baseline-rounds", type=int, default=1, help="its rounds per route and stagger (slow)")
    parser.add_argument("--output", type=Path, default=RESULTS / "concurrency.md")
    args = parser.parse_args()
    messages = SCRIPTS["sales_ready"][: args.messages]
    rounds: list[Round] = []
    for kind in ([BaselineStack] if args.baseline else []) + [ProductionStack]:
        rounds += run_topology(kind, args.baseline_rounds if kind is BaselineStack else args.rounds, args, messages)
    write_markdown(rounds, args)
    now = [r for r in rounds if r.topology == "now"]
    return 0 if all(r.dirty_trackers + r.unreadable + r.failed_requests == 0 for r in now) else 1


def run_topology(
    kind: type[ProductionStack], repeat: int, args: argparse.Namespace, messages: list[str]
) -> list[Round]:
    var = Path(tempfile.mkdtemp(prefix="leadbot-bench-concurrency-"))
    var.chmod(0o755)
    settings = throwaway_settings(
        var,
        {
            "LEADBOT_CORS_ORIGINS": ALLOWED_ORIGIN,
            "LEADBOT_LOCK_LIFETIME": "15",
            # Every visitor has its own loopback address, but a burst of 9 must never meet the limit.
            "LEADBOT_WEBHOOK_BURST": "50",
        },
    )
    stack = kind(settings)
    rounds: list[Round] = []
    try:
        print(f"starting the topology ({kind.__name__}, 1–3 minutes)…", flush=True)
        stack.start()
        for stagger in (0.0, args.stagger):
            for route in ("nginx", "direct"):
                for _ in range(repeat):
                    r = run_round(stack, route, args.conversations, messages, stagger)
                    rounds.append(r)
                    print(
                        f"  {r.topology}: {route:6} stagger {stagger:.3f}s: lost {r.lost}, duplicated {r.duplicated},"
                        f" interleaved {r.interleaved}, reordered {r.reordered}, dirty trackers {r.dirty_trackers},"
                        f" failed requests {r.failed_requests}, split {r.split_conversations},"
                        f" unreadable trackers {r.unreadable}",
                        flush=True,
                    )
    finally:
        stack.stop()
        if os.environ.get("LEADBOT_KEEP_PROD_LOGS"):
            print(f"logs kept in {var / 'logs'}")
        else:
            shutil.rmtree(var, ignore_errors=True)
    return rounds


def write_markdown(rounds: list[Round], args: argparse.Namespace) -> None:
    with open("/proc/loadavg") as load:
        loadavg = load.read().split()[0]
    baseline = f" --baseline --baseline-rounds {args.baseline_rounds}" if args.baseline else ""
    lines = [
        "# Concurrency benchmark: several messages of one conversation at once",
        "",
        f"`python benchmarks/bench_concurrency.py --conversations {args.conversations} --messages {args.messages} "
        f"--rounds {args.rounds} --stagger {args.stagger}{baseline}` on {time.strftime('%Y-%m-%d')}, 2 shared cores "
        f"(load average {loadavg} at the end). Production topology: two Rasa instances, "
        "`bot.ops.lock_store.LeadbotLockStore` on Redis, nginx hashing REST turns on `X-Leadbot-Sender`. "
        "*nginx*: every message through nginx; *direct*: message i straight at instance i % 2 (only the "
        "lock store keeps the turns apart). Reordered is against the send order, so only for staggered rounds.",
        "",
        "| topology | route | stagger (s) | rounds | conversations | messages | failed requests | trackers "
        "not clean | lost | duplicated | interleaved turns | reordered conversations | conversations split "
        "over instances | turn p50 (s) | turn p95 (s) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    groups: dict[tuple[str, str, float], list[Round]] = {}
    for r in rounds:
        groups.setdefault((r.topology, r.route, r.stagger), []).append(r)
    for (topology, route, stagger), group in groups.items():
        latencies = sorted(lat for r in group for lat in r.latencies)
        p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) > 1 else float("nan")
        reordered = str(sum(r.reordered for r in group)) if stagger else "—"
        split = str(sum(r.split_conversations for r in group)) if route == "nginx" else "—"
        lines.append(
            f"| {topology} | {route} | {stagger:.2f} | {len(group)} | {sum(r.conversations for r in group)} "
            f"| {sum(r.messages for r in group)} | {sum(r.failed_requests for r in group)} "
            f"| {sum(r.dirty_trackers + r.unreadable for r in group)} "
            f"| {sum(r.lost for r in group)} | {sum(r.duplicated for r in group)} "
            f"| {sum(r.interleaved for r in group)} | {reordered} | {split} "
            f"| {statistics.median(latencies):.2f} | {p95:.2f} |"
        )
    lines += [
        "",
        "Issue 14 measured before the change (Rasa's `type: redis` lock store, REST balanced with `least_conn`):",
        "6, 7 and 10 of 30 trackers lost one or two messages through nginx, 5 of 30 straight at the two instances.",
        "A failed request is a non-200 or an empty reply (the REST channel's failure signal).",
        "Reordered: the lock store serves turns in ticket order (tests/integration/test_lock_store.py), and a",
        "ticket is taken when the instance's event loop gets to the request. Messages sent a few milliseconds",
        "apart to a busy instance (or to two instances) can reach that point in another order; that is the",
        "order the server accepted them, and no message is lost or stored twice for it.",
    ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    raise SystemExit(main())
