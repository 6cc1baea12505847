"""Need parser: lexicon phrases and topic + problem cues matched on lemmas, with precedence and negation.

Uses tests/unit/phrasings/need_lexicon.yml, the default lexicon copied into sla.yml.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.parse.base import Criterion, Kind
from bot.parse.need import NeedLexicon, parse_need

PHRASINGS = Path(__file__).parent / "phrasings"
LEXICON = NeedLexicon.from_mapping(yaml.safe_load((PHRASINGS / "need_lexicon.yml").read_text(encoding="utf-8")))
TABLE = yaml.safe_load((PHRASINGS / "need.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("text", "need"), TABLE, ids=[row[0] for row in TABLE])
def test_need_phrasing_is_read_as_expected(text: str, need: str | None) -> None:
    answer = parse_need(text, lexicon=LEXICON)
    assert answer.criterion is Criterion.NEED
    assert answer.value == need, answer.reason


def test_default_lexicon_has_enough_pain_phrases_per_language() -> None:
    raw = yaml.safe_load((PHRASINGS / "need_lexicon.yml").read_text(encoding="utf-8"))
    for lang in ("en", "es"):
        assert len(raw["pain"][lang]) >= 25
        assert raw["interest"][lang] and raw["none"][lang]
        assert len(raw["topic"][lang]) >= 20 and len(raw["problem"][lang]) >= 30


def test_inflections_match_through_lemmas() -> None:
    lexicon = NeedLexicon(pain=("waste time on bad lead",), interest=(), none=())
    assert parse_need("our reps keep wasting time on bad leads", lexicon=lexicon).value == "pain"


def test_none_wins_over_pain() -> None:
    answer = parse_need("I'm a student writing homework about lead scoring", lexicon=LEXICON)
    assert answer.kind is Kind.NONE
    assert answer.value == "none"


def test_just_looking_alone_is_none_but_at_options_is_interest() -> None:
    assert parse_need("just looking", lexicon=LEXICON).value == "none"
    assert parse_need("just looking at options", lexicon=LEXICON).value == "interest"


def test_negated_pain_is_not_pain() -> None:
    answer = parse_need("we don't waste time on bad leads", lexicon=LEXICON)
    assert answer.value == "interest"
    assert answer.confidence <= 0.5


def test_from_mapping_flattens_languages_and_drops_blanks() -> None:
    lexicon = NeedLexicon.from_mapping({"pain": {"en": ["bad leads", " "], "es": ["leads malos"]}, "none": {}})
    assert lexicon == NeedLexicon(pain=("bad leads", "leads malos"), interest=(), none=())
    assert lexicon.topic == () and lexicon.problem == ()


def test_from_mapping_reads_topic_and_problem_cues() -> None:
    lexicon = NeedLexicon.from_mapping({"topic": {"en": ["leads"], "es": ["leads"]}, "problem": {"es": ["perder"]}})
    assert (lexicon.topic, lexicon.problem, lexicon.pain) == (("leads",), ("perder",), ())


def test_topic_and_problem_cue_make_a_weaker_pain_than_a_phrase() -> None:
    cue = parse_need("necesitamos cualificar mejor los leads", lexicon=LEXICON)
    phrase = parse_need("we waste so much time on unqualified leads", lexicon=LEXICON)
    assert (cue.value, cue.confidence) == ("pain", 0.75)
    assert cue.reason == "'cualificar' + 'necesitamos': a current problem with cualificar"
    assert (phrase.value, phrase.confidence) == ("pain", 0.9)


def test_topic_and_problem_cue_match_on_lemmas() -> None:
    lexicon = NeedLexicon(pain=(), interest=(), none=(), topic=("lead",), problem=("complain",))
    assert parse_need("sales keeps complaining about our leads", lexicon=lexicon).value == "pain"


def test_topic_without_problem_cue_is_not_pain() -> None:
    assert parse_need("our leads come from the website", lexicon=LEXICON).value is None
    assert parse_need("just curious how your scoring works", lexicon=LEXICON).value == "interest"


def test_topic_and_problem_cue_must_share_a_sentence() -> None:
    assert parse_need("Our leads come from the web. We need a new logo.", lexicon=LEXICON).value is None
    assert parse_need("our leads come from the web, we need help", lexicon=LEXICON).value == "pain"


def test_negated_problem_cue_denies_the_pain() -> None:
    answer = parse_need("no tenemos problemas con los leads", lexicon=LEXICON)
    assert (answer.value, answer.confidence) == ("interest", 0.5)


def test_none_wins_over_topic_and_problem_cue() -> None:
    assert parse_need("I'm a student and need help with my thesis on lead scoring", lexicon=LEXICON).value == "none"


def test_spanish_inability_is_a_pain_not_a_denial() -> None:
    assert parse_need("no podemos cualificar leads", lexicon=LEXICON).value == "pain"


def test_accent_free_typing_still_matches() -> None:
    assert parse_need("tenemos una tasa de conversion muy baja", lexicon=LEXICON).value == "pain"
