"""Number answers for criteria marketing declares with ``type: number``: employees, sellers, leads a month.

Owns ``parse_number``: "about 50", "50-100 people", "unos 30 empleados", "más de 200", "a dozen", "just me" -> a float.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial

from bot.parse import quantity_words as w
from bot.parse.base import Answer, Kind
from bot.parse.nlp import fold_aligned
from bot.parse.numbers import MAX_CHARS, normalize, to_float
from bot.parse.synonyms import Hit, Synonyms

# A count past this is a phone number, an ID or keyboard mashing, not a headcount or a volume.
_TOO_BIG = 1e9
_WORD = re.compile(r"[^\W\d_]+|\d")
_BREAK_CHARS = re.compile(r"[,;:!?()\n+&]|\.(?!\d)")
# Between a unit word and the number after it only words and a colon: "headcount: 45", "staff = 12".
_LABEL_GAP = re.compile(r"[^\W\d_\s]+|[\s:=\-–]+")


@dataclass(frozen=True)
class _Count:
    """One number the message says, with what the words around it make of it."""

    value: float
    start: int
    end: int
    low: float | None = None  # a range's ends, or the figure of an open bound
    high: float | None = None
    bound: str = ""  # "more_than" | "at_least" | "less_than" | "at_most"
    approximate: bool = False
    loose: bool = False  # "a few", "dozens of": a word, not a figure
    unit: bool = False  # right next to one of the criterion's unit words
    noun: bool = False  # counts something else: "3 tools", "2 offices"
    score: int = 0
    # past, future, others, question, part, seats, whole, self, now, stated: see _clause_notes
    notes: frozenset[str] = field(default_factory=frozenset)
    said: tuple[int, int] | None = None  # the visitor's words for it: "about 50 people", "más de 200"


def parse_number(
    text: str, *, name: str, unit_words: Mapping[str, Sequence[str]] | None = None, strict: bool = False
) -> Answer:
    """Read how many of the criterion's unit the visitor's company has (see docs/criteria.md).

    ``strict`` (the message answered another question): only a number right next to one of
    ``unit_words``, stated as the visitor's own company's, counts; never money, a date, a
    duration, a share, a count of something else, a team or the seats they want.
    """
    raw = text
    units = _units(unit_words)
    norm, folded, rewritten = _prepare(text)
    hits = units.find(folded, typos=not strict) if units else []
    counts = [_context(folded, count, hits) for count in _figures(folded, hits, strict=strict)]
    counts = _drop_years(folded, counts)
    kept = [c for c in counts if _acceptable(c, strict=strict, with_units=bool(units))]
    if not kept:
        return _no_number(raw, folded, name=name, strict=strict)
    best = max(kept, key=lambda c: (c.score, -c.start))
    rivals = {c.value for c in kept if c.score == best.score}
    start, end = _said(best, rewritten)
    confidence = _confidence(folded, best, norm[start:end], tie=len(rivals) > 1)
    said = (raw if len(raw) == len(norm) else norm)[start:end].strip()
    span = (start, end) if len(raw) == len(norm) else None
    return Answer(
        criterion=name,
        raw=raw,
        kind=Kind.VALUE,
        value=float(best.value),
        confidence=confidence,
        reason=f"'{said}' = {_shown(best)}",
        span=span,
        extra=_extra(best),
    )


@lru_cache(maxsize=64)
def _units_cached(key: tuple[tuple[str, tuple[str, ...]], ...]) -> Synonyms:
    return Synonyms(("unit", word) for _, words in key for word in words)


def _units(unit_words: Mapping[str, Sequence[str]] | None) -> Synonyms | None:
    if not unit_words:
        return None
    key = tuple(
        (lang, (words,) if isinstance(words, str) else tuple(words)) for lang, words in sorted(unit_words.items())
    )
    return _units_cached(key) if any(words for _, words in key) else None


def _pad(match: re.Match[str], digits: str) -> str:
    """``digits`` in place of the words, padded so every later offset keeps its place."""
    said = match.group(0)
    return digits.ljust(len(said)) if len(digits) <= len(said) else digits


def _prepare(text: str) -> tuple[str, str, list[tuple[int, int]]]:
    """(the message with numbers as digits, the same folded for matching, where word quantities
    were written as digits); the two texts have one length, so offsets hold in both."""
    lower = text[:MAX_CHARS].lower()
    if "hundred" in lower:
        # alpha2digit reads "one hundred and twenty" as "100 and 20"; "hundred twenty" it reads whole.
        lower = re.sub(r"\bhundred\s+and\b", lambda m: "hundred".ljust(len(m.group(0))), lower)
    if "ish" in lower:
        lower = re.sub(r"(?<=[a-z])-ish\b", " ish", lower)  # "thirty-ish": one word to alpha2digit
    norm = normalize(lower)
    folded = fold_aligned(norm)
    rewritten: list[tuple[int, int]] = []

    def write(match: re.Match[str], digits: str) -> str:
        rewritten.append(match.span())
        return _pad(match, digits)

    folded = w.DOZENS.sub(lambda m: write(m, str(int(m["n"]) * 12)), folded)
    for pattern, digits in w.QUANTITY_WORDS:
        folded = pattern.sub(partial(write, digits=digits), folded)
    return norm, w.DATE.sub(lambda m: " " * len(m.group(0)), folded), rewritten


def _said(count: _Count, rewritten: list[tuple[int, int]]) -> tuple[int, int]:
    """The visitor's words for the count, word quantities ("a dozen") whole."""
    start, end = count.said or (count.start, count.end)
    for low, high in rewritten:
        if low < end and start < high:
            start, end = min(start, low), max(end, high)
    return start, end


