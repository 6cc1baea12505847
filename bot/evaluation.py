"""How well the assistant reads visitors: labelled answers in, per-field accuracy out.

Owns the label conventions of the held-out sets in `eval/` and the offline evaluation that
`leadbot evaluate` and the accuracy test run through the same `read_turn` the actions call.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.conversation.dialogue import read_turn
from bot.conversation.reading import read_one
from bot.parse.base import Answer, Criterion, Kind
from bot.sla import SLA

FIELDS = tuple(c.value for c in Criterion)
BUCKETS = ("le3", "3to6", "6to12", "gt12")
# A budget label is an annual amount; a reading within this share of it is the same amount
# (rates and rounding: "$2k a month" is 22,080 or 22,000 depending on who multiplies first).
_AMOUNT_TOLERANCE = 0.02
# Every corpus item falls in one half for good: `dev` may be read while improving the
# parsers, `test` is only ever scored. Hashing the id keeps the split stable as items are added.
SPLITS = ("dev", "test")


def split_of(item_id: str) -> str:
    return SPLITS[hashlib.sha1(item_id.encode()).digest()[0] % 2]


def predicted_label(answer: Answer | None) -> str:
    """An answer as the label vocabulary of the held-out sets (`unknown` when not read)."""
    if answer is None or answer.kind is Kind.UNKNOWN:
        return "unknown"
    if answer.criterion is Criterion.BUDGET:
        if answer.kind is Kind.UNDECIDED:
            return "unsure"
        if answer.kind is Kind.NONE or answer.value is None:
            return "none"
        return f"{float(answer.value):g}"
    if answer.criterion is Criterion.TIMING:
        if answer.kind is Kind.NONE:
            return "gt12"
        if answer.kind is Kind.UNDECIDED or answer.value is None:
            return "undecided"
        return bucket(float(answer.value))
    return str(answer.value)


def bucket(months: float) -> str:
    """Months until purchase as the SLA's bands (a band includes its upper bound)."""
    if months <= 3.01:
        return "le3"
    if months <= 6.01:
        return "3to6"
    if months <= 12.01:
        return "6to12"
    return "gt12"


def matches(criterion: str, predicted: str, expected: Any) -> bool:
    """Whether a predicted label is one a careful rep could have written down."""
    if predicted == "unknown":
        return False
    options = expected if isinstance(expected, list) else [expected]
    if criterion == "timing" and predicted == "undecided":
        # "once the board approves": no date, so only right where every band is.
        return set(BUCKETS) <= {str(o) for o in options}
    for option in options:
        if criterion == "budget" and isinstance(option, (int, float)) and not isinstance(option, bool):
            try:
                value = float(predicted)
            except ValueError:
                continue
            if abs(value - option) <= _AMOUNT_TOLERANCE * max(abs(option), 1.0):
                return True
        elif criterion == "budget" and option == "none":
            # "under 5k a year" is none to a rep and an amount under 5,000 to us: both score 0.
            if predicted == "none" or _is_amount_below(predicted, 5000):
                return True
        elif str(option) == predicted:
            return True
    return False


def label_class(criterion: str, label: Any) -> str:
    """A label as a confusion-matrix row: amounts fall into the SLA's budget bands."""
    if isinstance(label, list):
        return "|".join(str(v) for v in label)
    if criterion == "budget":
        return _budget_band(str(label))
    return str(label)


def _budget_band(label: str) -> str:
    try:
        value = float(label)
    except ValueError:
        return label
    return ">=10k" if value >= 10000 else "5k-10k" if value >= 5000 else "<5k"


def _is_amount_below(label: str, limit: float) -> bool:
    try:
        return float(label) < limit
    except ValueError:
        return False


# --- the labelled sets ------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One labelled corpus entry (see eval/corpus/answers.yml for the sections)."""

    id: str
    section: str  # answers | incidental | corrections | questions
    lang: str
    text: str
    asked: str | None = None
    expect: Any = None
    must_not_fill: tuple[str, ...] = ()
    before: Mapping[str, str] = field(default_factory=dict)
    kind: str | None = None  # questions: price, why_ask, ...
    # The conversation's date, for the few items whose text states it ("we're in june now");
    # None: the run's date. Only the offline evaluation can honour it.
    today: date | None = None

    @property
    def split(self) -> str:
        return split_of(self.id)


def load_corpus(path: str | Path) -> list[Item]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    items = []
    for section in ("answers", "incidental", "corrections", "questions"):
        for entry in data.get(section) or []:
            items.append(
                Item(
                    id=str(entry["id"]),
                    section=section,
                    lang=str(entry.get("lang", "en")),
                    text=str(entry["text"]),
                    asked=entry.get("asked"),
                    expect=entry.get("expect"),
                    must_not_fill=tuple(entry.get("must_not_fill") or ()),
                    before=dict(entry.get("before") or {}),
                    kind=entry.get("kind"),
                    today=entry.get("today"),
                )
            )
    return items


