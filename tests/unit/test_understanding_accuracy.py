"""Held-out accuracy floors: a regression in how visitors are read fails CI.

The labelled corpus (eval/corpus/answers.yml) is read through the same `read_turn` and parsers
the actions call, offline (no NLU: every message counts as an answer attempt). The floors sit a
little below what the held-out `test` half scores today, so they catch a real regression and
not noise. Answers are read as whole turns (a question inside one, an aside, a clarifying
question), so the test half scores here what it scores over REST in
benchmarks/bench_understanding.py (on demand; 186/208 both ways on 2026-12-02).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.evaluation import evaluate_corpus, load_conversations, load_corpus
from bot.sla import load_sla

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "eval" / "corpus" / "answers.yml"
CONVERSATIONS = sorted((ROOT / "eval" / "conversations").glob("*.yml"))
DEV_CONVERSATIONS = sorted((ROOT / "eval" / "dev-conversations").glob("*.yml"))
DEV_CORPORA = sorted((ROOT / "eval" / "dev-corpus").glob("*.yml"))
TODAY = date(2026, 12, 1)

# Per measure, on the held-out half (split "test") and on the whole corpus.
FLOORS = {
    "need": 0.88,
    "budget": 0.88,
    "role": 0.85,
    "timing": 0.88,
    "fields": 0.88,
    "corrections": 0.85,
    "questions": 0.80,
}


@pytest.fixture(scope="module")
def tallies():  # type: ignore[no-untyped-def]
    return evaluate_corpus(load_corpus(CORPUS), load_sla(ROOT / "sla.yml"), TODAY)


@pytest.mark.parametrize("measure", sorted(FLOORS))
@pytest.mark.parametrize("split", ["test", "all"])
def test_held_out_accuracy_stays_above_its_floor(tallies, split: str, measure: str) -> None:  # type: ignore[no-untyped-def]
    share = tallies[split].share(measure)
    assert share is not None, f"no {measure} items in the {split} split"
    misses = [m for m in tallies[split].misses if m[1] == measure][:10]
    assert share >= FLOORS[measure], f"{measure} on {split}: {share:.1%} < {FLOORS[measure]:.0%}; e.g. {misses}"


def test_incidental_mentions_rarely_fill_another_field(tallies) -> None:  # type: ignore[no-untyped-def]
    assert tallies["all"].share("incidental") >= 0.85


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _training_texts() -> set[str]:
    texts: set[str] = set()
    for path in (ROOT / "training").glob("*.yml"):
        for group in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).values():
            texts.update(_normal(t) for t in group)
    for path in (ROOT / "data").glob("nlu*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            texts.update(_normal(line.lstrip("- ")) for line in str(block.get("examples", "")).splitlines())
    return texts - {""}


def test_no_evaluation_text_is_used_for_training() -> None:
    """Numbers on data the model was trained on would lie: the two must never share a text."""
    evaluation = {_normal(item.text) for corpus in (CORPUS, *DEV_CORPORA) for item in load_corpus(corpus)}
    for conversation in load_conversations([*CONVERSATIONS, *DEV_CONVERSATIONS]):
        evaluation.add(_normal(conversation["opener"]))
        evaluation.update(_normal(t) for t in conversation["answers"].values())
        evaluation.update(
            _normal(t) for part in ("before", "after", "restate") for t in conversation.get(part, {}).values()
        )
    # Short answers ("head of sales", "not decided yet", "is there a free trial") are written
    # alike by people who never saw each other's lists; from six words on, a match is a copy.
    shared = {t for t in evaluation & _training_texts() if len(t.split()) >= 6}
    assert not shared, f"evaluation texts found in training data: {sorted(shared)[:10]}"


def test_the_blind_conversation_set_is_large_and_bilingual() -> None:
    conversations = load_conversations(CONVERSATIONS)
    languages = {c["lang"] for c in conversations}
    assert len(conversations) >= 100 and languages == {"en", "es"}
