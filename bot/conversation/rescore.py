"""Re-scoring a stored lead against an SLA from the visitor's own words (the what-if).

The stored answers keep what the visitor typed; reading them again with another SLA's phrases,
classifiers and rules, the way every turn reads them, is the honest re-score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.conversation.lead import complete_and_score, signals
from bot.conversation.reading import parse_answers
from bot.conversation.typed import TYPED_SLOT
from bot.parse.base import Answer, Criterion
from bot.scoring import Score
from bot.sla import SLA

# What `apply_clarifications` writes into a need answer's reason when the visitor picked a button.
_CONFIRMED_NEED = ", as the visitor confirmed"
_Key = tuple[str, str, "date | None"]  # (question, words, the date when it matters)
_PROBE = timedelta(days=400)
_MAX_CACHED = 500_000  # distinct (question, words) pairs kept; a what-if over 100,000 leads stays well under


class Rescorer:
    """Scores stored leads against one SLA, reading each distinct answer once.

    Visitors click the same buttons and type the same short answers, so most answers repeat:
    reading is deterministic for (question, words), plus the conversation date for timing (the
    one reader that resolves "next quarter" against a date), so a repeated answer is read once.
    """

    def __init__(self, sla: SLA, readings: Readings | None = None) -> None:
        """`readings`: another Rescorer's cache, shared when both SLAs read alike (`reads_alike`)."""
        self.sla = sla
        self._slots = set(sla.slots)
        self._typed = set(sla.typed_slots)
        self.readings: Readings = readings if readings is not None else Readings()
        self._behaviour = bool(sla.behaviour_criteria)
        self._scores: dict[Any, Score] = {}

    def score(
        self,
        words: Mapping[str, str],
        *,
        started_at: datetime,
        last_answer_at: datetime | None = None,
        page_context: Mapping[str, Any] | None = None,
        confirmed: Mapping[str, str] | None = None,
    ) -> Score:
        """The score of a conversation whose questions got `words` ({criterion: raw}).

        `confirmed` holds the need the visitor picked with a clarifying button ({"need": "pain"}),
        which the stored answer keeps in its reason; `last_answer_at` stands for "now" in the
        behaviour criteria (time on site), as the last turn that changed an answer saw it."""
        today = started_at.date()
        read: dict[str, Answer] = {}
        keys = []
        for slot, text in words.items():
            if slot not in self._slots or not text:
                continue
            key, answer = self._answer(slot, text, today)
            keys.append(key)
            if answer is not None:
                read[slot] = answer
        # Without behaviour criteria the score is a pure function of the answers read, the
        # confirmations and the visit's yes/no signals: leads that share them share their score.
        score_key = None
        if not self._behaviour:
            score_key = (
                tuple(sorted(keys, key=repr)),
                tuple(sorted((confirmed or {}).items())),
                tuple(sorted(signals(page_context).items())),
            )
            cached = self._scores.get(score_key)
            if cached is not None:
                return cached
        slots: dict[str, Any] = {slot: text for slot, text in words.items() if slot not in self._typed}
        slots[TYPED_SLOT] = {slot: text for slot, text in words.items() if slot in self._typed}
        slots["page_context"] = dict(page_context) if page_context else None
        if confirmed:
            slots["clarified"] = {
                slot: {"raw": words.get(slot), "choice": choice} for slot, choice in confirmed.items()
            }
        score = complete_and_score(read, slots, self.sla, last_answer_at or started_at)[1]
        if score_key is not None:
            if len(self._scores) >= _MAX_CACHED:
                self._scores.clear()
            self._scores[score_key] = score
        return score

    def date_matters(self, slot: str, text: str) -> bool:
        """Whether these words may read differently on another conversation date: only a timing
        answer can, until it was read on two far-apart dates the same (see `_answer`)."""
        return slot == Criterion.TIMING.value and (slot, text) not in self.readings.undated

    def _answer(self, slot: str, text: str, today: date) -> tuple[_Key, Answer | None]:
        """(the cache key the answer is kept under, the answer)."""
        cache = self.readings
        if not self.date_matters(slot, text):
            key: _Key = (slot, text, None)
        else:
            key = (slot, text, today)
        if key in cache.answers:
            return key, cache.answers[key]
        if len(cache.answers) >= _MAX_CACHED:
            cache.answers.clear()
        answer = self._parse(slot, text, today)
        cache.answers[key] = answer
        if key[2] is not None and (slot, text) not in cache.probed:
            # Most timing answers ("in 3 months", "asap") mean the same on any date; read once
            # more, on a date that differs in year, month, day and weekday: the same answer both
            # times, and the words are read once for every later lead, whatever its date.
            cache.probed.add((slot, text))
            if answer == self._parse(slot, text, today + _PROBE):
                cache.undated.add((slot, text))
                cache.answers[(slot, text, None)] = answer
                key = (slot, text, None)
        return key, answer

    def _parse(self, slot: str, text: str, today: date) -> Answer | None:
        return parse_answers({slot: text}, self.sla, today).get(slot)


@dataclass
class Readings:
    """Answers read so far: (question, words, date or None when the date cannot matter) -> answer."""

    answers: dict[_Key, Answer | None] = field(default_factory=dict)
    probed: set[tuple[str, str]] = field(default_factory=set)
    undated: set[tuple[str, str]] = field(default_factory=set)


def reads_alike(one: SLA, other: SLA) -> bool:
    """Whether two SLAs read every answer the same: same currency, rates, need phrases, typed
    criteria and classifier examples; only what scores (rules, points, tiers) may differ."""
    return _reading(one) == _reading(other)


def _reading(sla: SLA) -> Any:
    criteria = {
        name: (spec.dict(exclude={"rules", "example_files"}), spec.labelled_examples())
        for name, spec in sla.criteria.items()
    }
    return (sla.currency, dict(sla.exchange_rates), criteria, sla.slots, sla.typed_slots)


def confirmed_need(reason: str, value: str | None) -> str | None:
    """The need a stored answer says the visitor confirmed with a button, if any."""
    return value if value and reason.endswith(_CONFIRMED_NEED) else None