def _number(match: re.Match[str]) -> float:
    value = to_float(match["num"])
    return value * w.MULTIPLIER_VALUE.get(match["mult"] or "", 1.0)


def _figures(folded: str, hits: list[Hit], *, strict: bool) -> list[_Count]:
    """Every number said, ranges joined, plus the counts said in words ("just me", "dozens of")."""
    matches = [m for m in w.NUMBER.finditer(folded) if _number(m) <= _TOO_BIG][:24]
    found: list[_Count] = []
    index = 0
    while index < len(matches):
        first = matches[index]
        second = matches[index + 1] if index + 1 < len(matches) else None
        joined = second and _range_join(folded, first, second)
        if second is not None and joined:
            low, high = _number(first), _number(second)
            if first["mult"] and not second["mult"]:
                high *= w.MULTIPLIER_VALUE[first["mult"]]
            elif second["mult"] and not first["mult"] and low < high / 100:
                low *= w.MULTIPLIER_VALUE[second["mult"]]
            if joined == "change":
                # "we grew from 20 to 35": the figure it went to is the answer.
                found.append(_Count(high, first.start(), second.end(), score=1, notes=frozenset({"change"})))
                index += 2
                continue
            if low < high:
                found.append(_Count((low + high) / 2, first.start(), second.end(), low=low, high=high))
                index += 2
                continue
        found.append(_Count(_number(first), first.start(), first.end(), approximate=bool(first["ish"])))
        if first["plus"]:
            found[-1] = replace(found[-1], bound="at_least", low=found[-1].value)
        index += 1
    found += _word_counts(folded, hits, strict=strict)
    taken: list[_Count] = []
    for count in sorted(found, key=lambda c: (-(c.end - c.start), c.start)):
        if all(count.end <= t.start or count.start >= t.end for t in taken):
            taken.append(count)
    return sorted(taken, key=lambda c: c.start)


def _range_join(folded: str, first: re.Match[str], second: re.Match[str]) -> str:
    """How two numbers are joined: "range", "change" ("from 20 to 35") or "" (two numbers)."""
    join = w.RANGE_JOIN.fullmatch(folded, first.end(), second.start())
    if join is None:
        return ""
    word = join.group(0).strip()
    opener = w.RANGE_OPENER.search(folded, max(0, first.start() - 10), first.start())
    if word in w.RANGE_NEEDS_OPENER and not (opener and opener.group(0).strip() in ("between", "entre")):
        return ""
    if word in ("to", "a", "hasta") and opener:
        clause = folded[_clause_start(folded, first.start()) : first.start()]
        if w.CHANGE.search(clause):
            return "change"
    return "range"


