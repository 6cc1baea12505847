"""Budget parser: table of real phrasings plus the behaviours the scorer relies on.

Each table row is one visitor answer to "what is your budget?" (lenient mode).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.parse.base import Criterion, Kind
from bot.parse.money import parse_budget

TABLE = yaml.safe_load((Path(__file__).parent / "phrasings" / "budget.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("text", "kind", "value"), TABLE, ids=[row[0] for row in TABLE])
def test_budget_phrasing_is_read_as_expected(text: str, kind: str, value: float | None) -> None:
    answer = parse_budget(text)
    assert answer.criterion is Criterion.BUDGET
    assert answer.kind is Kind(kind), answer.reason
    if value is None:
        assert answer.value is None
    else:
        assert answer.value == pytest.approx(value, abs=1), answer.reason
    assert answer.raw == text
    assert 0.0 <= answer.confidence <= 1.0


def test_monthly_budget_is_annualised() -> None:
    answer = parse_budget("2.000 € al mes")
    assert answer.value == 24000
    assert answer.period == "month"
    assert answer.amount == 2000
    assert answer.reason == "€2,000 per month = €24,000/year"


def test_range_uses_midpoint_and_converts_currency() -> None:
    answer = parse_budget("$15-25k")
    assert answer.currency == "USD"
    assert answer.value == pytest.approx(20000 * 0.92)
    assert "midpoint" in answer.reason


def test_custom_rates_override_the_defaults() -> None:
    assert parse_budget("$10k", rates={"USD": 1.0}).value == 10000


def test_target_currency_other_than_eur_uses_cross_rates() -> None:
    answer = parse_budget("€9,200", currency="USD")
    assert answer.value == pytest.approx(10000, abs=1)


def test_unknown_currency_pair_is_kept_unconverted_with_low_confidence() -> None:
    answer = parse_budget("$10k", currency="JPY", rates={})
    assert answer.value == 10000
    assert answer.confidence <= 0.5


def test_approximation_and_hedges_lower_confidence() -> None:
    exact = parse_budget("€20,000 per year").confidence
    assert parse_budget("around 20k a year").confidence < exact
    assert parse_budget("idk, maybe 5-ish k?").confidence < parse_budget("around 5k").confidence


def test_bare_number_reads_as_thousands_only_when_budget_was_asked() -> None:
    assert parse_budget("20").value == 20000
    assert parse_budget("20").confidence < 0.5
    assert not parse_budget("20", strict=True).understood


@pytest.mark.parametrize(
    "text",
    ["we have 20 reps", "in 3 months", "Q3 2027", "15% conversion", "see you on 15/03/2027", "depends", "idk"],
)
def test_strict_mode_ignores_numbers_without_money_cue(text: str) -> None:
    assert not parse_budget(text, strict=True).understood


@pytest.mark.parametrize(
    ("text", "value"),
    [("about 30k a year", 30000), ("budget 5k/month", 60000), ("2.000 € al mes", 24000), ("no budget", None)],
)
def test_strict_mode_reads_clear_money_talk(text: str, value: float | None) -> None:
    answer = parse_budget(text, strict=True)
    assert answer.understood
    assert answer.value == value


def test_next_quarter_is_not_a_budget_period() -> None:
    answer = parse_budget("30k, want to start next quarter")
    assert answer.period == "year"
    assert answer.value == 30000


def test_span_points_at_the_amount_and_period() -> None:
    text = "we have about 30k a year and more"
    answer = parse_budget(text)
    assert answer.span is not None
    assert text[answer.span[0] : answer.span[1]] == "30k a year"
