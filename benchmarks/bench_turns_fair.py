"""The fair turn benchmark: one turn of ours, one of the `rasa init` bot, in alternation, twice over.

    .venv/bin/python benchmarks/bench_turns_fair.py [--turns 300] [--forms make-run rasa-run]
        [--baseline-dir DIR]            # -> benchmarks/results/turns.md

Ours is measured as `make run` starts it (`bot.ops.local.Stack`: our launcher, `python -m bot.ops
actions` + `python -m bot.ops.rasa_server run`) and as a team would start it the usual Rasa way
(`rasa run --enable-api --endpoints endpoints.yml` in the project folder + `rasa run actions`):
there our patches can only come from what Rasa loads from configuration (the lock store of
endpoints.yml), and the report says whether the Rasa log shows them applied.

One client, one keep-alive session, strictly alternating turns: ours, the baseline's, the
baseline's, ours, … (who goes first flips every pair), each bot going through its whole
conversations (bench_turns.py's scripts) with a new visitor per conversation. The first pass over
each bot's conversations is warm-up. CPU time per turn is each server's utime + stime (summed over
its process group, from /proc) across the timed turns, divided by the bot's timed turns: outside
load on a shared machine shows in the round trips of both bots alike, much less in their CPU.
The baseline (`rasa init`, trained by the run unless --baseline-dir names a ready one) keeps
conversations in memory and calls no action; ours uses SQLite and its action server.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_turns import BASELINE, OURS, Baseline, Turn, _quiet_env, _timed_run, _uptime, group_rss_mb  # noqa: E402

from bot.ops.local import BIN, Stack, wait_http  # noqa: E402

P95_RATIO_TARGET = 1.25
FORMS = ("make-run", "rasa-run")
_TICK = os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(leader: int) -> float:
    """utime + stime of every live process in `leader`'s process group."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == leader:  # fields[0] is the state (stat field 3): pgrp is field 5
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return ticks / _TICK


@dataclass
class PlainRasa(Baseline):
    """Ours started the usual Rasa way in the project folder: `rasa run` + `rasa run actions`
    (`project` is the repository root; the logs go to their own folder, `log_dir`)."""

    tmp: Path = Path()

    def endpoints(self) -> Path:
        """The project's endpoints.yml as it is, but for this run's ports and tracker file."""
        config = yaml.safe_load((ROOT / "endpoints.yml").read_text())
        config["action_endpoint"]["url"] = f"http://127.0.0.1:{self.actions_port}/webhook"
        config["tracker_store"]["url"] = f"sqlite:///{self.tmp}/plain-tracker.db"
        path = self.tmp / "plain-endpoints.yml"
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return path

    def start(self) -> None:
        stack = Stack.on_free_ports(self.tmp)  # only for the environment it gives its servers
        self.env = {**stack.env(), "SANIC_HOST": "127.0.0.1", "LEADBOT_DATABASE_URL": f"sqlite:///{self.tmp}/leads.db"}
        self.env.pop("LEADBOT_ACTION_TOKEN", None)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        rasa = str(BIN / "rasa")
        self._spawn("actions", [rasa, "run", "actions", "--port", str(self.actions_port)])
        self._spawn(
            "rasa",
            [
                rasa, "run", "--enable-api", "--port", str(self.rasa_port), "--interface", "127.0.0.1",
                "--model", str(ROOT / "models" / "leadbot.tar.gz"), "--endpoints", str(self.endpoints()),
            ],
        )  # fmt: skip
        wait_http(f"http://127.0.0.1:{self.actions_port}/health", 300, self.processes["actions"])
        wait_http(f"{self.rasa_url}/status", 600, self.processes["rasa"])

    def patches_applied(self) -> str:
        text = (self.log_dir / "baseline-rasa.log").read_text(errors="replace")  # Baseline's log names
        line = next((line for line in text.splitlines() if "Rasa patches applied" in line), "")
        return line.split("Rasa patches applied:", 1)[1].strip() if line else "none found in the Rasa log"