def _word_counts(folded: str, hits: list[Hit], *, strict: bool) -> list[_Count]:
    """Counts said without a figure: "just me", "me and 2 others", "dozens of", "one employee", "no staff"."""
    found = []
    for match in w.PLURAL_QUANTITY.finditer(folded):
        group = next(name for name in ("tens", "hundreds", "thousands") if match[name])
        value = w.PLURAL_VALUE[group]
        found.append(
            _Count(value, match.start(), match.end(), low=value, bound="at_least", approximate=True, loose=True)
        )
    for hit in hits:
        before = folded[max(0, hit.start - 30) : hit.start]
        one = w.ONE.search(before)
        zero = w.ZERO.search(before)
        if zero and not re.search(r"\d\s*$", before[: zero.start()]):
            found.append(_Count(0.0, hit.start - len(before) + zero.start(), hit.end, unit=True, score=4))
        elif one and (not strict or one.group(0).strip() not in ("a", "an", "un", "una")):
            start = hit.start - len(before) + one.start()
            found.append(_Count(1.0, start, hit.end, unit=True, score=4))
    if strict:
        return found
    for match in w.ME_PLUS.finditer(folded):
        found.append(_Count(float(int(match["n"]) + 1), match.start(), match.end(), score=5))
    for match in w.PAIR.finditer(folded):
        found.append(_Count(2.0, match.start(), match.end(), score=3))
    for match in w.SOLO.finditer(folded):
        found.append(_Count(1.0, match.start(), match.end(), score=3, notes=frozenset({"solo"})))
    alone = folded.strip()
    if w.ZERO_ALONE.fullmatch(alone):
        found.append(_Count(0.0, folded.index(alone), folded.index(alone) + len(alone), score=3))
    elif w.ONE_ALONE.fullmatch(alone):
        found.append(_Count(1.0, folded.index(alone), folded.index(alone) + len(alone), score=3))
    return found


def _clause_start(folded: str, position: int) -> int:
    last = 0
    for match in w.CLAUSE_BREAK.finditer(folded, 0, position):
        last = match.end()
    return last


def _clause_end(folded: str, position: int) -> int:
    match = w.CLAUSE_BREAK.search(folded, position)
    return match.start() if match else len(folded)


def _context(folded: str, count: _Count, hits: list[Hit]) -> _Count:
    """What the words around a number make of it: money, time, a bound, a unit, someone else's."""
    if count.score:  # said in words: its own pattern already read it
        return replace(count, notes=count.notes | _clause_notes(folded, count, hits))
    start, end = count.start, count.end
    clause_start = _clause_start(folded, start)
    before = folded[max(clause_start, start - 40) : start]
    notes = set(count.notes)
    if w.MONEY_BEFORE.search(before) or w.MONEY_AFTER.match(folded, end):
        notes.add("money")
    if w.PERCENT_AFTER.match(folded, end) or w.TIME_AFTER.match(folded, end) or w.LABEL_BEFORE.search(before):
        notes.add("not_a_count")
    approximate = count.approximate or bool(w.APPROXIMATE_BEFORE.search(before))
    after = end
    for pattern in (w.APPROXIMATE_AFTER, w.ABOVE_AFTER, w.BELOW_AFTER, w.OF_US):
        suffix = pattern.match(folded, after)
        if suffix:
            approximate = approximate or pattern is w.APPROXIMATE_AFTER
            after = suffix.end()
    count = replace(count, approximate=approximate)
    if count.low is None or count.bound:
        count = _bounded(folded, count, before, after)
    said_start = start - len(before) + _lead_in(before, ranged=count.high is not None or "change" in count.notes)
    unit_end = _unit_next_to(folded, count, hits, after)
    unit = count.unit or unit_end is not None
    count = replace(
        count,
        said=(min(said_start, unit_end[0]) if unit_end else said_start, max(after, unit_end[1]) if unit_end else after),
    )
    noun = not unit and _other_noun(folded, after, hits)
    count = replace(count, unit=unit, noun=noun, notes=frozenset(notes) | _clause_notes(folded, count, hits))
    if w.SELF.search(before) or w.OF_US.match(folded, end):
        count = replace(count, notes=count.notes | {"self"})
    score = 4 if unit else 0 if noun else 2
    score += ("self" in count.notes) + ("now" in count.notes) + count.score
    score -= 3 * bool(count.notes & {"past", "future"})
    # Part of the company or the seats wanted lose to the whole company ("a team of 6 in a 300 people company").
    score += ("whole" in count.notes) - 2 * bool(count.notes & {"part", "seats"})
    return replace(count, score=score)


