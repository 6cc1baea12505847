"""Amendments: a later message that changes part of an earlier budget ("that's monthly btw").

Owns ``amendment`` (does a message only change the period or currency?) and ``amend_budget``.
A budget slot keeps each of the visitor's messages about it on its own line, so the stored
words still say exactly what the visitor wrote, and re-reading them gives the amended amount.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.parse.base import Answer, Kind
from bot.parse.numbers import normalize

_PER_YEAR = {"year": 1, "once": 1, "quarter": 4, "month": 12, "week": 52}
_EUR_RATES: Mapping[str, float] = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17}
_PERIOD_WORDS = (
    (
        "month",
        r"monthly|a month|per month|each month|every month|/ ?mo(?:nth)?|mensual(?:es)?|al mes|por mes|cada mes|x mes",
    ),
    ("quarter", r"quarterly|per quarter|a quarter|each quarter|trimestral(?:es)?|al trimestre|por trimestre"),
    ("week", r"weekly|per week|a week|semanal(?:es)?|a la semana|por semana"),
    ("year", r"yearly|annual(?:ly)?|per year|a year|each year|anual(?:es)?|al a[nñ]o|por a[nñ]o"),
)
_CURRENCY_WORDS = (
    ("GBP", r"£|gbp|pounds?|quid|libras?(?: esterlinas)?"),
    ("USD", r"\$|usd|dollars?|d[oó]lar(?:es)?|bucks"),
    ("EUR", r"€|eur|euros?"),
)
_NOT = re.compile(r"(?:\bnot|\bno|\bnor|\bni|\binstead of|\ben vez de|\ben lugar de)\s+(?:in\s+|en\s+)?$")
_HAS_NUMBER = re.compile(r"\d")
# An amendment is short: "ah y son libras, no euros, que somos de la oficina de londres".
_MAX_WORDS = 16
# "a year from now", "in a month", "hace un año": a period word naming a time frame, not a rate.
_TIME_FRAME_BEFORE = re.compile(r"(?:\bin|\bwithin|\bfor|\bnext|\bdentro de|\ben|\bhace|\bpara|\bde aqu[ií] a)\s+$")
_TIME_FRAME_AFTER = re.compile(r"^\s*(?:from now|from today|ago|later|or so|or two|out|away|de aqu[ií]|m[aá]s o menos)")


@dataclass(frozen=True)
class Amendment:
    period: str | None = None
    currency: str | None = None

    def __bool__(self) -> bool:
        return bool(self.period or self.currency)


def amendment(text: str) -> Amendment:
    """The period or currency a message sets without giving a new amount; empty otherwise.

    A currency named after "not"/"no" is the one being replaced: "pounds not euros" sets GBP.
    """
    norm = normalize(text)
    if _HAS_NUMBER.search(norm) or len(norm.split()) > _MAX_WORDS:
        return Amendment()
    return Amendment(_said(norm, _PERIOD_WORDS, rates=True), _said(norm, _CURRENCY_WORDS))


def _said(norm: str, words: tuple[tuple[str, str], ...], *, rates: bool = False) -> str | None:
    for name, pattern in words:
        for hit in re.finditer(rf"(?<![a-z]){pattern}(?![a-z])", norm):
            if _NOT.search(norm[: hit.start()]):
                continue
            if rates and (_TIME_FRAME_BEFORE.search(norm[: hit.start()]) or _TIME_FRAME_AFTER.match(norm[hit.end() :])):
                continue  # "a year from now, maybe" answers when, not how often
            return name
    return None


def amend_budget(previous: Answer, change: Amendment, *, currency: str, rates: Mapping[str, float] | None) -> Answer:
    """The earlier amount with the new period and/or currency applied."""
    if previous.kind is not Kind.VALUE or previous.amount is None:
        return previous
    period = change.period or previous.period or "year"
    said_currency = change.currency or previous.currency or currency
    rate = _rate(said_currency, currency, rates)
    annual = round(previous.amount * _PER_YEAR[period] * rate, 2)
    per = {"month": " a month", "quarter": " a quarter", "week": " a week"}.get(period, " a year")
    reason = f"{previous.amount:,.0f} {said_currency}{per}, about {annual:,.0f} {currency} a year"
    return replace(previous, value=annual, period=period, currency=said_currency, reason=reason, confidence=0.9)


def _rate(said: str, target: str, rates: Mapping[str, float] | None) -> float:
    if said == target:
        return 1.0
    if rates and said in rates:
        return rates[said]
    return _EUR_RATES.get(said, 1.0) / _EUR_RATES.get(target, 1.0)
