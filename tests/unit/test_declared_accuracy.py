"""Held-out floors for declared criteria: a regression in the typed parsers fails CI.

`eval/declared/answers.yml` was written blind (the question texts and what each label means,
never the parsers, their tables or the example SLAs' synonyms). The floors sit a little below
what the test half scores today; `benchmarks/bench_declared.py` prints the full report.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.evaluation_declared import ANSWERS, Outcome, correct, evaluate, load

ROOT = Path(__file__).resolve().parents[2]
FLOORS = {"test": 0.82, "all": 0.85}


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    return evaluate()


@pytest.mark.parametrize("half", sorted(FLOORS))
def test_declared_answers_are_read_above_the_floor(outcomes: list[Outcome], half: str) -> None:
    scored = [o for o in outcomes if o.item.question in o.item.labels and half in ("all", o.item.half)]
    share = sum(correct(o) for o in scored) / len(scored)
    assert share >= FLOORS[half], f"{half}: {share:.1%} < {FLOORS[half]:.0%}"


def test_incidental_words_never_fill_a_declared_criterion(outcomes: list[Outcome]) -> None:
    filled = [(o.item.id, o.false_fills) for o in outcomes if o.false_fills]
    assert len(filled) <= 0.01 * len(outcomes), filled


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def test_no_declared_evaluation_text_is_in_the_parsers_tables_or_the_examples() -> None:
    evaluation = {_normal(item.text) for item in load(ANSWERS)}
    shaped = " ".join(
        _normal(path.read_text(encoding="utf-8"))
        for path in [*(ROOT / "tests" / "unit" / "phrasings").glob("*.yml"), *(ROOT / "examples").glob("*.yml")]
    )
    copied = sorted(t for t in evaluation if len(t.split()) >= 6 and t in shaped)
    assert not copied, f"evaluation texts found in tables or examples: {copied[:10]}"


def test_the_declared_set_is_bilingual_and_covers_every_type() -> None:
    items = yaml.safe_load(ANSWERS.read_text(encoding="utf-8"))["items"]
    assert {i["lang"] for i in items} == {"en", "es"}
    assert {"company_size", "industry", "has_project", "surface"} <= {i["question"] for i in items}
