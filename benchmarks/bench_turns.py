"""Per-turn REST latency of the assistant next to a plain `rasa init` bot, with training time and memory.

Run on demand, once (it trains two models and starts two stacks on the machine's cores):

    python benchmarks/bench_turns.py [--turns 300] [--skip-train]   # -> benchmarks/results/turns_conversations.md

Both bots run at the same time and are driven by one sequential visitor, a whole conversation at a
time, always the bot with fewer timed turns next, so that load from other work on a shared machine
hits both alike. The first pass over each bot's conversations is warm-up and is not timed.

The baseline is what `rasa init` creates (trained as part of the run, so its training time is
measured too), served with `rasa run --enable-api` and `rasa run actions` like ours. It keeps
conversations in memory, while ours uses the SQL tracker store and calls the action server on
most turns: that difference is part of what the ratio measures.

Our training time is a cold `rasa train` of this repo's data into a temp dir with an empty cache
(RASA_CACHE_DIRECTORY), so models/leadbot.tar.gz and .rasa/ are left alone; the stack itself
serves models/leadbot.tar.gz, as the tests do.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))

from bot.ops.local import BIN, Stack, free_port, wait_http  # noqa: E402

P95_RATIO_TARGET = 1.5
P95_MS_TARGET = 150.0
TRAIN_S_TARGET = 180.0

# (what the visitor says, a word the reply must contain or None). The words come from
# tests/integration; a reply without its word is counted as a mismatch, since timing a bot
# that has gone off script would measure a different conversation.
Turn = tuple[str, str | None]

_CONTACT_EN: list[Turn] = [
    ("Ana García", "email"),
    ("ana.garcia@acme-corp.com", "company"),
    ("Acme Corp", "contact you"),
    ("yes", "sales team"),
]
_CONTACT_ES: list[Turn] = [
    ("Lucía Fernández", "email"),
    ("lucia.fernandez@ventas-iberia.es", "empresa"),
    ("Ventas Iberia SL", "que te escriba"),
    ("sí, claro", "equipo comercial"),
]

OURS: dict[str, list[Turn]] = {
    "sales-ready (en)": [
        ("hello", "problem"),
        ("our sales reps waste hours every week on bad leads", "budget"),
        ("around 20k a year", "role"),
        ("VP of Sales", "when"),
        ("next quarter", "name"),
        *_CONTACT_EN,
    ],
    "four answers in the opener (en)": [
        (
            "Hi, I'm the CTO at Acme, our reps waste hours on bad leads, "
            "we have about 30k a year and want something live next quarter",
            "name",
        ),
        *_CONTACT_EN,
    ],
    "nurture (en)": [
        ("hey", "problem"),
        ("just curious, exploring options", "budget"),
        ("not decided yet", "role"),
        ("I'm a marketing manager", "when"),
        ("in 4 months", "guide"),
    ],
    "disqualified (en)": [
        ("hello", "problem"),
        ("I'm a student doing homework on lead scoring", None),
        ("no budget", None),
        ("intern", None),
        ("no plans", "thanks for your time"),
    ],
    "budget correction (en)": [
        ("hi", "problem"),
        ("our reps waste time on unqualified leads", "budget"),
        ("3k a year", "role"),
        ("actually our budget is 50k", "updated"),
        ("CEO", "when"),
        ("asap", "name"),
        *_CONTACT_EN,
    ],
    "why do you ask (en)": [
        ("hi", "problem"),
        ("bad leads are killing our conversion rate", "budget"),
        ("why do you ask?", "price points"),
        ("20k a year", "role"),
        ("I'm the head of sales", "when"),
        ("in 4 months", None),
    ],
    "sales-ready (es)": [
        ("Hola, buenas tardes", "problema"),
        ("los comerciales pierden horas cada semana con leads malos", "presupuesto"),
        ("unos 20k al año", "puesto"),
        ("VP de ventas", "para cuándo"),
        ("el próximo trimestre", "cómo te llamas"),
        *_CONTACT_ES,
    ],
    "nurture (es)": [
        ("Hola, buenas", "problema"),
        ("solo por curiosidad, estamos explorando opciones", "presupuesto"),
        ("aún no lo sabemos", "puesto"),
        ("soy jefa de marketing", "para cuándo"),
        ("en unos 4 meses", "guía"),
    ],
}

# The `rasa init` bot's own paths (data/stories.yml, rules.yml), in its nlu.yml's words.
BASELINE: dict[str, list[Turn]] = {
    "happy path": [("hello there", "how are you"), ("I am feeling great", "carry on"), ("bye", "bye")],
    "sad path 1": [("hi", "how are you"), ("I am sad", "did that help"), ("yes", "carry on")],
    "sad path 2": [("hey", "how are you"), ("very sad", "did that help"), ("no", "bye")],
    "bot challenge": [("good morning", "how are you"), ("are you a bot?", "bot"), ("amazing", None)],
}


def _quiet_env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONUNBUFFERED": "1",
            "RASA_CACHE_DIRECTORY": str(cache),  # a cold cache: training really trains
            "SANIC_HOST": "127.0.0.1",  # the baseline's action server: this machine only
        }
    )
    return env


def _timed_run(argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> float:
    """Wall seconds of one command; its output goes to `log`, shown only if it fails."""
    start = time.perf_counter()
    with log.open("ab") as out:
        result = subprocess.run(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        print(log.read_text(errors="replace")[-4000:], file=sys.stderr)
        raise RuntimeError(f"{' '.join(argv)} exited with {result.returncode}")
    return seconds


@dataclass
class Baseline:
    """The `rasa init` bot's Rasa server and action server, on free ports."""

    project: Path
    env: dict[str, str]
    log_dir: Path
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def start(self) -> None:
        endpoints = self.project / "bench_endpoints.yml"
        endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{self.actions_port}/webhook"\n')
        self._spawn("actions", [str(BIN / "rasa"), "run", "actions", "--port", str(self.actions_port)])
        self._spawn(
            "rasa",
            [
                str(BIN / "rasa"), "run", "--enable-api", "--port", str(self.rasa_port), "--interface", "127.0.0.1",
                "--model", "models", "--endpoints", endpoints.name,
            ],
        )  # fmt: skip
        # Loading the init bot's TED and UnexpecTED policies took over 4 minutes at load 9 on 2 cores.
        wait_http(f"http://127.0.0.1:{self.actions_port}/health", 300, self.processes["actions"])
        wait_http(f"{self.rasa_url}/status", 900, self.processes["rasa"])

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.log_dir / f"baseline-{name}.log", "ab")  # noqa: SIM115 - lives as long as the process
        self.processes[name] = subprocess.Popen(
            argv, cwd=self.project, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self) -> None:
        for name in list(self.processes):
            process = self.processes.pop(name)
            if process.poll() is not None:
                continue
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def group_rss_mb(leader: int) -> float:
    """Resident memory of every process in `leader`'s process group (each server runs in its own)."""
    total_kb = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # The command name may hold spaces and parentheses: fields start after the last ')'.
            pgrp = int(stat.rsplit(")", 1)[1].split()[2])
            if pgrp != leader:
                continue
            status = (entry / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        total_kb += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total_kb / 1024


@dataclass
class Timings:
    """Round trips of one bot, and the replies that did not say what the script expected."""

    turns_ms: list[float] = field(default_factory=list)
    conversations: dict[str, int] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)


