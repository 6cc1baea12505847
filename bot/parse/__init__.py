"""Answer parsers: visitor words in, typed ``Answer``s out, one module per criterion.

Owns ``read_message``, which finds every criterion a single message answers without letting signals cross-talk.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

# nlp first: it imports spaCy without letting thinc drag TensorFlow in (see nlp.py).
from bot.parse import nlp as _nlp  # noqa: F401  # isort: skip
from bot.parse.base import Answer, Criterion, Kind
from bot.parse.money import parse_budget
from bot.parse.need import NeedLexicon, parse_need
from bot.parse.role import parse_role
from bot.parse.timing import parse_timing

__all__ = [
    "Answer",
    "Criterion",
    "Kind",
    "NeedLexicon",
    "parse_budget",
    "parse_need",
    "parse_role",
    "parse_timing",
    "read_answer",
    "read_message",
]


def read_message(
    text: str,
    *,
    today: date,
    lexicon: NeedLexicon,
    currency: str = "EUR",
    rates: Mapping[str, float] | None = None,
    expected: Criterion | None = None,
) -> dict[Criterion, Answer]:
    """Every criterion answered in one visitor message.

    The criterion just asked (``expected``) is read leniently and always returned, even when
    not understood; the others are read strictly ("volunteered") and returned only when
    understood. Budget is read first and its words are blanked before timing is read, so
    "30k a year" or "2.000 € al mes" never become a time frame.
    """
    budget = parse_budget(text, currency=currency, rates=rates, strict=expected is not Criterion.BUDGET)
    answers = {
        Criterion.NEED: parse_need(text, lexicon=lexicon, strict=expected is not Criterion.NEED),
        Criterion.BUDGET: budget,
        Criterion.ROLE: parse_role(text, strict=expected is not Criterion.ROLE),
        Criterion.TIMING: _timing_beside(budget, text, today=today, strict=expected is not Criterion.TIMING),
    }
    return {criterion: answer for criterion, answer in answers.items() if criterion is expected or answer.understood}


def read_answer(
    text: str,
    criterion: Criterion,
    *,
    today: date,
    lexicon: NeedLexicon,
    currency: str = "EUR",
    rates: Mapping[str, float] | None = None,
) -> Answer:
    """The answer to one question, exactly as ``read_message(expected=criterion)`` reads it.

    Scoring re-reads every stored answer on every turn; this parses only what the criterion
    needs (timing needs the budget's span) instead of all four criteria.
    """
    if criterion is Criterion.NEED:
        return parse_need(text, lexicon=lexicon)
    if criterion is Criterion.ROLE:
        return parse_role(text)
    budget = parse_budget(text, currency=currency, rates=rates, strict=criterion is not Criterion.BUDGET)
    if criterion is Criterion.BUDGET:
        return budget
    return _timing_beside(budget, text, today=today, strict=False)


def _timing_beside(budget: Answer, text: str, *, today: date, strict: bool) -> Answer:
    """Timing read with the budget's words blanked, so "30k a year" is never a time frame."""
    if budget.kind is not Kind.VALUE or budget.span is None:
        return parse_timing(text, today=today, strict=strict)
    start, end = budget.span
    timing = parse_timing(text[:start] + " " * (end - start) + text[end:], today=today, strict=strict)
    return Answer(timing.criterion, text, timing.kind, timing.value, timing.confidence, timing.reason, span=timing.span)
