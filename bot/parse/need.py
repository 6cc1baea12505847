"""Need answers: does the visitor state a problem our lead-qualification product solves?

Owns ``NeedLexicon`` (marketing's phrase lists from sla.yml) and ``parse_need``, which matches them on lemmas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from spacy.matcher import PhraseMatcher

from bot.parse import nlp
from bot.parse.base import Answer, Criterion, Kind
from bot.parse.classifier import OTHER, TextClassifier
from bot.parse.numbers import MAX_CHARS

PAIN = "pain"
INTEREST = "interest"
NONE = "none"
# "none" beats "pain": a student writing homework about lead scoring names our pains too.
_PRECEDENCE = (NONE, PAIN, INTEREST)
# The second pain signal: a TOPIC term (what our product is about: leads, pipeline, CRM ...)
# and a PROBLEM cue (need, lose, mess, no podemos ...) in one sentence. Real visitors rarely
# say a lexicon phrase word for word ("necesitamos cualificar mejor los leads"), but they
# almost always name the subject and the trouble. Weaker than a phrase, so it ranks below
# an exact pain phrase and above interest.
TOPIC = "topic"
PROBLEM = "problem"
_KINDS = (*_PRECEDENCE, TOPIC, PROBLEM)
# Negation spreads through a clause to hits of the same polarity: a denied problem cue
# also denies a pain phrase ("we have no problems with lead quality"). Topics have none.
_POLARITY = {PAIN: PAIN, PROBLEM: PAIN, INTEREST: INTEREST, NONE: NONE}

# Tokens (after the regex tokenizer, accents folded) that negate a phrase starting within the
# next three tokens: "we don't waste time on bad leads", "no perdemos tiempo".
_NEGATORS = frozenset(
    {
        "not", "no", "never", "without", "dont", "don't", "doesn't", "didn't", "isn't", "aren't",
        "haven't", "hasn't", "won't", "nunca", "sin", "ni", "tampoco", "nor", "hardly",
    }
)  # fmt: skip
# "We can't prioritize leads" states the pain rather than denying it.
_INABILITY = frozenset({"can't", "couldn't", "cannot"})
# A negator before one of these denies the ability, not the pain: "no podemos cualificar
# leads", "we don't know how to qualify leads", "we're not able to follow up".
_ABILITY = frozenset(
    {
        "know", "able", "podemos", "puedo", "pueden", "puede", "sabemos", "sé", "saben", "sabe",
        "conseguimos", "consigo", "consiguen", "logramos", "capaces",
    }
)  # fmt: skip
_CLAUSE_TOKENS = frozenset({",", ".", ";", "!", "?", "but", "pero", "aunque", "though"})
# Topic and problem must meet within one sentence; commas do not split it ("our leads are
# bad, we need help"), a contrast does ("no problems with leads, but we need a new CRM").
_SENTENCE_TOKENS = frozenset({".", ";", "!", "?", "but", "pero"})


@dataclass(frozen=True)
class NeedLexicon:
    """Phrases per need class; languages may be mixed, lemmas come from both EN and ES tables.

    ``topic`` and ``problem`` are single words or short phrases that only make a pain together.
    """

    pain: tuple[str, ...]
    interest: tuple[str, ...]
    none: tuple[str, ...]
    topic: tuple[str, ...] = ()
    problem: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, phrases: Mapping[str, Mapping[str, Sequence[str]]]) -> NeedLexicon:
        """Build from sla.yml's ``{"pain": {"en": [...], "es": [...]}, "interest": ..., "none": ...,
        "topic": ..., "problem": ...}``; ``topic`` and ``problem`` may be left out."""

        def flatten(key: str) -> tuple[str, ...]:
            by_language = phrases.get(key) or {}
            lists = by_language.values() if isinstance(by_language, Mapping) else [by_language]
            seen: dict[str, None] = {}
            for phrase_list in lists:
                for phrase in phrase_list or ():
                    if isinstance(phrase, str) and phrase.strip():
                        seen.setdefault(phrase.strip(), None)
            return tuple(seen)

        return cls(**{kind: flatten(kind) for kind in _KINDS})


@dataclass(frozen=True)
class _Matchers:
    lemmas: PhraseMatcher
    folded: dict[tuple[str, ...], tuple[str, ...]]  # folded phrase tokens -> kinds
    lengths: dict[str, tuple[int, ...]]  # first folded token -> lengths of phrases starting with it


class _Hit(NamedTuple):  # a NamedTuple: several per message, and a frozen dataclass is slow to build
    need: str  # a need class, or TOPIC / PROBLEM
    start: int  # token offsets, shared by both languages (same tokenizer)
    end: int
    negated: bool


def parse_need(
    text: str, *, lexicon: NeedLexicon, classifier: TextClassifier | None = None, strict: bool = False
) -> Answer:
    """Classify the visitor's need as pain, interest or none.

    With a ``classifier`` (trained on the SLA's example answers) the model decides and the
    lexicon's phrases vote with it: a phrase marketing wrote is evidence, not a verdict, so a
    pain put in words no phrase covers is still a pain. Without one, the lexicon alone decides.
    The answer's confidence is the combined probability; below ``CLARIFY_BELOW`` the dialogue
    asks the visitor instead of guessing. ``strict`` (need volunteered while another question was
    pending) keeps only confident readings, so a budget or role answer never becomes a need.
    """
    by_phrase = _parse_with_lexicon(text, lexicon)
    if classifier is None or not text.strip():
        return by_phrase
    prediction = classifier.predict(text[:MAX_CHARS])
    if prediction.known_words < _MIN_KNOWN_WORDS and not by_phrase.understood:
        return Answer.unknown(Criterion.NEED, text, "no words about a need")
    votes = dict(prediction.ranked)
    other = votes.pop(OTHER, 0.0)
    if not by_phrase.understood and other >= max(votes.values(), default=0.0):
        return Answer.unknown(Criterion.NEED, text, "an answer about something else")
    if by_phrase.understood:
        votes[str(by_phrase.value)] = votes.get(str(by_phrase.value), 0.0) + _PHRASE_VOTE * by_phrase.confidence
    total = sum(votes.values())
    ranked = sorted(((need, share / total) for need, share in votes.items()), key=lambda v: -v[1])
    (need, confidence), (second, _) = ranked[0], ranked[1]
    if need == NONE and by_phrase.understood and by_phrase.value != NONE and confidence < _NONE_OVER_PAIN:
        # A knock-out needs more than the model's hunch against a phrase marketing wrote down:
        # "trabajo de 9 a 6 y me paso media jornada limpiando leads basura" is a pain at work,
        # "quiero una demo" is interest.
        need, second = str(by_phrase.value), NONE
        confidence = dict(ranked)[need]
    if need == NONE:
        # A knock-out is weighed against "about something else" too: "is this chat your product?
        # haha" is half small talk, and half is no ground for disqualifying anyone.
        confidence = votes[NONE] / (total + other)
    # Volunteered, only a clear pain or no-need counts: "interest" is the weak default, and taking
    # it from an opener ("my boss asked me to look at tools") would skip the question that finds a pain.
    if strict and (confidence < _STRICT_CONFIDENCE or len(nlp.words(text)) < 4 or need == INTEREST):
        return by_phrase if by_phrase.understood and by_phrase.value == need else Answer.unknown(Criterion.NEED, text)
    reason = by_phrase.reason if by_phrase.understood and by_phrase.value == need else _MODEL_REASON[need]
    kind = Kind.NONE if need == NONE else Kind.VALUE
    return Answer(Criterion.NEED, text, kind, need, round(confidence, 3), reason, extra={"runner_up": second})


# How much a lexicon phrase adds to the model's probability for its class (before normalising):
# an exact pain phrase of marketing's moves a 40/60 model call to about 60/40.
_PHRASE_VOTE = 0.5
# Below this share of words the examples ever used, the message is not about a need at all
# ("asdf", "ok", an emoji) and counts as not understood rather than as a low-confidence class.
_MIN_KNOWN_WORDS = 0.34
_STRICT_CONFIDENCE = 0.8
# Below this, the model's "none" does not overrule a pain or interest phrase of the lexicon.
_NONE_OVER_PAIN = 0.8
# Below this the dialogue asks a clarifying question (see bot/conversation/dialogue.py).
CLARIFY_BELOW = 0.5
_MODEL_REASON = {
    PAIN: "describes a current problem we solve",
    INTEREST: "exploring, no concrete problem yet",
    NONE: "not looking to buy (browsing, study, job search or selling to us)",
}


def _parse_with_lexicon(text: str, lexicon: NeedLexicon) -> Answer:
    """The lexicon's reading. Precedence: none phrase > pain phrase > topic + problem cue in
    one sentence > interest."""
    raw = text
    tokens = nlp.words(text[:MAX_CHARS])
    if not tokens:
        return Answer.unknown(Criterion.NEED, raw, "empty message")
    matchers = _matchers(lexicon)
    hits = _lemma_hits(tokens, matchers)
    if not _decides(hits):
        hits = _merge(hits, _folded_hits(tokens, matchers))
    hits = _spread_negation(_drop_nested(hits), tokens)
    live = [h for h in hits if not h.negated and h.need in _PRECEDENCE]
    mixed = len({h.need for h in live}) > 1
    for need in (NONE, PAIN):
        chosen = [h for h in live if h.need == need]
        if chosen:
            return _answer(raw, need, _said(tokens, chosen[0]), 0.75 if mixed else 0.9)
    cues = [h for h in hits if h.need in (TOPIC, PROBLEM)]
    sentence_of = _clauses(tokens, _SENTENCE_TOKENS) if cues else []
    pair = _topic_pain(cues, sentence_of)
    if pair is not None:
        topic, problem = _said(tokens, pair[0]), _said(tokens, pair[1])
        reason = f"'{topic}' + '{problem}': a current problem with {topic}"
        return Answer(Criterion.NEED, raw, Kind.VALUE, PAIN, 0.75, reason)
    chosen = [h for h in live if h.need == INTEREST]
    if chosen:
        return _answer(raw, INTEREST, _said(tokens, chosen[0]), 0.9)
    denied = [h for h in hits if h.need == PAIN] or _denied_topic_problems(cues, sentence_of)
    if denied:
        reason = f"denies the pain '{_said(tokens, denied[0])}': no concrete problem"
        return Answer(Criterion.NEED, raw, Kind.VALUE, INTEREST, 0.5, reason)
    return Answer.unknown(Criterion.NEED, raw, "no need phrase found")


def by_model_alone(answer: Answer) -> bool:
    """Whether the need was read by the classifier with no phrase of the lexicon behind it."""
    return answer.reason == _MODEL_REASON.get(str(answer.value))


def names_topic(text: str, lexicon: NeedLexicon) -> bool:
    """Whether the words name anything the product is about (a topic term, a pain or a problem cue):
    "we're looking at lead routing tools" does, "quería informarme un poco" does not."""
    tokens = nlp.words(text[:MAX_CHARS])
    if not tokens:
        return False
    matchers = _matchers(lexicon)
    hits = _merge(_lemma_hits(tokens, matchers), _folded_hits(tokens, matchers))
    return any(h.need in (TOPIC, PROBLEM, PAIN) for h in hits)


def _said(tokens: list[str], hit: _Hit) -> str:
    return " ".join(tokens[hit.start : hit.end])


def _answer(raw: str, need: str, said: str, confidence: float) -> Answer:
    if need == PAIN:
        return Answer(Criterion.NEED, raw, Kind.VALUE, PAIN, confidence, f"'{said}' is a current pain")
    if need == INTEREST:
        reason = f"'{said}': exploring, no concrete problem"
        return Answer(Criterion.NEED, raw, Kind.VALUE, INTEREST, confidence, reason)
    return Answer(Criterion.NEED, raw, Kind.NONE, NONE, confidence, f"'{said}': not a buyer")


@lru_cache(maxsize=8)
def _matchers(lexicon: NeedLexicon) -> _Matchers:
    """Phrase matchers for a lexicon, built once: lemmatizing ~400 phrases takes milliseconds."""
    matcher = PhraseMatcher(nlp.blank("en").vocab, attr="ORTH")
    folded: dict[tuple[str, ...], list[str]] = {}
    lengths: dict[str, set[int]] = {}
    for kind in _KINDS:
        phrases = getattr(lexicon, kind)
        patterns = [nlp.lemma_doc(nlp.words(p)) for p in phrases]
        if any(len(p) for p in patterns):
            matcher.add(kind, [p for p in patterns if len(p)])
        for phrase in phrases:
            tokens = tuple(nlp.words(nlp.fold(phrase)))
            if tokens:
                folded.setdefault(tokens, []).append(kind)
                lengths.setdefault(tokens[0], set()).add(len(tokens))
    return _Matchers(
        matcher,
        {phrase: tuple(kinds) for phrase, kinds in folded.items()},
        {first: tuple(sorted(found)) for first, found in lengths.items()},
    )


def _lemma_hits(tokens: list[str], matchers: _Matchers) -> list[_Hit]:
    doc = nlp.lemma_doc(tokens)
    strings = doc.vocab.strings
    hits = [_hit(strings[match_id], start, end, tokens) for match_id, start, end in matchers.lemmas(doc)]
    return sorted(hits, key=lambda h: (h.start, -h.end))


def _decides(hits: list[_Hit]) -> bool:
    """Whether the lemma hits already carry an answer. Only when they do not is the folded
    matcher worth its cost (about as much again as the lemma matcher)."""
    kinds = {h.need for h in hits}
    return not kinds.isdisjoint(_PRECEDENCE) or (TOPIC in kinds and PROBLEM in kinds)


def _folded_hits(tokens: list[str], matchers: _Matchers) -> list[_Hit]:
    """Plain accent-folded token matching, for phrases the lemma tables mangle."""
    folded_tokens = [nlp.fold_word(t) for t in tokens]
    hits = []
    for start, first in enumerate(folded_tokens):
        for length in matchers.lengths.get(first, ()):
            for kind in matchers.folded.get(tuple(folded_tokens[start : start + length]), ()):
                hits.append(_hit(kind, start, start + length, folded_tokens))
    return hits


def _merge(lemma_hits: list[_Hit], folded_hits: list[_Hit]) -> list[_Hit]:
    """Both matchers' hits, once per span (the lemma matcher's when both found one)."""
    by_span = {(h.need, h.start, h.end): h for h in folded_hits}
    by_span.update({(h.need, h.start, h.end): h for h in lemma_hits})
    return sorted(by_span.values(), key=lambda h: (h.start, -h.end))


def _hit(kind: str, start: int, end: int, tokens: list[str]) -> _Hit:
    # Only a negated problem cue denies a pain: "we have no CRM and need one" still needs one.
    return _Hit(kind, start, end, kind != TOPIC and _is_negated(tokens, start))


def _is_negated(tokens: list[str], start: int) -> bool:
    for token in reversed(tokens[max(0, start - 3) : start]):
        if token in _CLAUSE_TOKENS or token in _ABILITY:
            return False
        if token in _NEGATORS or (token.endswith("n't") and token not in _INABILITY):
            return True
    return False


def _clauses(tokens: list[str], splitters: frozenset[str]) -> list[int]:
    """The clause number of every token."""
    clause_of, clause = [], 0
    for token in tokens:
        clause += token in splitters
        clause_of.append(clause)
    return clause_of


def _spread_negation(hits: list[_Hit], tokens: list[str]) -> list[_Hit]:
    """Negate the rest of a clause too: in "we don't waste time on bad leads" the negated
    "waste time" also denies "bad leads", and in "we have no problems with lead quality"
    the negated problem cue denies the pain phrase."""
    if not any(h.negated for h in hits):
        return hits
    clause_of = _clauses(tokens, _CLAUSE_TOKENS)
    denied = {(clause_of[h.start], _POLARITY[h.need]) for h in hits if h.negated and h.need in _POLARITY}
    return [h._replace(negated=h.negated or (clause_of[h.start], _POLARITY.get(h.need)) in denied) for h in hits]


def _topic_pain(hits: list[_Hit], sentence_of: list[int]) -> tuple[_Hit, _Hit] | None:
    """The first live problem cue with a topic term in its sentence, and the nearest such term."""
    topics = [h for h in hits if h.need == TOPIC]
    for problem in (h for h in hits if h.need == PROBLEM and not h.negated):
        near = [t for t in topics if sentence_of[t.start] == sentence_of[problem.start]]
        if near:
            return min(near, key=lambda t: abs(t.start - problem.start)), problem
    return None


def _denied_topic_problems(hits: list[_Hit], sentence_of: list[int]) -> list[_Hit]:
    """Negated problem cues beside a topic term: "we have no problems with our leads"."""
    topic_sentences = {sentence_of[h.start] for h in hits if h.need == TOPIC}
    return [h for h in hits if h.need == PROBLEM and h.negated and sentence_of[h.start] in topic_sentences]


def _drop_nested(hits: list[_Hit]) -> list[_Hit]:
    """Drop a phrase inside a longer one: "just looking" inside "just looking at options",
    the problem cue "need" inside the interest phrase "might need"."""
    return [
        h
        for h in hits
        if not any(
            o is not h and o.start <= h.start and h.end <= o.end and (o.end - o.start) > (h.end - h.start) for o in hits
        )
    ]
