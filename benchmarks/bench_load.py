"""Load benchmark of the production topology (run on demand): conversations/minute and per-turn
latency at several concurrency levels, with one and with two Rasa instances behind nginx.

    python benchmarks/bench_load.py [--instances 1 2] [--levels 1 10 50 200] [--profile]

Each configuration starts its own throwaway topology (bot.ops.production, loopback only), warms it up,
then runs every level: N visitors at once, each one complete conversation (sales-ready, nurture
and disqualified scripts in turn; level 1 runs 5 conversations one after another). Writes
benchmarks/results/bench_load.md (table) and bench_load.png (chart). --profile records the Rasa
and action server processes with py-spy during the 50-visitor level and appends the hottest
frames to the markdown.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.ops.production import ProductionStack, throwaway_settings  # noqa: E402
from tests.production.conftest import TIERS, Visitor, converse, run_concurrently  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
PY_SPY = Path(sys.executable).parent / "py-spy"


@dataclass
class Level:
    instances: int
    visitors: int
    conversations: int
    failed: int
    seconds: float
    turns: list[float]
    reasons: collections.Counter[str]

    @property
    def per_minute(self) -> float:
        return (self.conversations - self.failed) / self.seconds * 60

    def quantile(self, q: float) -> float:
        ordered = sorted(self.turns)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def run_level(stack: ProductionStack, visitors: int) -> Level:
    if visitors == 1:
        people = [(Visitor(stack), TIERS[i % 3]) for i in range(5)]
        started = time.monotonic()
        results = [run_concurrently([lambda v=v, t=t: converse(v, t)], 1)[0] for v, t in people]
    else:
        people = [(Visitor(stack), TIERS[i % 3]) for i in range(visitors)]
        started = time.monotonic()
        results = run_concurrently([lambda v=v, t=t: converse(v, t) for v, t in people], workers=visitors)
    seconds = time.monotonic() - started
    for visitor, _ in people:
        visitor.close()
    return Level(
        instances=stack.settings.rasa_instances,
        visitors=visitors,
        conversations=len(people),
        failed=sum(isinstance(r, BaseException) for r in results),
        seconds=seconds,
        turns=[t for v, _ in people for t in v.latencies],
        reasons=collections.Counter(_reason(r) for r in results if isinstance(r, BaseException)),
    )


def _reason(error: BaseException) -> str:
    """`HTTP 504`, `empty reply`, `ReadTimeout`…: what made a conversation fail."""
    text = str(error)
    for marker in ("HTTP ", "empty reply"):
        if marker in text:
            return text[text.index(marker) :].split(" <")[0][:24]
    return type(error).__name__


def profile(stack: ProductionStack, seconds: int, out: Path) -> dict[str, Path]:
    """py-spy raw stacks of rasa0 and actions0 (runs in the background for `seconds`)."""
    files = {}
    for name in ("rasa0", "actions0"):
        target = out / f"profile_{name}.txt"
        pid = str(stack.processes[name].pid)
        subprocess.Popen(
            [str(PY_SPY), "record", "-p", pid, "-d", str(seconds), "-f", "raw", "-o", str(target), "--nonblocking"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        files[name] = target
    return files


def hottest(raw: Path, top: int = 22) -> list[tuple[float, str]]:
    """Inclusive share of samples per function, busy samples only (idle event loop excluded)."""
    inclusive: collections.Counter[str] = collections.Counter()
    busy = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if "handle_request" not in stack:  # sanic waiting for work
            continue
        busy += int(count)
        seen = set()
        for frame in stack.split(";"):
            name, _, where = frame.partition(" (")
            label = f"{name} ({where.split(':')[0].rsplit('/', 1)[-1]})"
            if label not in seen:
                seen.add(label)
                inclusive[label] += int(count)
    skip = ("handle_request", "http1", "connection_task", "receive", "handler", "webhook", "run_bound")
    # frames present in (nearly) every busy sample are the server's outer loop: not informative
    rows = [(n / busy, label) for label, n in inclusive.most_common() if not label.startswith(skip) and n < 0.97 * busy]
    return rows[:top] if busy else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 10, 50, 200])
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    levels: list[Level] = []
    profiles: dict[str, Path] = {}
    for instances in args.instances:
        var = Path(tempfile.mkdtemp(prefix="leadbot-bench-"))
        var.chmod(0o755)
        settings = throwaway_settings(
            var, {"LEADBOT_RASA_INSTANCES": str(instances), "LEADBOT_CORS_ORIGINS": "https://www.example.com"}
        )
        stack = ProductionStack(settings)
        try:
            print(f"starting the topology with {instances} Rasa instance(s)…", flush=True)
            stack.start()
            run_concurrently([lambda s=stack: converse(Visitor(s), "sales_ready")] * 4, workers=4)  # warm-up
            for n in args.levels:
                if args.profile and n == 50 and instances == max(args.instances):
                    profiles = profile(stack, 20, RESULTS)
                    threading.Event().wait(0.5)
                level = run_level(stack, n)
                levels.append(level)
                print(
                    f"  {instances} instance(s), {n:>3} visitors: {level.per_minute:6.1f} conv/min, "
                    f"p50 {level.quantile(0.5):.2f}s p95 {level.quantile(0.95):.2f}s, failed {level.failed} "
                    f"{dict(level.reasons) or ''}",
                    flush=True,
                )
        finally:
            stack.stop()
            shutil.rmtree(var, ignore_errors=True)
    time.sleep(2)  # let py-spy write its files
    write_markdown(levels, profiles)
    write_chart(levels)
    return 0


def write_markdown(levels: list[Level], profiles: dict[str, Path]) -> None:
    with open("/proc/loadavg") as load:
        loadavg = load.read().split()[0]
    lines = [
        "# Load benchmark: production topology (nginx → Rasa instances → action servers, PostgreSQL, Redis)",
        "",
        f"`python benchmarks/bench_load.py` on {time.strftime('%Y-%m-%d')}, 2 shared cores "
        f"(load average {loadavg} at the end: other jobs were running), REST channel through nginx.",
        "",
        "| Rasa instances | concurrent visitors | conversations | failed (why) | conversations/min "
        "| turn p50 (s) | turn p95 (s) |",
        "|---:|---:|---:|---|---:|---:|---:|",
    ]
    for lv in levels:
        lines.append(
            f"| {lv.instances} | {lv.visitors} | {lv.conversations} | {lv.failed} {_why(lv)} | {lv.per_minute:.1f} "
            f"| {lv.quantile(0.5):.2f} | {lv.quantile(0.95):.2f} |"
        )
    for name, raw in profiles.items():
        if raw.exists():
            lines += ["", f"## py-spy: where {name} spends its busy time (50 visitors, inclusive)", ""]
            lines += [f"- {share:5.1%} `{label}`" for share, label in hottest(raw)]
    (RESULTS / "bench_load.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS / 'bench_load.md'}")


def _why(level: Level) -> str:
    return "(" + ", ".join(f"{n}× {r}" for r, n in level.reasons.most_common()) + ")" if level.reasons else ""


def write_chart(levels: list[Level]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for instances in sorted({lv.instances for lv in levels}):
        mine = [lv for lv in levels if lv.instances == instances]
        xs = [lv.visitors for lv in mine]
        left.plot(xs, [lv.per_minute for lv in mine], marker="o", label=f"{instances} Rasa instance(s)")
        right.plot(xs, [lv.quantile(0.5) for lv in mine], marker="o", label=f"p50, {instances} instance(s)")
        right.plot(xs, [lv.quantile(0.95) for lv in mine], marker="x", ls="--", label=f"p95, {instances} instance(s)")
    for axis, title, ylabel in (
        (left, "Throughput", "conversations / minute"),
        (right, "Per-turn latency", "seconds"),
    ):
        axis.set_xscale("log")
        axis.set_xlabel("concurrent visitors")
        axis.set_ylabel(ylabel)
        axis.set_title(title)
        axis.grid(True, alpha=0.3)
        axis.legend()
    fig.tight_layout()
    fig.savefig(RESULTS / "bench_load.png", dpi=110)
    print(f"wrote {RESULTS / 'bench_load.png'}")


if __name__ == "__main__":
    raise SystemExit(main())
