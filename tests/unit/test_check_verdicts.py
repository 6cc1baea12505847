"""`leadbot check` on `verdict_reasons`: each defect at its file:line:col, and the console's
cheap read of the reasons alone.

Each case is the shipped sla.yml with one edit (lines found by text, as in test_check.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sla import load_sla
from bot.sla.verdicts import VerdictReasons, load_verdict_reasons
from tests.unit.test_check import CONTRACT_DOMAIN, SHIPPED, Broken, assert_reported_where_broken

_ACCEPT_BLOCK = """  accept:
    - key: fits
      label: "Fits the SLA: real need, budget and authority"
    - key: known_account
      label: "Known account or open opportunity"
    - key: other
      label: "Other (say why)"
"""

BROKEN = [
    Broken(
        "key_with_spaces_and_capitals",
        "    - key: no_authority\n",
        '    - key: "No Authority"\n',
        (
            (
                ('key: "No Authority"', '"No Authority"'),
                "verdict reason key 'No Authority': use lower-case letters, digits and _ "
                "(it is stored with every verdict; e.g. no_budget)",
            ),
        ),
    ),
    Broken(
        "key_listed_twice",
        "    - key: wrong_timing\n",
        "    - key: no_budget\n",
        (
            (
                ("reject:", "key: no_budget", "key: no_budget", "no_budget"),
                "verdict reason key 'no_budget' is listed twice under reject",
            ),
        ),
    ),
    Broken(
        "empty_label",
        '      label: "Known account or open opportunity"',
        '      label: "  "',
        ((('label: "  "', '"  "'), "verdict reason 'known_account': the label is empty"),),
    ),
    Broken(
        "misspelt_list",
        "  reject:\n    - key: no_budget\n",
        "  rejects:\n    - key: no_budget\n",
        ((("verdict_reasons:", "rejects"), "unknown key 'rejects'; did you mean 'reject'?"),),
    ),
    Broken(
        "no_accept_reasons",
        _ACCEPT_BLOCK,
        "  accept: []\n",
        ((("verdict_reasons:", "accept"), "verdict_reasons.accept: give at least one reason for sales to pick"),),
    ),
]


@pytest.fixture
def domain(tmp_path: Path) -> Path:
    path = tmp_path / "domain.yml"
    path.write_text(CONTRACT_DOMAIN, encoding="utf-8")
    return path


@pytest.fixture
def shipped_text() -> str:
    return SHIPPED.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", BROKEN, ids=[case.name for case in BROKEN])
def test_broken_verdict_reasons_are_reported_at_the_offending_line(
    case: Broken, shipped_text: str, tmp_path: Path, domain: Path
) -> None:
    assert_reported_where_broken(case, shipped_text, tmp_path, domain)


def test_the_console_reads_the_same_reasons_as_the_sla_and_follows_edits(tmp_path: Path) -> None:
    assert load_verdict_reasons(SHIPPED) == load_sla(SHIPPED).verdict_reasons
    path = tmp_path / "sla.yml"
    path.write_text("verdict_reasons:\n  reject:\n    - {key: spam, label: Spam}\n", encoding="utf-8")
    assert [r.key for r in load_verdict_reasons(path).reject] == ["spam"]
    path.write_text("verdict_reasons: [not, a, mapping\n", encoding="utf-8")
    assert load_verdict_reasons(path) == VerdictReasons()  # a broken file: the defaults, check says why
