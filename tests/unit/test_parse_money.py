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
    assert answer.reason == "€2,000 a month = €24,000 a year"


def test_range_uses_midpoint_and_converts_currency() -> None:
    answer = parse_budget("$15-25k")
    assert answer.currency == "USD"
    assert answer.value == pytest.approx(20000 * 0.92)
    assert answer.reason == "$15,000 to $25,000 a year = about €18,400 a year"


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


@pytest.mark.parametrize(
    "text",
    [
        "we spend 5k a month on Google Ads and get junk",
        "our ad spend is 10k a month",
        "each SDR costs us 60k",
        "salaries are 80k per rep",
        "we make 2 million in revenue",
        "our ARR is 3M",
        "our average deal is 25k",
        "we lost a 50k deal last month",
        "last year we spent 20k on a tool that failed",
        "we pay 1k a month for our current CRM",
        "pagamos 3.000 € al mes a una agencia",
        "nos cuesta 40.000 € al año cada comercial",
        "facturamos 5 millones al año",
        "tenemos 2 millones en pipeline",
        "el sueldo de un SDR son 30 mil al año",
    ],
)
def test_strict_mode_ignores_money_spent_or_earned_on_other_things(text: str) -> None:
    assert not parse_budget(text, strict=True).understood


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("I'm the CTO, budget 30k", 30000),
        ("we could spend 2k a month on this", 24000),
        ("we have 10k set aside", 10000),
        ("we'd pay up to 500 a month", 6000),
        ("we spend 5k a month on ads and we'd spend 1k a month on this", 12000),
        ("our CAC is 400 euros and we have 12k for a tool", 12000),
        ("oops, I meant 40k", 40000),
        ("podríamos invertir unos 1.000 € al mes", 12000),
        ("tenemos 20.000 € para esto", 20000),
        ("hay 8.000 euros asignados", 8000),
    ],
)
def test_strict_mode_reads_money_for_the_purchase(text: str, value: float) -> None:
    answer = parse_budget(text, strict=True)
    assert answer.kind is Kind.VALUE
    assert answer.value == value


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("our budget's frozen", Kind.NONE),
        ("no tenemos presupuesto", Kind.NONE),
        ("budget not decided yet", Kind.UNDECIDED),
        ("el presupuesto aún no está aprobado", Kind.UNDECIDED),
    ],
)
def test_strict_mode_reads_no_budget_and_undecided_said_about_the_budget(text: str, kind: Kind) -> None:
    assert parse_budget(text, strict=True).kind is kind


@pytest.mark.parametrize(
    "text",
    ["Budget isn't my department though.", "the director signs off on everything", "nada hasta el próximo trimestre"],
)
def test_strict_mode_ignores_vague_words_that_only_answer_the_budget_question(text: str) -> None:
    assert not parse_budget(text, strict=True).understood


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("around 14,400 a year", "about €14,400 a year"),
        ("€1,200 per month", "€1,200 a month = €14,400 a year"),
        ("unos 1.200 € al mes", "€1,200 a month = about €14,400 a year"),
        ("up to 50k", "up to €50,000 a year"),
        ("menos de 5.000 € al año", "under €5,000 a year"),
        ("$2k a month", "$2,000 a month = about €22,080 a year"),
        ("between 10k and 20k euros", "€10,000 to €20,000 a year = about €15,000 a year"),
        ("we have 100k for all of marketing tech; this is a tenth of that", "a tenth of €100,000 = €10,000 a year"),
        ("EUR 5,000 one-off", "€5,000 one-off"),
        ("20", "€20,000 a year"),
        ("no budget", "no budget"),
        ("depende", "budget not decided yet"),
    ],
)
def test_reason_reads_back_the_amount_in_plain_words(text: str, reason: str) -> None:
    assert parse_budget(text).reason == reason


def test_under_an_amount_scores_in_the_band_below_it() -> None:
    assert parse_budget("under 5k a year").value == 4999
    assert parse_budget("at most 5k a year").value == 5000


