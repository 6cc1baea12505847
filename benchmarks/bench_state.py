"""Lead status as a state machine, at scale: 10,000 random conversations, 0 regressions.

Drives random event sequences (answers, corrections, stop, start over, a person please, late
and replayed messages, delivery, sales feedback) through the real actions and the real store
(`tests/simulation.py`, which plays Rasa's rules) and checks after every step that the status
never went backwards and that tier, status, summary, outbox and what the visitor was told agree.

    .venv/bin/python benchmarks/bench_state.py [--sequences 10000] [--workers 2] [--seed 0]

Each worker process has its own SQLite database, in memory. Writes `results/state.md`; exit status 1 when
any sequence found a problem (the seeds are listed: `--replay SEED` runs one again, verbosely).
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import platform
import random
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

MIN_EVENTS, MAX_EVENTS = 3, 18


def _events(seed: int) -> tuple[random.Random, list[str]]:
    from tests.simulation import random_events

    rnd = random.Random(seed)
    return rnd, random_events(rnd, rnd.randint(MIN_EVENTS, MAX_EVENTS))


def _worker(seeds: list[int]) -> dict[str, object]:
    os.environ["LEADBOT_DATABASE_URL"] = "sqlite://"  # in memory: the database is not what is measured
    os.environ["LEADBOT_SLA"] = str(ROOT / "sla.yml")
    from actions import runtime
    from bot.settings import current_settings
    from tests.simulation import run_sequence

    # The settings object is re-read from `.env` on every call; fixed for a run, it is read once.
    runtime.settings = functools.lru_cache(maxsize=1)(current_settings)  # type: ignore[assignment]
    sla = runtime.sla()
    sla.models()
    store = runtime.store()
    outcomes: Counter[str] = Counter()
    steps: Counter[str] = Counter()
    failed: list[tuple[int, list[str]]] = []
    regressions = 0
    for seed in seeds:
        rnd, events = _events(seed)
        problems, conversation = run_sequence(store, sla, f"bench-{seed}", events, rnd)
        steps.update(events)
        lead = store.get(f"bench-{seed}")
        outcomes[lead.status if lead else "not stored"] += 1
        if conversation.told:
            outcomes[f"told {conversation.told}"] += 1
        if problems:
            failed.append((seed, problems[:5]))
            regressions += sum("status went back" in p for p in problems)
    return {"outcomes": outcomes, "steps": steps, "failed": failed, "regressions": regressions}


def replay(seed: int) -> int:
    os.environ.setdefault("LEADBOT_DATABASE_URL", "sqlite://")
    os.environ.setdefault("LEADBOT_SLA", str(ROOT / "sla.yml"))
    from actions import runtime
    from tests.simulation import run_sequence

    rnd, events = _events(seed)
    problems, conversation = run_sequence(runtime.store(), runtime.sla(), f"replay-{seed}", events, rnd)
    for (slots, _), kind in zip([*conversation.history, ({}, [])], conversation.steps, strict=False):
        print(kind, {k: slots.get(k) for k in ("requested_slot", "tier", "need", "budget", "role", "timing")})
    print("\n".join(problems) or "no problem")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sequences", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0, help="first seed; sequence i uses seed + i")
    parser.add_argument("--replay", type=int, help="run one seed and print every step")
    args = parser.parse_args()
    if args.replay is not None:
        return replay(args.replay)
    seeds = list(range(args.seed, args.seed + args.sequences))
    chunks = [seeds[i :: args.workers] for i in range(args.workers)]
    load_before = os.getloadavg()
    started = time.monotonic()
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        results = pool.map(_worker, chunks)
    seconds = time.monotonic() - started
    outcomes: Counter[str] = Counter()
    steps: Counter[str] = Counter()
    failed: list[tuple[int, list[str]]] = []
    regressions = 0
    for result in results:
        outcomes.update(result["outcomes"])  # type: ignore[arg-type]
        steps.update(result["steps"])  # type: ignore[arg-type]
        failed += result["failed"]  # type: ignore[operator]
        regressions += int(result["regressions"])  # type: ignore[call-overload]
    lines = [
        "# Lead status: random conversations through the actions and the store",
        "",
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {platform.node()} · {os.cpu_count()} CPUs · "
        f"load {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after · {seconds:.0f} s, {args.workers} workers",
        "",
        f"- sequences: **{len(seeds):,}** (seeds {seeds[0]}–{seeds[-1]}, {MIN_EVENTS}–{MAX_EVENTS} events each), "
        f"steps: {sum(steps.values()):,}",
        f"- **status regressions: {regressions}**",
        f"- sequences with any problem (regression, or tier/status/summary/outbox/told disagreeing): **{len(failed)}**",
        "",
        "| step | count |",
        "|---|---|",
        *[f"| {kind} | {count:,} |" for kind, count in sorted(steps.items())],
        "",
        "| final status / last close told | conversations |",
        "|---|---|",
        *[f"| {name} | {count:,} |" for name, count in sorted(outcomes.items())],
    ]
    if failed:
        lines += ["", "## Problems (first 20 sequences)", ""]
        lines += [f"- seed {seed}: {'; '.join(problems)}" for seed, problems in sorted(failed)[:20]]
    report = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "state.md").write_text(report, encoding="utf-8")
    print(report)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
