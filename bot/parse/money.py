"""Budget answers: amounts, currencies, periods and ranges in English and Spanish.

Owns ``parse_budget``, which turns "2.000 € al mes" or "$15-25k" into an annual amount in the SLA currency.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.parse.base import Answer, Criterion, Kind
from bot.parse.money_said import amount_in_words
from bot.parse.money_words import (
    _AMOUNT,
    _AMOUNT_HEDGE,
    _APPROXIMATE,
    _BELOW,
    _BUDGET_WORD,
    _CLAUSE_BREAK,
    _COMPARED,
    _COPULA,
    _CURRENCY_OF,
    _DENIED,
    _ELSEWHERE,
    _EUR_RATES,
    _FILLER,
    _FRACTIONS,
    _HEDGE,
    _HUNDREDS,
    _LOOSE_CURRENCY,
    _MULTIPLES,
    _MULTIPLIER_VALUE,
    _NO_BUDGET,
    _NO_BUDGET_ASKED,
    _NO_BUDGET_BARE,
    _NOT_MONEY,
    _NOT_THIS,
    _ONCE_BEFORE,
    _PART,
    _PAYS_NOW,
    _PER_OTHER_THING,
    _PER_SEAT,
    _PER_YEAR,
    _PERIODS,
    _PURCHASE,
    _RANGE_JOIN,
    _REFUSED,
    _RELATIVE,
    _SEAT_COUNT,
    _SEATS_BEFORE,
    _TODAY,
    _UNDECIDED,
    _UNDECIDED_ASKED,
    _UP_TO,
    _WHOLE,
    _YEAR_CONTEXT,
    _YET,
)
from bot.parse.numbers import normalize, to_float

# An answer names a few amounts; past this many it is a pasted table, and reading every
# figure would cost milliseconds on each message.
_MAX_AMOUNTS = 12


@dataclass(frozen=True)
class _Amount:
    value: float  # as said, before period and currency conversion (range midpoint)
    start: int
    end: int
    currency: str | None
    has_multiplier: bool
    is_range: bool
    said: str
    ends: tuple[float, float] | None = None  # a range's low and high ends
    basis: _Amount | None = None  # what a relative amount ("a tenth of that") is a share of
    factor: float = 1.0


def parse_budget(
    text: str,
    *,
    currency: str = "EUR",
    rates: Mapping[str, float] | None = None,
    strict: bool = False,
) -> Answer:
    """Read a budget as an annual amount in ``currency``.

    ``rates`` maps a visitor currency to its value in ``currency`` (1 USD = 0.92 EUR);
    when omitted, EUR/USD/GBP cross rates are derived from a built-in EUR table.
    """
    raw = text
    norm = normalize(text)
    amount, elsewhere = _best_amount(norm, strict=strict)
    if amount is None:
        return _no_amount(raw, norm, strict=strict, elsewhere=elsewhere)
    if amount.value == 0:
        return Answer(Criterion.BUDGET, raw, Kind.NONE, None, 0.8, "no budget")

    period, period_end = _period(norm, amount)
    said_currency = amount.currency or currency.upper()
    target = currency.upper()
    rate = _rate(said_currency, target, rates)
    value = amount.value
    confidence = 0.9
    if (
        not amount.currency
        and not amount.has_multiplier
        and period is None
        and value < 1000
        and not _HUNDREDS.search(text)
    ):
        # A bare "20" to "what is your budget?" means thousands: nobody buys B2B software for €20.
        # "a couple hundred", "trescientos" say the hundreds in words: those mean what they say.
        value *= 1000
        confidence = 0.4
    scale = value / amount.value  # the bare-thousands reading, applied to every figure said
    seats = _seats(norm, amount)
    value *= seats
    note = ""
    if rate is None:
        rate, confidence = 1.0, min(confidence, 0.5)
        note = f" (not converted to {target})"
    annual = value * _PER_YEAR[period or "year"] * rate
    before = norm[max(0, amount.start - 25) : amount.start]
    approximate = bool(_APPROXIMATE.search(norm[max(0, amount.start - 25) : amount.end + 12]))
    if approximate or amount.is_range:
        confidence = min(confidence, 0.8)
    if _HEDGE.search(norm):
        confidence = min(confidence, 0.6)
    bound = "under" if _BELOW.search(before) else "up to" if _UP_TO.search(before[-15:]) else ""
    if bound == "under":
        annual = max(annual - 1, 0.0)  # just below the figure said, so it scores in the band under it

    span = (amount.start, max(amount.end, period_end)) if len(norm) == len(raw) else None
    words = amount_in_words(amount, scale, said_currency, period, annual, target, bound, approximate, seats) + note
    return Answer(
        criterion=Criterion.BUDGET,
        raw=raw,
        kind=Kind.VALUE,
        value=round(annual, 2),
        confidence=confidence,
        reason=words,
        currency=said_currency,
        amount=value,
        period=period or "year",
        span=span,
    )


def _best_amount(norm: str, *, strict: bool) -> tuple[_Amount | None, bool]:
    """The amount most likely to be the budget for this purchase, and whether other money was said.

    The amount carries the currency named apart from it ("1,000-1,500 a month, in dollars").

    Money spent before, quoted by someone else or spent on other things never counts; among
    the rest the most money-like wins, and the part for this purchase beats the whole it is cut from.
    """
    found = _amounts(norm)
    found += _relatives(norm, found)
    named = _currency_named_apart(norm, found)
    # Found once: each amount's clause is then a lookup, not a scan of the whole message.
    breaks = [hit.span() for hit in _CLAUSE_BREAK.finditer(norm)] if found else []
    best: _Amount | None = None
    best_score = -99
    elsewhere = False
    for amount in found:
        clause_start, clause_end = _clause(breaks, len(norm), amount.start, amount.end)
        if amount.basis is not None:
            # Only the words that say the new amount: "we paid 1k and want half of that",
            # "el triple que el año pasado" both name the old spend beside it.
            if amount.basis.end <= amount.start:
                clause_start = max(clause_start, amount.basis.end)
            clause_end = amount.end
        clause = norm[clause_start:clause_end]
        if (
            _ELSEWHERE.search(clause)
            or (amount.basis is None and _pays_now(clause))
            or (strict and _per_other(norm, amount))
        ):
            elsewhere = True
            continue
        if _REFUSED.match(norm, amount.end, clause_end):
            continue  # "mil al mes ni de broma; pongamos 300": the figure ruled out is not the budget
        near = norm[max(0, amount.start - 40) : amount.end + 25]
        score = 3 * bool(amount.currency or named) + 2 * amount.has_multiplier + bool(_BUDGET_WORD.search(near))
        # "400 al mes": a payment period right after the figure makes it money, said with or without a
        # currency; below 100 it more often counts things ("we can do 3 a week").
        score += strict and amount.value >= 100 and _period_right_after(norm, amount.basis or amount)
        # "so around that", "lo mismo": the visitor takes a figure just said as their own.
        same = amount.basis is not None and amount.factor == 1
        # "no more than €300 a month": a currency and a payment period together say budget anywhere.
        priced = bool(amount.currency or named) and _period_right_after(norm, amount.basis or amount)
        if strict and (
            score == 0
            or not (same or priced or _PURCHASE.search(clause) or _alone(norm, amount, clause_start, clause_end))
        ):
            continue
        if _PART.search(clause) or amount.basis is not None:
            score += 4
        elif _WHOLE.search(clause):
            score -= 4
        if score > best_score:
            best, best_score = amount, score
    if best is not None and best.currency is None and named:
        best = replace(best, currency=named)
    return best, elsewhere


def _per_other(norm: str, amount: _Amount) -> bool:
    """Whether the figure is priced per something that is neither a period nor a seat."""
    return (
        amount.basis is None
        and not _PER_SEAT.match(norm[amount.end : amount.end + 40])
        and not _period_right_after(norm, amount)
        and bool(_PER_OTHER_THING.match(norm, amount.end))
    )


def _pays_now(clause: str) -> bool:
    """Whether the clause tells what is paid today for the tool in place (see ``_PAYS_NOW``)."""
    return bool(_PAYS_NOW.search(clause) and _TODAY.search(clause))


def _currency_named_apart(norm: str, amounts: list[_Amount]) -> str | None:
    """The one currency the message names away from any figure ("in dollars", "son libras"), if any.

    A currency after "not" / "en vez de" is the one ruled out; two different ones name none.
    """
    if not amounts:
        return None
    said = set()
    for hit in _LOOSE_CURRENCY.finditer(norm):
        if any(a.start <= hit.start() < a.end for a in amounts) or _NOT_THIS.search(norm, 0, hit.start()):
            continue
        said.add(next(code for pattern, code in _CURRENCY_OF if pattern.search(hit.group(0))))
    return said.pop() if len(said) == 1 else None


def _period_right_after(norm: str, amount: _Amount) -> bool:
    after = norm[amount.end : amount.end + 20].lstrip()
    return any(pattern.match(after) for name, pattern in _PERIODS if name != "once")


def _amounts(norm: str) -> list[_Amount]:
    """Every number in ``norm`` that reads as money, in order."""
    found: list[_Amount] = []
    pos = 0
    while pos <= len(norm) and len(found) < _MAX_AMOUNTS:
        match = _AMOUNT.search(norm, pos)
        if match is None:
            break
        amount = _read_amount(norm, match)
        pos = max(amount.end if amount else match.end(), match.start() + 1)
        if amount is not None:
            found.append(amount)
    return found


def _relatives(norm: str, amounts: list[_Amount]) -> list[_Amount]:
    """Amounts said as a share or multiple of an earlier one: "a tenth of that", "el doble"."""
    if not amounts:
        return []
    found: list[_Amount] = []
    for match in _RELATIVE.finditer(norm):
        basis = next((a for a in reversed(amounts) if a.end <= match.start()), None)
        if basis is None and _COMPARED.match(norm, match.end()):
            # "el triple que el año pasado, que fueron 3.000 €": the basis comes after.
            basis = next((a for a in amounts if match.end() < a.start < match.end() + 60), None)
        factor = _factor(match)
        if basis is None or factor is None:
            continue
        value = basis.value * factor
        found.append(
            _Amount(value, match.start(), match.end(), basis.currency, basis.has_multiplier, False,
                    match.group(0), basis=basis, factor=factor)
        )  # fmt: skip
    return found


def _factor(match: re.Match[str]) -> float | None:
    if match["nth"]:
        return 1 / int(match["nth"]) if int(match["nth"]) > 1 else None
    if match["frac"]:
        return int(match["count"] or 1) * _FRACTIONS[match["frac"]]
    if match["pct"]:
        share = to_float(match["pct"]) / 100
        if match["more"]:
            return 1 + share if match["more"] in ("more", "más", "mas") else 1 - share
        return share or None
    if match["times"]:
        return float(match["times"]) or None
    if match["same"] is not None:
        return 1.0
    return _MULTIPLES[match["mult"] or match["mult2"]]


def _clause(breaks: list[tuple[int, int]], size: int, start: int, end: int) -> tuple[int, int]:
    """The bounds of the clause holding ``[start, end)``, given the clause breaks of the message."""
    index = bisect.bisect_right(breaks, (start, size))
    clause_start = next((e for s, e in reversed(breaks[:index]) if e <= start), 0)
    stop = next((s for s, _ in breaks[bisect.bisect_left(breaks, (end, -1)) :]), size)
    return clause_start, stop


def _alone(norm: str, amount: _Amount, clause_start: int, clause_end: int) -> bool:
    """Whether the amount is its own clause, with only hedges and a period around it."""
    _, period_end = _period(norm, amount)
    rest = norm[clause_start : amount.start] + " " + norm[max(amount.end, period_end) : clause_end]
    return all(word in _FILLER for word in re.findall(r"[\w'’]+", rest))


def _read_amount(norm: str, match: re.Match[str]) -> _Amount | None:
    """One amount (or range) starting at ``match``; ``None`` for counts, years and dates."""
    first = _single(match)
    end = match.end()
    if first is None or _NOT_MONEY.match(norm, end):
        return None
    value, currency, multiplier = first
    is_range = False
    ends: tuple[float, float] | None = None
    join = _RANGE_JOIN.match(norm, end)
    second = _AMOUNT.match(norm, join.end()) if join and join.end() > end else None
    read = _single(second) if second and not _NOT_MONEY.match(norm, second.end()) else None
    if second and read:
        high, high_currency, high_multiplier = read
        if multiplier or high_multiplier:
            # "15-25k": the multiplier said once applies to both ends.
            value *= multiplier or high_multiplier
        elif value and value < high / 100:
            # "between 10 and 20000", which is how alpha2digit writes "ten and twenty thousand".
            value *= 1e6 if value * 1e6 <= high else 1e3
        high *= high_multiplier or 1
        ends = (value, high)
        value = (value + high) / 2
        currency = currency or high_currency
        multiplier = multiplier or high_multiplier
        end, is_range = second.end(), True
    elif multiplier:
        value *= multiplier
    if value > 1e12:
        return None  # beyond any budget: a phone number, an ID or keyboard mashing
    said = norm[match.start() : end].strip()
    if _year_like(norm, match, value, currency, multiplier, end):
        return None
    return _Amount(value, match.start(), end, currency, bool(multiplier), is_range, said, ends)


_NEAR_YEARS = (2015, 2040)  # a bare number in this range is a year unless hedged as an amount


def _year_like(
    norm: str, match: re.Match[str], value: float, currency: str | None, multiplier: float, end: int
) -> bool:
    """A plain "2026" is a year, but "2.000 al mes", "2000 a month" and "como mucho 2000" are money.

    A number of the calendar's shape is a year after a time word ("in 2027", "finales de 2026"),
    or when it is a year near now and nothing hedges it as an amount; otherwise it is money.
    """
    if currency or multiplier or not match["num"].isdigit() or not 1900 <= value <= 2100:
        return False
    after = norm[end : end + 14]
    if any(pattern.match(after.lstrip()) for name, pattern in _PERIODS if name != "once"):
        return False
    before = norm[max(0, match.start() - 24) : match.start()]
    if _YEAR_CONTEXT.search(before):
        return True
    return _NEAR_YEARS[0] <= value <= _NEAR_YEARS[1] and not _AMOUNT_HEDGE.search(before)


def _single(match: re.Match[str]) -> tuple[float, str | None, float] | None:
    """(number, currency, multiplier) of one matched numeral, before applying the multiplier."""
    number = to_float(match["num"])
    multiplier = _MULTIPLIER_VALUE.get(match["mult"] or "", 0.0)
    if match["half"]:
        number += 0.5 if multiplier else 0.5 * (number if number in (1e3, 1e6) else 1)
    currency = None
    for pattern, code in _CURRENCY_OF:
        if pattern.search(match["pre"] or "") or pattern.search(match["post"] or ""):
            currency = code
            break
    return number, currency, multiplier


def _period(norm: str, amount: _Amount) -> tuple[str | None, int]:
    """The payment period said right after (or just before) the amount, with its end offset.

    A relative amount ("half of that") is paid as often as the amount it is a share of.
    """
    after = norm[amount.end : amount.end + 25]
    found: tuple[int, str, int] | None = None
    for name, pattern in _PERIODS:
        hit = pattern.search(after)
        if hit and (found is None or hit.start() < found[0]):
            found = (hit.start(), name, amount.end + hit.end())
    if found:
        return found[1], found[2]
    restated = _restated_period(norm, amount)
    if restated:
        return restated
    if amount.basis is not None:
        return _period(norm, amount.basis)[0], amount.end
    before = norm[max(0, amount.start - 30) : amount.start]
    for name, pattern in _PERIODS:
        if pattern.search(before) if name != "once" else _ONCE_BEFORE.search(before):
            return name, amount.end
    return None, amount.end


def _restated_period(norm: str, amount: _Amount) -> tuple[str, int] | None:
    """ "that 4,000 I mentioned was per quarter, not per year": the period said of the amount
    further on in its sentence, after "was"/"era", skipping the one denied."""
    sentence = re.split(r"[.;!?\n]", norm[amount.end : amount.end + 80], maxsplit=1)[0]
    copula = _COPULA.search(sentence)
    rest = sentence[copula.end() :] if copula else ""
    hits = sorted((h.start(), name, h.end()) for name, p in _PERIODS if name != "once" for h in p.finditer(rest))
    said = [(name, end) for start, name, end in hits if not _DENIED.search(rest[max(0, start - 8) : start])]
    return (said[0][0], amount.end + copula.end() + said[0][1]) if copula and said else None


def _seats(norm: str, amount: _Amount) -> int:
    """How many seats a price per user is for ("50 per user per month, 10 users"); 1 when not per seat."""
    before = _SEATS_BEFORE.search(norm[max(0, amount.start - 30) : amount.start])
    if before:
        return max(int(before["n"]), 1)
    if not _PER_SEAT.match(norm[amount.end : amount.end + 40]):
        return 1
    counts = [m for m in _SEAT_COUNT.finditer(norm) if m.end() <= amount.start or m.start() >= amount.end]
    return max(int(counts[0]["n"]), 1) if len(counts) == 1 else 1


def _rate(said: str, target: str, rates: Mapping[str, float] | None) -> float | None:
    if said == target:
        return 1.0
    if rates is not None and said in rates:
        return rates[said]
    if said in _EUR_RATES and target in _EUR_RATES:
        return _EUR_RATES[said] / _EUR_RATES[target]
    return None


def _no_amount(raw: str, norm: str, *, strict: bool, elsewhere: bool) -> Answer:
    """An answer without a budget figure: none, undecided, or only other money mentioned."""
    if _NO_BUDGET.search(norm):
        if _YET.search(norm):
            return Answer(Criterion.BUDGET, raw, Kind.UNDECIDED, None, 0.7, "budget not decided yet")
        return Answer(Criterion.BUDGET, raw, Kind.NONE, None, 0.85, "no budget")
    undecided = _UNDECIDED.search(norm)
    if undecided and (not strict or _BUDGET_WORD.search(norm, max(0, undecided.start() - 40), undecided.end() + 40)):
        return Answer(Criterion.BUDGET, raw, Kind.UNDECIDED, None, 0.7, "budget not decided yet")
    if not strict:
        if _UNDECIDED_ASKED.search(norm) or "\U0001f937" in raw:  # a shrug: no idea
            return Answer(Criterion.BUDGET, raw, Kind.UNDECIDED, None, 0.6, "budget not decided yet")
        if _NO_BUDGET_BARE.match(norm) or _NO_BUDGET_ASKED.search(norm):
            return Answer(Criterion.BUDGET, raw, Kind.NONE, None, 0.8, "no budget")
        if elsewhere:
            # Asked for a budget, they told what was spent or quoted before: no figure of their own yet.
            return Answer(Criterion.BUDGET, raw, Kind.UNDECIDED, None, 0.5, "budget not decided yet")
    return Answer.unknown(Criterion.BUDGET, raw, "no amount found")
