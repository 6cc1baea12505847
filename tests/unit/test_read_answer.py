"""`read_answer` (used to re-score stored answers) must read exactly as the conversation did.

The conversation reads with `read_message(expected=...)`; scoring re-reads with the cheaper
`read_answer`. Every phrasing in the parser tables must come out the same both ways.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.parse import read_answer, read_message
from bot.parse.base import Criterion
from bot.parse.need import NeedLexicon

TABLES = Path(__file__).parent / "phrasings"
LEXICON = NeedLexicon.from_mapping(yaml.safe_load((TABLES / "need_lexicon.yml").read_text()))
TODAY = date(2026, 11, 27)
VOLUNTEERED = (
    "Hi, I'm the CTO at Acme, our reps waste hours on bad leads, we have about 30k a year and want it next quarter"
)
CASES = [
    (criterion, row[0])
    for criterion in Criterion
    for row in yaml.safe_load((TABLES / f"{criterion.value}.yml").read_text())
] + [(criterion, VOLUNTEERED) for criterion in Criterion]


@pytest.mark.parametrize(("criterion", "text"), CASES)
def test_read_answer_matches_read_message(criterion: Criterion, text: str) -> None:
    expected = read_message(text, today=TODAY, lexicon=LEXICON, expected=criterion)[criterion]
    assert read_answer(text, criterion, today=TODAY, lexicon=LEXICON) == expected