def _bounded(folded: str, count: _Count, before: str, after: int) -> _Count:
    figure = count.value
    suffix = folded[count.end : after]
    if w.ABOVE_BEFORE.search(before):
        return replace(count, bound="more_than", low=figure, value=figure + 1 if figure >= 1 else figure * 1.5)
    if w.AT_LEAST_BEFORE.search(before) or count.bound == "at_least" or w.ABOVE_AFTER.match(suffix):
        return replace(count, bound="at_least", low=figure)
    if w.BELOW_BEFORE.search(before):
        return replace(count, bound="less_than", high=figure, value=figure - 1 if figure > 1 else figure / 2)
    if w.AT_MOST_BEFORE.search(before) or w.BELOW_AFTER.match(suffix):
        return replace(count, bound="at_most", high=figure)
    return count


def _gap_words(text: str) -> list[str] | None:
    """The words between two places, or None when a clause break or another number sits there."""
    if _BREAK_CHARS.search(text):
        return None
    found = _WORD.findall(text)
    return None if any(word.isdigit() for word in found) else found


def _lead_in(before: str, *, ranged: bool) -> int:
    """Where the words that hedge or bound the number start in ``before`` ("about ", "más de ", "entre ")."""
    patterns = [w.APPROXIMATE_BEFORE, w.ABOVE_BEFORE, w.AT_LEAST_BEFORE, w.BELOW_BEFORE, w.AT_MOST_BEFORE]
    starts = [
        match.start()
        for pattern in ([*patterns, w.RANGE_OPENER] if ranged else patterns)
        for match in [pattern.search(before)]
        if match
    ]
    return min(starts, default=len(before))


def _unit_next_to(folded: str, count: _Count, hits: list[Hit], after: int) -> tuple[int, int] | None:
    """The span from the number to the unit word beside it ("40 full-time employees"), if one is."""
    for hit in hits:
        if hit.start >= after:
            gap = _gap_words(folded[after : hit.start])
            if gap is not None and len(gap) <= 3 and all(word in w.BRIDGE_AFTER for word in gap):
                return count.start, hit.end
        elif hit.end <= count.start and not _other_noun(folded, after, hits):
            between = folded[hit.end : count.start]
            gap = _WORD.findall(between)
            if (
                "".join(_LABEL_GAP.findall(between)) == between
                and len(gap) <= 4
                and all(word in w.BRIDGE_BEFORE for word in gap)
            ):
                return hit.start, count.end
    return None


def _other_noun(folded: str, after: int, hits: list[Hit]) -> bool:
    """Whether the number is followed by a word for something it counts ("3 tools", "2 oficinas")."""
    rest = folded[after : _clause_end(folded, after)]
    for word in _WORD.findall(rest)[:4]:
        if word.isdigit() or word in w.NOT_NOUNS:
            return False
        if word not in w.BRIDGE_AFTER:
            return not any(hit.start >= after and word in folded[hit.start : hit.end] for hit in hits)
    return False


def _clause_notes(folded: str, count: _Count, hits: list[Hit]) -> set[str]:
    """What the clause around a number says of it: past, future, others, now, question, part, seats, whole, stated."""
    start = _clause_start(folded, count.start)
    end = _clause_end(folded, count.end)
    clause = folded[start:end]
    ahead = folded[start : count.start]
    # A unit word is the criterion's own: "clients" does not make "40 clients" someone else's;
    # nor does "partner" make "my partner and I" someone else's.
    for low, high in [(h.start, h.end) for h in hits] + [(count.start, count.end)]:
        if start <= low and high <= end:
            clause = clause[: low - start] + " " * (high - low) + clause[high - start :]
    notes = set()
    if w.PAST.search(ahead) or re.search(r"\b(?:ago|hace)\b", clause):
        notes.add("past")
    if w.FUTURE.search(clause):
        notes.add("future")
    blanked_ahead = clause[: max(0, count.start - start)]
    if w.OTHERS.search(blanked_ahead) or w.OF_THEM.match(folded, count.end):
        notes.add("others")
    if w.NOW.search(ahead):
        notes.add("now")
    tail = folded[count.end : end + 1]
    if "?" in tail or "¿" in ahead:
        notes.add("question")
    said_end = (count.said or (count.start, count.end))[1]
    near = (
        clause[max(0, count.start - start - 30) : max(0, count.start - start)] + " " + folded[said_end : said_end + 25]
    )
    if w.PART.search(near):
        notes.add("part")
    if w.SEATS.search(clause) or w.SEATS_BEFORE.search(ahead[-16:]):
        notes.add("seats")
    if w.WHOLE.match(folded, said_end):
        notes.add("whole")
    if w.PAST_AFTER.search(folded, said_end, end):
        notes.add("past")
    if _stated(folded, count, start, said_end, end, hits):
        notes.add("stated")
    return notes


