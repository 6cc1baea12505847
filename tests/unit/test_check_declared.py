"""`leadbot check` on the criteria marketing declares: each mistake at the line to change.

The example SLAs pass as shipped; each case below breaks one thing in the B2B SaaS example.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from bot.sla import check_sla
from tests.conftest import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.yml"))


def _installed(example: Path, tmp_path: Path) -> Path:
    # Beside a `training` link in tmp_path (tests/conftest.py), as the stack installs them.
    path = tmp_path / example.name
    path.write_text(example.read_text().replace("../training/", "training/"))
    return path


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_example_slas_pass_the_check(example: Path, tmp_path: Path) -> None:
    assert [str(p) for p in check_sla(_installed(example, tmp_path))] == []


def test_there_are_at_least_two_examples_of_different_businesses() -> None:
    assert len(EXAMPLES) >= 2


class Broken(NamedTuple):
    name: str
    old: str
    new: str
    at: str  # the text the problem must point at (its first character), in the broken file
    message: str


CASES = [
    Broken(
        "unknown_type",
        "    type: number\n",
        "    type: numbr\n",
        "numbr",
        "unknown type 'numbr'; did you mean 'number'?",
    ),
    Broken(
        "synonym_claimed_twice",
        "fintech: {en: [fintech, payments, banking, insurtech",
        "fintech: {en: [fintech, payments, saas, insurtech",
        "saas, insurtech",
        "'saas' is claimed by 'software' and 'fintech'; keep it in one",
    ),
    Broken(
        "in_value_never_fires",
        "- {in: [ecommerce, services], points: 3",
        "- {in: [ecommerce, service], points: 3",
        "service]",
        "'service' is not one of industry's choices; this never fires; did you mean 'services'?",
    ),
    Broken(
        "value_scored_twice",
        "- {in: [ecommerce, services], points: 3",
        "- {in: [ecommerce, fintech], points: 3",
        "fintech], points: 3",
        "'fintech' is already scored by rule 1; this never fires",
    ),
    Broken(
        "points_do_not_add_up",
        '- {min: 50, points: 10, explain: "50 or more employees"}',
        '- {min: 50, points: 12, explain: "50 or more employees"}',
        "criteria:",
        "best points add up to 102, not 100",
    ),
    Broken(
        "choice_missing_a_language",
        "germany: {en: [germany, berlin, munich], es: [alemania, berlín, múnich]}",
        "germany: {en: [germany, berlin, munich]}",
        "germany:",
        "choice 'germany' has no 'es' synonyms",
    ),
    Broken(
        "unit_missing_a_language",
        "unit: {en: employees, es: empleados}",
        "unit: {en: employees}",
        "unit:",
        "missing 'es' text",
    ),
    Broken(
        "invalid_page_pattern",
        'patterns: ["/pricing*", "/case-studies/*"]',
        'patterns: ["/pricing*", "case studies"]',
        '"case studies"',
        "'case studies' is not a page pattern",
    ),
    Broken(
        "unknown_signal", "signal: pages", "signal: pagez", "pagez", "unknown signal 'pagez'; did you mean 'pages'?"
    ),
    Broken(
        "criterion_without_type",
        "  company_size:\n    type: number\n",
        "  company_size:\n",
        "company_size:\n    unit",
        "criterion 'company_size' needs a `type`",
    ),
    Broken(
        "range_on_a_choice",
        '- {in: [ecommerce, services], points: 3, explain: "an industry we serve"}',
        '- {min: 3, points: 3, explain: "an industry we serve"}',
        "{min: 3",
        "industry answers are not numbers; use `when`, not min/max",
    ),
    Broken(
        "when_not_a_choice",
        '- {when: unknown, points: 0, explain: "an industry we don\'t list"}',
        '- {when: fintec, points: 0, explain: "an industry we don\'t list"}',
        "fintec",
        "'fintec' is not a kind of industry answer; did you mean 'fintech'?",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_broken_declared_criterion_is_reported_at_its_line(case: Broken, tmp_path: Path) -> None:
    text = (ROOT / "examples" / "saas-b2b.yml").read_text().replace("../training/", "training/")
    assert case.old in text, case.old
    broken = text.replace(case.old, case.new, 1)
    path = tmp_path / "sla.yml"
    path.write_text(broken)
    offset = broken.index(case.at, broken.index(case.new) if case.at in case.new else 0)
    line = broken.count("\n", 0, offset) + 1
    col = offset - (broken.rfind("\n", 0, offset) + 1) + 1
    problems = [str(p) for p in check_sla(path)]
    expected = f"{path}:{line}:{col}: {case.message}"
    assert any(p.startswith(expected) for p in problems), "\n".join(problems)


def test_a_behaviour_criterion_cannot_be_asked(tmp_path: Path) -> None:
    text = (ROOT / "examples" / "saas-b2b.yml").read_text().replace("../training/", "training/")
    question = (
        "  - slot: pricing_interest\n    ask: {en: a, es: a}\n    why: {en: a, es: a}\n    hint: {en: a, es: a}\n\n"
    )
    broken = text.replace("  - slot: timing\n", question + "  - slot: timing\n", 1)
    path = tmp_path / "sla.yml"
    path.write_text(broken)
    problems = [str(p) for p in check_sla(path)]
    line = broken.count("\n", 0, broken.index("- slot: pricing_interest")) + 1
    assert any(f":{line}:" in p and "computed from the page; it takes no question" in p for p in problems), problems
