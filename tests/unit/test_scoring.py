"""The scorer against the default SLA: table cases from DESIGN.md and hypothesis invariants.

The scorer is pure, so these run without any server: answers + SLA (+ date) -> Score.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.reading import score_conversation
from bot.parse.base import Answer, Criterion, Kind
from bot.scoring import Tier, score_answers
from bot.sla import load_sla

SLA = load_sla(Path(__file__).resolve().parents[2] / "sla.yml")
TODAY = date(2026, 11, 27)


def need(value: str) -> Answer:
    kind = Kind.NONE if value == "none" else Kind.VALUE
    return Answer(Criterion.NEED, value, kind, value, 0.9)


def budget(amount: float | None, kind: Kind = Kind.VALUE) -> Answer:
    return Answer(Criterion.BUDGET, str(amount), kind, amount if kind is Kind.VALUE else None, 0.9)


def role(value: str) -> Answer:
    return Answer(Criterion.ROLE, value, Kind.VALUE, value, 0.9)


def timing(months: float | None, kind: Kind = Kind.VALUE) -> Answer:
    return Answer(Criterion.TIMING, str(months), kind, months if kind is Kind.VALUE else None, 0.9)


@pytest.mark.parametrize(
    ("answers", "total", "tier"),
    [
        (
            {"need": need("pain"), "budget": budget(20000), "role": role("decision_maker"), "timing": timing(2)},
            100,
            "sales_ready",
        ),
        (
            {"need": need("pain"), "budget": budget(10000), "role": role("influencer"), "timing": timing(3)},
            90,
            "sales_ready",
        ),
        (
            {"need": need("pain"), "budget": budget(9999), "role": role("individual"), "timing": timing(7)},
            58,
            "nurture",
        ),
        (
            {
                "need": need("interest"),
                "budget": budget(None, Kind.UNDECIDED),
                "role": role("influencer"),
                "timing": timing(4),
            },
            52,
            "nurture",
        ),
        (
            {"need": need("interest"), "budget": budget(4999), "role": role("individual"), "timing": timing(13)},
            23,
            "disqualified",
        ),
        (
            {"need": need("none"), "budget": budget(50000), "role": role("decision_maker"), "timing": timing(1)},
            70,
            "disqualified",
        ),
        (
            {"need": need("pain"), "budget": budget(50000), "role": role("no_authority"), "timing": timing(1)},
            75,
            "disqualified",
        ),
        (
            {
                "need": need("pain"),
                "budget": budget(None, Kind.NONE),
                "role": role("decision_maker"),
                "timing": timing(None, Kind.NONE),
            },
            55,
            "nurture",
        ),
        ({}, 0, "disqualified"),
    ],
    ids=[
        "all-top",
        "thresholds-inclusive",
        "just-below-10k",
        "undecided",
        "weak",
        "need-knockout",
        "role-knockout",
        "no-budget-no-plans",
        "nothing",
    ],
)
def test_default_sla_table(answers: dict[str, Answer], total: int, tier: str) -> None:
    score = score_answers(answers, SLA)
    assert (score.total, score.tier.value) == (total, tier)


def test_knock_out_names_the_criterion_and_explains_each_line() -> None:
    score = score_answers({"need": need("none"), "role": role("decision_maker")}, SLA)
    assert score.knocked_out_by == "need"
    assert all(line.explanation for line in score.breakdown)
    assert score.criterion("budget").explanation == "not answered"


def test_visitor_words_are_parsed_then_scored_against_the_conversation_date() -> None:
    raw = {
        "need": "our reps waste hours on bad leads",
        "budget": "2.000 € al mes",
        "role": "VP of Sales",
        "timing": "next quarter",
    }
    score = score_conversation(raw, SLA, TODAY)
    assert score.total == 100 and score.tier is Tier.SALES_READY
    assert score.criterion("budget").answer.value == pytest.approx(24000)


def test_viewed_pricing_is_shown_but_scores_nothing_by_default() -> None:
    score = score_answers({}, SLA, signals={"viewed_pricing": True})
    line = score.criterion("viewed_pricing")
    assert line.points == 0 and "pricing" in line.explanation


NEEDS = st.sampled_from(["pain", "interest", "none"])
ROLES = st.sampled_from(["decision_maker", "influencer", "individual", "no_authority"])
AMOUNTS = st.floats(min_value=0, max_value=5_000_000, allow_nan=False)
MONTHS = st.floats(min_value=0, max_value=120, allow_nan=False)


@st.composite
def answer_sets(draw: st.DrawFn) -> dict[str, Answer]:
    answers = {
        "need": need(draw(NEEDS)),
        "budget": draw(
            st.one_of(
                AMOUNTS.map(budget),
                st.sampled_from([Kind.NONE, Kind.UNDECIDED, Kind.UNKNOWN]).map(lambda k: budget(None, k)),
            )
        ),
        "role": role(draw(ROLES)),
        "timing": draw(
            st.one_of(MONTHS.map(timing), st.sampled_from([Kind.NONE, Kind.UNDECIDED]).map(lambda k: timing(None, k)))
        ),
    }
    keep = draw(st.sets(st.sampled_from(sorted(answers)), min_size=0, max_size=4))
    return {k: v for k, v in answers.items() if k in keep}


@settings(max_examples=150, deadline=None)
@given(answer_sets(), st.booleans())
def test_score_is_always_between_0_and_100(answers: dict[str, Answer], viewed_pricing: bool) -> None:
    """The scorer does not clamp: the total is the sum of its lines, each within its criterion's
    best, so a criterion counted twice or a rule scoring over its best fails here."""
    score = score_answers(answers, SLA, signals={"viewed_pricing": viewed_pricing})
    assert score.total == sum(line.points for line in score.breakdown)
    assert all(0 <= line.points <= line.max_points for line in score.breakdown)
    assert [line.criterion for line in score.breakdown] == [*SLA.criteria, *SLA.extra_criteria]
    assert 0 <= score.total <= 100


@settings(max_examples=150, deadline=None)
@given(answer_sets(), AMOUNTS, AMOUNTS)
def test_more_budget_never_lowers_the_score(answers: dict[str, Answer], a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert (
        score_answers(answers | {"budget": budget(low)}, SLA).total
        <= score_answers(answers | {"budget": budget(high)}, SLA).total
    )


@settings(max_examples=150, deadline=None)
@given(answer_sets(), MONTHS, MONTHS)
def test_sooner_timing_never_lowers_the_score(answers: dict[str, Answer], a: float, b: float) -> None:
    soon, late = sorted((a, b))
    assert (
        score_answers(answers | {"timing": timing(soon)}, SLA).total
        >= score_answers(answers | {"timing": timing(late)}, SLA).total
    )


@settings(max_examples=100, deadline=None)
@given(answer_sets(), st.sampled_from(["need", "role"]))
def test_a_knock_out_always_disqualifies(answers: dict[str, Answer], which: str) -> None:
    knocked = answers | ({"need": need("none")} if which == "need" else {"role": role("no_authority")})
    score = score_answers(knocked, SLA)
    assert score.tier is Tier.DISQUALIFIED and score.knocked_out_by is not None


RAW = {
    "need": ["our reps waste hours on bad leads", "just curious", "I'm a student doing homework"],
    "budget": ["around 30k a year", "2.000 € al mes", "no budget", "not decided yet"],
    "role": ["VP of Sales", "marketing manager", "analyst", "intern"],
    "timing": ["next quarter", "in 4 months", "no plans"],
}


@settings(max_examples=10, deadline=None)
@given(
    st.fixed_dictionaries({name: st.sampled_from(texts) for name, texts in RAW.items()}),
    st.permutations(list(RAW)),
)
def test_answer_order_changes_nothing(raw: dict[str, str], order: list[str]) -> None:
    """A visitor who answers in another order (volunteering, correcting) is stored, scored,
    summarised and exported the same: the store keeps answers in the order they came (row ids),
    so anything that read them in that order instead of the SLA's would differ here."""
    import tempfile
    from dataclasses import replace

    from bot.conversation.lead import snapshot
    from bot.delivery import export_object, finish_lead, render_summary
    from bot.storage import LeadStore

    def stored(sequence: list[str]) -> tuple[object, ...]:
        store = LeadStore(f"sqlite:///{tempfile.mkdtemp()}/leads.db")
        events = [{"event": "user", "text": raw[n], "timestamp": 1_764_000_000 + i} for i, n in enumerate(sequence)]
        slots: dict[str, object] = {}
        for i, name in enumerate(sequence):
            slots[name] = raw[name]
            store.save(snapshot("same-visitor", slots, events[: i + 1], SLA))
        final = snapshot("same-visitor", slots, events, SLA)
        lead = finish_lead(store, replace(final, status=final.score.tier.value), sla=SLA, handoff=False)
        exported = export_object(lead)
        # when each write happened differs between two runs; what was stored must not
        without_ids = {k: v for k, v in exported.items() if not k.endswith("_at") and k not in ("summary", "lead_id")}
        summary_lines = [line for line in render_summary(lead).splitlines() if not line.startswith("  [")]
        return lead.score, lead.tier, lead.knocked_out_by, without_ids, summary_lines

    # The SLA's own classifiers: in a process where another SLA trained first, that one's model
    # answers while these train in the background (hot reload), and the two runs would differ.
    SLA.own_models()
    in_sla_order, in_visitor_order = stored(list(SLA.slots)), stored(order)
    assert in_visitor_order[:3] == in_sla_order[:3]
    assert list(in_visitor_order[3]["answers"]) == list(in_sla_order[3]["answers"]) == list(SLA.slots)
    assert in_visitor_order[3] == in_sla_order[3]
    assert in_visitor_order[4] == in_sla_order[4]
