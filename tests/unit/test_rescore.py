"""The what-if re-score: stored words read again as every turn reads them, each distinct answer once."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from bot.conversation.lead import score_slots
from bot.conversation.rescore import Rescorer, reads_alike
from bot.sla import SLA, load_sla

ROOT = Path(__file__).resolve().parents[2]
WORDS = {
    "need": "our sales team wastes hours on bad leads",
    "budget": "around 20k a year",
    "role": "I'm a sales manager",
    "timing": "by March",
}


@pytest.fixture(scope="module")
def sla() -> SLA:
    return load_sla(ROOT / "sla.yml")


@pytest.mark.parametrize("day", [date(2026, 1, 10), date(2026, 11, 20), date(2027, 2, 25)])
def test_a_rescore_gives_the_score_a_turn_gives_the_same_words(sla: SLA, day: date) -> None:
    rescorer = Rescorer(sla)
    started = datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc)
    again = rescorer.score(WORDS, started_at=started)
    assert again == score_slots(WORDS, sla, day, started)


def test_a_dated_timing_answer_is_read_against_each_leads_own_date(sla: SLA) -> None:
    """'by March' is 2 months away in January and 4 in November: a cache must not mix them up."""
    rescorer = Rescorer(sla)
    january = rescorer.score(WORDS, started_at=datetime(2026, 1, 10, tzinfo=timezone.utc))
    november = rescorer.score(WORDS, started_at=datetime(2026, 11, 20, tzinfo=timezone.utc))
    assert january.criterion("timing").points == 20  # type: ignore[union-attr]
    assert november.criterion("timing").points == 12  # type: ignore[union-attr]
    assert ("timing", "by March") not in rescorer.readings.undated


def test_an_undated_timing_answer_is_read_once_for_every_date(sla: SLA) -> None:
    rescorer = Rescorer(sla)
    words = {**WORDS, "timing": "in about 9 months"}
    for month in range(1, 13):
        rescorer.score(words, started_at=datetime(2026, month, 3, tzinfo=timezone.utc))
    assert ("timing", "in about 9 months") in rescorer.readings.undated
    assert sum(1 for key in rescorer.readings.answers if key[0] == "timing") <= 2


def test_only_an_edit_that_changes_reading_makes_the_slas_read_apart(sla: SLA, tmp_path: Path) -> None:
    text = (ROOT / "sla.yml").read_text(encoding="utf-8")
    stricter = tmp_path / "stricter.yml"
    stricter.write_text(text.replace("{min: 10000, points: 25", "{min: 50000, points: 25"), encoding="utf-8")
    rates = tmp_path / "rates.yml"
    rates.write_text(text.replace("  GBP: 1.17\n", "  GBP: 1.3\n"), encoding="utf-8")
    assert reads_alike(sla, load_sla(stricter))
    assert not reads_alike(sla, load_sla(rates))