def converse(session: requests.Session, rasa_url: str, name: str, script: list[Turn], timings: Timings | None) -> None:
    """One whole conversation by a new visitor; `timings` None means warm-up."""
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    for text, expected in script:
        start = time.perf_counter()
        response = session.post(
            f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
        )
        elapsed_ms = (time.perf_counter() - start) * 1000
        response.raise_for_status()
        reply = "\n".join(r.get("text") or "" for r in response.json())
        if timings is None:
            continue
        timings.turns_ms.append(elapsed_ms)
        if expected is not None and expected not in reply.lower():
            timings.mismatches.append(f"{name}: {text!r} -> {reply[:120]!r} (expected {expected!r})")
    if timings is not None:
        timings.conversations[name] = timings.conversations.get(name, 0) + 1


def drive(urls: dict[str, str], scripts: dict[str, dict[str, list[Turn]]], turns: int) -> dict[str, Timings]:
    results = {bot: Timings() for bot in urls}
    positions = dict.fromkeys(urls, 0)
    with requests.Session() as session:
        for bot, url in urls.items():
            for name, script in scripts[bot].items():
                converse(session, url, name, script, None)
        while min(len(t.turns_ms) for t in results.values()) < turns:
            bot = min(results, key=lambda b: len(results[b].turns_ms))
            names = list(scripts[bot])
            name = names[positions[bot] % len(names)]
            positions[bot] += 1
            converse(session, urls[bot], name, scripts[bot][name], results[bot])
    return results


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _cpu_model() -> str:
    try:
        line = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
        return line.split(":", 1)[1].strip()
    except (OSError, StopIteration):
        return platform.processor() or "unknown"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(
    results: dict[str, Timings],
    training: dict[str, float | None],
    rss: dict[str, float],
    machine: dict[str, str],
    warmup_turns: dict[str, int],
) -> str:
    ours, base = results["ours"].turns_ms, results["baseline"].turns_ms
    stats = {
        "p50": (percentile(ours, 0.50), percentile(base, 0.50)),
        "p95": (percentile(ours, 0.95), percentile(base, 0.95)),
        "p99": (percentile(ours, 0.99), percentile(base, 0.99)),
        "mean": (statistics.fmean(ours), statistics.fmean(base)),
        "max": (max(ours), max(base)),
    }
    p95_ours, p95_base = stats["p95"]
    ratio_ok = p95_ours <= P95_RATIO_TARGET * p95_base
    lines = [
        "# Per-turn REST round trip: leadbot vs. the `rasa init` bot",
        "",
        f"Measured {machine['date']} by `benchmarks/bench_turns.py`, both bots in the same run on the same machine.",
        "",
        "| | leadbot | baseline (`rasa init`) | leadbot / baseline |",
        "|---|---:|---:|---:|",
        f"| timed turns (warm-up excluded) | {len(ours)} | {len(base)} | |",
        f"| warm-up turns (not timed) | {warmup_turns['ours']} | {warmup_turns['baseline']} | |",
    ]
    for key, (mine, theirs) in stats.items():
        lines.append(f"| {key} (ms) | {mine:.1f} | {theirs:.1f} | {mine / theirs:.2f}× |")
    lines += ["", "| target | value | |", "|---|---:|---|"]
    lines.append(f"| p95 ≤ {P95_RATIO_TARGET}× baseline p95 | {p95_ours / p95_base:.2f}× | {_verdict(ratio_ok)} |")
    lines.append(f"| p95 < {P95_MS_TARGET:.0f} ms | {p95_ours:.1f} ms | {_verdict(p95_ours < P95_MS_TARGET)} |")
    ours_train = training["ours"]
    ours_seconds = "not measured" if ours_train is None else f"{ours_train:.1f}"
    if ours_train is None:
        lines.append("| our training < 3 min | not measured (`--skip-train`) | |")
    else:
        lines.append(f"| our training < 3 min | {ours_train:.0f} s | {_verdict(ours_train < TRAIN_S_TARGET)} |")
    lines += [
        "",
        "## Training (cold cache, wall time)",
        "",
        "| model | seconds |",
        "|---|---:|",
        f"| leadbot: `rasa train --fixed-model-name bench --out <tmp>` | {ours_seconds} |",
        f"| baseline: `rasa init --no-prompt` (scaffold + train) | {training['baseline']:.1f} |",
        "",
        "## Resident memory after the run (VmRSS summed over each server's process group)",
        "",
        "| server | MB |",
        "|---|---:|",
        *(f"| {name} | {mb:.0f} |" for name, mb in rss.items()),
        "",
        "## Conversations timed",
        "",
        "| bot | conversation | times |",
        "|---|---|---:|",
    ]
    for bot, timings in results.items():
        lines += [f"| {bot} | {name} | {count} |" for name, count in timings.conversations.items()]
    for bot, timings in results.items():
        if timings.mismatches:
            lines += ["", f"**{bot}: {len(timings.mismatches)} replies off script** (first 5):", ""]
            lines += [f"- {m}" for m in timings.mismatches[:5]]
    lines += [
        "",
        "## Machine",
        "",
        f"- nproc: {machine['nproc']} ({machine['cpu']}), shared with other work",
        f"- load before: `{machine['uptime_before']}`",
        f"- load after: `{machine['uptime_after']}`",
        f"- Python {platform.python_version()}, Rasa {machine['rasa']}, {platform.platform()}",
        "- one sequential visitor, one keep-alive HTTP session; leadbot uses the SQL tracker store (SQLite),"
        " the baseline Rasa's in-memory one",
        "",
    ]
    return "\n".join(lines)


