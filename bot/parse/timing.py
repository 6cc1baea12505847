"""Purchase-timing answers: "ASAP", "next quarter", "para marzo", "in 6 weeks", "Q3".

Owns ``parse_timing``, which turns them into months from the conversation date, with fixed conventions.

Conventions (months are calendar months; days count as 1/30.44 of a month):
  * nothing is sooner than 0.5: ASAP, today, this week, next week and "this month" are all 0.5;
  * "this month/quarter/year", "end of X" = until the first day after X ends;
  * "next month" = 1.0; "in N days/weeks/months/years" = N of that unit (ranges: midpoint);
  * "next quarter" = until the first day of next calendar quarter (always in (0, 3], so it
    lands in the "within 3 months" bucket whatever today is);
  * "Q3", "by March", "en marzo" = until the first day of that quarter/month, this year or the
    next if it has passed; the current quarter/month reads as "this quarter/month";
  * "next year" = until 1 July next year (the middle: nobody knows the month yet);
    "early next year" = 1 February, "mid" = 1 July, "end of next year" = 31 December;
  * "in 2027" = 1 July 2027, "by/before 2027" = 1 January 2027;
  * absolute dates ("15/03/2027", "March 15th") go through dateparser, day first;
  * "a month and a half" = 1.5, "mes y medio" = 1.5, "a couple/un par de" = 2, "a few/unos" = 3,
    "a fortnight/una quincena" = 14/15 days, "a month or two" = 1.5;
  * lower bounds: "at least / more than / over N", "N or more", "not before/until N" = N + 1
    month; "not before 2028", "no antes de marzo" = the date itself (the earliest it can be);
  * seasons are the northern meteorological ones: spring = March-May, summer = June-August,
    autumn = September-November, winter = December-February (Latin-American visitors south of
    the equator are read six months off: we cannot tell where they are). Like quarters,
    "in/by/before <season>" = until its first day, "after/end of" = until the day after it,
    "mid" = its middle, the current one = until its end, "next" = the first that starts later;
  * holidays people plan around, the same way: Christmas/Navidad = 24 Dec to 7 Jan (Reyes),
    "the new year" = 1-7 Jan, Easter/Semana Santa = Palm Sunday to Easter Tuesday, Black Friday
    = Friday after the fourth Thursday of November to Cyber Monday, Spanish "las vacaciones" =
    August (so "a la vuelta de las vacaciones" = 1 September), "back to school / el cole /
    el nuevo curso" = 1-15 September; English "the holidays" = Christmas;
  * "medium term / a medio plazo" = 9 months; "long term", "no timeline/date", "de momento no",
    "not yet", "just looking", "when budget frees up" = no plans; a condition without a date
    ("once the board approves", "cuando lo apruebe el consejo") = undecided.

Volunteered (``strict``) time words count only as the visitor's purchase timing: in a clause
that says nothing else ("..., ideally by March") or that says they want, need, buy, start or
have a solution then ("we want it live next quarter"), never in a story or a budget remark
("we cleaned the CRM all of Q1", "the budget resets in January"). Words for the present ("now",
"ahora mismo") need the same context in every mode: "right now we're just looking" is no ASAP.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from bot.parse.base import Answer, Criterion, Kind
from bot.parse.numbers import normalize
from bot.parse.timing_calendar import (
    _SEASON_PERIODS,
    _dateparser_months,
    _first_of,
    _months_until,
    _occurrence,
    _season_key,
    _until_month,
    _until_period,
    _within_year,
)
from bot.parse.timing_words import (
    _AGO_AFTER,
    _ASAP,
    _ASAP_LENIENT,
    _AT_LEAST_PREFIX,
    _BARE_YEAR,
    _BOUND,
    _BOUND_AT,
    _CLAUSE_BREAK,
    _DENIAL_AFTER,
    _DENIAL_BEFORE,
    _DENIED_BOUND_BEFORE,
    _END,
    _END_OF,
    _EXPLICIT_YEAR,
    _FILLERS,
    _HALF,
    _HEDGE,
    _IN_N_UNITS,
    _MEDIUM_TERM,
    _MID,
    _MONEY_FIRST,
    _MONTH,
    _MONTHS,
    _NEGATED,
    _NEXT_MONTH,
    _NEXT_QUARTER,
    _NEXT_WORD,
    _NEXT_YEAR,
    _NO_PLANS,
    _NONE,
    _NONE_KEYS,
    _NONE_LENIENT,
    _NOT_A_PRIORITY,
    _NOT_A_PURCHASE,
    _NOT_THIS_PERIOD,
    _NUMERIC_DATE,
    _OF_NEXT_YEAR,
    _ORDINAL_QUARTER,
    _PAST,
    _PAST_BEFORE,
    _PRESENT,
    _PRESENT_DENIED,
    _PURCHASE_CUE,
    _QUANTITY_WORDS,
    _QUARTER,
    _RESTATED,
    _SEASON,
    _SEASON_AFTER,
    _SEASON_AMBIGUOUS,
    _SEASON_KEYS,
    _SEASON_LEAD,
    _SEASON_TAIL,
    _SOON,
    _THIS_MONTH,
    _THIS_QUARTER,
    _THIS_YEAR,
    _TOKEN,
    _UNDECIDED,
    _UNDECIDED_LENIENT,
    _UNIT_MONTHS,
    _UPPER_BOUND,
    _VERB_MONTHS,
)

_FLOOR = 0.5
_LOWER_BOUND_MARGIN = 1.0  # "at least a year" is later than "in a year": 13 months, not 12


@dataclass(frozen=True)
class _Hit:
    months: float
    start: int
    end: int
    confidence: float = 0.9
    duration: bool = False  # "in N months": a denied bound adds a margin, a date does not
    present: bool = False  # "now", "ahora mismo": needs a clause about the purchase in any mode


_Rule = Callable[[str, dt.date, bool], "list[_Hit]"]


def parse_timing(text: str, *, today: dt.date, strict: bool = False) -> Answer:
    """Months from ``today`` until the visitor means to buy (see the module conventions)."""
    raw = text
    norm = _rewrite_quantities(normalize(text))
    none_said = _has(norm, _NONE_KEYS) and _NONE.search(norm)
    if none_said or (not strict and _has(norm, ("nunca", "never", "no", "n/a", "nada")) and _NONE_LENIENT.search(norm)):
        return Answer(Criterion.TIMING, raw, Kind.NONE, None, 0.85, "no purchase planned")
    not_buying = _NOT_A_PURCHASE.search(norm)
    if not_buying:
        reason = f"'{not_buying.group(0)}': a date for something else, no purchase planned"
        return Answer(Criterion.TIMING, raw, Kind.NONE, None, 0.75, reason)
    not_now = _NOT_THIS_PERIOD.search(norm) if _has(norm, ("priorid", "priority", "rush", "prisa", "plan")) else None
    if not_now:
        return Answer(Criterion.TIMING, raw, Kind.NONE, None, 0.8, f"'{not_now.group(0)}': no purchase planned")
    words = frozenset(_WORDS.findall(norm))
    candidates = [
        hit
        for rule, keys in _RULES
        if (keys & words if isinstance(keys, frozenset) else _has(norm, keys))
        for hit in rule(norm, today, strict)
    ]
    hit = _purchase_timing(norm, candidates, strict) if candidates else None
    if hit:
        months = round(max(_FLOOR, hit.months), 2)
        confidence = min(hit.confidence, 0.6) if _HEDGE.search(norm) else hit.confidence
        said = norm[hit.start : hit.end].strip()
        span = (hit.start, hit.end) if len(norm) == len(raw) else None
        reason = f"'{said}' = {months:g} months"
        return Answer(Criterion.TIMING, raw, Kind.VALUE, months, confidence, reason, span=span)
    money_first = None if strict else _MONEY_FIRST.search(norm)
    if money_first:
        return Answer(Criterion.TIMING, raw, Kind.NONE, None, 0.75, f"'{money_first.group(0)}': no purchase planned")
    not_a_priority = None if strict else _NOT_A_PRIORITY.search(norm)
    if not_a_priority:
        return Answer(Criterion.TIMING, raw, Kind.NONE, None, 0.75, f"'{not_a_priority.group(0)}': no purchase planned")
    undecided = _UNDECIDED.search(norm)
    if undecided is None and not strict:
        no_plans = _NO_PLANS.search(norm)
        if no_plans:
            return Answer(Criterion.TIMING, raw, Kind.NONE, None, 0.75, f"'{no_plans.group(0)}': no purchase planned")
        undecided = _UNDECIDED_LENIENT.search(norm)
    if undecided:
        reason = f"'{undecided.group(0).strip(' ,.;:!?')}': timing not decided"
        return Answer(Criterion.TIMING, raw, Kind.UNDECIDED, None, 0.7, reason)
    return Answer.unknown(Criterion.TIMING, raw, "no time phrase found")


def _rewrite_quantities(norm: str) -> str:
    for keys, pattern, digits in _QUANTITY_WORDS:
        if _has(norm, keys):
            norm = pattern.sub(digits, norm)
    return norm


def _has(norm: str, keys: tuple[str, ...]) -> bool:
    """Cheap substring gate in front of a regex: ``in`` is ~100x faster than a failed search."""
    return any(key in norm for key in keys)


@lru_cache(maxsize=8)
def _clause_breaks(norm: str) -> tuple[list[int], list[int]]:
    """Where the clause breaks of ``norm`` begin and end (both sorted: breaks never overlap)."""
    spans = [m.span() for m in _CLAUSE_BREAK.finditer(norm)]
    return [begin for begin, _ in spans], [end for _, end in spans]


def _rest_of_clause(norm: str, start: int, end: int) -> str:
    """The words of the clause around ``norm[start:end]``, without those words themselves."""
    begins, ends = _clause_breaks(norm)
    before = bisect_right(ends, start)  # breaks inside the words themselves ("3 y 6 meses") don't count
    after = bisect_left(begins, end)
    first = ends[before - 1] if before else 0
    last = begins[after] if after < len(begins) else len(norm)
    return norm[first:start] + " " + norm[end:last]


def _says_only_time(rest: str) -> bool:
    return all(token in _FILLERS for token in _TOKEN.findall(rest))


_SINCE = re.compile(r"(?:\bas\s+of|\bsince|\bdesde(?:\s+hace)?|\ba\s+partir\s+de)\s+(?:the\s+|el\s+|la\s+)?$")


def _purchase_timing(norm: str, hits: list[_Hit], strict: bool) -> _Hit | None:
    """The first hit that states when the visitor means to buy, or the last one restated
    ("next year, realistically more than a year"); denied bounds are read as lower bounds.

    "not in March" is dropped, "not before March" kept. A volunteered time (``strict``), or a
    word for the present in any mode, is kept only in a clause that is just the time or that
    speaks of buying, starting or having the solution then (see the module docstring).
    """
    restating = bool(_RESTATED.search(norm))
    kept = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        before = norm[max(0, hit.start - 40) : hit.start]
        if _lower_bound(norm, hit, before):
            hit = replace(hit, months=hit.months + (_LOWER_BOUND_MARGIN if hit.duration else 0.0))
        elif _NEGATED.search(before[-14:]):
            continue
        if _SINCE.search(before[-12:]):
            continue  # "team lead as of this week", "desde este mes": since then, not when to buy
        if hit.present and _PRESENT_DENIED.match(norm, hit.end):
            continue  # "ahora mismo no", "right now, no": not now
        if (strict or hit.present) and not _about_the_purchase(_rest_of_clause(norm, hit.start, hit.end), strict):
            continue
        if not restating:
            return hit  # the first is the answer: the rest of a long message is not read
        kept.append(hit)
    restated = [h for h in kept if _RESTATED.search(norm[max(0, h.start - 40) : h.start])]
    return restated[-1] if restated else (kept[0] if kept else None)


def _lower_bound(norm: str, hit: _Hit, before: str) -> bool:
    if _DENIED_BOUND_BEFORE.search(before):
        return True  # "not until next year"
    if not (_BOUND_AT.match(norm, hit.start) or re.search(_BOUND + r"\s+(?:the\s+|el\s+|la\s+)?$", before)):
        return False
    return bool(_DENIAL_BEFORE.search(before) or _DENIAL_AFTER.match(norm, hit.end))  # "hasta marzo no"


def _about_the_purchase(rest: str, strict: bool) -> bool:
    """Whether the rest of a time's clause leaves it the purchase timing (see the module docstring)."""
    if _says_only_time(rest):
        return True
    return bool(_PURCHASE_CUE.search(rest)) and not (strict and _PAST.search(rest))


