"""Choice answers for criteria marketing declares with ``type: choice``: industry, country, CRM in use.

Owns ``parse_choice``: "we're a fintech", "SaaS B2B", "España", "usamos HubSpot" -> the key of the choice named.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from bot.parse import choice_words as cw
from bot.parse.base import Answer, Kind
from bot.parse.numbers import MAX_CHARS
from bot.parse.synonyms import Hit, Synonyms, Token, tokens

# How far back (in words) a negation, a verb or a hedge still bears on the option named.
_WINDOW = 5
_QUOTED = 60
# The status of an option the visitor names, best first; a denied one is never the answer.
# _ASIDE: had it before, or it is somebody else's ("used to use X", "we sell to the UK").
_AFFIRMED, _NEUTRAL, _TENTATIVE, _ASIDE, _DENIED = 4, 3, 2, 1, 0


@dataclass(frozen=True)
class _Named:
    hit: Hit
    status: int
    clause: tuple[int, int]  # token range of the clause the option sits in


def parse_choice(
    text: str, *, name: str, choices: Mapping[str, Mapping[str, Sequence[str]]], strict: bool = False
) -> Answer:
    """The key of the choice the visitor names (see docs/criteria.md).

    ``choices`` maps each key to its synonyms per language; all languages are searched.
    ``strict`` (the message answered another question): only an exact synonym in a clause
    about the visitor's own company counts, never one they rule out, consider, used to have,
    ask about, or say of their clients.
    """
    raw = text
    toks = tokens(text)
    hits = _synonyms(choices).find(text, toks, typos=not strict)
    named = [_status(text, toks, hit, hits[index - 1].last if index else 0) for index, hit in enumerate(hits)]
    if strict:
        named = [n for n in named if n.status >= _NEUTRAL and _about_own_company(text, toks, n)]
    kept = [n for n in named if n.status > _DENIED]
    if not kept:
        reason = f'not in the list: "{_quote(text)}"' if not strict else "no choice named"
        return Answer.unknown(name, raw, reason)
    keys = list(dict.fromkeys(n.hit.label for n in kept))
    best_status = max(n.status for n in kept)
    best = next(n for n in kept if n.status == best_status)
    others = [key for key in keys if key != best.hit.label]
    confidence = 0.9
    if others:
        # The one they affirm above the others, else the first mentioned, less sure either way.
        rivals = {n.hit.label for n in kept if n.status == best_status}
        confidence = 0.55 if len(rivals) > 1 else 0.75
    if best.hit.typo:
        confidence = min(confidence, 0.7)
    if best.status < _NEUTRAL:
        confidence = min(confidence, 0.5)
    said = text[best.hit.start : best.hit.end]
    extra = {"said": said}
    if others:
        extra["also"] = ", ".join(others)
    denied = list(dict.fromkeys(n.hit.label for n in named if n.status == _DENIED and n.hit.label not in keys))
    if denied:
        extra["not"] = ", ".join(denied)
    reason = f"'{said}' = {best.hit.label}" + (f" (also named: {extra['also']})" if others else "")
    return Answer(
        criterion=name,
        raw=raw,
        kind=Kind.VALUE,
        value=best.hit.label,
        confidence=confidence,
        reason=reason,
        span=(best.hit.start, best.hit.end),
        extra=extra,
    )


def _synonyms(choices: Mapping[str, Mapping[str, Sequence[str]]]) -> Synonyms:
    key = tuple(
        (
            str(choice),
            tuple(
                (str(lang), (words,) if isinstance(words, str) else tuple(str(w) for w in words))
                for lang, words in (languages.items() if isinstance(languages, Mapping) else [("", languages)])
            ),
        )
        for choice, languages in choices.items()
    )
    return _synonyms_cached(key)


@lru_cache(maxsize=64)
def _synonyms_cached(key: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...]) -> Synonyms:
    return Synonyms((choice, phrase) for choice, languages in key for _, phrases in languages for phrase in phrases)


_BREAK = re.compile(r"[,;:.!?()\n¿¡]")


def _clause(text: str, toks: list[Token], first: int, last: int) -> tuple[int, int]:
    """The token range of the clause around tokens ``first:last`` (punctuation and "but" end one)."""
    start = first
    while start > 0 and not _broken(text, toks, start - 1, start):
        start -= 1
    end = last
    while end < len(toks) and not _broken(text, toks, end - 1, end):
        end += 1
    return start, end


def _broken(text: str, toks: list[Token], left: int, right: int) -> bool:
    """Whether a clause ends between two neighbouring tokens ("but", "pero" open the next one)."""
    return bool(_BREAK.search(text, toks[left].end, toks[right].start)) or toks[right].folded in cw.CLAUSE_WORDS


def _status(text: str, toks: list[Token], hit: Hit, since: int) -> _Named:
    """Whether the visitor has the option (affirmed), names it plainly, considers it, had it, or denies it.

    Only the words since the option named before (token ``since``) bear on it: in "switched from
    Salesforce to HubSpot", "from" is Salesforce's, not HubSpot's.
    """
    clause = _clause(text, toks, hit.first, hit.last)
    window = [t.folded for t in toks[max(clause[0], hit.first - _WINDOW, since) : hit.first]]
    if _denied(window) and not any(word in cw.NEGATORS for word in hit.phrase):  # "ningún CRM" may be an option
        return _Named(hit, _DENIED, clause)
    next_word = toks[hit.last].folded if hit.last < len(toks) else ""
    if next_word in ("no", "not", "nope") and (
        hit.last + 1 >= len(toks) or _broken(text, toks, hit.last, hit.last + 1)
    ):
        return _Named(hit, _DENIED, clause)  # "Salesforce no, HubSpot sí"
    if any(word in cw.TENTATIVE for word in window):
        return _Named(hit, _TENTATIVE, clause)
    if any(word in cw.PAST for word in window) or set(pairwise(window)) & cw.PAST_PAIRS or next_word == "until":
        return _Named(hit, _ASIDE, clause)
    return _Named(hit, _AFFIRMED if any(word in cw.AFFIRM for word in window) else _NEUTRAL, clause)


def _denied(window: list[str]) -> bool:
    """A negator before the option denies it, unless a new subject follows the negator: "we don't
    use X", "no usamos X" deny X; "no we use X" answers something else, then affirms X."""
    for index in range(len(window) - 1, -1, -1):
        pair = (window[index], window[index + 1] if index + 1 < len(window) else "")
        if window[index] in cw.NEGATORS or pair in cw.NEGATOR_PAIRS:
            return not any(word in cw.SUBJECTS for word in window[index + 1 :])
    return False


def _about_own_company(text: str, toks: list[Token], named: _Named) -> bool:
    """A volunteered option counts in a clause that speaks of the visitor's company, never a question
    or a sentence about their clients ("does it integrate with HubSpot?", "our clients use Salesforce")."""
    start, end = named.clause
    words = [t.folded for t in toks[start:end]]
    if any(word in cw.OTHERS for word in words):
        return False
    tail = text[named.hit.end : toks[end].start if end < len(toks) else len(text)]
    head = text[toks[start - 1].end if start > 0 else 0 : named.hit.start]
    if "?" in tail or "¿" in head:
        return False
    return any(word in cw.SELF for word in words)


def _quote(text: str) -> str:
    """The visitor's words, on one line and short enough for the sales summary."""
    said = " ".join(text[:MAX_CHARS].split()).replace('"', "'")
    return said if len(said) <= _QUOTED else said[: _QUOTED - 1].rstrip() + "…"
