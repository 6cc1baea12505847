"""What sort of value each criterion's answers hold, for whoever formats, exports or checks one.

The one place that ties a criterion the parsers can read (``bot.parse.base.Criterion``) to its
unit; everything else about a criterion (order, question, rules, CSV columns, summary line)
comes from the SLA. A criterion the parsers don't know holds labels.
"""

from __future__ import annotations

from enum import Enum


class Unit(str, Enum):
    CLASS = "class"  # one of a fixed set of labels ("pain", "decision_maker")
    MONEY = "money"  # an annual amount in the SLA currency
    MONTHS = "months"  # months from the conversation date


_UNITS = {"need": Unit.CLASS, "budget": Unit.MONEY, "role": Unit.CLASS, "timing": Unit.MONTHS}


def unit_of(name: str) -> Unit:
    return _UNITS.get(name, Unit.CLASS)


def built_in(name: str) -> bool:
    """Whether a built-in parser reads the criterion (else the SLA declares its type)."""
    return name in _UNITS


def duration(seconds: float) -> str:
    """ "45 s", "5 min 12 s", "1 h 3 min": a time on site as a rep reads it, in any language."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s" if whole % 60 else f"{whole // 60} min"
    return f"{whole // 3600} h {whole % 3600 // 60} min"
