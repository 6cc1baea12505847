"""The answer classifiers and marketing's example answers in sla.yml."""

from __future__ import annotations

import time
from pathlib import Path

from bot.parse.classifier import Examples, classifier_for
from bot.sla import check_sla, load_sla

ROOT = Path(__file__).resolve().parents[2]

_BASE = {
    "pain": ["our leads go cold", "reps waste hours on junk leads", "nobody follows up on demo requests"],
    "interest": ["just curious", "exploring options for next year", "looking around, nothing urgent"],
}


def test_an_edited_example_set_trains_in_the_background_while_the_previous_model_answers() -> None:
    first, own = classifier_for(Examples.of(_BASE), "test-criterion")
    assert first is not None and own
    edited = {**_BASE, "pain": [*_BASE["pain"], "the crm is a graveyard of leads"]}
    served, own = classifier_for(Examples.of(edited), "test-criterion")
    assert served is first and not own  # nobody waits for the retraining
    deadline = time.monotonic() + 60
    while not own and time.monotonic() < deadline:
        time.sleep(0.05)
        served, own = classifier_for(Examples.of(edited), "test-criterion")
    assert own and served is not first


def test_the_shipped_examples_teach_each_class_in_both_languages() -> None:
    model = load_sla(ROOT / "sla.yml").models().need
    assert model is not None
    assert model.predict("our SDRs spend all morning calling people who will never buy").label == "pain"
    assert model.predict("los comerciales llaman a gente que nunca va a comprar").label == "pain"
    assert model.predict("solo estaba curioseando, sin nada concreto").label == "interest"
    assert model.predict("I'm a student writing a paper on sales funnels").label == "none"


def _sla_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (ROOT / "sla.yml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "sla.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_check_reports_an_example_file_that_is_missing_at_its_line(tmp_path: Path) -> None:
    path = _sla_with(tmp_path, "example_files: [training/need.en.yml,", "example_files: [training/nede.en.yml,")
    problems = [str(p) for p in check_sla(path, domain_path=ROOT / "domain.yml")]
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1) if "nede.en.yml" in t)
    assert any(p.startswith(f"{path}:{line}:") and "training/nede.en.yml" in p for p in problems), problems


def test_check_reports_an_unknown_class_and_an_example_claimed_twice(tmp_path: Path) -> None:
    path = _sla_with(
        tmp_path,
        "    example_files: [training/need.en.yml,",
        '    examples:\n      pian: {en: ["x"]}\n      pain: {en: ["just curious"]}\n'
        '      interest: {en: ["just curious"]}\n    example_files: [training/need.en.yml,',
    )
    problems = [str(p) for p in check_sla(path, domain_path=ROOT / "domain.yml")]
    assert any("'pian' is not a class of need answers; did you mean 'pain'?" in p for p in problems), problems
    assert any("example 'just curious' is given for both" in p for p in problems), problems