def plot(results: dict[str, Timings], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, axes = plt.subplots(figsize=(7, 4))
    for bot, timings in results.items():
        values = sorted(timings.turns_ms)
        axes.plot(values, [(i + 1) / len(values) for i in range(len(values))], label=bot)
    axes.axvline(P95_MS_TARGET, color="grey", linestyle=":", label=f"{P95_MS_TARGET:.0f} ms")
    axes.axhline(0.95, color="grey", linestyle="--", linewidth=0.8)
    axes.set_xscale("log")
    axes.set_xlabel("REST round trip per turn (ms, log scale)")
    axes.set_ylabel("share of turns")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300, help="timed turns per bot (default 300)")
    parser.add_argument("--skip-train", action="store_true", help="do not time `rasa train` of our data")
    args = parser.parse_args(argv)

    import rasa

    machine = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "rasa": rasa.__version__,
        "uptime_before": _uptime(),
    }
    print(f"load before: {machine['uptime_before']}", flush=True)
    training: dict[str, float | None] = {"ours": None, "baseline": None}
    with tempfile.TemporaryDirectory(prefix="leadbot-bench-turns-") as tmp_name:
        tmp = Path(tmp_name)
        logs = tmp / "logs"
        logs.mkdir()
        if not args.skip_train:
            print("training our model (cold cache)…", flush=True)
            training["ours"] = _timed_run(
                [
                    str(BIN / "rasa"), "train", "--fixed-model-name", "bench", "--out", str(tmp / "ours-model"),
                    "--data", "data", "--config", "config.yml", "--domain", "domain.yml",
                ],
                ROOT, _quiet_env(tmp / "cache-ours"), logs / "train-ours.log",
            )  # fmt: skip
            print(f"  {training['ours']:.1f} s", flush=True)
        project = tmp / "init"
        project.mkdir()
        base_env = _quiet_env(tmp / "cache-baseline")
        print("rasa init (scaffold + train the baseline)…", flush=True)
        training["baseline"] = _timed_run(
            [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
            project, base_env, logs / "init-baseline.log",
        )  # fmt: skip
        print(f"  {training['baseline']:.1f} s", flush=True)

        ours = Stack.on_free_ports(tmp, log_dir=logs, extra_env={"RASA_CACHE_DIRECTORY": str(tmp / "cache-ours")})
        baseline = Baseline(project, base_env, logs)
        try:
            print("starting both stacks…", flush=True)
            ours.start()
            baseline.start()
            urls = {"ours": ours.rasa_url, "baseline": baseline.rasa_url}
            scripts = {"ours": OURS, "baseline": BASELINE}
            print(f"driving {args.turns}+ timed turns per bot…", flush=True)
            results = drive(urls, scripts, args.turns)
            rss = {
                "leadbot Rasa server": group_rss_mb(ours.processes["rasa"].pid),
                "leadbot action server": group_rss_mb(ours.processes["actions"].pid),
                "baseline Rasa server": group_rss_mb(baseline.processes["rasa"].pid),
                "baseline action server": group_rss_mb(baseline.processes["actions"].pid),
            }
        except Exception:
            for log in sorted(logs.glob("*.log")):
                print(f"--- {log.name} ---\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
            raise
        finally:
            ours.stop()
            baseline.stop()
    machine["uptime_after"] = _uptime()
    warmup = {bot: sum(len(s) for s in scripts[bot].values()) for bot in scripts}
    text = report(results, training, rss, machine, warmup)
    RESULTS.mkdir(parents=True, exist_ok=True)
    # results/turns.md is bench_turns_fair.py's (turn for turn, CPU per turn, both launch forms).
    (RESULTS / "turns_conversations.md").write_text(text, encoding="utf-8")
    if plot(results, RESULTS / "turns.png"):
        text += "\n![round trip per turn](turns.png)\n"
        (RESULTS / "turns_conversations.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
