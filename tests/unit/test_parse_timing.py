"""Timing parser: table of real phrasings plus the documented conventions.

Table rows are answers to "when do you plan to buy?" read on 2026-11-27 (lenient mode).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from bot.parse.base import Criterion, Kind
from bot.parse.timing import parse_timing

TODAY = dt.date(2026, 11, 27)
TABLE = yaml.safe_load((Path(__file__).parent / "phrasings" / "timing.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("text", "kind", "value"), TABLE, ids=[row[0] for row in TABLE])
def test_timing_phrasing_is_read_as_expected(text: str, kind: str, value: float | None) -> None:
    answer = parse_timing(text, today=TODAY)
    assert answer.criterion is Criterion.TIMING
    assert answer.kind is Kind(kind), answer.reason
    if value is None:
        assert answer.value is None
    else:
        assert answer.value == pytest.approx(value, abs=0.05), answer.reason
    assert answer.raw == text


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize("day", [1, 15, 28])
def test_next_quarter_is_always_within_three_months(month: int, day: int) -> None:
    today = dt.date(2026, month, day)
    for text in ("next quarter", "el próximo trimestre"):
        value = parse_timing(text, today=today).value
        assert isinstance(value, float)
        assert 0.5 <= value <= 3.0


def test_next_quarter_counts_to_the_start_of_the_next_calendar_quarter() -> None:
    assert parse_timing("next quarter", today=dt.date(2026, 10, 1)).value == 3.0
    assert parse_timing("next quarter", today=dt.date(2026, 2, 1)).value == 2.0


def test_past_month_means_next_year() -> None:
    assert parse_timing("by March", today=dt.date(2026, 5, 1)).value == 10.0


def test_passed_quarter_means_next_year() -> None:
    assert parse_timing("Q1", today=dt.date(2026, 5, 1)).value == 8.0


def test_next_year_is_the_middle_of_next_year() -> None:
    assert parse_timing("next year", today=dt.date(2026, 1, 1)).value == 18.0


def test_nothing_is_sooner_than_half_a_month() -> None:
    assert parse_timing("tomorrow", today=TODAY).value == 0.5
    assert parse_timing("in 3 days", today=TODAY).value == 0.5


@pytest.mark.parametrize(
    "text", ["right now we use Excel", "ya tenemos un CRM", "we never get good leads", "not sure", "depends", "3"]
)
def test_strict_mode_ignores_vague_words(text: str) -> None:
    assert not parse_timing(text, today=TODAY, strict=True).understood


def test_hedged_timing_has_lower_confidence() -> None:
    assert (
        parse_timing("maybe next month?", today=TODAY).confidence < parse_timing("next month", today=TODAY).confidence
    )


def test_reason_states_the_months() -> None:
    assert parse_timing("next quarter", today=TODAY).reason == "'next quarter' = 1.15 months"


@pytest.mark.parametrize(
    "text",
    [
        "we spent the whole of Q2 migrating our CRM",
        "since February the SDRs ignore half the MQLs",
        "our budget gets renewed in April",
        "this year our cost per lead doubled",
        "we bought a chatbot in May and nobody uses it",
        "we'll talk about it at the October offsite",
        "in summer our inbound volume triples",
        "right now we route leads by hand",
        "desde marzo el CRM está lleno de duplicados",
        "el presupuesto se aprueba en febrero",
        "este año el coste por lead se ha disparado",
        "lo hablaremos en la reunión de octubre",
        "en verano nos llegan el triple de leads",
        "el director dijo que nada hasta el próximo trimestre",
    ],
)
def test_volunteered_dates_in_a_story_do_not_fill_timing(text: str) -> None:
    assert parse_timing(text, today=TODAY, strict=True).kind is not Kind.VALUE


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("we'd like it up and running before the summer", 6.15),
        ("we need something in place by March", 3.15),
        ("our reps are drowning, ideally by Q2", 4.15),
        ("we plan to roll it out after Easter", 4.1),
        ("make it 2 months", 2.0),
        ("queremos tenerlo funcionando después del verano", 9.15),
        ("necesitamos algo para ya", 0.5),
        ("nos gustaría arrancar a la vuelta de Navidades", 1.34),
        ("pongamos que en mes y medio", 1.5),
    ],
)
def test_volunteered_purchase_timing_fills_timing(text: str, months: float) -> None:
    answer = parse_timing(text, today=TODAY, strict=True)
    assert answer.kind is Kind.VALUE, answer.reason
    assert answer.value == pytest.approx(months, abs=0.05), answer.reason


@pytest.mark.parametrize(
    "text", ["right now we're only exploring", "now we just want to understand pricing", "ahora mismo solo miramos"]
)
def test_a_word_for_the_present_in_an_exploring_statement_is_not_asap(text: str) -> None:
    answer = parse_timing(text, today=TODAY)
    assert answer.value is None, answer.reason


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("after the summer", 0.5, 12.0),
        ("después del verano", 0.5, 12.0),
        ("before Christmas", 0.5, 12.0),
        ("in the new year", 0.5, 12.0),
        ("por Semana Santa", 0.5, 12.0),
        ("not before 2030", 12.01, 60.0),
        ("no antes de un año", 12.01, 60.0),
    ],
)
def test_seasons_and_lower_bounds_hold_on_any_date(text: str, low: float, high: float, month: int) -> None:
    value = parse_timing(text, today=dt.date(2027, month, 10)).value
    assert isinstance(value, float)
    assert low <= value <= high


def test_easter_follows_the_church_calendar() -> None:
    # Easter 2027 is 28 March, so Holy Week starts on Palm Sunday, 21 March.
    assert parse_timing("by Easter", today=dt.date(2027, 1, 21)).value == pytest.approx(2.0)
    assert parse_timing("antes de Semana Santa", today=dt.date(2027, 1, 21)).value == pytest.approx(2.0)


def test_black_friday_is_the_day_after_the_fourth_thursday_of_november() -> None:
    assert parse_timing("by Black Friday", today=dt.date(2027, 10, 26)).value == pytest.approx(1.0)


def test_a_restated_time_replaces_the_first_one() -> None:
    answer = parse_timing("Q2, well, realistically more than a year", today=TODAY)
    assert answer.value == pytest.approx(13.0)


@pytest.mark.parametrize(
    ("text", "months"),
    [("in a few months, 4 or 5 maybe", 4.5), ("en unos meses, 5 o 6", 5.5), ("within a few weeks, say 2", 0.5)],
)
def test_an_explicit_number_beats_a_vague_quantifier_in_every_mode(text: str, months: float) -> None:
    for strict in (False, True):
        assert parse_timing(text, today=TODAY, strict=strict).value == pytest.approx(months, abs=0.05)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hi, is this going to be pushy? we can't buy right now", Kind.NONE),  # not "right now" = ASAP
        ("no es prioridad ahora mismo, quiza mas adelante", Kind.NONE),  # not a priority beats "later"
        ("whenever the freeze lifts, no date", Kind.NONE),  # money first, like "when budget frees up"
        ("en cuanto se pueda, tiene prisa", Kind.VALUE),  # "as soon as possible", not a condition
    ],
)
def test_batch9_timing_classes(text: str, kind: Kind) -> None:
    answer = parse_timing(text, today=dt.date(2026, 12, 2))
    assert answer.kind is kind
    if kind is Kind.VALUE:
        assert answer.value is not None and answer.value <= 1