def _span(match: re.Match[str]) -> tuple[int, int]:
    return match.start(), match.end()


def _asap(norm: str, today: dt.date, strict: bool) -> list[_Hit]:
    hits = [_Hit(_FLOOR, *_span(m)) for m in _ASAP.finditer(norm)]
    hits += [_Hit(_FLOOR, *_span(m), 0.8, present=True) for m in _PRESENT.finditer(norm)]
    if not strict:
        hits += [_Hit(_FLOOR, *_span(m), 0.8) for m in _ASAP_LENIENT.finditer(norm)]
    hits += [_Hit(1.0, *_span(m), 0.6) for m in _SOON.finditer(norm)]
    hits += [_Hit(9.0, *_span(m), 0.6) for m in _MEDIUM_TERM.finditer(norm)]
    return hits


# How long something takes today: a duration in the story of a pain, never a purchase date.
_HOW_LONG_IT_TAKES = re.compile(
    r"\b(?:tard(?:amos|an|a|o|áis|ais)|(?:it|that)\s+takes|takes\s+(?:us|them|me|our)|we\s+take|they\s+take"
    r"|took\s+(?:us|them|me)|(?:nos|les|me)\s+(?:lleva|cuesta)|llevamos|se\s+tarda|se\s+pasan?)\b"
)


