"""The SLA models, `load_sla` and hot reload through `SLAStore`.

The defect-by-defect checks of `check_sla` are in test_check.py.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

import bot.sla.reload
from bot.sla import SLA, CriterionSpec, Rule, SLAError, SLAStore, current_sla, load_sla

SHIPPED = Path(__file__).resolve().parents[2] / "sla.yml"


@pytest.fixture(scope="module")
def shipped() -> SLA:
    return load_sla(SHIPPED)


@pytest.fixture()
def sla_file(tmp_path: Path) -> Path:
    path = tmp_path / "sla.yml"
    path.write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def _edit(path: Path, old: str, new: str) -> None:
    """Edit the file the way an editor does, moving mtime on so coarse clocks cannot hide it."""
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))


# The shipped sla.yml is marketing's to edit: these check what must hold for any valid edit of
# it, read from the file, never the numbers it ships with today.


def test_shipped_sla_passes_the_checker_and_asks_each_criterion_once(shipped: SLA) -> None:
    from bot.sla import check_sla

    assert check_sla(SHIPPED, SHIPPED.parent / "domain.yml") == []
    assert len(shipped.slots) == len(set(shipped.slots)) and set(shipped.slots) <= set(shipped.criteria)
    assert shipped.sales_language in shipped.languages and shipped.languages
    assert len(shipped.currency) == 3 and shipped.currency.isupper()
    assert shipped.currency not in shipped.exchange_rates and all(r > 0 for r in shipped.exchange_rates.values())


def test_shipped_tiers_are_ordered_and_the_follow_up_is_said_in_every_language(shipped: SLA) -> None:
    assert 0 < shipped.tiers.nurture < shipped.tiers.sales_ready <= 100
    assert shipped.follow_up.within_minutes > 0
    assert all(shipped.follow_up.text.get(language) for language in shipped.languages)


def test_shipped_best_points_add_up_to_100(shipped: SLA) -> None:
    best = sum(spec.max_points for spec in shipped.criteria.values())
    assert best + sum(e.points for e in shipped.extra_criteria.values()) == 100
    assert all(rule.points >= 0 for spec in shipped.criteria.values() for rule in spec.rules)


def test_question_is_found_by_slot(shipped: SLA) -> None:
    for slot in shipped.slots:
        question = shipped.question(slot)
        assert question is not None and question.slot == slot
        assert all(shipped.text(question.ask, language) for language in shipped.languages)
    assert shipped.question("email") is None


def test_text_falls_back_to_the_first_language(shipped: SLA) -> None:
    assert shipped.text({"en": "Hello", "es": "Hola"}, "es") == "Hola"
    assert shipped.text({"en": "Hello"}, "es") == "Hello"
    assert shipped.text({"de": "Hallo"}, "fr") == "Hallo"


def test_range_rule_includes_min_and_excludes_max() -> None:
    rule = Rule(min=5000, max=10000, points=15)
    assert rule.is_range
    assert rule.matches_value(5000)
    assert rule.matches_value(9999.99)
    assert not rule.matches_value(10000)


def test_open_ended_range_rule_matches_everything_above_min() -> None:
    rule = Rule(min=10000, points=25)
    assert rule.is_range
    assert rule.matches_value(1e9)
    assert not rule.matches_value(9999)


def test_kind_rule_is_not_a_range() -> None:
    rule = Rule(when="undecided", points=10)
    assert not rule.is_range
    assert not rule.matches_value(0)


def test_max_points_is_the_best_rule() -> None:
    spec = CriterionSpec(rules=[Rule(when="pain", points=30), Rule(when="interest", points=15)])
    assert spec.max_points == 30


@pytest.mark.parametrize("points", [7.5, "30", True])
def test_points_must_be_a_whole_number(points: object) -> None:
    # pydantic would otherwise turn 7.5 into 7 and true into 1 without a word.
    with pytest.raises(ValueError, match="expected a whole number"):
        Rule(when="pain", points=points)


def test_sla_is_immutable(shipped: SLA) -> None:
    with pytest.raises(TypeError):
        shipped.currency = "USD"  # type: ignore[misc]


def test_load_sla_raises_on_a_yaml_syntax_error(sla_file: Path) -> None:
    _edit(sla_file, "languages: [en, es]", "languages: [en, es")

    with pytest.raises(SLAError) as raised:
        load_sla(sla_file)

    (problem,) = raised.value.problems
    assert problem.file == str(sla_file)
    assert problem.message.startswith("YAML syntax error: ")


# --- hot reload ----------------------------------------------------------------------


def test_store_reads_an_unchanged_file_only_once(sla_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    analyse = bot.sla.reload._analyse
    monkeypatch.setattr(bot.sla.reload, "_analyse", lambda *args: calls.append(args) or analyse(*args))
    store = SLAStore(domain_path=None)

    first = store.get(sla_file)
    for _ in range(5):
        assert store.get(sla_file) is first

    assert len(calls) == 1


def test_store_picks_up_a_valid_edit(sla_file: Path) -> None:
    store = SLAStore(domain_path=None)
    assert store.get(sla_file).tiers.sales_ready == 70

    _edit(sla_file, "  sales_ready: 70", "  sales_ready: 75")

    assert store.get(sla_file).tiers.sales_ready == 75


def test_store_keeps_the_last_good_sla_on_an_invalid_edit_and_logs_each_problem_once(
    sla_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = SLAStore(domain_path=None)
    good = store.get(sla_file)
    # Two defects: load_sla accepts the file, only the full check rejects it.
    _edit(sla_file, "  nurture: 40", "  nurture: 90")
    _edit(sla_file, "within_minutes: 60", "within_minutes: 0")

    with caplog.at_level(logging.ERROR, logger="bot.sla"):
        for _ in range(3):
            assert store.get(sla_file) is good

    errors = [r.getMessage() for r in caplog.records if r.name == "bot.sla" and r.levelno == logging.ERROR]
    assert len(errors) == 2
    assert errors[0].startswith(f"{sla_file}:") and "within_minutes must be positive" in errors[0]
    assert "tiers.nurture (90) must be below tiers.sales_ready (70)" in errors[1]


def test_store_recovers_once_the_file_is_fixed(sla_file: Path) -> None:
    store = SLAStore(domain_path=None)
    store.get(sla_file)
    _edit(sla_file, "currency: EUR", "currency: [EUR")
    assert store.get(sla_file).currency == "EUR"

    _edit(sla_file, "currency: [EUR", "currency: USD")

    assert store.get(sla_file).currency == "USD"


def test_store_keeps_the_last_good_sla_when_the_file_disappears(
    sla_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = SLAStore(domain_path=None)
    good = store.get(sla_file)
    sla_file.unlink()

    with caplog.at_level(logging.ERROR, logger="bot.sla"):
        assert store.get(sla_file) is good

    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [f"{sla_file}:1:1: file not found"]


def test_store_refuses_an_invalid_file_on_first_load(sla_file: Path) -> None:
    _edit(sla_file, "within_minutes: 60", "within_minutes: -5")

    with pytest.raises(SLAError) as raised:
        SLAStore(domain_path=None).get(sla_file)

    assert [p.message for p in raised.value.problems] == ["follow_up.within_minutes must be positive, got -5"]


def test_current_sla_serves_the_same_object_until_the_file_changes(sla_file: Path) -> None:
    first = current_sla(sla_file)
    assert current_sla(str(sla_file)) is first
