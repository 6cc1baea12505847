"""How long `leadbot check` takes on the shipped SLA: load + every check, median of 50 runs.

Run on demand (`python benchmarks/bench_sla.py [SLA] [DOMAIN]`); the budget is 50 ms.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.sla import check_sla  # noqa: E402

RUNS = 50
BUDGET_MS = 50.0


def main() -> int:
    sla = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "sla.yml"
    domain = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "domain.yml"
    problems = check_sla(sla, domain)  # warm-up: imports, parser models, lexicon caches
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        check_sla(sla, domain)
        timings.append((time.perf_counter() - start) * 1000)
    median = statistics.median(timings)
    print(f"load + check {sla.name}: median {median:.1f} ms over {RUNS} runs (max {max(timings):.1f} ms)")
    if problems:
        print(f"note: the file has {len(problems)} problem(s)")
    return 0 if median < BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
