"""`make bench` (benchmarks/run_all.py) plans every benchmark and reports a failing one by name."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _runner() -> Any:
    """A fresh copy of the runner module (a test may repoint its folders)."""
    spec = importlib.util.spec_from_file_location("run_all", BENCHMARKS / "run_all.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_all"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_benchmark_script_is_planned_with_its_default_arguments() -> None:
    planned = {run.name for run in _runner().planned_runs([], [])}
    assert planned == {path.stem for path in BENCHMARKS.glob("bench_*.py")}


def test_a_benchmark_that_needs_a_mode_runs_once_per_mode() -> None:
    labels = [run.label for run in _runner().planned_runs(["nlu"], [])]
    assert labels == ["bench_nlu.py latency", "bench_nlu.py crossval"]


def test_an_unknown_benchmark_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(SystemExit, match=r"no such benchmark: bench_nope.*bench_parse"):
        _runner().planned_runs(["nope"], [])


def test_a_failing_benchmark_fails_the_run_and_is_named(tmp_path: Path) -> None:
    runner = _runner()
    runner.HERE = tmp_path
    runner.RESULTS = tmp_path / "results"
    runner.ROOT = tmp_path
    (tmp_path / "bench_ok.py").write_text(
        "from pathlib import Path\nPath(__file__).with_name('results').mkdir(exist_ok=True)\n"
        "Path(__file__).with_name('results').joinpath('ok.md').write_text('fast')\n"
    )
    (tmp_path / "bench_broken.py").write_text("raise SystemExit(3)\n")
    assert runner.main([]) == 1
    assert (tmp_path / "results" / "ok.md").exists()  # the others still ran


def test_list_prints_the_plan_without_running_anything() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run_all.py"), "--list"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "bench_parse.py" in done.stdout.splitlines()
