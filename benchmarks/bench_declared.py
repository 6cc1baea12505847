"""How well declared criteria (number, choice, yes/no) are read, on answers written blind.

`eval/declared/answers.yml` was written by someone who saw only the question texts and the
labels' meaning, never the parsers, the synonyms or the tables. Each item is read the way the
action server reads a message (`read_turn`, with the question pending) against the example SLA
it belongs to, and compared with its labels:

- the pending question's answer (value, `undecided` or `unknown`);
- fields volunteered beside it (a size and a country said while asked the industry);
- fields filled that the message does not state (incidental words), which must be none.

Offline and deterministic (no Rasa): the conversation layer above `read_turn` is covered by
tests/integration/test_declared_criteria.py. Reports by half (bot.evaluation.split_of: the dev
half may be read while fixing, the test half only scored) and by language.

    .venv/bin/python benchmarks/bench_declared.py [--misses dev] [--output benchmarks/results/declared.md]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluation_declared import ANSWERS, Outcome, evaluate, same  # noqa: E402


def _pct(hit: int, total: int) -> str:
    return f"{hit}/{total} = {100 * hit / total:.1f} %" if total else "–"


def report(outcomes: list[Outcome], misses: str | None) -> str:
    lines = [
        "# Declared criteria: reading blind-written answers",
        "",
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `benchmarks/bench_declared.py` on "
        f"`eval/declared/answers.yml` ({len(outcomes)} items), read with `read_turn` against `examples/*.yml`.",
        "",
        "| field | all | test half | dev half | en | es |",
        "|---|---|---|---|---|---|",
    ]
    by_field: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.item.question in outcome.item.labels:
            by_field[outcome.item.question].append(outcome)
    total_hit = total = 0
    for name, group in by_field.items():
        cells = []
        for keep in (
            lambda o: True,
            lambda o: o.item.half == "test",
            lambda o: o.item.half == "dev",
            lambda o: o.item.lang == "en",
            lambda o: o.item.lang == "es",
        ):
            chosen = [o for o in group if keep(o)]
            cells.append(_pct(sum(same(o.pending_expected, o.pending_got) for o in chosen), len(chosen)))
        total_hit += sum(same(o.pending_expected, o.pending_got) for o in group)
        total += len(group)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append(f"| **all fields** | {_pct(total_hit, total)} | | | | |")
    test = [o for g in by_field.values() for o in g if o.item.half == "test"]
    lines += [
        "",
        f"- test half, all fields: {_pct(sum(same(o.pending_expected, o.pending_got) for o in test), len(test))}",
    ]
    volunteered = [v for o in outcomes for v in o.volunteered]
    lines.append(f"- volunteered fields read: {_pct(sum(same(e, g) for _, e, g in volunteered), len(volunteered))}")
    wrong_fill = [o for o in outcomes if o.false_fills]
    lines.append(f"- items that filled a field they do not state: {_pct(len(wrong_fill), len(outcomes))}")
    incidental = [o for o in outcomes if o.item.id.startswith("inc-")]
    lines.append(
        f"- of them incidental items (`inc-*`): {_pct(sum(bool(o.false_fills) for o in incidental), len(incidental))}"
    )
    clarified = [o for o in outcomes if o.clarified]
    lines.append(f"- pending answers confirmed with a clarifying question: {_pct(len(clarified), len(outcomes))}")
    confusion: Counter[tuple[str, str]] = Counter()
    for o in (o for g in by_field.values() for o in g):
        if not same(o.pending_expected, o.pending_got):
            kind = "number" if isinstance(o.pending_expected, (int, float)) else str(o.pending_expected)
            confusion[(f"{o.item.question}: {kind}", "a different number" if kind == "number" else o.pending_got)] += 1
    lines += ["", "## Misses by kind (label → read)", "", "| label | read | count |", "|---|---|---|"]
    lines += [f"| {label} | {got} | {n} |" for (label, got), n in confusion.most_common()]
    if misses:
        lines += ["", f"## Misses in the {misses} half", ""]
        lines += ["| id | field | label | read | text |", "|---|---|---|---|---|"]
        for o in outcomes:
            if o.item.half != misses:
                continue
            text = o.item.text.replace("|", "/")[:90]
            if o.item.question in o.item.labels and not same(o.pending_expected, o.pending_got):
                lines.append(f"| {o.item.id} | {o.item.question} | {o.pending_expected} | {o.pending_got} | {text} |")
            for name, expected, got in o.volunteered:
                if not same(expected, got):
                    lines.append(f"| {o.item.id} | {name} (volunteered) | {expected} | {got} | {text} |")
            for name, got in o.false_fills:
                lines.append(f"| {o.item.id} | {name} (not stated) | – | {got} | {text} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=Path, default=ANSWERS)
    parser.add_argument("--misses", choices=("dev",), help="list the dev half's misses (never the test half's)")
    parser.add_argument("--output", type=Path, help="write the report here (default: print it)")
    args = parser.parse_args(argv)
    outcomes = evaluate(args.answers)
    text = report(outcomes, args.misses)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"written to {args.output}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