def load_conversations(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    conversations: list[dict[str, Any]] = []
    for path in paths:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        conversations.extend(data.get("conversations") or [])
    return conversations


# --- scoring a run ----------------------------------------------------------------------


@dataclass
class Tally:
    """Right / total per key, plus a confusion matrix per field."""

    right: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    confusion: dict[str, Counter[tuple[str, str]]] = field(default_factory=lambda: defaultdict(Counter))
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)  # (id, field, expected, got)

    def add(self, key: str, ok: bool) -> None:
        self.total[key] += 1
        self.right[key] += ok

    def share(self, key: str) -> float | None:
        return self.right[key] / self.total[key] if self.total[key] else None

    def add_field(self, item_id: str, criterion: str, expected: Any, predicted: str, *, keys: Sequence[str]) -> bool:
        ok = matches(criterion, predicted, expected)
        for key in keys:
            self.add(key, ok)
        got = predicted if predicted in ("unknown", "undecided") else label_class(criterion, predicted)
        self.confusion[criterion][(label_class(criterion, expected), got)] += 1
        if not ok:
            self.misses.append((item_id, criterion, label_class(criterion, expected), predicted))
        return ok


def evaluate_corpus(items: Iterable[Item], sla: SLA, today: date) -> dict[str, Tally]:
    """The corpus read offline, split by split: the text of each item, as `read_turn` reads
    it with the asked question pending (NLU intent "inform", i.e. no digression)."""
    tallies: dict[str, Tally] = {split: Tally() for split in (*SPLITS, "all")}
    for item in items:
        for tally in (tallies[item.split], tallies["all"]):
            _evaluate_item(item, sla, item.today or today, tally)
    return tallies


def _evaluate_item(item: Item, sla: SLA, today: date, tally: Tally) -> None:
    if item.section == "answers" and item.asked:
        # Read as a turn, the way the running bot reads it (a question inside it, a greeting, an
        # aside); asked back with buttons, the visitor's click decides: scored as read.
        reading = read_turn(item.text, intent="inform", requested=item.asked, slots={}, misses={}, sla=sla, today=today)
        answer: Answer | None = reading.answers.get(item.asked)
        if reading.clarify == item.asked:
            answer = read_one(item.text, Criterion(item.asked), sla, today)
        predicted = predicted_label(answer)
        if reading.clarify == "need" and item.asked == "need":
            # Asked back with a button per class (a problem, exploring, just browsing): the
            # visitor's click is the answer, as over REST.
            predicted = str(item.expect[0] if isinstance(item.expect, list) else item.expect)
        tally.add_field(
            item.id,
            item.asked,
            item.expect,
            predicted,
            keys=(item.asked, f"{item.asked}:{item.lang}", "fields"),
        )
        return
    if item.section == "incidental" and item.asked:
        reading = read_turn(item.text, intent="inform", requested=item.asked, slots={}, misses={}, sla=sla, today=today)
        tally.add("incidental", not any(f in reading.fills for f in item.must_not_fill))
        if item.expect is not None:
            answer = read_one(item.text, Criterion(item.asked), sla, today)
            tally.add_field(item.id, item.asked, item.expect, predicted_label(answer), keys=("incidental_asked",))
        return
    if item.section == "corrections":
        slots: dict[str, Any] = dict(item.before)
        # The bot asks in the SLA's order: the question after the last one answered is pending.
        last = max((sla.slots.index(s) for s in slots if s in sla.slots), default=-1)
        pending = sla.slots[last + 1] if last + 1 < len(sla.slots) else "name"
        reading = read_turn(item.text, intent="inform", requested=pending, slots=slots, misses={}, sla=sla, today=today)
        after = {**slots, **{k: v for k, v in reading.fills.items() if v is not None}}
        expect = item.expect or {}
        if not expect:
            tally.add("not_corrections", not any(after.get(f) != slots.get(f) for f in item.must_not_fill))
            return
        ok = True
        for name, value in expect.items():
            stored = read_one(str(after.get(name) or ""), Criterion(name), sla, today)
            ok &= matches(name, predicted_label(stored), value)
        kept = all(after.get(f) == slots.get(f) for f in item.before if f not in expect)
        tally.add("corrections", ok and kept)
        if not (ok and kept):
            tally.misses.append((item.id, "correction", str(expect), str({k: after.get(k) for k in expect})))
        return
    if item.section == "questions":
        asked = "budget" if item.kind == "price" else "need"
        reading = read_turn(item.text, intent="inform", requested=asked, slots={}, misses={}, sla=sla, today=today)
        ok = not reading.fills and not reading.misses
        tally.add("questions", ok)
        if not ok:
            tally.misses.append((item.id, "question", str(item.kind), str(reading.fills)))
