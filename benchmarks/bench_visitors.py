"""How many visitors at once, pausing 3–8 s between messages, before the turn p95 passes 1 s.

    .venv/bin/python benchmarks/bench_visitors.py [--instances 1 2] [--levels 100 200 300 400 500]
        [--seconds 60] [--topology production|local]     # -> results/visitors.md, visitors.svg

Each configuration starts its own throwaway topology: production mode (`bot.ops.production`:
nginx sticky by X-Leadbot-Sender, PostgreSQL, Redis, N Rasa instances and action servers) or, with
`--topology local`, the `make run` stack (one Rasa, SQLite). At each level, N simulated visitors
run at once for `--seconds`: each starts within the first think time, then sends a message, waits
for the reply, pauses 3–8 s (uniform, seeded), and so on through whole conversations (the scripts
of bench_turns.py, a new sender id per conversation), each from its own loopback address (nginx
rate-limits and hashes by address). Turns sent in the first 10 s are warm-up and not counted.
Levels go up until one misses p95 < 1 s; the next configuration starts again from the bottom.
The load generator is one asyncio process on the same cores as the servers.
Memory per instance is VmRSS of each Rasa and action-server process tree at the end of the run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_turns import OURS, _uptime  # noqa: E402

from bot.ops.local import Stack  # noqa: E402

P95_TARGET_S = 1.0
WARM_UP_S = 10.0
THINK_S = (3.0, 8.0)
ORIGIN = "https://www.example.com"
SENDER_HEADER = "X-Leadbot-Sender"


def tree_rss_mb(pid: int) -> float:
    """VmRSS of `pid` and all its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            status = (entry / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        rss[int(entry.name)] = next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
        )
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, p in parents.items() if p == parent and child not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(p, 0) for p in tree) / 1024


@dataclass
class Level:
    instances: int
    visitors: int
    seconds: float
    turns: list[float] = field(default_factory=list)
    failed: int = 0

    def quantile(self, q: float) -> float:
        ordered = sorted(self.turns)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    @property
    def ok(self) -> bool:
        return bool(self.turns) and self.quantile(0.95) < P95_TARGET_S and self.failed == 0


async def visitor(number: int, url: str, level: Level, started: float, stop_at: float, seed: int) -> None:
    rng = random.Random(seed * 100_003 + number)
    address = f"127.0.{1 + number // 250}.{1 + number % 250}"
    connector = aiohttp.TCPConnector(local_addr=(address, 0), limit=1)
    timeout = aiohttp.ClientTimeout(total=60)
    names = list(OURS)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.sleep(rng.uniform(0, THINK_S[1]))  # visitors arrive over the first think time
        while time.monotonic() < stop_at:
            sender = f"load-{uuid.uuid4().hex[:12]}"
            for text, _ in OURS[rng.choice(names)]:
                if time.monotonic() >= stop_at:
                    return
                sent = time.monotonic()
                try:
                    async with session.post(
                        f"{url}/webhooks/rest/webhook",
                        json={"sender": sender, "message": text},
                        headers={"Origin": ORIGIN, SENDER_HEADER: sender},
                    ) as response:
                        body: Any = await response.json(content_type=None) if response.status == 200 else None
                        good = response.status == 200 and bool(body)
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    good = False
                elapsed = time.monotonic() - sent
                if sent - started >= WARM_UP_S:
                    if good:
                        level.turns.append(elapsed)
                    else:
                        level.failed += 1
                if not good:
                    break  # a new conversation after a failed turn
                await asyncio.sleep(rng.uniform(*THINK_S))


async def run_level(url: str, instances: int, visitors: int, seconds: float, seed: int) -> Level:
    level = Level(instances, visitors, seconds)
    started = time.monotonic()
    stop_at = started + seconds
    await asyncio.gather(*(visitor(n, url, level, started, stop_at, seed) for n in range(visitors)))
    return level


class Topology:
    """A running stack: its public URL and its Rasa / action-server processes by instance."""

    def __init__(self, kind: str, instances: int, tmp: Path) -> None:
        self.kind = kind
        if kind == "local":
            self.stack: Any = Stack.on_free_ports(tmp)
        else:
            from bot.ops.production import ProductionStack, throwaway_settings

            tmp.chmod(0o755)  # the postgres user must reach its data dir
            settings = throwaway_settings(
                tmp,
                {
                    "LEADBOT_RASA_INSTANCES": str(instances),
                    "LEADBOT_CORS_ORIGINS": ORIGIN,
                    # Each visitor has its own address, but a level is thousands of turns a minute.
                    "LEADBOT_WEBHOOK_RATE": "100r/s",
                    "LEADBOT_WEBHOOK_BURST": "100",
                },
            )
            self.stack = ProductionStack(settings)

    def start(self) -> None:
        self.stack.start()

    def stop(self) -> None:
        self.stack.stop()

    @property
    def url(self) -> str:
        return str(self.stack.rasa_url if self.kind == "local" else self.stack.public_url)

    def memory(self) -> dict[str, float]:
        found = {}
        for name, process in self.stack.processes.items():
            if name.startswith(("rasa", "actions")):
                found[name] = tree_rss_mb(process.pid)
        return found


