"""`make bench`: every benchmarks/bench_*.py in turn, with its default arguments.

    python benchmarks/run_all.py [--list] [--only NAME ...] [--skip NAME ...]

Each benchmark runs in its own process (its output streams through), one after the other because
they measure a shared machine. After each, the files it wrote or changed under
benchmarks/results/ are listed; a benchmark that exits non-zero (a missed target or a crash) is
reported by name, the others still run, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"

# Benchmarks whose command line needs more than their defaults: one run per argument list.
# A new bench_*.py with usable defaults needs no entry here: it is found by its name.
ARGUMENTS: dict[str, list[list[str]]] = {
    "bench_nlu": [["latency"], ["crossval"]],
}


@dataclass(frozen=True)
class Run:
    name: str
    args: tuple[str, ...]

    @property
    def label(self) -> str:
        return " ".join((f"{self.name}.py", *self.args))

    def command(self) -> list[str]:
        return [sys.executable, str(HERE / f"{self.name}.py"), *self.args]


def planned_runs(only: list[str], skip: list[str]) -> list[Run]:
    names = sorted(path.stem for path in HERE.glob("bench_*.py"))
    wanted = {_stem(n) for n in only}
    unknown = sorted(wanted - set(names)) + sorted({_stem(n) for n in skip} - set(names))
    if unknown:
        raise SystemExit(f"no such benchmark: {', '.join(unknown)} (known: {', '.join(names)})")
    chosen = [n for n in names if (not wanted or n in wanted) and n not in {_stem(s) for s in skip}]
    return [Run(name, tuple(args)) for name in chosen for args in ARGUMENTS.get(name, [[]])]


def _stem(name: str) -> str:
    stem = Path(name).stem
    return stem if stem.startswith("bench_") else f"bench_{stem}"


def _snapshot() -> dict[Path, float]:
    return {p: p.stat().st_mtime for p in RESULTS.rglob("*") if p.is_file()} if RESULTS.exists() else {}


def run_one(run: Run) -> tuple[int, list[Path], float]:
    """Run one benchmark; its exit status, the result files it wrote, and its wall time."""
    before = _snapshot()
    started = time.monotonic()
    status = subprocess.run(run.command(), cwd=ROOT, check=False).returncode
    after = _snapshot()
    written = sorted(p for p, mtime in after.items() if before.get(p) != mtime)
    return status, written, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print what would run and exit")
    parser.add_argument("--only", nargs="+", default=[], metavar="NAME", help="e.g. --only parse sla")
    parser.add_argument("--skip", nargs="+", default=[], metavar="NAME", help="e.g. --skip nlu load")
    args = parser.parse_args(argv)
    runs = planned_runs(args.only, args.skip)
    if args.list:
        print("\n".join(run.label for run in runs))
        return 0
    summary: list[str] = []
    failed: list[str] = []
    for index, run in enumerate(runs, 1):
        print(f"\n=== [{index}/{len(runs)}] {run.label}", flush=True)
        status, written, seconds = run_one(run)
        where = ", ".join(str(p.relative_to(ROOT)) for p in written) or "stdout only"
        verdict = "ok" if status == 0 else f"FAILED (exit {status})"
        summary.append(f"  {run.label:<32} {verdict:<18} {seconds:7.0f} s  -> {where}")
        if status != 0:
            failed.append(run.label)
    print("\n=== summary\n" + "\n".join(summary))
    if failed:
        print(f"\n{len(failed)} of {len(runs)} benchmark(s) failed: {', '.join(failed)}; see their output above.")
        return 1
    print(f"\nall {len(runs)} benchmark(s) passed.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