def test_hedge_never_changes_the_amount() -> None:
    assert parse_budget("maybe 15k, could stretch").value == parse_budget("15k").value
    assert parse_budget("como mucho 600 al mes").value == parse_budget("600 al mes").value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2000", 2000),
        ("como mucho 2000", 2000),
        ("unos dos mil", 2000),
        ("at most 2000", 2000),
        ("más o menos cinco mil al año", 5000),
        ("al menos tres mil al mes", 36000),
    ],
)
def test_a_number_shaped_like_a_year_is_money_when_nothing_makes_it_a_date(text: str, value: float) -> None:
    assert parse_budget(text).value == value


@pytest.mark.parametrize("text", ["our 2026 budget is not approved yet", "2026", "para finales de 2027"])
def test_a_year_is_never_read_as_an_amount(text: str) -> None:
    assert parse_budget(text).value is None


@pytest.mark.parametrize(
    "text",
    [
        "we pay about 2,400 a year for the current form tool",
        "our current chatbot costs us $900 a month",
        "currently we spend 300 a month on Intercom",
        "ahora pagamos unos 4.800 al año por el chat que tenemos",
        "estamos pagando 600 al mes por el CRM",
        "ya pagamos 100 al mes",
    ],
)
def test_strict_mode_never_takes_what_is_paid_today(text: str) -> None:
    assert not parse_budget(text, strict=True).understood


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "we pay about 2,400 a year for the current form tool, but for something that works I could justify"
            " around 7,000 a year",
            7000,
        ),
        ("pagamos 200 al mes por la herramienta actual, para esto podríamos llegar a 5.000 al año", 5000),
        ("we had a quote from another vendor at €9,500/yr, so around that", 9500),
        ("stay around what we pay now, maybe a bit more, say $1,000 a month", 11040),
        ("lo mismo que pagamos ahora, 300 al mes", 3600),
    ],
)
def test_the_amount_beside_current_spend_or_taken_from_it_is_the_budget(text: str, value: float) -> None:
    for strict in (False, True):
        answer = parse_budget(text, strict=strict)
        assert answer.kind is Kind.VALUE, answer.reason
        assert answer.value == pytest.approx(value, abs=1), answer.reason


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("podemos subir a 400 al mes, pero no más", 4800),
        ("oh he just replied, says up to 800 a month", 9600),
        ("my boss said 1,500 a quarter is fine", 6000),
        ("mi jefe dice que unos 10.000 al año", 10000),
        ("la directora dice que hasta 900 al mes", 10800),
        ("un par de miles al mes", 24000),
    ],
)
def test_strict_mode_reads_an_amount_with_a_period_or_relayed_from_a_colleague(text: str, value: float) -> None:
    answer = parse_budget(text, strict=True)
    assert answer.kind is Kind.VALUE, answer.reason
    assert answer.value == value


@pytest.mark.parametrize("text", ["we can do 3 a week", "we close 10 a month", "we get 500 a month from the website"])
def test_strict_mode_does_not_read_counts_with_a_period_as_money(text: str) -> None:
    assert not parse_budget(text, strict=True).understood


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("1,000-1,500 a month, in dollars", "USD"),
        ("unos 2.000 al mes, son dólares", "USD"),
        ("3.000 al año en libras", "GBP"),
        ("5k, not dollars, pounds", "GBP"),
        ("not in dollars, 5k in euros", "EUR"),
        ("10k, dollars or pounds", "EUR"),
    ],
)
def test_a_currency_named_apart_from_the_figure_is_its_currency(text: str, currency: str) -> None:
    assert parse_budget(text).currency == currency


@pytest.mark.parametrize(("text", "value"), [("a couple hundred", 200), ("a few hundred", 300), ("trescientos", 300)])
def test_hundreds_said_in_words_are_not_read_as_thousands(text: str, value: float) -> None:
    assert parse_budget(text).value == value