def _stated(folded: str, count: _Count, start: int, said_end: int, end: int, hits: list[Hit]) -> bool:
    """Whether the clause states the count as the company's own (see ``STATED_BEFORE``)."""
    said_start = (count.said or (count.start, count.end))[0]
    if any(hit.start == said_start for hit in hits) or w.WHOLE.match(folded, said_end):
        return True  # "headcount is 45", "a 40-person company"
    ahead = folded[start:said_start]
    if w.STATED_BEFORE.search(ahead):
        return True
    rest = _WORD.findall(folded[said_end:end])
    return not _WORD.findall(ahead) and (not rest or rest[0].isdigit() or rest[0] in w.STATED_AFTER)


def _drop_years(folded: str, counts: list[_Count]) -> list[_Count]:
    """A plain "2024" is a year after a word for time or beside another number; "2000 employees" is a count."""
    kept = []
    for count in counts:
        said = folded[count.start : count.end].strip()
        year = said.isdigit() and len(said) == 4 and 1900 <= count.value <= 2100 and not count.unit
        if year and (w.YEAR_BEFORE.search(folded[max(0, count.start - 12) : count.start]) or len(counts) > 1):
            continue
        kept.append(count)
    return kept


def _acceptable(count: _Count, *, strict: bool, with_units: bool) -> bool:
    if count.notes & {"money", "not_a_count", "others"}:
        return False
    if strict:
        return (
            count.unit and "stated" in count.notes and not count.notes & {"past", "future", "question", "part", "seats"}
        )
    if "future" in count.notes:
        return False  # "we'll be 100 next year", "hiring 10": not how many they are
    return not (with_units and count.noun)


def _confidence(folded: str, count: _Count, said: str, *, tie: bool) -> float:
    confidence = 0.9
    if count.low is not None and count.high is not None:
        confidence = 0.8
    if count.approximate:
        confidence = 0.75
    if count.bound:
        confidence = min(confidence, 0.7)
    if count.loose or re.search(r"\b(?:few|handful|pocos|pocas|cuantos|cuantas)\b", said):
        confidence = 0.4
    if count.noun:
        confidence = min(confidence, 0.6)
    if count.notes & {"past", "future", "part", "seats"}:
        confidence = min(confidence, 0.5)
    if tie:
        confidence = min(confidence, 0.6)
    if w.HEDGE.search(folded):
        confidence = min(confidence, 0.6)
    return confidence


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")


def _shown(count: _Count) -> str:
    """The value in plain words for the sales summary: "about 50", "50 to 100", "more than 200"."""
    if count.bound:
        words = {"more_than": "more than", "at_least": "at least", "less_than": "fewer than", "at_most": "at most"}
        return f"{words[count.bound]} {_fmt(count.low if count.low is not None else count.high or 0)}"
    if count.low is not None and count.high is not None:
        return f"{_fmt(count.low)} to {_fmt(count.high)}"
    return f"{'about ' if count.approximate else ''}{_fmt(count.value)}"


def _extra(count: _Count) -> dict[str, str]:
    extra = {}
    if count.low is not None:
        extra["low"] = _fmt(count.low)
    if count.high is not None:
        extra["high"] = _fmt(count.high)
    if count.bound:
        extra["bound"] = count.bound
    if count.approximate:
        extra["approximate"] = "yes"
    return extra


def _no_number(raw: str, folded: str, *, name: str, strict: bool) -> Answer:
    if not strict:
        declined = w.DECLINED.search(folded)
        if declined:
            return Answer.unknown(name, raw, f"declined to say: '{declined.group(0)}'")
        undecided = w.UNDECIDED.search(folded)
        if undecided:
            return Answer(name, raw, Kind.UNDECIDED, None, 0.7, f"'{undecided.group(0)}': not sure")
    return Answer.unknown(name, raw, "no number found")
