"""Reading visitor messages with the SLA: its need phrases, classifiers, currency and rates.

The orchestration between the parsers (`bot.parse`) and the SLA model (`bot.sla`); scoring the
answers read is `bot.scoring`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.conversation.memo import read_once
from bot.conversation.typed import read_asked
from bot.parse import read_answer, read_message
from bot.parse.base import Answer, Criterion
from bot.parse.classifier import Models
from bot.scoring import Score, score_answers
from bot.sla import SLA


def read_with_sla(text: str, sla: SLA, today: date, expected: Criterion | None) -> dict[Criterion, Answer]:
    """Every answer in one message, read with the SLA's need phrases, currency and rates."""
    return read_message(text, today=today, expected=expected, **_with(sla, sla.models()))


def read_one(text: str, criterion: Criterion, sla: SLA, today: date) -> Answer:
    """One question's answer in a message, read as ``read_with_sla(expected=criterion)`` reads it,
    parsing only that criterion (and the budget's span for timing), not all four; read once per
    SLA, models and date (`bot.conversation.memo`)."""
    models = sla.models()
    return read_once(
        (sla, models),
        (criterion.value, text, today),
        lambda: read_answer(text, criterion, today=today, **_with(sla, models)),
    )


def _with(sla: SLA, models: Models) -> dict[str, Any]:
    """What the parsers read with, from the SLA: its need phrases, currency, rates and classifiers."""
    return {"lexicon": sla.need_lexicon(), "currency": sla.currency, "rates": sla.exchange_rates, "models": models}


def parse_answers(raw: Mapping[str, str | None], sla: SLA, conversation_date: date) -> dict[str, Answer]:
    """Parse each question's raw words as an answer to that question (a criterion of
    marketing's own with its type's parser)."""
    criteria = {c.value for c in Criterion}
    typed = set(sla.typed_slots)
    answers = {}
    for slot, text in raw.items():
        if text is None:
            continue
        if slot in criteria:
            answers[slot] = read_one(text, Criterion(slot), sla, conversation_date)
        elif slot in typed:
            answers[slot] = read_asked(text, slot, sla)
    return answers


def score_conversation(
    raw: Mapping[str, str | None],
    sla: SLA,
    conversation_date: date,
    *,
    signals: Mapping[str, bool] | None = None,
) -> Score:
    """(the visitor's words per question, SLA, conversation date) -> Score."""
    return score_answers(parse_answers(raw, sla, conversation_date), sla, signals=signals)
