"""The scorer fed arbitrary sets of declared criteria (number, choice, yes/no): Hypothesis properties.

Whatever criteria marketing declares, a score is the sum of its criteria's points, each within
the criterion's best, in the SLA's order; a knock-out disqualifies; the tier follows the thresholds.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parse.base import Answer, Kind
from bot.scoring import Tier, score_answers
from bot.sla import SLA

NAMES = st.from_regex(r"[a-z][a-z_]{2,12}", fullmatch=True).filter(
    lambda n: n not in {"need", "budget", "role", "timing", "name", "email", "company", "language", "tier"}
)
CHOICES = ("alpha", "beta", "gamma", "delta")


@st.composite
def criterion(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(["number", "choice", "yes_no"]))
    best = draw(st.integers(0, 40))
    ko = draw(st.booleans())
    if kind == "number":
        cut = draw(st.integers(1, 1000))
        rules = [
            {"min": cut, "points": best},
            {"max": cut, "points": 0, "knock_out": ko},
            {"when": "unknown", "points": 0},
        ]
        return {"type": "number", "rules": rules}
    if kind == "choice":
        liked = draw(st.lists(st.sampled_from(CHOICES), min_size=1, max_size=3, unique=True))
        rest = [c for c in CHOICES if c not in liked]
        rules = [{"in": liked, "points": best}]
        if rest:
            rules.append({"in": rest, "points": 0, "knock_out": ko})
        rules.append({"when": "unknown", "points": 0})
        return {"type": "choice", "choices": {c: {"en": [c]} for c in CHOICES}, "rules": rules}
    rules = [
        {"when": "yes", "points": best},
        {"when": "no", "points": 0, "knock_out": ko},
        {"when": "unknown", "points": 0},
    ]
    return {"type": "yes_no", "rules": rules}


def answer_for(name: str, spec: dict[str, Any], draw: Any) -> Answer | None:
    if draw(st.booleans()):
        return None  # not answered (yet)
    if draw(st.integers(0, 4)) == 0:
        return Answer.unknown(name, "??")
    if spec["type"] == "number":
        value = draw(st.floats(0, 5000, allow_nan=False))
        return Answer(name, str(value), Kind.VALUE, value, 0.9)
    if spec["type"] == "choice":
        return Answer(name, "x", Kind.VALUE, draw(st.sampled_from(CHOICES)), 0.9)
    return Answer(name, "x", Kind.VALUE, draw(st.sampled_from(["yes", "no"])), 0.9)


@st.composite
def sla_and_answers(draw: Any) -> tuple[SLA, dict[str, Answer]]:
    names = draw(st.lists(NAMES, min_size=1, max_size=6, unique=True))
    criteria = {name: draw(criterion()) for name in names}
    nurture = draw(st.integers(0, 99))
    sales_ready = draw(st.integers(nurture + 1, 100))
    sla = SLA.parse_obj(
        {
            "languages": ["en"],
            "follow_up": {"text": {"en": "We'll call."}},
            "tiers": {"sales_ready": sales_ready, "nurture": nurture},
            "questions": [{"slot": n, "ask": {"en": "?"}, "why": {"en": "."}, "hint": {"en": "."}} for n in names],
            "criteria": criteria,
        }
    )
    answers = {n: a for n in names if (a := answer_for(n, criteria[n], draw)) is not None}
    return sla, answers


@settings(max_examples=300, deadline=None)
@given(sla_and_answers())
def test_any_declared_criteria_score_within_their_rules(case: tuple[SLA, dict[str, Answer]]) -> None:
    sla, answers = case
    score = score_answers(answers, sla)
    assert [c.criterion for c in score.breakdown] == list(sla.criteria)
    for line in score.breakdown:
        assert 0 <= line.points <= line.max_points == sla.criteria[line.criterion].max_points
        if line.criterion not in answers:
            assert line.points == 0 and line.explanation == "not answered"
    assert score.total == sum(c.points for c in score.breakdown)
    if any(c.knock_out for c in score.breakdown):
        assert score.tier is Tier.DISQUALIFIED and score.knocked_out_by is not None
    elif score.total >= sla.tiers.sales_ready:
        assert score.tier is Tier.SALES_READY
    elif score.total >= sla.tiers.nurture:
        assert score.tier is Tier.NURTURE
    else:
        assert score.tier is Tier.DISQUALIFIED


@settings(max_examples=200, deadline=None)
@given(sla_and_answers())
def test_a_liked_value_scores_the_best_points_and_others_never_do(case: tuple[SLA, dict[str, Answer]]) -> None:
    sla, answers = case
    score = score_answers(answers, sla)
    for name, answer in answers.items():
        line = score.criterion(name)
        assert line is not None
        spec = sla.criteria[name]
        if answer.kind is Kind.UNKNOWN:
            assert line.points == 0 and not line.knock_out
        elif spec.type == "choice":
            liked = spec.rules[0].in_ or []
            assert (line.points == spec.rules[0].points) == (answer.value in liked or spec.rules[0].points == 0)
        elif spec.type == "yes_no":
            assert line.points == (spec.rules[0].points if answer.value == "yes" else 0)
        else:
            cut = spec.rules[0].min or 0
            assert isinstance(answer.value, float)
            assert line.points == (spec.rules[0].points if answer.value >= cut else 0)
            assert line.knock_out == (answer.value < cut and spec.rules[1].knock_out)
