"""`check_sla`: every defect marketing can make in sla.yml, reported at its line.

Each broken SLA is the shipped sla.yml with one edit, written to a temporary file, so
the cases keep following the real file (lines are found by text, not hard-coded).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.sla import Problem, SLAError, check_sla, load_sla

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "sla.yml"
DOMAIN = ROOT / "domain.yml"
# The slots DESIGN.md promises the domain has; the broken cases check against exactly
# these so that their messages do not change when the real domain grows.
CONTRACT_DOMAIN = """\
version: "3.1"
slots:
  need: {type: text}
  budget: {type: text}
  role: {type: text}
  timing: {type: text}
  name: {type: text}
  email: {type: text}
  company: {type: text}
  contact_consent: {type: bool}
"""

Message = str | Callable[[str], str]  # a callable gets the broken text (for "first at line N")


@dataclass(frozen=True)
class Broken:
    """One defect: replace `old` by `new` in sla.yml, expect these problems.

    Each expected problem is (needles, message): the problem is at the first occurrence
    of the last needle after the previous ones, e.g. ("slot: role", "ask:"); repeat a
    needle to get its second occurrence.
    """

    name: str
    old: str
    new: str
    expected: tuple[tuple[tuple[str, ...], Message], ...]


def _position(text: str, needles: tuple[str, ...]) -> tuple[int, int]:
    index = -1
    for needle in needles:
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def _line_of(*needles: str) -> Callable[[str], int]:
    return lambda text: _position(text, needles)[0]


BROKEN = [
    Broken(
        "unknown_top_level_key",
        "sales_language: en",
        "sales_langauge: en",
        ((("sales_langauge",), "unknown key 'sales_langauge'; did you mean 'sales_language'?"),),
    ),
    Broken(
        "misspelt_question_key",
        '    ask:\n      en: "What is your role',
        '    asks:\n      en: "What is your role',
        (
            (("- slot: role", "slot: role"), "missing required key 'ask'"),
            (("slot: role", "asks:"), "unknown key 'asks'; did you mean 'ask'?"),
        ),
    ),
    Broken(
        "unsupported_version",
        "version: 1",
        "version: 2",
        ((("version: ", "2"), "unsupported version 2; this assistant reads version 1"),),
    ),
    Broken(
        "misspelt_need_phrase_kind",
        "      interest:\n",
        "      intrest:\n",
        ((("phrases:", "intrest"), "'intrest' is not a kind of need answer; did you mean 'interest'?"),),
    ),
    Broken(
        "misspelt_criterion",
        "\n  role:\n    rules:",
        "\n  roles:\n    rules:",
        (
            (("- slot: role", "role"), "slot 'role' has no scoring rules under criteria; did you mean 'roles'?"),
            (("\n  roles:", "roles"), "unknown criterion 'roles'; did you mean 'role'?"),
        ),
    ),
    Broken(
        "points_not_a_number",
        "{when: pain, points: 30,",
        "{when: pain, points: thirty,",
        (
            (
                ("when: pain, points: ", "thirty"),
                "criteria.need.rules.0.points: expected a whole number, got text 'thirty'",
            ),
        ),
    ),
    Broken(
        "fractional_points",
        "{when: individual, points: 8,",
        "{when: individual, points: 7.5,",
        ((("when: individual, points: ", "7.5"), "criteria.role.rules.2.points: expected a whole number, got 7.5"),),
    ),
    Broken(
        "languages_not_a_list",
        "languages: [en, es]",
        "languages: en",
        ((("languages: ", "en"), "languages: expected a list, got text 'en'"),),
    ),
    Broken(
        "knock_out_not_a_flag",
        "{when: none, points: 0, knock_out: true,",
        "{when: none, points: 0, knock_out: sometimes,",
        (
            (
                ("knock_out: ", "sometimes"),
                "criteria.need.rules.2.knock_out: expected true or false, got text 'sometimes'",
            ),
        ),
    ),
    Broken(
        "duplicate_key",
        "currency: EUR\n",
        "currency: EUR\ncurrency: USD\n",
        (
            (
                ("currency: USD",),
                lambda text: f"duplicate key 'currency' (first given at line {_line_of('currency: EUR')(text)})",
            ),
        ),
    ),
    Broken(
        "yaml_syntax_error",
        '    value: "4000 EUR per year"',
        '    value: "4000 EUR per year',
        # libyaml reads the unclosed quote up to the next `"` and then trips on `en`.
        (
            (
                ('value: "4000 EUR per year', 'en: "€5k', "€5k"),
                lambda text: (
                    "YAML syntax error: did not find expected key (while parsing a block mapping from line "
                    f"{_line_of('- title: {en: ', 'title')(text)})"
                ),
            ),
        ),
    ),
    Broken(
        "slot_neither_in_domain_nor_criteria",
        "- slot: timing",
        "- slot: deadline",
        (
            (
                # a question of marketing's own needs no domain slot, only its criterion
                ("- slot: deadline", "deadline"),
                "slot 'deadline' has no scoring rules under criteria; expected one of: need, budget, role, timing",
            ),
        ),
    ),
    Broken(
        "question_slot_without_criterion",
        "- slot: timing",
        "- slot: company",
        (
            (
                ("- slot: company", "company"),
                "slot 'company' has no scoring rules under criteria; expected one of: need, budget, role, timing",
            ),
        ),
    ),
    Broken(
        "slot_asked_twice",
        "\n  - slot: budget",
        "\n  - slot: need\n    ask: {en: a, es: b}\n    why: {en: a, es: b}\n    hint: {en: a, es: b}\n"
        "\n  - slot: budget",
        (
            (
                ("- slot: need", "- slot: need", "need"),
                lambda text: f"slot 'need' is asked twice (first at line {_line_of('- slot: need')(text)})",
            ),
        ),
    ),
    Broken(
        "missing_spanish_question_text",
        '      es: "¿Cuál es tu puesto en la empresa?"\n',
        "",
        ((("slot: role", "ask:"), "missing 'es' text"),),
    ),
    Broken(
        "missing_spanish_button_title",
        '{en: "As soon as possible", es: "Lo antes posible"}',
        '{en: "As soon as possible"}',
        ((('- title: {en: "As soon as possible', "title"), "missing 'es' text"),),
    ),
    Broken(
        "empty_follow_up_text",
        '    es: "Una persona de nuestro equipo',
        '    es: ""\n    xx: "Una persona de nuestro equipo',
        ((("follow_up:", 'es: ""', '""'), "empty 'es' text"),),
    ),
    Broken(
        "sales_language_not_spoken",
        "sales_language: en",
        "sales_language: fr",
        ((("sales_language: ", "fr"), "sales_language 'fr' is not one of languages (en, es)"),),
    ),
    Broken(
        "points_do_not_add_up",
        "{when: pain, points: 30,",
        "{when: pain, points: 35,",
        (
            (
                ("\ncriteria:", "criteria:"),
                "best points add up to 105, not 100 (need 35 + budget 25 + role 25 + timing 20 + viewed_pricing 0)",
            ),
        ),
    ),
    Broken(
        "overlapping_budget_ranges",
        "{min: 5000, max: 10000,",
        "{min: 5000, max: 12000,",
        ((("{min: 10000",), "range [10000, ∞) overlaps [5000, 12000)"),),
    ),
    Broken(
        "gap_between_timing_ranges",
        "{min: 3.01, max: 6.01,",
        "{min: 3.5, max: 6.01,",
        ((("{min: 3.5",), "gap: no rule scores 3.01 up to 3.5"),),
    ),
    Broken(
        "highest_range_closed",
        "{min: 12.01, points: 0,",
        "{min: 12.01, max: 24, points: 0,",
        ((("{min: 12.01",), "gap: no rule scores 24 or more (leave out `max` on the highest range)"),),
    ),
    Broken(
        "empty_range",
        "{min: 12.01, points: 0,",
        "{min: 12.01, max: 12.01, points: 0,",
        (
            # the empty range cannot close the top, so the range below it now ends the scale
            (("{min: 6.01",), "gap: no rule scores 12.01 or more (leave out `max` on the highest range)"),
            (("{min: 12.01",), "empty range: min 12.01 is not below max 12.01"),
        ),
    ),
    Broken(
        "misspelt_when_kind",
        "{when: pain,",
        "{when: pian,",
        ((("{when: ", "pian"), "'pian' is not a kind of need answer; did you mean 'pain'?"),),
    ),
    Broken(
        "when_kind_of_another_criterion",
        "{when: undecided, points: 10,",
        "{when: interest, points: 10,",
        (
            # ...so the "Not decided yet" button no longer scores either
            (
                ('value: "not decided yet"', '"not decided yet"'),
                "button value 'not decided yet' reads as undecided but no budget rule scores it",
            ),
            (
                ("{when: ", "interest, points: 10"),
                "'interest' is not a kind of budget answer; use one of: undecided, none, unknown",
            ),
        ),
    ),
    Broken(
        "rule_with_when_and_range",
        '{when: none, points: 0, explain: "no budget"}',
        '{when: none, min: 0, points: 0, explain: "no budget"}',
        ((("{when: none, min: 0",), "a rule takes either `when` or a `min`/`max` range, not both"),),
    ),
    Broken(
        "tiers_out_of_order",
        "  nurture: 40",
        "  nurture: 80",
        ((("nurture: ", "80"), "tiers.nurture (80) must be below tiers.sales_ready (70)"),),
    ),
    Broken(
        "tier_above_100",
        "  sales_ready: 70",
        "  sales_ready: 170",
        ((("sales_ready: ", "170"), "tiers.sales_ready must be between 0 and 100, got 170"),),
    ),
    Broken(
        "negative_points",
        '{when: none, points: 0, explain: "no budget"}',
        '{when: none, points: -5, explain: "no budget"}',
        ((("points: ", "-5"), "points must not be negative, got -5"),),
    ),
    Broken(
        "exchange_rate_zero",
        "  USD: 0.92",
        "  USD: 0",
        ((("USD: ", "0"), "exchange rate for USD must be positive, got 0"),),
    ),
    Broken(
        "follow_up_within_zero_minutes",
        "within_minutes: 60",
        "within_minutes: 0",
        ((("within_minutes: ", "0"), "follow_up.within_minutes must be positive, got 0"),),
    ),
    Broken(
        "button_value_not_understood",
        'value: "in 9 months"',
        'value: "purple"',
        ((('value: "purple"', '"purple"'), "button value 'purple' is not understood as a timing answer"),),
    ),
    Broken(
        "button_value_no_rule_scores",
        '      - {when: none, points: 0, explain: "no purchase plans"}\n',
        "",
        ((('value: "no plans"', '"no plans"'), "button value 'no plans' reads as none but no timing rule scores it"),),
    ),
]


@pytest.fixture(scope="module")
def shipped_text() -> str:
    return SHIPPED.read_text(encoding="utf-8")


def _write_broken(case: Broken, shipped_text: str, directory: Path) -> tuple[Path, str]:
    assert shipped_text.count(case.old) >= 1, f"sla.yml changed: {case.old!r} is gone, update case {case.name}"
    text = shipped_text.replace(case.old, case.new, 1)
    path = directory / f"{case.name}.yml"
    path.write_text(text, encoding="utf-8")
    return path, text


@pytest.fixture()
def domain(tmp_path: Path) -> Path:
    path = tmp_path / "domain.yml"
    path.write_text(CONTRACT_DOMAIN, encoding="utf-8")
    return path


def assert_reported_where_broken(case: Broken, shipped_text: str, directory: Path, domain: Path) -> None:
    """The shipped SLA with the case's edit gives exactly the case's problems, at their lines."""
    path, text = _write_broken(case, shipped_text, directory)

    found = [str(problem) for problem in check_sla(path, domain_path=domain)]

    expected = []
    for needles, message in case.expected:
        line, col = _position(text, needles)
        expected.append(f"{path}:{line}:{col}: {message(text) if callable(message) else message}")
    assert found == expected


@pytest.mark.parametrize("case", BROKEN, ids=[case.name for case in BROKEN])
def test_broken_sla_is_reported_at_the_offending_line(
    case: Broken, shipped_text: str, tmp_path: Path, domain: Path
) -> None:
    assert_reported_where_broken(case, shipped_text, tmp_path, domain)


def test_there_are_at_least_twelve_broken_slas() -> None:
    assert len(BROKEN) >= 12


def test_problems_come_sorted_by_line(shipped_text: str, tmp_path: Path) -> None:
    path = tmp_path / "sla.yml"
    text = shipped_text.replace("within_minutes: 60", "within_minutes: 0").replace("  USD: 0.92", "  USD: -1")
    text = text.replace("{when: pain, points: 30,", "{when: pain, points: 31,")
    path.write_text(text, encoding="utf-8")

    lines = [problem.line for problem in check_sla(path, domain_path=None)]

    assert len(lines) == 3
    assert lines == sorted(lines)


def test_shipped_sla_checks_clean_against_the_domain() -> None:
    if not DOMAIN.exists():
        pytest.skip("domain.yml does not exist yet, so the slots cannot be checked against it")
    assert [str(p) for p in check_sla(SHIPPED, domain_path=DOMAIN)] == []


def test_a_slot_missing_from_the_domain_is_reported(shipped_text: str, tmp_path: Path) -> None:
    domain = tmp_path / "domain.yml"
    domain.write_text(CONTRACT_DOMAIN.replace("  timing: {type: text}\n", ""), encoding="utf-8")
    path = tmp_path / "sla.yml"
    path.write_text(shipped_text, encoding="utf-8")
    line, col = _position(shipped_text, ("- slot: timing", "timing"))

    problems = check_sla(path, domain_path=domain)

    assert [(p.line, p.col, p.message.split(";")[0]) for p in problems] == [
        (line, col, "slot 'timing' is not a slot in the domain")
    ]


def test_domain_check_is_skipped_when_there_is_no_domain(shipped_text: str, tmp_path: Path) -> None:
    path = tmp_path / "sla.yml"
    path.write_text(shipped_text.replace("- slot: role", "- slot: timing", 1), encoding="utf-8")

    messages = [p.message for p in check_sla(path, domain_path=tmp_path / "no-domain.yml")]

    assert not any("domain" in message for message in messages)
    assert any("asked twice" in message for message in messages)


def test_an_empty_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "sla.yml"
    path.write_text("# nothing yet\n")

    assert [str(p) for p in check_sla(path)] == [f"{path}:1:1: expected a mapping of SLA keys, got an empty file"]


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "nope.yml"

    assert [str(p) for p in check_sla(path)] == [f"{path}:1:1: file not found"]


def test_load_sla_raises_every_structural_problem(shipped_text: str, tmp_path: Path) -> None:
    path = tmp_path / "sla.yml"
    text = shipped_text.replace("sales_language: en", "sales_langauge: en").replace(
        "within_minutes: 60", "within_minutes: soon"
    )
    path.write_text(text, encoding="utf-8")

    with pytest.raises(SLAError) as raised:
        load_sla(path)

    assert [p.line for p in raised.value.problems] == [
        _position(text, ("sales_langauge",))[0],
        _position(text, ("within_minutes: soon",))[0],
    ]
    assert str(raised.value).splitlines() == [str(p) for p in raised.value.problems]


def test_load_sla_leaves_semantic_checks_to_check_sla(shipped_text: str, tmp_path: Path) -> None:
    path = tmp_path / "sla.yml"
    path.write_text(shipped_text.replace("  nurture: 40", "  nurture: 80"), encoding="utf-8")

    assert load_sla(path).tiers.nurture == 80
    assert [p.message for p in check_sla(path, domain_path=None)] == [
        "tiers.nurture (80) must be below tiers.sales_ready (70)"
    ]


def test_problem_prints_as_file_line_col_message() -> None:
    assert str(Problem("sla.yml", 12, 3, "missing 'es' text")) == "sla.yml:12:3: missing 'es' text"
