"""`leadbot check` on `product_answers` and `nurture_content`: each defect at its file:line:col.

Each case is the shipped sla.yml with one edit (lines found by text, as in test_check.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sla import check_sla
from tests.unit.test_check import CONTRACT_DOMAIN, SHIPPED, Broken, _position, assert_reported_where_broken

_NO_SALES_READY = "(sales-ready leads are handed to sales, not sent a resource); expected one of: nurture, disqualified"

BROKEN = [
    Broken(
        "topic_without_spanish_examples",
        "        es:\n          - qué idiomas soporta?",
        "        fr:\n          - qué idiomas soporta?",
        (
            (("    languages:", "examples:"), "topic 'languages' has no 'es' examples"),
            (("    languages:", "fr:"), "'fr' is not one of languages (en, es)"),
        ),
    ),
    Broken(
        "topic_without_spanish_answer",
        '\n        es: "El asistente habla inglés y español por ahora',
        '\n        ES: "El asistente habla inglés y español por ahora',
        ((("    languages:", "answer:"), "missing 'es' text"),),
    ),
    Broken(
        "example_claimed_by_two_topics",
        "          - is there a free trial?\n",
        "          - is there a free trial?\n          - How much does it COST\n",
        ((("How much does it COST",), "example 'How much does it COST' is given for both pricing and trial"),),
    ),
    Broken(
        "example_of_a_topic_also_in_other_questions",
        "      - are you hiring?\n",
        "      - are you hiring?\n      - ¿Hay prueba GRATUITA?\n",
        (
            (
                ("¿Hay prueba GRATUITA?",),
                "example '¿Hay prueba GRATUITA?' is given for both trial and other_questions",
            ),
        ),
    ),
    Broken(
        "empty_topic",
        "  topics:\n    pricing:\n",
        "  topics:\n    refunds: {}\n    pricing:\n",
        ((("refunds:",), "topic 'refunds' is empty: give it examples and an answer, or remove it"),),
    ),
    Broken(
        "misspelt_match_key",
        "- match: {tier: nurture, need: pain,",
        "- match: {tier: nurture, nede: pain,",
        ((("nede:",), "'nede' is not something a nurture rule can match; did you mean 'need'?"),),
    ),
    Broken(
        "resource_for_sales_ready",
        "- match: {tier: disqualified, role: no_authority}",
        "- match: {tier: sales_ready, role: no_authority}",
        ((("tier: sales_ready", "sales_ready"), f"'sales_ready' is not a tier value here {_NO_SALES_READY}"),),
    ),
    Broken(
        "unknown_need_value",
        "- match: {tier: nurture, need: pain,",
        "- match: {tier: nurture, need: pian,",
        ((("need: pian", "pian"), "'pian' is not a need value here; did you mean 'pain'?"),),
    ),
    Broken(
        "rule_after_a_catch_all",
        "    - match: {tier: nurture}\n",
        "    - match: {}\n",
        ((("match: {tier: disqualified",), "rule 2 matches every lead: this rule never fires"),),
    ),
    Broken(
        "url_that_is_no_web_address",
        'url: {en: "https://pipewise.example/academy"',
        'url: {en: "pipewise.example/academy"',
        ((('"pipewise.example/academy"',), "'pipewise.example/academy' is not a web address (https://...)"),),
    ),
    Broken(
        "resource_title_missing_spanish",
        'title: {en: "Our blog on lead management", es: "Nuestro blog sobre gestión de leads"}',
        'title: {en: "Our blog on lead management"}',
        ((("  default:", "title:"), "missing 'es' text"),),
    ),
]


@pytest.fixture(scope="module")
def shipped_text() -> str:
    return SHIPPED.read_text(encoding="utf-8")


@pytest.fixture()
def domain(tmp_path: Path) -> Path:
    path = tmp_path / "domain.yml"
    path.write_text(CONTRACT_DOMAIN, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", BROKEN, ids=[case.name for case in BROKEN])
def test_broken_content_is_reported_at_the_offending_line(
    case: Broken, shipped_text: str, tmp_path: Path, domain: Path
) -> None:
    assert_reported_where_broken(case, shipped_text, tmp_path, domain)


def test_an_sla_without_nurture_content_is_refused(shipped_text: str, tmp_path: Path, domain: Path) -> None:
    path = tmp_path / "sla.yml"
    path.write_text(shipped_text[: shipped_text.index("\n# What a nurture or disqualified lead")] + "\n")
    found = [str(problem) for problem in check_sla(path, domain_path=domain)]
    line, col = _position(path.read_text(), ("version: 1",))
    assert found == [
        f"{path}:{line}:{col}: missing nurture_content: the nurture and disqualified closing messages "
        "offer its resource (see docs/sla.md)"
    ]