def script_turns(scripts: dict[str, list[Turn]]) -> Iterator[tuple[str, str, str, str | None]]:
    """(conversation, sender, text, expected) forever, a new visitor for each conversation."""
    for name in itertools.cycle(scripts):
        sender = f"fair-{uuid.uuid4().hex[:12]}"
        for text, expected in scripts[name]:
            yield name, sender, text, expected


@dataclass
class Side:
    """One bot under test: its URL, its server processes and what was measured."""

    url: str
    servers: dict[str, int]  # name -> process group leader
    turns_ms: list[float] = field(default_factory=list)
    cpu_s: dict[str, float] = field(default_factory=dict)
    off_script: list[str] = field(default_factory=list)


def take_turn(session: requests.Session, side: Side, turn: tuple[str, str, str, str | None], timed: bool) -> None:
    name, sender, text, expected = turn
    start = time.perf_counter()
    response = session.post(f"{side.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    elapsed_ms = (time.perf_counter() - start) * 1000
    response.raise_for_status()
    if not timed:
        return
    side.turns_ms.append(elapsed_ms)
    reply = "\n".join(r.get("text") or "" for r in response.json()).lower()
    if expected is not None and expected not in reply:
        side.off_script.append(f"{name}: {text!r} -> {reply[:100]!r} (expected {expected!r})")


def alternate(ours: Side, baseline: Side, turns: int) -> None:
    """Warm-up over each bot's conversations, then `turns` timed turns each, one for one."""
    sides = {"ours": (ours, script_turns(OURS)), "baseline": (baseline, script_turns(BASELINE))}
    with requests.Session() as session:
        for key, scripts in (("ours", OURS), ("baseline", BASELINE)):
            side, feed = sides[key]
            for _ in range(sum(len(s) for s in scripts.values())):
                take_turn(session, side, next(feed), timed=False)
        before = {id(side): {n: group_cpu_seconds(pid) for n, pid in side.servers.items()} for side in (ours, baseline)}
        for pair in range(turns):
            order = ("ours", "baseline") if pair % 2 == 0 else ("baseline", "ours")
            for key in order:
                side, feed = sides[key]
                take_turn(session, side, next(feed), timed=True)
        for side in (ours, baseline):
            side.cpu_s = {n: group_cpu_seconds(pid) - before[id(side)][n] for n, pid in side.servers.items()}


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


@dataclass
class FormResult:
    form: str
    ours: Side
    baseline: Side
    rss_mb: dict[str, float]
    patches: str
    load_before: str
    load_after: str


def section(result: FormResult) -> list[str]:
    ours, base = result.ours.turns_ms, result.baseline.turns_ms
    title = {"make-run": "`make run` (our launcher)", "rasa-run": "plain `rasa run` + `rasa run actions`"}
    lines = [
        f"## {title[result.form]}",
        "",
        f"Patches applied: {result.patches}.",
        "",
        "| | ours | baseline (`rasa init`) | ours / baseline |",
        "|---|---:|---:|---:|",
        f"| timed turns | {len(ours)} | {len(base)} | |",
    ]
    for label, share in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
        mine, theirs = percentile(ours, share), percentile(base, share)
        lines.append(f"| {label} (ms) | {mine:.1f} | {theirs:.1f} | {mine / theirs:.2f}× |")
    mean_ours, mean_base = statistics.fmean(ours), statistics.fmean(base)
    lines.append(f"| mean (ms) | {mean_ours:.1f} | {mean_base:.1f} | {mean_ours / mean_base:.2f}× |")
    cpu_ours = sum(result.ours.cpu_s.values()) * 1000 / len(ours)
    cpu_base = sum(result.baseline.cpu_s.values()) * 1000 / len(base)
    lines.append(f"| CPU per turn, all servers (ms) | {cpu_ours:.1f} | {cpu_base:.1f} | {cpu_ours / cpu_base:.2f}× |")
    for side, who in ((result.ours, "ours"), (result.baseline, "baseline")):
        for name, seconds in side.cpu_s.items():
            lines.append(f"| CPU per turn, {who} {name} (ms) | {seconds * 1000 / len(side.turns_ms):.1f} | | |")
    p95_ratio = percentile(ours, 0.95) / percentile(base, 0.95)
    verdict = "met" if p95_ratio <= P95_RATIO_TARGET else "**missed**"
    lines += [
        "",
        f"Target p95 ≤ {P95_RATIO_TARGET}× the baseline's: {p95_ratio:.2f}× ({verdict}).",
        "",
        "Resident memory after the run (MB, VmRSS over each server's process group): "
        + ", ".join(f"{name} {mb:.0f}" for name, mb in result.rss_mb.items())
        + ".",
        "",
        f"Load before: `{result.load_before}`; after: `{result.load_after}`.",
    ]
    for side, who in ((result.ours, "ours"), (result.baseline, "baseline")):
        if side.off_script:
            lines += ["", f"**{who}: {len(side.off_script)} replies off script** (first 5):", ""]
            lines += [f"- {m}" for m in side.off_script[:5]]
    return [*lines, ""]


def run_form(form: str, tmp: Path, logs: Path, baseline: Baseline, turns: int) -> FormResult:
    load_before = _uptime()
    server: Stack | PlainRasa = (
        Stack.on_free_ports(tmp / form, log_dir=logs)
        if form == "make-run"
        else PlainRasa(ROOT, {}, logs / "plain", tmp=tmp / form)
    )
    (tmp / form).mkdir(exist_ok=True)
    try:
        print(f"[{form}] starting ours…", flush=True)
        server.start()
        ours = Side(
            server.rasa_url, {name: p.pid for name, p in server.processes.items() if name in ("rasa", "actions")}
        )
        base = Side(baseline.rasa_url, {name: p.pid for name, p in baseline.processes.items()})
        print(f"[{form}] {turns} timed turns each, alternating…", flush=True)
        alternate(ours, base, turns)
        rss = {f"ours {n}": group_rss_mb(pid) for n, pid in ours.servers.items()}
        rss |= {f"baseline {n}": group_rss_mb(pid) for n, pid in base.servers.items()}
        if isinstance(server, PlainRasa):
            patches = server.patches_applied()
        else:
            patches = "all switched on (`bot.ops.rasa_server` applies them before Rasa starts)"
    finally:
        server.stop()
    return FormResult(form, ours, base, rss, patches, load_before, _uptime())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300, help="timed turns per bot and form (default 300)")
    parser.add_argument("--forms", nargs="+", choices=FORMS, default=list(FORMS))
    parser.add_argument("--baseline-dir", type=Path, help="a `rasa init` project already trained (skips training)")
    parser.add_argument("--output", type=Path, default=RESULTS / "turns.md")
    args = parser.parse_args(argv)
    import rasa

    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    results: list[FormResult] = []
    with tempfile.TemporaryDirectory(prefix="leadbot-bench-fair-") as tmp_name:
        tmp = Path(tmp_name)
        logs = tmp / "logs"
        logs.mkdir()
        project = tmp / "init"
        env = _quiet_env(tmp / "cache-baseline")
        if args.baseline_dir:
            shutil.copytree(args.baseline_dir, project)
        else:
            project.mkdir()
            print("rasa init (scaffold + train the baseline)…", flush=True)
            _timed_run(
                [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)], project, env, logs / "init.log"
            )
        baseline = Baseline(project, env, logs)
        try:
            print("starting the baseline…", flush=True)
            baseline.start()
            for form in args.forms:
                results.append(run_form(form, tmp, logs, baseline, args.turns))
        except Exception:
            for log in sorted(logs.glob("*.log")):
                print(f"--- {log.name} ---\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
            raise
        finally:
            baseline.stop()
    lines = [
        "# Per-turn REST round trip, ours vs. the `rasa init` bot, turn for turn",
        "",
        f"Measured {when} by `benchmarks/bench_turns_fair.py` (Rasa {rasa.__version__}, nproc {os.cpu_count()}): "
        "one client alternating one turn of ours with one of the baseline's, both bots running at once, "
        "whole conversations each (bench_turns.py's scripts), warm-up pass not timed. CPU per turn is "
        "utime + stime of each server's process group over the timed turns.",
        "",
    ]
    for result in results:
        lines += section(result)
    text = "\n".join(lines)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
