"""Corrections of declared criteria said on a cue ("perdona, en realidad somos 60"), read offline.

A cue lets the one answered number or choice it fits be read as leniently as the question pending;
a cue that could mean several answers, or none, changes nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.conversation.dialogue import read_turn
from bot.conversation.typed import slot_view
from bot.sla import load_sla

ROOT = Path(__file__).resolve().parents[2]
SAAS = load_sla(ROOT / "examples" / "saas-b2b.yml")
ANSWERED = {"need": "our leads go cold", "criteria_answers": {"company_size": "about 25", "country": "Lisboa"}}


def _read(text: str, pending: str = "budget") -> tuple[dict, list[str]]:
    reading = read_turn(
        text,
        intent="inform",
        requested=pending,
        slots=slot_view(ANSWERED),
        misses=None,
        sla=SAAS,
        today=date(2026, 12, 1),
    )
    return reading.fills, reading.corrected


def test_a_bare_number_on_a_correction_cue_corrects_the_one_number_answered() -> None:
    fills, corrected = _read("ah perdona, en realidad somos 60 ya")
    assert corrected == ["company_size"] and fills["company_size"].startswith("ah perdona")
    assert SAAS.criteria["company_size"].read(fills["company_size"], "company_size", strict=False).value == 60


def test_without_a_cue_a_bare_number_never_changes_an_answer() -> None:
    fills, corrected = _read("somos 60 ya")
    assert "company_size" not in fills and corrected == []


def test_a_cue_naming_the_same_option_is_no_correction() -> None:
    fills, corrected = _read("perdona, quise decir que estamos en Oporto")  # Lisbon and Porto are both Portugal
    assert "country" not in fills and corrected == []
