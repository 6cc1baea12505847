"""Role parser: table of real titles and authority statements in English and Spanish.

Table rows are answers to "what is your role?" (lenient mode).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.parse.base import Criterion, Kind
from bot.parse.role import parse_role

TABLE = yaml.safe_load((Path(__file__).parent / "phrasings" / "role.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("text", "role"), TABLE, ids=[row[0] for row in TABLE])
def test_role_phrasing_is_read_as_expected(text: str, role: str | None) -> None:
    answer = parse_role(text)
    assert answer.criterion is Criterion.ROLE
    assert answer.value == role, answer.reason
    assert answer.kind is (Kind.UNKNOWN if role is None else Kind.VALUE)


def test_title_as_said_is_kept_for_the_sales_summary() -> None:
    answer = parse_role("Hi, I'm the VP Sales at Acme")
    assert answer.extra["title"] == "VP Sales"
    assert answer.reason == "'VP Sales' is a decision-maker title"


def test_acting_title_keeps_its_class_and_notes_it() -> None:
    answer = parse_role("CEO (acting)")
    assert answer.value == "decision_maker"
    assert answer.extra == {"title": "CEO (acting)", "qualifier": "acting"}


def test_negated_title_loses_to_the_stated_one() -> None:
    assert parse_role("I'm not the CEO, I'm his assistant").value == "individual"


def test_case_and_dots_do_not_matter() -> None:
    assert parse_role("c.e.o.").value == parse_role("CEO").value == "decision_maker"


@pytest.mark.parametrize(
    "text", ["our CEO wants better leads", "the manager asked me to look", "we have 20 reps", "hello"]
)
def test_strict_mode_needs_the_visitor_to_talk_about_themself(text: str) -> None:
    assert not parse_role(text, strict=True).understood


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Hi, I'm the CTO at Acme", "decision_maker"),
        ("soy la directora comercial de una pyme", "decision_maker"),
        ("as a team lead I want this", "influencer"),
        ("my boss decides", "influencer"),
    ],
)
def test_strict_mode_reads_self_descriptions(text: str, role: str) -> None:
    assert parse_role(text, strict=True).value == role
