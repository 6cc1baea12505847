"""What the assistant tells visitors besides its questions: product answers and nurture content.

`product_answers` (topics a visitor asks about mid-form, with example phrasings and the answer)
and `nurture_content` (first-match rules choosing the resource a nurture or disqualified lead gets).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Extra, Field, validator

Texts = dict[str, str]  # language code -> text


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


def _fraction(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise TypeError("expected a number between 0 and 1")
    return value


class ProductTopic(_Strict):
    """One thing visitors ask about ("pricing"): how they ask it, and what the assistant answers."""

    examples: dict[str, list[str]] = Field(default_factory=dict)  # language -> phrasings
    answer: Texts = Field(default_factory=dict)

    def phrasings(self) -> list[str]:
        return [text.strip() for texts in self.examples.values() for text in texts if text.strip()]


class ProductAnswers(_Strict):
    # Below this probability the question is passed to sales instead: a wrong answer is worse
    # than "I'll pass that on".
    min_confidence: float = 0.5
    topics: dict[str, ProductTopic] = Field(default_factory=dict)
    # Questions visitors ask that no topic answers ("are you hiring?"): the classifier learns
    # them as "none of the topics", so a question near a topic is not forced into it.
    other_questions: dict[str, list[str]] = Field(default_factory=dict)

    _check_confidence = validator("min_confidence", pre=True, allow_reuse=True)(_fraction)


class ValueRange(_Strict):
    """A numeric answer's range in a nurture rule: `min` included, `max` excluded."""

    min: float | None = None
    max: float | None = None

    def holds(self, value: float) -> bool:
        lo = float("-inf") if self.min is None else self.min
        hi = float("inf") if self.max is None else self.max
        return lo <= value < hi


# What a `match:` key may ask for: one value, any of several, or a number range.
Condition = ValueRange | list[str] | str


class Resource(_Strict):
    title: Texts
    url: Texts


class NurtureRule(_Strict):
    # {tier | language | <criterion>: value, [values] or {min, max}}; every key must hold.
    match: dict[str, Condition] = Field(default_factory=dict)
    resource: Resource


class NurtureContent(_Strict):
    rules: list[NurtureRule] = Field(default_factory=list)
    default: Resource


@dataclass(frozen=True)
class Facts:
    """What a nurture rule can look at: the tier, the language and each answer's value/kind."""

    tier: str
    language: str
    answers: Mapping[str, tuple[str, float | None]]  # criterion -> (label or kind, number or None)


def _holds(condition: Condition, label: str, number: float | None) -> bool:
    if isinstance(condition, ValueRange):
        return number is not None and condition.holds(number)
    wanted = [condition] if isinstance(condition, str) else condition
    return label.casefold() in {str(item).casefold() for item in wanted}


def rule_matches(rule: NurtureRule, facts: Facts) -> bool:
    for key, condition in rule.match.items():
        if key == "tier":
            label, number = facts.tier, None
        elif key == "language":
            label, number = facts.language, None
        else:  # a criterion not answered matches as "unknown"
            label, number = facts.answers.get(key, ("unknown", None))
        if not _holds(condition, label, number):
            return False
    return True


def pick_resource(content: NurtureContent, facts: Facts) -> tuple[Resource, int | None]:
    """(the resource of the first rule that matches, that rule's index; None for the default)."""
    for index, rule in enumerate(content.rules):
        if rule_matches(rule, facts):
            return rule.resource, index
    return content.default, None
