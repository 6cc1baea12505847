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
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.conversation.dialogue import read_turn  # noqa: E402
from bot.evaluation import split_of  # noqa: E402
from bot.parse.base import Answer, Kind  # noqa: E402
from bot.sla import SLA, load_sla  # noqa: E402

ANSWERS = ROOT / "eval" / "declared" / "answers.yml"
SLAS = {name: ROOT / "examples" / f"{name}.yml" for name in ("saas-b2b", "reformas-oficinas")}
TODAY = date(2026, 12, 1)
_TOLERANCE = 0.02  # a number within 2 % of the label is the same number


@dataclass
class Item:
    id: str
    question: str
    lang: str
    text: str
    labels: dict[str, Any]

    @property
    def half(self) -> str:
        return split_of(self.id)


def load(path: Path) -> list[Item]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Item(i["id"], i["question"], i["lang"], str(i["text"]), dict(i.get("labels") or {})) for i in data["items"]]


def label_of(answer: Answer | None) -> str:
    if answer is None or answer.kind is Kind.UNKNOWN:
        return "unknown"
    if answer.kind is Kind.UNDECIDED:
        return "undecided"
    return f"{float(answer.value):g}" if isinstance(answer.value, (int, float)) else str(answer.value)


def same(expected: Any, got: str) -> bool:
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        try:
            value = float(got)
        except ValueError:
            return False
        return abs(value - float(expected)) <= max(0.5, _TOLERANCE * abs(float(expected)))
    return str(expected) == got


@dataclass
class Outcome:
    item: Item
    pending_expected: Any
    pending_got: str
    clarified: bool
    volunteered: list[tuple[str, Any, str]]  # (field, expected, got)
    false_fills: list[tuple[str, str]]  # (field, got) filled though the message does not state it


def read(item: Item, sla: SLA) -> Outcome:
    reading = read_turn(item.text, intent=None, requested=item.question, slots={}, misses=None, sla=sla, today=TODAY)
    answers = dict(reading.answers)
    got_pending = label_of(answers.get(item.question))
    if reading.clarify == item.question:  # asked back "is that about 40 employees?": scored as read
        from bot.conversation.typed import read_typed

        got_pending = label_of(read_typed(item.text, item.question, sla.criteria[item.question], strict=False))
    volunteered = [
        (name, expected, label_of(answers.get(name)))
        for name, expected in item.labels.items()
        if name != item.question and name in sla.criteria
    ]
    false_fills = [
        (name, label_of(answer))
        for name, answer in answers.items()
        if name != item.question and name in sla.typed_slots and name not in item.labels
    ]
    return Outcome(
        item=item,
        pending_expected=item.labels.get(item.question, "unknown"),
        pending_got=got_pending,
        clarified=reading.clarify == item.question,
        volunteered=volunteered,
        false_fills=false_fills,
    )


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
    slas = {name: load_sla(path) for name, path in SLAS.items()}
    owner = {name: sla for sla in slas.values() for name in sla.typed_slots}
    outcomes = [read(item, owner[item.question]) for item in load(args.answers) if item.question in owner]
    text = report(outcomes, args.misses)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"written to {args.output}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
