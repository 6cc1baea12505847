"""Concurrency benchmark of the production topology (run on demand): conversations that send several
messages at once, through nginx and straight at the Rasa instances, and what their trackers kept.

    python benchmarks/bench_concurrency.py [--conversations 30] [--messages 4] [--rounds 3] [--stagger 0.02]

Starts one throwaway topology (bot.ops.production: two Rasa instances, Redis lock store, nginx),
then per round and per route every conversation fires its messages together (message i of a
"direct" conversation goes to instance i % 2, no nginx), all conversations at the same time. Each
tracker is then read back through the Rasa API and counted: messages lost, stored twice, turns
interleaved (a user event stored before the previous turn finished) and conversations reordered.
"Reordered" compares with the send order, so it is measured on the staggered rounds only (message i
sent `i * stagger` s after the first); for sends at the same instant there is no order to keep.
Writes benchmarks/results/concurrency.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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


@dataclass
class Round:
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
    latencies: list[float] = field(default_factory=list)


def run_round(stack: ProductionStack, route: str, conversations: int, messages: list[str], stagger: float) -> Round:
    urls = [stack.public_url] if route == "nginx" else [stack.rasa_url(n) for n in stack.rasa_names]
    visitors = [Visitor(stack) for _ in range(conversations)]
    result = Round(route, stagger, conversations, conversations * len(messages))

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
        outcome = burst_outcome(visitor.tracker(), messages)
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
    args = parser.parse_args()
    messages = SCRIPTS["sales_ready"][: args.messages]
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
    stack = ProductionStack(settings)
    rounds: list[Round] = []
    try:
        print("starting the production topology (1–3 minutes)…", flush=True)
        stack.start()
        for stagger in (0.0, args.stagger):
            for route in ("nginx", "direct"):
                for _ in range(args.rounds):
                    r = run_round(stack, route, args.conversations, messages, stagger)
                    rounds.append(r)
                    print(
                        f"  {route:6} stagger {stagger:.3f}s: lost {r.lost}, duplicated {r.duplicated}, "
                        f"interleaved {r.interleaved}, reordered {r.reordered}, failed requests {r.failed_requests}, "
                        f"split {r.split_conversations}",
                        flush=True,
                    )
    finally:
        stack.stop()
        shutil.rmtree(var, ignore_errors=True)
    write_markdown(rounds, args)
    return 0 if all(r.dirty_trackers == 0 and r.failed_requests == 0 for r in rounds) else 1


def write_markdown(rounds: list[Round], args: argparse.Namespace) -> None:
    with open("/proc/loadavg") as load:
        loadavg = load.read().split()[0]
    lines = [
        "# Concurrency benchmark: several messages of one conversation at once",
        "",
        f"`python benchmarks/bench_concurrency.py --conversations {args.conversations} --messages {args.messages} "
        f"--rounds {args.rounds} --stagger {args.stagger}` on {time.strftime('%Y-%m-%d')}, 2 shared cores "
        f"(load average {loadavg} at the end). Production topology: two Rasa instances, "
        "`bot.ops.lock_store.LeadbotLockStore` on Redis, nginx hashing REST turns on `X-Leadbot-Sender`. "
        "*nginx*: every message through nginx; *direct*: message i straight at instance i % 2 (only the "
        "lock store keeps the turns apart). Reordered is against the send order, so only for staggered rounds.",
        "",
        "| route | stagger (s) | rounds | conversations | messages | failed requests | lost | duplicated "
        "| interleaved turns | reordered conversations | conversations split over instances | turn p50 (s) "
        "| turn p95 (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    groups: dict[tuple[str, float], list[Round]] = {}
    for r in rounds:
        groups.setdefault((r.route, r.stagger), []).append(r)
    for (route, stagger), group in groups.items():
        latencies = sorted(lat for r in group for lat in r.latencies)
        p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) > 1 else float("nan")
        reordered = str(sum(r.reordered for r in group)) if stagger else "—"
        split = str(sum(r.split_conversations for r in group)) if route == "nginx" else "—"
        lines.append(
            f"| {route} | {stagger:.2f} | {len(group)} | {sum(r.conversations for r in group)} "
            f"| {sum(r.messages for r in group)} | {sum(r.failed_requests for r in group)} "
            f"| {sum(r.lost for r in group)} | {sum(r.duplicated for r in group)} "
            f"| {sum(r.interleaved for r in group)} | {reordered} | {split} "
            f"| {statistics.median(latencies):.2f} | {p95:.2f} |"
        )
    lines += [
        "",
        "Before (issue 14, Rasa's `type: redis` lock store, REST balanced with `least_conn`): 6, 7 and 10 of 30",
        "trackers lost one or two messages through nginx, 5 of 30 straight at the two instances.",
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "concurrency.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS / 'concurrency.md'}")


if __name__ == "__main__":
    raise SystemExit(main())
