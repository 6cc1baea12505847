"""How much reading one message costs the action server: parser and scorer calls per turn.

Drives one whole conversation through the real actions, in process (`tests/simulation.py` plays
Rasa's rules), and counts, per visitor message, the calls to each parser (need, budget, role,
timing) and to the scorer. Each stored answer is read once per SLA, models and date
(`bot/conversation/memo.py`); `--no-memo` turns that off in the same run for the baseline, so the
two columns are measured side by side.

    .venv/bin/python benchmarks/bench_reads.py [--output benchmarks/results/reads.md]

Counts, not timings: they do not depend on the machine, so one run says it all.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

# One visitor, one message per kind of turn.
MESSAGES: list[tuple[str, str]] = [
    ("greeting", "hi"),
    ("need answer", "our reps waste hours on junk leads from the website"),
    ("budget answer", "about 2k a month"),
    ("role answer", "I'm the VP of sales"),
    ("timing answer", "next month"),
    ("name", "Ana Ruiz"),
    ("email", "ana@example.com"),
    ("company", "Acme"),
    ("consent (closes the lead)", "yes"),
]
PARSERS = {
    "need": ("bot.parse.need", "parse_need"),
    "budget": ("bot.parse.money", "parse_budget"),
    "role": ("bot.parse.role", "parse_role"),
    "timing": ("bot.parse.timing", "parse_timing"),
    "score": ("bot.scoring", "score_answers"),
}


def _count(counts: Counter[str], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def counted(*args: Any, **kwargs: Any) -> Any:
        counts[name] += 1
        return function(*args, **kwargs)

    return counted


def _instrument(counts: Counter[str]) -> None:
    """Wrap each parser where it is defined and wherever a module imported it by name."""
    for name, (module_name, attribute) in PARSERS.items():
        module = sys.modules[module_name]
        original = getattr(module, attribute)
        wrapped = _count(counts, name, original)
        for other in list(sys.modules.values()):
            if (
                getattr(other, "__name__", "").startswith(("bot", "actions"))
                and getattr(other, attribute, None) is original
            ):
                setattr(other, attribute, wrapped)


def _conversation(counts: Counter[str], memo: bool) -> list[Counter[str]]:
    from actions import runtime
    from bot.conversation import memo as memo_module
    from tests.simulation import Conversation

    memo_module._READ.clear()
    users = [m for m in list(sys.modules.values()) if getattr(m, "read_once", None) is memo_module.read_once]
    original = memo_module.read_once
    if not memo:
        for module in users:  # each module that imported it by name
            module.read_once = lambda owners, key, read: read()  # type: ignore[attr-defined]
    try:
        conversation = Conversation(f"reads-{memo}", runtime.store())
        per_turn = []
        for kind, text in MESSAGES:
            counts.clear()
            conversation.say(text, "affirm" if kind.startswith("consent") else "inform")
            per_turn.append(Counter(counts))
        return per_turn
    finally:
        for module in users:
            module.read_once = original  # type: ignore[attr-defined]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "reads.md"))
    args = parser.parse_args()
    os.environ["LEADBOT_DATABASE_URL"] = "sqlite://"
    os.environ["LEADBOT_SLA"] = str(ROOT / "sla.yml")
    from actions import runtime
    from bot.settings import current_settings

    runtime.settings = functools.lru_cache(maxsize=1)(current_settings)  # type: ignore[assignment]
    runtime.sla().models()
    counts: Counter[str] = Counter()
    _instrument(counts)
    baseline = _conversation(counts, memo=False)
    memoised = _conversation(counts, memo=True)
    rows = []
    totals = {"baseline": Counter[str](), "now": Counter[str]()}
    for (kind, text), before, now in zip(MESSAGES, baseline, memoised, strict=True):
        totals["baseline"].update(before)
        totals["now"].update(now)
        parses_before = sum(before[p] for p in PARSERS if p != "score")
        parses_now = sum(now[p] for p in PARSERS if p != "score")
        rows.append(f"| {kind} | `{text}` | {parses_before} | {parses_now} | {before['score']} | {now['score']} |")
    parses = {k: sum(v[p] for p in PARSERS if p != "score") for k, v in totals.items()}
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    report = "\n".join(
        [
            "# Reading cost per message: parser and scorer calls in the action server",
            "",
            f"Run {stamp} by `benchmarks/bench_reads.py`: one conversation through the real actions, in process,",
            "with the memo off (baseline) and on, in the same run. Parser calls are need + budget + role + timing.",
            "",
            "| turn | message | parser calls, memo off | memo on | scorer calls, memo off | memo on |",
            "|---|---|---|---|---|---|",
            *rows,
            f"| **whole conversation** | | **{parses['baseline']}** | **{parses['now']}** "
            f"| {totals['baseline']['score']} | {totals['now']['score']} |",
            "",
            "With the memo each message's own words are parsed (once for the form, once as the",
            "answer to the question pending) and every stored answer is reused; scoring is pure and",
            "cheap once the answers are read, so its calls are left as they are.",
            "",
        ]
    )
    Path(args.output).write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
