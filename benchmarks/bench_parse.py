"""Throughput of the pure core: parse + score of whole answer sets, each parser alone, SLA load + check.

Run on demand, once: python benchmarks/bench_parse.py [--seconds 5]   # -> benchmarks/results/parse.md

Targets: score_conversation ≥ 5,000 answer sets/s on one core; load + check of sla.yml < 50 ms.
The loops cycle ~50 distinct answer sets (EN + ES), so the parsers' per-word caches are warm, as
they are in a long-running action server. The cost of the first parse in a new process (spaCy
blank pipelines and lemma tables loaded once) is measured apart, in fresh subprocesses. When the
throughput misses its target, a cProfile of the loop is added to the report: the top functions by
own time, as file:function.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))

from bot.conversation.reading import parse_answers, score_conversation  # noqa: E402
from bot.parse import parse_budget, parse_need, parse_role, parse_timing  # noqa: E402
from bot.scoring import score_answers  # noqa: E402
from bot.sla import SLA, check_sla, load_sla  # noqa: E402

SETS_PER_SECOND_TARGET = 5000.0
SLA_MS_TARGET = 50.0
SLA_RUNS = 50
FRESH_RUNS = 3
CONVERSATION_DATE = date(2024, 11, 27)  # fixed, so "next quarter" means the same in every run

# Real phrasings from tests/integration (test_conversation.py, test_spanish.py) and tests/unit.
_POOLS: dict[str, dict[str, list[str]]] = {
    "en": {
        "need": [
            "our sales reps waste hours every week on bad leads",
            "just curious, exploring options",
            "I'm a student doing homework on lead scoring",
            "our reps waste time on unqualified leads",
            "we can't tell which leads are worth calling",
            "bad leads are killing our conversion rate",
            "our pipeline is full of junk leads",
            "we need help with lead qualification",
            "we lose deals because marketing and sales disagree on leads",
            "nothing really, just browsing",
        ],
        "budget": [
            "around 20k a year",
            "not decided yet",
            "no budget",
            "3k a year",
            "15k per year",
            "50k",
            "about $2,500 a month",
            "between 10 and 20 thousand euros",
            "£40k annually",
            "bananas",
        ],
        "role": [
            "VP of Sales",
            "I'm a marketing manager",
            "intern",
            "CEO",
            "I'm the CEO",
            "I'm the head of sales",
            "I sign off on purchases",
            "I'm his assistant",
            "sales ops analyst",
            "CTO",
        ],
        "timing": [
            "next quarter",
            "in 4 months",
            "no plans",
            "asap",
            "next month",
            "in 2 weeks",
            "by the end of the year",
            "sometime next year",
            "not sure yet",
            "purple",
        ],
    },
    "es": {
        "need": [
            "los comerciales pierden horas cada semana con leads malos",
            "tenemos problemas con los leads que nos llegan de la web",
            "solo por curiosidad, estamos explorando opciones",
            "es para mi trabajo de fin de grado",
            "nuestros comerciales pierden el tiempo con leads sin cualificar",
            "se nos enfrían los leads porque tardamos días en responder",
            "necesitamos ayuda para priorizar leads",
            "tenemos el crm hecho un caos y perdemos oportunidades",
            "necesitamos cualificar mejor los leads de la web",
            "nada en especial, solo mirando",
        ],
        "budget": [
            "unos 20k al año",
            "2.000 € al mes",
            "aún no lo sabemos",
            "no tenemos presupuesto",
            "3.000 € al año",
            "en realidad el presupuesto es de 50.000 €",
            "unos 15.000 euros anuales",
            "entre 10 y 20 mil euros",
            "500 € al mes",
            "depende",
        ],
        "role": [
            "VP de ventas",
            "soy la directora comercial",
            "soy jefa de marketing",
            "becario",
            "director general",
            "soy el CEO",
            "yo decido las compras",
            "soy asistente de dirección",
            "analista de ventas",
            "responsable de marketing",
        ],
        "timing": [
            "el próximo trimestre",
            "lo antes posible",
            "en unos 4 meses",
            "sin planes",
            "el mes que viene",
            "en dos semanas",
            "a finales de año",
            "el año que viene",
            "todavía no lo sé",
            "cuando podamos",
        ],
    },
}
CRITERIA = ("need", "budget", "role", "timing")


def answer_sets(per_language: int = 25) -> list[dict[str, str | None]]:
    """~50 distinct sets: each language's pools combined with co-prime strides."""
    strides = {"need": (1, 0), "budget": (3, 1), "role": (7, 2), "timing": (9, 3)}
    sets: list[dict[str, str | None]] = []
    for pools in _POOLS.values():
        for i in range(per_language):
            # i // 10 shifts timing each round, or set i and set i + 10 would be the same.
            sets.append(
                {
                    c: pools[c][(i * a + b + (i // 10 if c == "timing" else 0)) % len(pools[c])]
                    for c, (a, b) in strides.items()
                }
            )
    assert len({tuple(s.values()) for s in sets}) == len(sets), "answer sets must be distinct"
    return sets


def rate(call: Callable[[int], Any], seconds: float) -> tuple[float, int]:
    """Calls per second of `call(i)` over at least `seconds` (checked every 64 calls)."""
    calls = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(64):
            call(calls)
            calls += 1
        now = time.perf_counter()
        if now >= deadline:
            return calls / (now - start), calls


def median_ms(call: Callable[[], Any], runs: int) -> tuple[float, float]:
    call()  # warm-up: imports, parser tables, lexicon caches
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), max(timings)


_FRESH = """
import json, sys, time
t0 = time.perf_counter()
from datetime import date
from bot.sla import load_sla
from bot.conversation.reading import score_conversation
t1 = time.perf_counter()
sla = load_sla("sla.yml")
t2 = time.perf_counter()
score_conversation(json.loads(sys.argv[1]), sla, date(2024, 11, 27))
t3 = time.perf_counter()
score_conversation(json.loads(sys.argv[2]), sla, date(2024, 11, 27))
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load_sla": t2 - t1, "first": t3 - t2, "second": t4 - t3}))
"""


def fresh_process(sets: list[dict[str, str | None]]) -> list[dict[str, float]]:
    """Import, SLA load, first and second score_conversation in new interpreters (ms)."""
    runs = []
    for n in range(FRESH_RUNS):
        first, second = sets[n], sets[len(sets) // 2 + n]  # one English, one Spanish
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", _FRESH, json.dumps(first), json.dumps(second)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - start
        parts = json.loads(out.stdout.strip().splitlines()[-1])
        runs.append({**{k: v * 1000 for k, v in parts.items()}, "process": wall * 1000})
    return runs


def hotspots(call: Callable[[int], Any], seconds: float, top: int = 15) -> list[str]:
    """The functions with the most own time while `call` loops, as file:function rows."""
    profiler = cProfile.Profile()
    profiler.enable()
    _, calls = rate(call, seconds)
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (file, line, function), (_, ncalls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((own, cumulative, ncalls, f"{_short(file)}:{function} (line {line})"))
    rows.sort(reverse=True)
    total = sum(r[0] for r in rows) or 1.0
    lines = [
        "| own % | own µs/set | cumulative µs/set | calls/set | file:function |",
        "|---:|---:|---:|---:|---|",
    ]
    for own, cumulative, ncalls, where in rows[:top]:
        lines.append(
            f"| {100 * own / total:.1f} | {1e6 * own / calls:.1f} | {1e6 * cumulative / calls:.1f} "
            f"| {ncalls / calls:.1f} | `{where}` |"
        )
    return lines


def _short(file: str) -> str:
    for marker in (str(ROOT) + "/", "site-packages/", "lib/python3.10/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the main throughput loop")
    args = parser.parse_args(argv)

    # One core, as the target says: pin this process, the parsers are single-threaded anyway.
    core = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    uptime_before = _uptime()
    print(f"load before: {uptime_before} (pinned to CPU {core})", flush=True)

    sla_path, domain_path = ROOT / "sla.yml", ROOT / "domain.yml"
    sla: SLA = load_sla(sla_path)
    sets = answer_sets()
    n = len(sets)

    def score(i: int) -> Any:
        return score_conversation(sets[i % n], sla, CONVERSATION_DATE)

    for i in range(2 * n):  # warm-up: every set once, so lazy tables are built before timing
        score(i)
    print(f"score_conversation for {args.seconds:.0f} s…", flush=True)
    throughput, scored = rate(score, args.seconds)

    parsed = [parse_answers(s, sla, CONVERSATION_DATE) for s in sets]
    lexicon = sla.need_lexicon()
    parts: dict[str, Callable[[int], Any]] = {
        "parse_answers (4 × read_answer)": lambda i: parse_answers(sets[i % n], sla, CONVERSATION_DATE),
        "score_answers (scoring only)": lambda i: score_answers(parsed[i % n], sla),
        "sla.need_lexicon()": lambda i: sla.need_lexicon(),
        "parse_need": lambda i: parse_need(sets[i % n]["need"] or "", lexicon=lexicon),
        "parse_budget": lambda i: parse_budget(
            sets[i % n]["budget"] or "", currency=sla.currency, rates=sla.exchange_rates
        ),
        "parse_role": lambda i: parse_role(sets[i % n]["role"] or ""),
        "parse_timing": lambda i: parse_timing(sets[i % n]["timing"] or "", today=CONVERSATION_DATE),
    }
    part_rates = {}
    for name, call in parts.items():
        print(f"{name}…", flush=True)
        part_rates[name] = rate(call, 1.5)[0]

    print("SLA load + check…", flush=True)
    load_ms = median_ms(lambda: load_sla(sla_path), SLA_RUNS)
    check_ms = median_ms(lambda: check_sla(sla_path, domain_path), SLA_RUNS)
    print("first parse in fresh processes…", flush=True)
    fresh = fresh_process(sets)
    profile = []
    if throughput < SETS_PER_SECOND_TARGET:
        print("under target: profiling the loop…", flush=True)
        profile = hotspots(score, 3.0)
    uptime_after = _uptime()

    def med(key: str) -> float:
        return statistics.median(r[key] for r in fresh)

    lines = [
        "# Parse + score throughput of the pure core",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC} by `benchmarks/bench_parse.py`, one process "
        f"pinned to CPU {core}; {n} distinct answer sets (need/budget/role/timing, {n // 2} EN + {n - n // 2} ES) "
        f"cycled, conversation date {CONVERSATION_DATE}.",
        "",
        "| target | value | |",
        "|---|---:|---|",
        f"| score_conversation ≥ {SETS_PER_SECOND_TARGET:,.0f} sets/s | {throughput:,.0f} sets/s "
        f"({1e6 / throughput:.0f} µs/set, {scored:,} sets in ≥ {args.seconds:.0f} s) "
        f"| {_verdict(throughput >= SETS_PER_SECOND_TARGET)} |",
        f"| load_sla < {SLA_MS_TARGET:.0f} ms (median of {SLA_RUNS}) | {load_ms[0]:.1f} ms (max {load_ms[1]:.1f}) "
        f"| {_verdict(load_ms[0] < SLA_MS_TARGET)} |",
        f"| check_sla (load + every check + domain) < {SLA_MS_TARGET:.0f} ms (median of {SLA_RUNS}) "
        f"| {check_ms[0]:.1f} ms (max {check_ms[1]:.1f}) | {_verdict(check_ms[0] < SLA_MS_TARGET)} |",
        "",
        "## Parts (≥ 1.5 s each, same answer sets)",
        "",
        "| what | calls/s | µs/call |",
        "|---|---:|---:|",
        *(f"| {name} | {r:,.0f} | {1e6 / r:.1f} |" for name, r in part_rates.items()),
        "",
        "`parse_answers` reads each stored answer with `read_answer`: only the parser of that question",
        "(plus the budget parser for timing, whose money words are blanked first), about 5 calls per set.",
        "",
        f"## First parse in a fresh process (median of {FRESH_RUNS} subprocesses, ms)",
        "",
        "| step | ms |",
        "|---|---:|",
        f"| import bot.sla + bot.scoring (spaCy, parsers) | {med('import'):.0f} |",
        f"| load_sla | {med('load_sla'):.0f} |",
        f"| first score_conversation (lemma tables, blank pipelines, matchers) | {med('first'):.0f} |",
        f"| second score_conversation (other language) | {med('second'):.1f} |",
        f"| whole subprocess, interpreter start to exit | {med('process'):.0f} |",
    ]
    if profile:
        lines += ["", "## Hotspots (cProfile of the score_conversation loop, 3 s, top by own time)", "", *profile]
    lines += [
        "",
        "## Machine",
        "",
        f"- nproc: {os.cpu_count()}, shared with other work; this process pinned to CPU {core}",
        f"- load before: `{uptime_before}`",
        f"- load after: `{uptime_after}`",
        f"- Python {platform.python_version()}, {platform.platform()}",
        "",
    ]
    text = "\n".join(lines)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "parse.md").write_text(text, encoding="utf-8")
    print(text)
    return 0 if throughput >= SETS_PER_SECOND_TARGET and check_ms[0] < SLA_MS_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
