"""Budget answers: amounts, currencies, periods and ranges in English and Spanish.

Owns ``parse_budget``, which turns "2.000 € al mes" or "$15-25k" into an annual amount in the SLA currency.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.parse.base import Answer, Criterion, Kind
from bot.parse.numbers import normalize, to_float

# 1 unit of key = N euros. Used to derive cross rates when the SLA currency is not EUR, so
# "$" still converts to "£" without the caller passing rates.
_EUR_RATES: Mapping[str, float] = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17}
_SYMBOL = {"EUR": "€", "USD": "$", "GBP": "£"}
_PER_YEAR = {"year": 1, "once": 1, "quarter": 4, "month": 12, "week": 52}

_CURRENCY_OF = [
    (re.compile(r"€|eur|euro"), "EUR"),
    (re.compile(r"£|gbp|pound|libra|quid"), "GBP"),
    (re.compile(r"\$|usd|dollar|d[oó]lar|buck"), "USD"),
]
_PRE_CURRENCY = r"€|us\$|\$|£|usd|eur|gbp"
_POST_CURRENCY = (
    r"€|us\$|\$|£|usd|eur|gbp|euros?|dollars?|d[oó]lar(?:es)?|bucks|pounds?|quid"
    r"|libras?(?:\s+esterlinas)?"
)
# Thousands-grouped numerals first, then space-grouped ("20 000"), then plain/decimal ones.
_NUMERAL = (
    r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?(?!\d)"
    r"|\d{1,3}(?:[ \u00a0]\d{3})+(?![\d.,])"
    r"|\d+(?:[.,]\d+)?"
)
_MULTIPLIER = r"k|mil|millones|mill[oó]n|millions?|mill|mio|mm|m|thousand|grand|bn|billion"
_AMOUNT = re.compile(
    rf"(?:(?<![a-z])(?P<pre>{_PRE_CURRENCY})\s*)?"
    rf"(?<![\w.,/])(?P<num>{_NUMERAL})"
    r"(?P<ish>\s*-?\s*ish\b)?"
    rf"(?:\s*(?P<mult>{_MULTIPLIER})(?![a-zá-ú]))?"
    r"(?P<ish2>\s*-?\s*ish\b)?"
    r"(?P<half>\s*(?:y\s+medio|and\s+a\s+half))?"
    rf"(?:\s*(?:de\s+)?(?P<post>{_POST_CURRENCY})(?![a-z]))?"
)
_MULTIPLIER_VALUE = {
    "k": 1e3, "mil": 1e3, "thousand": 1e3, "grand": 1e3,
    "m": 1e6, "mm": 1e6, "mio": 1e6, "mill": 1e6, "million": 1e6, "millions": 1e6,
    "millón": 1e6, "millon": 1e6, "millones": 1e6, "bn": 1e9, "billion": 1e9,
}  # fmt: skip
_RANGE_JOIN = re.compile(r"\s*(?:-|–|—|~|to|and|or|hasta|till|a|y|o)\s*(?=\d|€|\$|£|usd|eur|gbp|us\$)")
# Numbers followed by these count things, not money ("20 reps", "in 3 months", "15%").
_NOT_MONEY = re.compile(
    r"\s*(?:%|percent|por\s*ciento|leads?\b|users?\b|usuari|visit|people|personas|employees"
    r"|emplead|contacts?\b|contactos|e-?mails?\b|correos|records|registros|calls|llamadas|reps\b"
    r"|seats|licen[cs]|months?\b|mes(?:es)?\b|years?\b|a[nñ]os?\b|days?\b|d[ií]as?\b|weeks?\b"
    r"|semanas?\b|hours?\b|horas?\b|h\b|min|clients?\b|clientes|customers|deals|opportunit"
    r"|oportunidad|compan|empresas|vendedores|comerciales|agent|x\b|times\b|veces|am\b|pm\b"
    r"|st\b|nd\b|rd\b|th\b|º|ª|/\d|:\d|sdrs?\b|bdrs?\b|salespeople|members|miembros)"
)
_BUDGET_WORD = re.compile(
    r"budget|presupuest|spend|gast|invest|invert|inversi[oó]n|\bpay|pagar|price|precio"
    r"|afford|cost|ticket|\bfee|cuota|allocat|asignad|set aside|reservad"
)
_PERIODS = [
    ("month", re.compile(
        r"(?<!in )(?<!en )(?:per|a|each|every|/|por|al|cada|x)\s*(?:month|mo|mth|mes)\b"
        r"|monthly|mensual|\bp/m\b")),
    ("quarter", re.compile(
        r"(?<!in )(?<!en )(?:per|a|each|every|/|por|al|cada)\s*(?:quarter|qtr|q|trimestre)\b"
        r"|quarterly|trimestral")),
    ("week", re.compile(
        r"(?<!in )(?:per|a|each|every|/|por|a la|cada)\s*(?:week|wk|semana)\b|weekly|semanal")),
    ("year", re.compile(
        r"(?<!in )(?<!en )(?:per|a|an|each|every|/|por|al|cada)\s*(?:year|yr|annum|a[nñ]o)\b"
        r"|yearly|annual|anual|\bp\.a\.")),
    ("once", re.compile(
        r"oneoff|one[\s-]?shot|in total|en total|\btotal\b|pago [uú]nico|una (?:sola )?vez"
        r"|upfront|lump sum|paid once|pay once|single payment")),
]  # fmt: skip
_APPROXIMATE = re.compile(
    r"around|about|approx|roughly|~|circa|\bca\.|\bunos\b|\bunas\b|alrededor|aproximad"
    r"|m[aá]s o menos|cerca de|\bsobre\b|ish\b|or so|give or take"
)
_HEDGE = re.compile(r"\bidk\b|not sure|maybe|perhaps|probably|quiz[aá]s?|tal vez|igual\b|no s[eé]\b|i guess|\?")
_UP_TO = re.compile(r"up to|max|at most|no more than|less than|under|below|hasta|menos de|m[aá]ximo")
_NO_BUDGET = re.compile(
    r"\bno budget(?! yet)|without (?:a |any )?budget|(?:don'?t|do not|doesn'?t|haven'?t) (?:have|got)"
    r" (?:a |any )?budget(?! yet)|zero budget|budget is (?:zero|0|nil)|no money|not budgeted"
    r"|sin presupuesto|no (?:tenemos|hay|tengo) (?:ning[uú]n )?presupuesto(?! todav[ií]a| a[uú]n)"
    r"|presupuesto (?:es )?cero|cero presupuesto|ning[uú]n presupuesto|(?:only|solo|s[oó]lo) (?:free|gratis)"
)
_NO_BUDGET_BARE = re.compile(r"^\W*(?:none|nothing|nada|zero|cero|0|nil|n/?a|no|nope|free|gratis|ninguno)\W*$")
_UNDECIDED = re.compile(
    r"not sure|unsure|(?:don'?t|do not) know|\bidk\b|no idea|depends|depende|\btbd\b"
    r"|to be (?:decided|determined|defined|confirmed)|por (?:decidir|definir|ver)|\bno (?:lo )?s[eé]\b"
    r"|no (?:lo )?sabemos|todav[ií]a no|a[uú]n no|not (?:yet )?decided|(?:haven'?t|have not) decided"
    r"|undecided|not yet|no estoy segur|need to check|let me check|flexible|negotiable|negociable"
    r"|we'?ll see|ya veremos|sin definir|not (?:defined|set|clear)|no (?:est[aá] )?(?:definido|claro)"
    r"|no budget yet|(?:don'?t|do not) have (?:a |any )?budget yet|no hemos decidido|figuring"
)
# Without the question just asked, a hedge alone ("depends") says nothing about money.
_UNDECIDED_STRICT_CONTEXT = _BUDGET_WORD


@dataclass(frozen=True)
class _Amount:
    value: float  # as said, before period and currency conversion (range midpoint)
    start: int
    end: int
    currency: str | None
    has_multiplier: bool
    is_range: bool
    said: str


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
    amount = _best_amount(norm, strict=strict)
    if amount is None:
        return _no_amount(raw, norm, strict=strict)
    if amount.value == 0:
        return Answer(Criterion.BUDGET, raw, Kind.NONE, None, 0.8, f"'{amount.said}' = no budget")

    period, period_end = _period(norm, amount)
    said_currency = amount.currency or currency.upper()
    rate = _rate(said_currency, currency.upper(), rates)
    value = amount.value
    confidence = 0.9
    notes: list[str] = []
    if not amount.currency and not amount.has_multiplier and period is None and value < 1000:
        # A bare "20" to "what is your budget?" means thousands: nobody buys B2B software for €20.
        value *= 1000
        confidence = 0.4
        notes.append(f"bare '{amount.said}' read as thousands")
    if rate is None:
        rate, confidence = 1.0, min(confidence, 0.5)
        notes.append(f"no rate for {said_currency}, not converted")
    annual = value * _PER_YEAR[period or "year"] * rate
    context = norm[max(0, amount.start - 25) : amount.end + 12]
    if _APPROXIMATE.search(context) or amount.is_range:
        confidence = min(confidence, 0.8)
    if _HEDGE.search(norm):
        confidence = min(confidence, 0.6)
    if _UP_TO.search(norm[max(0, amount.start - 15) : amount.start]):
        notes.append("upper limit")

    span = (amount.start, max(amount.end, period_end)) if len(norm) == len(raw) else None
    return Answer(
        criterion=Criterion.BUDGET,
        raw=raw,
        kind=Kind.VALUE,
        value=round(annual, 2),
        confidence=confidence,
        reason=_reason(value, said_currency, period, annual, currency.upper(), amount, notes),
        currency=said_currency,
        amount=value,
        period=period or "year",
        span=span,
    )


def _best_amount(norm: str, *, strict: bool) -> _Amount | None:
    """The amount most likely to be the budget; ``None`` when no number reads as money."""
    best: _Amount | None = None
    best_score = -1
    pos = 0
    while pos <= len(norm):
        match = _AMOUNT.search(norm, pos)
        if match is None:
            break
        found = _read_amount(norm, match)
        pos = max(found.end if found else match.end(), match.start() + 1)
        if found is None:
            continue
        near = norm[max(0, found.start - 40) : found.end + 25]
        has_budget_word = bool(_BUDGET_WORD.search(near))
        score = 3 * bool(found.currency) + 2 * found.has_multiplier + has_budget_word
        if strict and score == 0:
            continue
        if score > best_score:
            best, best_score = found, score
    return best


def _read_amount(norm: str, match: re.Match[str]) -> _Amount | None:
    """One amount (or range) starting at ``match``; ``None`` for counts, years and dates."""
    first = _single(match)
    end = match.end()
    if first is None or _NOT_MONEY.match(norm, end):
        return None
    value, currency, multiplier = first
    is_range = False
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
        value = (value + high * (high_multiplier or 1)) / 2
        currency = currency or high_currency
        multiplier = multiplier or high_multiplier
        end, is_range = second.end(), True
    elif multiplier:
        value *= multiplier
    if value > 1e12:
        return None  # beyond any budget: a phone number, an ID or keyboard mashing
    year_like = 1900 <= value <= 2100 and value == int(value) and not currency and not multiplier
    if year_like:
        return None
    said = norm[match.start() : end].strip()
    return _Amount(value, match.start(), end, currency, bool(multiplier), is_range, said)


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
    """The payment period said right after (or just before) the amount, with its end offset."""
    after = norm[amount.end : amount.end + 25]
    found: tuple[int, str, int] | None = None
    for name, pattern in _PERIODS:
        hit = pattern.search(after)
        if hit and (found is None or hit.start() < found[0]):
            found = (hit.start(), name, amount.end + hit.end())
    if found:
        return found[1], found[2]
    before = norm[max(0, amount.start - 30) : amount.start]
    for name, pattern in _PERIODS:
        if pattern.search(before):
            return name, amount.end
    return None, amount.end


def _rate(said: str, target: str, rates: Mapping[str, float] | None) -> float | None:
    if said == target:
        return 1.0
    if rates is not None and said in rates:
        return rates[said]
    if said in _EUR_RATES and target in _EUR_RATES:
        return _EUR_RATES[said] / _EUR_RATES[target]
    return None


def _no_amount(raw: str, norm: str, *, strict: bool) -> Answer:
    if _NO_BUDGET.search(norm) or (not strict and _NO_BUDGET_BARE.match(norm)):
        return Answer(Criterion.BUDGET, raw, Kind.NONE, None, 0.85, "says there is no budget")
    undecided = _UNDECIDED.search(norm)
    if undecided and (not strict or _UNDECIDED_STRICT_CONTEXT.search(norm)):
        reason = f"'{undecided.group(0)}': budget not decided yet"
        return Answer(Criterion.BUDGET, raw, Kind.UNDECIDED, None, 0.7, reason)
    return Answer.unknown(Criterion.BUDGET, raw, "no amount found")


def _money(value: float, currency: str) -> str:
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    symbol = _SYMBOL.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def _reason(
    value: float,
    said_currency: str,
    period: str | None,
    annual: float,
    currency: str,
    amount: _Amount,
    notes: list[str],
) -> str:
    said = _money(value, said_currency) + (" (range midpoint)" if amount.is_range else "")
    said += {"month": " per month", "quarter": " per quarter", "week": " per week"}.get(
        period or "", " one-off" if period == "once" else ""
    )
    if said_currency == currency and period in (None, "year"):
        result = f"{said}/year"
    else:
        result = f"{said} = {_money(annual, currency)}/year"
    return "; ".join([result, *notes])
