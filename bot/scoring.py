"""The scorer: typed answers + SLA -> points per criterion, total, tier.

Pure and deterministic, so a score can be recomputed and explained from stored answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from bot.parse.base import Answer
from bot.sla import SLA, Rule
from bot.sla.model import rule_for as _rule_for


class Tier(str, Enum):
    SALES_READY = "sales_ready"
    NURTURE = "nurture"
    DISQUALIFIED = "disqualified"


@dataclass(frozen=True)
class CriterionScore:
    """How one criterion scored, with the words and the rule behind it."""

    criterion: str
    points: int
    max_points: int
    answer: Answer | None  # None: the question was not asked or not answered
    rule: str  # the rule that fired, as written in the SLA ("when: pain", "min: 10000")
    explanation: str  # one line for the sales summary
    knock_out: bool = False
    asked: bool = True  # False for criteria computed from the page, never asked (behaviour, extra_criteria)


@dataclass(frozen=True)
class Score:
    total: int
    tier: Tier
    breakdown: tuple[CriterionScore, ...]
    knocked_out_by: str | None = None

    @property
    def qualified(self) -> bool:
        return self.tier is Tier.SALES_READY

    def criterion(self, name: str) -> CriterionScore | None:
        return next((c for c in self.breakdown if c.criterion == name), None)


def score_answers(
    answers: Mapping[str, Answer],
    sla: SLA,
    *,
    signals: Mapping[str, bool] | None = None,
) -> Score:
    """Score typed answers against the SLA.

    `signals` are the yes/no facts behind `extra_criteria` (e.g. viewed_pricing), known
    without asking. Criteria are scored in the SLA's criteria order, never the order the
    visitor answered in, so the result does not depend on how the conversation went.
    """
    breakdown: list[CriterionScore] = []
    for name, spec in sla.criteria.items():
        answer = answers.get(name)
        rule = _rule_for(answer, spec.rules) if answer is not None else None
        if answer is None or rule is None:
            breakdown.append(
                CriterionScore(
                    criterion=name,
                    points=0,
                    max_points=spec.max_points,
                    answer=answer,
                    rule="none",
                    explanation="not answered" if answer is None else "no rule matched",
                    asked=spec.asked(name),
                )
            )
            continue
        breakdown.append(
            CriterionScore(
                criterion=name,
                points=rule.points,
                max_points=spec.max_points,
                answer=answer,
                rule=_describe(rule),
                explanation=_explain(rule, answer),
                knock_out=rule.knock_out,
                asked=spec.asked(name),
            )
        )
    for name, extra in sla.extra_criteria.items():
        hit = bool((signals or {}).get(name))
        breakdown.append(
            CriterionScore(
                criterion=name,
                points=extra.points if hit else 0,
                max_points=extra.points,
                answer=None,
                rule=f"{name}: {'yes' if hit else 'no'}",
                explanation=extra.explain if hit else f"not: {extra.explain}",
                asked=False,
            )
        )

    # No clamp: the checker refuses an SLA whose best points do not add up to 100 or that has
    # negative points, so the sum is within 0..100 for every SLA that can go live, and a clamp
    # would only hide a scorer that counts a criterion twice.
    total = sum(c.points for c in breakdown)
    knocked_out_by = next((c.criterion for c in breakdown if c.knock_out), None)
    if knocked_out_by is not None:
        tier = Tier.DISQUALIFIED
    elif total >= sla.tiers.sales_ready:
        tier = Tier.SALES_READY
    elif total >= sla.tiers.nurture:
        tier = Tier.NURTURE
    else:
        tier = Tier.DISQUALIFIED
    return Score(total=total, tier=tier, breakdown=tuple(breakdown), knocked_out_by=knocked_out_by)


def _describe(rule: Rule) -> str:
    if rule.when is not None:
        return f"when: {rule.when}"
    if rule.in_ is not None:
        return f"in: [{', '.join(rule.in_)}]"
    parts = [f"min: {rule.min:g}" if rule.min is not None else "", f"max: {rule.max:g}" if rule.max is not None else ""]
    return ", ".join(p for p in parts if p)


def _explain(rule: Rule, answer: Answer) -> str:
    base = rule.explain or _describe(rule)
    return f"{base} ({answer.reason})" if answer.reason else base


def describe_rule(rule: Rule) -> str:
    """A rule as the store keeps it with each answer ("when: pain", "min: 10000"): how a report
    finds the rule, and its `explain`, behind a stored answer."""
    return _describe(rule)