def chart(levels: list[Level], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4))
    for instances in sorted({lv.instances for lv in levels}):
        mine = [lv for lv in levels if lv.instances == instances]
        xs = [lv.visitors for lv in mine]
        axes.plot(xs, [lv.quantile(0.95) for lv in mine], marker="o", label=f"p95, {instances} Rasa instance(s)")
        axes.plot(xs, [lv.quantile(0.5) for lv in mine], marker="x", ls="--", label=f"p50, {instances} instance(s)")
    axes.axhline(P95_TARGET_S, color="grey", ls=":", label="1 s")
    axes.set_yscale("log")
    axes.set_xlabel("concurrent visitors (3–8 s between messages)")
    axes.set_ylabel("REST round trip per turn (s, log scale)")
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def report(kind: str, levels: list[Level], memory: dict[int, dict[str, float]], loads: list[str], when: str) -> str:
    where = {
        "production": "production mode (`bot.ops.production`: nginx sticky by sender → Rasa instances → action "
        "servers, PostgreSQL, Redis)",
        "local": "the `make run` stack (`bot.ops.local.Stack`: one Rasa, one action server, SQLite)",
    }[kind]
    lines = [
        "# Concurrent visitors with think time: where the turn p95 passes 1 s",
        "",
        f"Measured {when} by `benchmarks/bench_visitors.py` against {where}, on the same 2 cores as the "
        f"load generator. Visitors pause {THINK_S[0]:.0f}–{THINK_S[1]:.0f} s between messages; turns of the "
        f"first {WARM_UP_S:.0f} s of each level are not counted.",
        "",
        "| Rasa instances | visitors | seconds | turns counted | turns/s | failed | p50 (s) | p95 (s) | p99 (s) | "
        "p95 < 1 s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for lv in levels:
        rate = len(lv.turns) / max(lv.seconds - WARM_UP_S, 1)
        lines.append(
            f"| {lv.instances} | {lv.visitors} | {lv.seconds:.0f} | {len(lv.turns)} | {rate:.1f} | {lv.failed} | "
            f"{lv.quantile(0.5):.3f} | {lv.quantile(0.95):.3f} | {lv.quantile(0.99):.3f} | {'yes' if lv.ok else 'no'} |"
        )
    lines += ["", "| Rasa instances | most visitors at p95 < 1 s (of the levels run) |", "|---:|---:|"]
    for instances in sorted({lv.instances for lv in levels}):
        passing = [lv.visitors for lv in levels if lv.instances == instances and lv.ok]
        lines.append(f"| {instances} | {max(passing) if passing else 'none'} |")
    lines += ["", "Resident memory at the end of each configuration (MB, VmRSS of each process tree):", ""]
    for instances, found in memory.items():
        lines.append(f"- {instances} instance(s): " + ", ".join(f"{n} {mb:.0f}" for n, mb in found.items()))
    lines += ["", "Load average: " + "; ".join(f"`{load}`" for load in loads), "", "![p95 per level](visitors.svg)", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--levels", type=int, nargs="+", default=[100, 200, 300, 400, 500])
    parser.add_argument("--seconds", type=float, default=60.0, help="per level, warm-up included")
    parser.add_argument("--topology", choices=("production", "local"), default="production")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--output", type=Path, default=RESULTS / "visitors.md")
    args = parser.parse_args(argv)
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    levels: list[Level] = []
    memory: dict[int, dict[str, float]] = {}
    loads = [_uptime()]
    for instances in args.instances if args.topology == "production" else [1]:
        tmp = Path(tempfile.mkdtemp(prefix="leadbot-bench-visitors-"))
        topology = Topology(args.topology, instances, tmp)
        try:
            print(f"starting {args.topology} with {instances} Rasa instance(s)…", flush=True)
            topology.start()
            asyncio.run(run_level(topology.url, instances, 4, WARM_UP_S + 5, args.seed))  # warm-up
            for visitors in sorted(args.levels):
                level = asyncio.run(run_level(topology.url, instances, visitors, args.seconds, args.seed))
                levels.append(level)
                print(
                    f"  {instances} instance(s), {visitors} visitors: {len(level.turns)} turns, "
                    f"p50 {level.quantile(0.5):.3f}s p95 {level.quantile(0.95):.3f}s, failed {level.failed}",
                    flush=True,
                )
                if not level.ok:
                    break
            memory[instances] = topology.memory()
            loads.append(_uptime())
        finally:
            topology.stop()
            shutil.rmtree(tmp, ignore_errors=True)
    text = report(args.topology, levels, memory, loads, when)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    chart(levels, args.output.with_suffix(".svg"))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
