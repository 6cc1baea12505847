"""What the visitor is told an answer was understood as: plain words, in their language.

Owns ``understood_as``. Confirmations are rendered from the typed answer, never from the
scoring reason, so no category name or arithmetic ("1 months") reaches the visitor.
Amounts are formatted with Babel (CLDR), the way each language writes money.
"""

from __future__ import annotations

from babel.numbers import format_currency

from bot.parse.base import Answer, Criterion, Kind

_LOCALE = {"en": "en_GB", "es": "es_ES"}
_PATTERN = {"en": "¤#,##0", "es": "#,##0\u00a0¤"}
_PER = {
    "en": {"month": "a month", "quarter": "a quarter", "week": "a week", "year": "a year", "once": "one-off"},
    "es": {"month": "al mes", "quarter": "al trimestre", "week": "a la semana", "year": "al año", "once": "en un pago"},
}
_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "about": "about {}",
        "budget_none": "no budget for this",
        "budget_undecided": "budget not decided yet",
        "timing_now": "as soon as possible",
        "timing_month": "within about a month",
        "timing_months": "in about {} months",
        "timing_year": "in about a year",
        "timing_years": "in more than a year",
        "timing_none": "no plans to buy yet",
        "timing_undecided": "no date yet",
        "pain": "a problem you need to fix",
        "interest": "you're exploring options",
        "none": "you're not looking to buy",
        "decision_maker": "you make the buying decision",
        "influencer": "you recommend and someone else signs off",
        "individual": "you work on the team",
        "no_authority": "you're not in a buying role",
    },
    "es": {
        "about": "unos {}",
        "budget_none": "sin presupuesto para esto",
        "budget_undecided": "presupuesto aún sin decidir",
        "timing_now": "lo antes posible",
        "timing_month": "en un mes más o menos",
        "timing_months": "en unos {} meses",
        "timing_year": "en un año más o menos",
        "timing_years": "en más de un año",
        "timing_none": "sin planes de compra por ahora",
        "timing_undecided": "sin fecha todavía",
        "pain": "un problema que necesitáis resolver",
        "interest": "estáis explorando opciones",
        "none": "no buscáis comprar",
        "decision_maker": "tú decides la compra",
        "influencer": "tú recomiendas y otra persona decide",
        "individual": "trabajas en el equipo",
        "no_authority": "no estás en un puesto de compra",
    },
}


def understood_as(answer: Answer, language: str, currency: str = "EUR") -> str:
    """'about €14,400 a year', 'en unos 5 meses', 'Head of Sales': how the answer was read."""
    lang = language if language in _WORDS else "en"
    words = _WORDS[lang]
    if answer.criterion is Criterion.BUDGET:
        return _budget(answer, lang, currency)
    if answer.criterion is Criterion.TIMING:
        return _timing(answer, words)
    if answer.criterion is Criterion.ROLE and answer.extra.get("title"):
        return answer.extra["title"]
    return words.get(str(answer.value), words["interest"] if answer.criterion is Criterion.NEED else "")


def _money(value: float, currency: str, lang: str) -> str:
    return format_currency(round(value), currency, format=_PATTERN[lang], locale=_LOCALE[lang], currency_digits=False)


def _budget(answer: Answer, lang: str, currency: str) -> str:
    words = _WORDS[lang]
    if answer.kind is Kind.NONE or (answer.kind is Kind.VALUE and not answer.value):
        return words["budget_none"]
    if answer.kind is not Kind.VALUE or answer.value is None:
        return words["budget_undecided"]
    annual = words["about"].format(f"{_money(float(answer.value), currency, lang)} {_PER[lang]['year']}")
    said_currency = answer.currency or currency
    if answer.amount is None or (answer.period in (None, "year") and said_currency == currency):
        return annual
    said = f"{_money(answer.amount, said_currency, lang)} {_PER[lang].get(answer.period or 'year', '')}".strip()
    return f"{said}, {annual}"


def _timing(answer: Answer, words: dict[str, str]) -> str:
    if answer.kind is Kind.NONE:
        return words["timing_none"]
    if answer.kind is not Kind.VALUE or answer.value is None:
        return words["timing_undecided"]
    months = float(answer.value)
    if months <= 0.5:
        return words["timing_now"]
    if months < 1.5:
        return words["timing_month"]
    if months < 11.5:
        return words["timing_months"].format(round(months))
    return words["timing_year"] if months <= 12.5 else words["timing_years"]