def _in_n_units(norm: str, today: dt.date, strict: bool) -> list[_Hit]:
    hits = []
    for m in _IN_N_UNITS.finditer(norm):
        if _PAST_BEFORE.search(norm[max(0, m.start() - 20) : m.start()]) or _AGO_AFTER.match(norm, m.end()):
            continue  # "hace 2 meses", "2 weeks ago"
        unit = m["unit"].rstrip("s") if not m["unit"].startswith("mes") else "mes"
        per_unit = _UNIT_MONTHS.get(unit.replace("á", "a").replace("í", "i"), _UNIT_MONTHS.get(unit, 1.0))
        low = float(m["n"].replace(",", "."))
        high = float(m["n2"].replace(",", ".")) if m["n2"] else low
        if low > 1000 or high > 1000:  # "2027 days" is not a plan, and huge floats are slow
            continue
        months = (low + high) / 2 * per_unit
        if m["plus"] or m["more"] or (m["prefix"] and _AT_LEAST_PREFIX.match(m["prefix"])):
            months += _LOWER_BOUND_MARGIN
        if strict and not (m["prefix"] or m["suffix"]) and not _says_only_time(_rest_of_clause(norm, *_span(m))):
            continue  # a volunteered "3 months" without "in"/"from now" may be anything
        if strict and _HOW_LONG_IT_TAKES.search(norm, 0, m.start()):
            continue  # "tardamos 3 semanas en llamar a un lead. TRES SEMANAS": how slow, not when to buy
        hits.append(_Hit(months, *_span(m), 0.9 if m["prefix"] else 0.75, duration=True))
    return hits


