"""Yes/no answers for criteria marketing declares with ``type: yes_no``: "do you use a CRM?".

Owns ``parse_yes_no``: "yep we do", "sí, claro", "no todavía no", "no, we do use one", "not sure" -> yes/no/undecided.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.parse import yes_no_words as yn
from bot.parse.base import Answer, Kind
from bot.parse.nlp import fold_aligned
from bot.parse.numbers import MAX_CHARS

YES = "yes"
NO = "no"


@dataclass(frozen=True)
class _Said:
    value: str  # "yes" | "no"
    start: int
    end: int
    statement: bool  # "we do", "no tenemos": outweighs a bare "yes" / "no"
    content: bool = False  # "we use HubSpot": a yes, but not against a bare "no" before it
    planned: bool = False  # "we're planning to get one": no, said less surely


def parse_yes_no(text: str, *, name: str, strict: bool = False) -> Answer:
    """ "yes" or "no" to the criterion's question, or undecided (see docs/criteria.md).

    A bare yes or no answers whatever was asked, so only the question just asked is read:
    ``strict`` (the message answered something else) is always unknown.
    """
    raw = text
    if strict:
        return Answer.unknown(name, raw, "a yes or no counts only as the answer to its own question")
    folded = fold_aligned(text[:MAX_CHARS])
    blank = folded
    undecided, blank = _take(blank, yn.UNDECIDED)
    hedges, blank = _take(blank, yn.HEDGE)
    planned, blank = _take(blank, yn.PLANNED)
    said = [_Said(NO, m.start(), m.end(), True, planned=True) for m in planned]
    for pattern, value, statement in (
        (yn.NO_STATEMENT, NO, True),
        (yn.YES_STATEMENT, YES, True),
        (yn.YES_CONTENT, YES, False),
        (yn.NO_WORD, NO, False),
        (yn.YES_WORD, YES, False),
        (yn.EMOJI_NO, NO, False),
        (yn.EMOJI_YES, YES, False),
    ):
        found, blank = _take(blank, pattern)
        content = pattern is yn.YES_CONTENT
        said += [_Said(value, m.start(), m.end(), statement or content, content) for m in found]
    alone = folded.strip(" .!¡¿?\n\t")
    if not said and alone in yn.ALONE_YES | yn.ALONE_NO:
        start = folded.index(alone)
        said.append(_Said(YES if alone in yn.ALONE_YES else NO, start, start + len(alone), False))
    said.sort(key=lambda s: s.start)
    concession = yn.CONCESSION.search(folded)
    if concession and any(s.end <= concession.start() for s in said):
        said = [s for s in said if s.end <= concession.start()]

    if undecided:
        last = undecided[-1]
        later = [s for s in said if s.start > last.start()]  # "no sé, creo que sí": leans yes, unsurely
        if not later:
            return _undecided(name, raw, last, 0.7)
        said, hedged = later, True
    else:
        hedged = bool(hedges)
    if not said:
        return _undecided(name, raw, hedges[0], 0.6) if hedges else Answer.unknown(name, raw, "no yes or no found")
    chosen, confidence = _decide(said)
    if undecided:
        confidence = min(confidence, 0.5)
    elif hedged or chosen.planned:
        confidence = min(confidence, 0.6)
    span = (chosen.start, chosen.end)
    return Answer(
        criterion=name,
        raw=raw,
        kind=Kind.VALUE,
        value=chosen.value,
        confidence=confidence,
        reason=f"'{raw[chosen.start : chosen.end].strip()}' = {chosen.value}",
        span=span,
    )


def _undecided(name: str, raw: str, said: re.Match[str], confidence: float) -> Answer:
    reason = f"'{raw[said.start() : said.end()].strip()}': not sure"
    return Answer(name, raw, Kind.UNDECIDED, None, confidence, reason, span=said.span())


def _decide(said: list[_Said]) -> tuple[_Said, float]:
    """What the visitor says, and how surely: a statement outweighs a bare word ("no, we do use
    one" is yes); two statements that disagree give the first, two bare words the last."""
    statements = [s for s in said if s.statement]
    words = [s for s in said if not s.statement]
    if words and statements and all(s.content for s in statements) and words[0].value != YES:
        return words[0], 0.75  # "no, usamos Excel": no, and what they use instead
    if statements:
        values = {s.value for s in statements}
        first = statements[0]
        if len(values) > 1:
            return first, 0.5
        if words and any(w.value != first.value for w in words):
            return first, 0.75
        return first, 0.95 if words else 0.9
    values = {s.value for s in words}
    if len(values) > 1:
        return words[-1], 0.5  # "no… wait, yes": the visitor corrects themself
    return words[0], 0.9


def _take(text: str, pattern: re.Pattern[str]) -> tuple[list[re.Match[str]], str]:
    """The matches of ``pattern`` and ``text`` with them blanked, so later patterns cannot reread them."""
    found = list(pattern.finditer(text))
    for match in found:
        text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    return found, text
