"""Answer parsers: visitor words in, typed ``Answer``s out, one module per criterion.

Owns ``read_message``, which finds every criterion a single message answers without letting signals cross-talk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date

# nlp first: it imports spaCy without letting thinc drag TensorFlow in (see nlp.py).
from bot.parse import nlp as _nlp  # noqa: F401  # isort: skip
from bot.parse.amend import amend_budget, amendment
from bot.parse.base import Answer, Criterion, Kind
from bot.parse.classifier import OTHER, Models, Prediction, TextClassifier
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
    models: Models | None = None,
) -> dict[Criterion, Answer]:
    """Every criterion answered in one visitor message.

    The criterion just asked (``expected``) is read leniently and always returned, even when
    not understood; the others are read strictly ("volunteered") and returned only when
    understood. Budget is read first and its words are blanked before timing is read, so
    "30k a year" or "2.000 € al mes" never become a time frame. Email and web addresses are
    blanked first: "priya@buildpipe.dev" names no role, "www.acme2025.com" no year.
    """
    raw, text = text, without_addresses(text)
    budget = _budget(text, currency, rates, models, strict=expected is not Criterion.BUDGET)
    answers = {
        Criterion.NEED: parse_need(
            text, lexicon=lexicon, classifier=models.need if models else None, strict=expected is not Criterion.NEED
        ),
        Criterion.BUDGET: budget,
        Criterion.ROLE: _role(text, models, strict=expected is not Criterion.ROLE),
        Criterion.TIMING: _timing_beside(budget, text, today=today, strict=expected is not Criterion.TIMING),
    }
    return {
        criterion: answer if raw == text else replace(answer, raw=raw)
        for criterion, answer in answers.items()
        if criterion is expected or answer.understood
    }


def read_answer(
    text: str,
    criterion: Criterion,
    *,
    today: date,
    lexicon: NeedLexicon,
    currency: str = "EUR",
    rates: Mapping[str, float] | None = None,
    models: Models | None = None,
) -> Answer:
    """The answer to one question, exactly as ``read_message(expected=criterion)`` reads it.

    Scoring re-reads every stored answer on every turn; this parses only what the criterion
    needs (timing needs the budget's span) instead of all four criteria.
    """
    words = without_addresses(text)
    if words != text:
        return replace(
            read_answer(words, criterion, today=today, lexicon=lexicon, currency=currency, rates=rates, models=models),
            raw=text,
        )
    if criterion is Criterion.NEED:
        return parse_need(text, lexicon=lexicon, classifier=models.need if models else None)
    if criterion is Criterion.ROLE:
        return _role(text, models, strict=False)
    budget = _budget(text, currency, rates, models, strict=criterion is not Criterion.BUDGET)
    if criterion is Criterion.BUDGET:
        return budget
    return _timing_beside(budget, text, today=today, strict=False)


# An email or web address inside a message: its words are a name, a domain, a path.
_ADDRESS = re.compile(r"[^\s<>()\[\]{},;:\"']+@[^\s<>()\[\]{},;:\"']+|\b(?:https?://|www\.)\S+", re.IGNORECASE)


def without_addresses(text: str) -> str:
    """``text`` with each email and web address blanked (same length, so spans keep their place)."""
    return _ADDRESS.sub(lambda m: " " * len(m.group()), text)


# A classifier reading counts only above this probability: below it the answer stays
# unknown and the question is asked again, as for a parser miss.
_MODEL_CONFIDENCE = 0.6
_MIN_KNOWN_WORDS = 0.5
_ROLE_REASON = {
    "decision_maker": "decides on the purchase",
    "influencer": "recommends, someone else decides",
    "individual": "works on the team, without a say in buying",
    "no_authority": "not in a buying position (studying, interning or looking for work)",
}
_BUDGET_REASON = {"undecided": "budget not decided yet", "none": "no budget for this"}


def _confident(prediction: Prediction) -> bool:
    return (
        prediction.label != OTHER
        and prediction.confidence >= _MODEL_CONFIDENCE
        and prediction.known_words >= _MIN_KNOWN_WORDS
    )


def _with_model(answer: Answer, model: TextClassifier | None, *, strict: bool) -> Answer:
    """The parser's answer, or where it found nothing in an answer to the question asked, the
    examples' model's confident class. Volunteered answers come from the parsers alone."""
    if answer.understood or strict or model is None:
        return answer
    prediction = model.predict(answer.raw)
    if not _confident(prediction):
        return answer
    label = prediction.label
    if answer.criterion is Criterion.ROLE:
        kind, value, reason = Kind.VALUE, label, _ROLE_REASON[label]
    else:
        kind, value, reason = (Kind.UNDECIDED if label == "undecided" else Kind.NONE), None, _BUDGET_REASON[label]
    return Answer(answer.criterion, answer.raw, kind, value, round(prediction.confidence, 3), reason)


def _role(text: str, models: Models | None, *, strict: bool) -> Answer:
    """Titles and statements first; for the asked question, the examples' model where they say nothing."""
    return _with_model(parse_role(text, strict=strict), models.role if models else None, strict=strict)


def _budget(
    text: str, currency: str, rates: Mapping[str, float] | None, models: Models | None, *, strict: bool
) -> Answer:
    """Amounts first; for the asked question without one, the examples' model tells undecided from none.

    A stored budget may hold several of the visitor's messages, one per line ("€1,000" then
    "that's monthly btw"): each later line amends the period or currency, or replaces the answer.
    """
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) > 1 and not strict:
        answer = _budget(lines[0], currency, rates, models, strict=False)
        for line in lines[1:]:
            change = amendment(line)
            if change and answer.kind is Kind.VALUE:
                answer = amend_budget(answer, change, currency=currency, rates=rates)
                continue
            later = _budget(line, currency, rates, models, strict=False)
            if later.understood:
                answer = later
        return replace(answer, raw=text, span=None)
    answer = parse_budget(text, currency=currency, rates=rates, strict=strict)
    return _with_model(answer, models.budget if models else None, strict=strict)


def _timing_beside(budget: Answer, text: str, *, today: date, strict: bool) -> Answer:
    """Timing read with the budget's words blanked, so "30k a year" is never a time frame."""
    if budget.kind is not Kind.VALUE or budget.span is None:
        return parse_timing(text, today=today, strict=strict)
    start, end = budget.span
    timing = parse_timing(text[:start] + " " * (end - start) + text[end:], today=today, strict=strict)
    return Answer(timing.criterion, text, timing.kind, timing.value, timing.confidence, timing.reason, span=timing.span)
