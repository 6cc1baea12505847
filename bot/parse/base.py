"""Typed answers shared by every parser.

A parser turns one visitor message into an ``Answer``; the scorer only ever sees ``Answer``s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Criterion(str, Enum):
    """The criteria the parsers can read. Everything else (order, questions, rules, points,
    CSV columns, summary lines, the checker's ranges) comes from the SLA; what sort of value
    each one's answers hold is ``bot.domain.units.unit_of``."""

    NEED = "need"
    BUDGET = "budget"
    ROLE = "role"
    TIMING = "timing"


class Kind(str, Enum):
    """What sort of answer the visitor gave, independent of its value.

    The scorer needs this beside ``value`` because "no budget", "not decided yet" and
    "could not understand" all have no amount but score differently.
    """

    VALUE = "value"  # a usable value: an amount, a number of months, a role class, a need class
    UNDECIDED = "undecided"  # budget/timing "not sure yet", "depends", "whenever the board approves"
    NONE = "none"  # "no budget", "no plans", "just researching"
    UNKNOWN = "unknown"  # not understood


@dataclass(frozen=True)
class Answer:
    """One criterion's answer, traceable to the visitor's own words.

    ``value`` depends on the criterion:
      need   -> "pain" | "interest" | "none"
      budget -> annual amount in the SLA currency (float), or None
      role   -> "decision_maker" | "influencer" | "individual" | "no_authority"
      timing -> months from the conversation date until purchase (float, >= 0), or None
    """

    criterion: str  # a `Criterion` for the four built-in parsers, else the SLA criterion's name
    raw: str
    kind: Kind
    value: str | float | None = None
    confidence: float = 0.0  # 0 = not understood, 1 = unambiguous
    reason: str = ""  # one short phrase: which words led to the value, for the sales summary
    currency: str | None = None  # budget only: the currency the visitor used (before conversion)
    amount: float | None = None  # budget only: the amount as said, before annualising/converting
    period: str | None = None  # budget only: "year" | "quarter" | "month" | "week" | "once"
    span: tuple[int, int] | None = None  # character span of the words that carried the answer
    extra: dict[str, str] = field(default_factory=dict)  # e.g. role title as said

    @property
    def understood(self) -> bool:
        return self.kind is not Kind.UNKNOWN

    @classmethod
    def unknown(cls, criterion: str, raw: str, reason: str = "not understood") -> Answer:
        return cls(criterion=criterion, raw=raw, kind=Kind.UNKNOWN, reason=reason)