def _calendar_periods(norm: str, today: dt.date, strict: bool) -> list[_Hit]:
    quarter_start = 3 * ((today.month - 1) // 3) + 1
    next_quarter = _months_until(today, _first_of(today.year, quarter_start + 3))
    end_of_month = _months_until(today, _first_of(today.year, today.month + 1))
    end_of_year = _months_until(today, dt.date(today.year + 1, 1, 1))
    hits = [_Hit(1.0, *_span(m)) for m in _NEXT_MONTH.finditer(norm)]
    hits += [_Hit(end_of_month, *_span(m)) for m in _THIS_MONTH.finditer(norm)]
    hits += [_Hit(min(next_quarter, 3.0), *_span(m)) for m in _NEXT_QUARTER.finditer(norm)]
    hits += [_Hit(next_quarter, *_span(m)) for m in _THIS_QUARTER.finditer(norm)]
    hits += [_Hit(end_of_year, *_span(m)) for m in _THIS_YEAR.finditer(norm)]
    for m in _NEXT_YEAR.finditer(norm):
        hits.append(_Hit(_within_year(today, today.year + 1, m["mod"]), *_span(m)))
    return hits


def _explicit_years(norm: str, today: dt.date, strict: bool) -> list[_Hit]:
    hits = []
    matches = list(_EXPLICIT_YEAR.finditer(norm))
    if not strict:
        matches += list(_BARE_YEAR.finditer(norm))
    for m in matches:
        year = int(m["year"])
        if year < today.year or year > today.year + 20:
            continue
        prep = m.groupdict().get("prep") or ""
        modifier = m.groupdict().get("mod")
        if m.re is _EXPLICIT_YEAR and not (prep or modifier):
            continue  # a bare "2027" inside a sentence may be anything
        if year == today.year:
            months = _months_until(today, dt.date(year + 1, 1, 1))
        elif _UPPER_BOUND.match(prep) and not modifier:
            months = _months_until(today, dt.date(year, 1, 1))
        else:
            months = _within_year(today, year, modifier)
        hits.append(_Hit(months, *_span(m)))
    return hits


def _quarters(norm: str, today: dt.date, strict: bool) -> list[_Hit]:
    hits = []
    current = (today.month - 1) // 3 + 1
    for m in _QUARTER.finditer(norm):
        quarter = int(m["q"]) if m["q"] else _ORDINAL_QUARTER.get(m["ord"], 0)
        year = _year(m["year"] or m["year2"]) or _next_year_after(norm, m.end(), today)
        months = _until_period(today, year, quarter, current, 3, _ends(norm, m.start()))
        if quarter and months is not None:
            hits.append(_Hit(months, *_span(m)))
    for m in _HALF.finditer(norm):
        half = int(m["h"]) if m["h"] else (1 if m["ord"] in ("first", "1st", "primer") else 2)
        year = _next_year_after(norm, m.end(), today)
        months = _until_period(today, year, half, (today.month - 1) // 6 + 1, 6, _ends(norm, m.start()))
        if months is not None:
            hits.append(_Hit(months, *_span(m)))
    return hits


def _next_year_after(norm: str, end: int, today: dt.date) -> int | None:
    """``today.year + 1`` when the period is followed by "of next year" / "del año que viene"."""
    return today.year + 1 if _OF_NEXT_YEAR.match(norm, end) else None


def _ends(norm: str, start: int) -> bool:
    """Whether the period is preceded by "end of" / "finales de"."""
    return bool(_END_OF.search(norm[max(0, start - 20) : start]))


def _year(said: str | None) -> int | None:
    if not said:
        return None
    return int(said) + (2000 if len(said) == 2 else 0)


def _seasons(norm: str, today: dt.date, strict: bool) -> list[_Hit]:
    hits = []
    for m in _SEASON.finditer(norm):
        name = m["name"]
        lead = _SEASON_LEAD.search(norm[max(0, m.start() - 40) : m.start()])
        tail = _SEASON_TAIL.match(norm, m.end())
        if lead is None or tail is None:
            continue  # never: every part of both patterns is optional
        prep, which, modifier = lead["prep"], lead["which"], lead["mod"]
        if tail["past"] or (which and "last" in which):
            continue  # "last summer", "el verano pasado": a story
        anchored = bool(prep or which or modifier or tail["year"] or tail["next_year"] or tail["next"] or tail["over"])
        if not anchored and (
            strict or (name in _SEASON_AMBIGUOUS and not _says_only_time(_rest_of_clause(norm, *_span(m))))
        ):
            continue  # "leads fall through", "el cole de mis hijos"
        next_one = bool(tail["next"] or (which and _NEXT_WORD.match(which)))
        year = int(tail["year"]) if tail["year"] else today.year + 1 if tail["next_year"] else None
        period = _occurrence(_SEASON_PERIODS[_season_key(name)], today, year, next_one)
        if period is None:
            continue
        first, after = period
        if (prep and _SEASON_AFTER.match(prep)) or tail["over"] or (modifier and re.match(_END, modifier)):
            months = _months_until(today, after)
        elif first <= today:
            months = _months_until(today, after)  # the current season: until it ends
        elif modifier and re.match(_MID, modifier):
            months = (_months_until(today, first) + _months_until(today, after)) / 2
        else:
            months = _months_until(today, first)
        start = m.start() - len(lead.group(0))  # the reason quotes "after the summer", not "summer"
        hits.append(_Hit(months, start, tail.end(), 0.9 if anchored else 0.8))
    return hits


def _months(norm: str, today: dt.date, strict: bool) -> list[_Hit]:
    hits = []
    for m in _MONTH.finditer(norm):
        name = m["month"]
        has_day = bool(m["day"] or m["day2"])
        anchored = bool(m["prep"] or m["mod"] or has_day or m["year"])
        if (strict or name in _VERB_MONTHS) and not anchored:
            continue
        if len(name) <= 4 and not anchored and norm.strip(" .!?") != name:
            continue  # "jun", "oct" alone inside a sentence are too easy to misread
        if has_day:
            months = _dateparser_months(m.group(0), today)
            if months is not None:
                hits.append(_Hit(months, *_span(m)))
            continue
        months = _until_month(today, _MONTHS[name], int(m["year"]) if m["year"] else None, m["mod"])
        if months is not None:
            hits.append(_Hit(months, *_span(m), 0.9 if anchored else 0.8))
    for m in _NUMERIC_DATE.finditer(norm):
        months = _dateparser_months(m.group(0), today)
        if months is not None:
            hits.append(_Hit(months, *_span(m)))
    return hits


_DIGITS = tuple("0123456789")
_WORDS = re.compile(r"[a-z\u00e0-\u00ff]+|\d")
# Each rule with the substrings (tuple) or words (frozenset) one of its phrases must contain.
_RULES: tuple[tuple[_Rule, tuple[str, ...] | frozenset[str]], ...] = (
    (
        _asap,
        (
            "asap", "soon", "possible", "immediat", "right", "straight", "urgent", "yesterday",
            "antes", "posible", "inmediat", "mismo", "seguida", "week", "semana", "today", "hoy",
            "tomorrow", "now", "pronto", "breve", "xim", "near", "short", "corto", "ahora", "ya",
            "ma\u00f1ana", "manana", "ayer", "already", "term", "plazo", "cuanto", "podamos", "quincena",
            "fortnight",
        ),
    ),
    (_in_n_units, _DIGITS),
    (_calendar_periods, ("month", "mes", "quarter", " q", "trimestre", "year", "a\u00f1o", "ano", "ejercicio")),
    (_explicit_years, ("20",)),
    (_quarters, ("q1", "q2", "q3", "q4", "quarter", "trimestre", "half", "semestre", "h1", "h2")),
    (_months, frozenset(_MONTHS) | frozenset(_DIGITS)),
    (_seasons, _SEASON_KEYS),
)  # fmt: skip
