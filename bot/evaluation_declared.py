"""Held-out reading of declared criteria (number, choice, yes/no): labels in, outcomes out.

`eval/declared/answers.yml` was written blind (question texts and label meanings only). Each item
is read as the action server reads a message, with `read_turn` and its question pending, against
the example SLA it belongs to. Used by `benchmarks/bench_declared.py` and the accuracy floors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.conversation.dialogue import read_turn
from bot.conversation.typed import read_typed
from bot.evaluation import split_of
from bot.parse.base import Answer, Kind
from bot.sla import SLA, load_sla

ROOT = Path(__file__).resolve().parent.parent

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


def evaluate(path: Path = ANSWERS) -> list[Outcome]:
    """Every item of the declared-criteria set, read against its example SLA."""
    slas = {name: load_sla(p) for name, p in SLAS.items()}
    owner = {name: sla for sla in slas.values() for name in sla.typed_slots}
    return [read(item, owner[item.question]) for item in load(path) if item.question in owner]


def correct(outcome: Outcome) -> bool:
    return same(outcome.pending_expected, outcome.pending_got)
