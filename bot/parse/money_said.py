"""A budget amount in plain words, as the visitor reads it back: "€2,000 a month = €24,000 a year"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.parse.money_words import _PERIOD_WORDS, _SYMBOL

if TYPE_CHECKING:
    from bot.parse.money import _Amount


def _money(value: float, currency: str) -> str:
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    symbol = _SYMBOL.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def amount_in_words(
    amount: _Amount,
    scale: float,
    said_currency: str,
    period: str | None,
    annual: float,
    currency: str,
    bound: str,
    approximate: bool,
    seats: int = 1,
) -> str:
    """The amount in plain words, as the visitor reads it back: "€2,000 a month = €24,000 a year"."""
    if amount.basis is not None and amount.factor != 1:
        said = f"{_share_words(amount.factor)} {_money(amount.basis.value * scale, said_currency)}"
    elif amount.ends is not None:
        low, high = amount.ends
        said = f"{_money(low * scale, said_currency)} to {_money(high * scale, said_currency)}"
    else:
        said = _money(amount.value * scale, said_currency)
    relative = amount.basis is not None and amount.factor != 1
    if not relative or period not in (None, "year"):
        said += _PERIOD_WORDS[period or "year"]
    if seats > 1:
        said = f"{seats} × {said}"
    converted = said_currency != currency
    plain = not converted and period in (None, "year", "once") and not relative and amount.ends is None and seats == 1
    prefix = f"{bound} " if bound else "about " if approximate or amount.ends or converted else ""
    if plain:
        return prefix + said
    shown = annual + 1 if bound == "under" else annual
    return f"{f'{bound} ' if bound else ''}{said} = {prefix}{_money(round(shown, 2), currency)} a year"


def _share_words(factor: float) -> str:
    """ "a tenth of", "twice": how a relative amount was said, in words."""
    named = {2.0: "twice", 3.0: "three times", 1.0: "the same as", 0.5: "half of", 0.25: "a quarter of"}
    for value, words in {**named, 1 / 3: "a third of", 0.2: "a fifth of", 0.1: "a tenth of"}.items():
        if abs(factor - value) < 1e-9:
            return words
    if factor > 1 and factor != int(factor):
        return f"{(factor - 1) * 100:g}% more than"
    return f"{factor:g} times" if factor > 1 else f"{factor * 100:g}% of"
