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
  * absolute dates ("15/03/2027", "March 15th") go through dateparser, day first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from dateparser.date import DateDataParser

from bot.parse.base import Answer, Criterion, Kind
from bot.parse.numbers import normalize

_FLOOR = 0.5
_DAYS_PER_MONTH = 30.44

_UNIT_MONTHS = {
    "day": 1 / _DAYS_PER_MONTH, "dia": 1 / _DAYS_PER_MONTH, "día": 1 / _DAYS_PER_MONTH,
    "week": 7 / _DAYS_PER_MONTH, "wk": 7 / _DAYS_PER_MONTH, "semana": 7 / _DAYS_PER_MONTH,
    "month": 1.0, "mes": 1.0, "quarter": 3.0, "trimestre": 3.0,
    "year": 12.0, "yr": 12.0, "año": 12.0, "ano": 12.0,
}  # fmt: skip
_UNIT = r"(?P<unit>days?|d[ií]as?|weeks?|wks?|semanas?|months?|mes(?:es)?|quarters?|trimestres?|years?|yrs?|a[nñ]os?)\b"

# Word quantities rewritten as digits so one regex reads them all.
_QUANTITY_WORDS = [
    (re.compile(r"\b(?:a\s+)?year\s+and\s+a\s+half\b|\ba[nñ]o\s+y\s+medio\b"), "18 months"),
    (re.compile(r"\bhalf\s+a\s+year\b|\bmedio\s+a[nñ]o\b|\bsix\s+months\b"), "6 months"),
    (re.compile(r"\b(?:a\s+)?couple\s+(?:of\s+)?(?=(?:days?|weeks?|months?|years?)\b)"), "2 "),
    (re.compile(r"\bun\s+par\s+de\s+(?=(?:d[ií]as|semanas|meses|a[nñ]os)\b)"), "2 "),
    (re.compile(r"\b(?:a\s+)?few\s+(?=(?:days|weeks|months|years)\b)"), "3 "),
    (
        re.compile(r"\b(?:unos|unas|algunos|algunas)(?:\s+pocos|\s+pocas)?\s+(?=(?:d[ií]as|semanas|meses|a[nñ]os)\b)"),
        "3 ",
    ),
    # "in a year" but not "30k a year": the article only counts after a time preposition.
    (
        re.compile(
            r"\b(in|within|en|dentro\s+de|next|after|despu[eé]s\s+de|less\s+than|en\s+menos\s+de)"
            r"\s+(?:a|an|one|un|una)\s+(?=(?:day|week|month|quarter|year|d[ií]a|semana|mes|trimestre|a[nñ]o)\b)"
        ),
        r"\1 1 ",
    ),
]
_QUANTITY_KEYS: tuple[tuple[str, ...], ...] = (
    ("half", "medio"),
    ("half", "medio", "six"),
    ("couple",),
    ("par de",),
    ("few",),
    ("unos", "unas", "algun"),
    (" a ", " an ", "one", " un"),
)
_NUMBER = r"\d+(?:[.,]\d+)?"
_IN_N_UNITS = re.compile(
    r"(?P<prefix>\b(?:in|within|en|dentro\s+de|over\s+the\s+next|the\s+next|next|los\s+pr[oó]ximos"
    r"|las\s+pr[oó]ximas|pr[oó]ximos|pr[oó]ximas|de\s+aqu[ií]\s+a|en\s+los\s+pr[oó]ximos"
    r"|en\s+las\s+pr[oó]ximas|en\s+menos\s+de|less\s+than|about|around|unos|unas|after|despu[eé]s\s+de)\s+)?"
    rf"(?<![\w.,])(?P<n>{_NUMBER})(?:\s*(?:-|–|to|a|y|or|o)\s*(?P<n2>{_NUMBER}))?\s*{_UNIT}"
    r"(?P<suffix>\s+(?:from\s+now|time|desde\s+hoy|from\s+today|out))?"
)

_MONTHS = {
    "january": 1, "jan": 1, "enero": 1, "february": 2, "feb": 2, "febrero": 2, "march": 3,
    "marzo": 3, "april": 4, "apr": 4, "abril": 4, "may": 5, "mayo": 5, "june": 6, "jun": 6,
    "junio": 6, "july": 7, "jul": 7, "julio": 7, "august": 8, "aug": 8, "agosto": 8,
    "september": 9, "sept": 9, "sep": 9, "septiembre": 9, "setiembre": 9, "october": 10,
    "oct": 10, "octubre": 10, "november": 11, "nov": 11, "noviembre": 11, "december": 12,
    "dec": 12, "diciembre": 12,
}  # fmt: skip
_MONTH_NAME = "|".join(sorted(_MONTHS, key=len, reverse=True))
# "march" and "may" are also verbs: they count only after a time preposition or beside a day.
_VERB_MONTHS = {"march", "may"}
_START = (
    r"early|beginning\s+of|start\s+of|(?:a\s+)?principios\s+del?|al\s+principio\s+del?"
    r"|(?:a\s+)?comienzos\s+del?|(?:a\s+)?inicios\s+del?"
)
_MID = r"mid|middle\s+of|(?:a\s+)?mediados\s+del?"
_END = r"late|(?:the\s+)?end\s+of|(?:a\s+)?final(?:es)?\s+del?|(?:a\s+)?fin(?:es)?\s+del?"
_MONTH = re.compile(
    r"(?P<prep>\b(?:in|by|for|until|till|before|after|around|from|starting|start|until|para|en|antes\s+de"
    r"|desde|a\s+partir\s+de|hacia|de|del|sobre)\s+)?"
    rf"(?P<mod>(?:{_START}|{_MID}|{_END})(?:[\s-]+|$))?"
    r"(?:(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:de\s+|of\s+)?)?"
    rf"\b(?P<month>{_MONTH_NAME})\b\.?"
    r"(?:\s+(?P<day2>\d{1,2})(?:st|nd|rd|th)?\b(?![.,]\d))?"
    r"(?:,?\s+(?:de\s+|del\s+)?(?P<year>20\d\d))?"
)
_NUMERIC_DATE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:20)?\d\d\b|\b20\d\d-\d\d-\d\d\b")

_ORDINAL_QUARTER = {
    "first": 1, "1st": 1, "primer": 1, "primero": 1, "1er": 1, "1º": 1, "1o": 1,
    "second": 2, "2nd": 2, "segundo": 2, "2º": 2, "2o": 2,
    "third": 3, "3rd": 3, "tercer": 3, "tercero": 3, "3er": 3, "3º": 3, "3o": 3,
    "fourth": 4, "4th": 4, "cuarto": 4, "4º": 4, "4o": 4,
}  # fmt: skip
_YEAR_SUFFIX = r"(?:\s*(?:of\s+|de\s+|del\s+|')?(?P<year>20\d\d|\d\d)\b)?"
_QUARTER = re.compile(
    r"\bq(?P<q>[1-4])\b" + _YEAR_SUFFIX
    + r"|\b(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th|primer|primero|segundo|tercer|tercero"
    r"|cuarto|1er|3er|[1-4][ºo])\s+(?:quarter|trimestre)\b" + _YEAR_SUFFIX.replace("year", "year2")
)  # fmt: skip
_HALF = re.compile(r"\bh(?P<h>[12])\b|\b(?P<ord>first|second|1st|2nd|primer|segundo)\s+(?:half|semestre)\b")

_ASAP = re.compile(
    r"\basap\b|as\s+soon\s+as\s+possible|immediately|right\s+away|straight\s+away|urgent"
    r"|yesterday|cuanto\s+antes|lo\s+antes\s+posible|lo\s+m[aá]s\s+pronto\s+posible|de\s+inmediato"
    r"|inmediatamente|ya\s+mismo|enseguida|en\s+seguida|this\s+week|esta\s+semana|next\s+week"
    r"|la\s+semana\s+que\s+viene|la\s+pr[oó]xima\s+semana|\btoday\b|\bhoy\b|\btomorrow\b|\bnow\b(?!\s+we)"
)
# Too vague to count unless timing was just asked: "right now we use Excel", "ya tenemos CRM".
_ASAP_LENIENT = re.compile(r"right\s+now|ahora\s+mismo|^\W*(?:now|ya|ahora|ma[nñ]ana|ayer|already)\W*$")
_SOON = re.compile(
    r"\bsoon\b|shortly|\bpronto\b|en\s+breve|pr[oó]ximamente|coming\s+weeks|pr[oó]ximas\s+semanas"
    r"|near\s+future|short\s+term|corto\s+plazo"
)
_NEXT_MONTH = re.compile(
    r"next\s+month|following\s+month|(?:el\s+)?mes\s+que\s+viene|(?:el\s+)?pr[oó]ximo\s+mes"
    r"|el\s+mes\s+(?:pr[oó]ximo|siguiente)|siguiente\s+mes"
)
_THIS_MONTH = re.compile(
    r"this\s+month|este\s+(?:mismo\s+)?mes|end\s+of\s+(?:the\s+|this\s+)?month|month[\s-]end"
    r"|fin(?:al)?(?:es)?\s+de(?:l)?\s+mes|within\s+the\s+month"
)
_NEXT_QUARTER = re.compile(
    r"next\s+(?:quarter|q)\b|following\s+quarter|(?:el\s+)?(?:pr[oó]ximo|siguiente)\s+trimestre"
    r"|(?:el\s+)?trimestre\s+(?:que\s+viene|pr[oó]ximo|siguiente)"
)
_THIS_QUARTER = re.compile(
    r"this\s+(?:quarter|q)\b|este\s+trimestre|end\s+of\s+(?:the\s+|this\s+)?quarter|quarter[\s-]end"
    r"|fin(?:al)?(?:es)?\s+de(?:l)?\s+(?:este\s+)?trimestre|cierre\s+(?:del|de\s+este)\s+trimestre"
)
_NEXT_YEAR = re.compile(
    rf"(?:(?P<mod>{_START}|{_MID}|{_END})[\s-]+(?:the\s+|el\s+)?)?"
    r"(?:next\s+year|following\s+year|(?:el\s+)?a[nñ]o\s+(?:que\s+viene|pr[oó]ximo|siguiente)"
    r"|(?:el\s+)?pr[oó]ximo\s+a[nñ]o|siguiente\s+a[nñ]o)"
)
_THIS_YEAR = re.compile(
    r"this\s+year|este\s+a[nñ]o|end\s+of\s+(?:the\s+|this\s+)?year|year[\s-]end|end\s+of\s+year"
    r"|fin(?:al)?(?:es)?\s+de(?:l)?\s+a[nñ]o|fin\s+de\s+a[nñ]o|before\s+the\s+year\s+is\s+out"
)
_EXPLICIT_YEAR = re.compile(
    r"(?P<prep>\b(?:in|by|before|for|during|en|para|antes\s+de|durante|hacia)\s+)?"
    rf"(?:(?P<mod>{_START}|{_MID}|{_END})[\s-]+)?(?:del\s+|de\s+)?(?P<year>20\d\d)\b(?![.,]?\d|\s*(?:k|€|\$))"
)
_BARE_YEAR = re.compile(r"^\W*(?P<year>20\d\d)\W*$")

_NONE = re.compile(
    r"no\s+(?:current\s+|immediate\s+)?plans?|not\s+planning|no\s+(?:intention|intent)|not\s+(?:looking\s+to\s+)?buy"
    r"|just\s+(?:researching|research|browsing)|only\s+researching|solo\s+(?:estamos\s+)?(?:investigando|mirando)"
    r"|no\s+tenemos\s+(?:planes|intenci[oó]n)|no\s+hay\s+planes|no\s+(?:pensamos|vamos\s+a)\s+comprar"
    r"|not\s+in\s+the\s+market|no\s+estamos\s+buscando|no\s+buscamos|sin\s+planes"
)
_NONE_LENIENT = re.compile(r"\bnever\b|\bnunca\b|^\W*(?:no|nope|none|n/a|ninguno)\W*$")
_UNDECIDED = re.compile(
    r"not\s+sure\s+when|no\s+s[eé]\s+cu[aá]ndo|no\s+sabemos\s+cu[aá]ndo|whenever|when(?:ever)?\s+the\s+"
    r"(?:board|boss|ceo|budget|management|committee|finance)|cuando\s+(?:el|la|los|las|se|mi)\s+\w+\s+"
    r"(?:lo\s+)?(?:apruebe|aprueben|decida|decidan)|cuando\s+(?:tengamos|haya)\s+presupuesto"
    r"|once\s+(?:the\s+)?budget|no\s+timeline|no\s+(?:fixed\s+)?date|sin\s+fecha|no\s+(?:hay|tenemos)\s+fecha"
    r"|timing\s+depends|some\s*day|at\s+some\s+point|eventually|alg[uú]n\s+d[ií]a|en\s+alg[uú]n\s+momento"
    r"|m[aá]s\s+adelante|\btbd\b|to\s+be\s+(?:decided|determined)|por\s+(?:decidir|definir)|undecided"
    r"|not\s+decided|no\s+(?:lo\s+)?hemos\s+decidido|sin\s+decidir|depends\s+on\s+(?:the\s+)?"
    r"(?:board|budget|approval|boss)|pending\s+approval|pendiente\s+de\s+aprobaci[oó]n|depende\s+de"
)
_UNDECIDED_LENIENT = re.compile(
    r"not\s+sure|unsure|(?:don'?t|do\s+not)\s+know|\bidk\b|no\s+idea|depends|depende|\bno\s+s[eé]\b"
    r"|no\s+(?:lo\s+)?sabemos|\blater\b|luego|ya\s+veremos|we'?ll\s+see|not\s+yet|todav[ií]a\s+no|a[uú]n\s+no"
)
_HEDGE = re.compile(r"maybe|probably|perhaps|quiz[aá]s?|tal\s+vez|ideally|hopefully|idealmente|ojal[aá]|\?")
_NEGATED = re.compile(r"\b(?:not|no|nor|ni|never|nunca)\s+(?:in\s+|en\s+|by\s+|para\s+|before\s+)?$")


@dataclass(frozen=True)
class _Hit:
    months: float
    start: int
    end: int
    confidence: float = 0.9


_Rule = Callable[[str, dt.date, bool], "list[_Hit]"]


def parse_timing(text: str, *, today: dt.date, strict: bool = False) -> Answer:
    """Months from ``today`` until the visitor means to buy (see the module conventions)."""
    raw = text
    norm = _rewrite_quantities(normalize(text))
    none_said = _has(norm, _NONE_KEYS) and _NONE.search(norm)
    if none_said or (not strict and _has(norm, ("nunca", "never", "no", "n/a")) and _NONE_LENIENT.search(norm)):
        return Answer(Criterion.TIMING, raw, Kind.NONE, None, 0.85, "no purchase planned")
    words = frozenset(_WORDS.findall(norm))
    hits = [
        hit
        for rule, keys in _RULES
        if (keys & words if isinstance(keys, frozenset) else _has(norm, keys))
        for hit in rule(norm, today, strict)
        if not _NEGATED.search(norm[max(0, hit.start - 14) : hit.start])
    ]
    if hits:
        hit = min(hits, key=lambda h: (h.start, -h.end))
        months = round(max(_FLOOR, hit.months), 2)
        confidence = min(hit.confidence, 0.6) if _HEDGE.search(norm) else hit.confidence
        said = norm[hit.start : hit.end].strip()
        span = (hit.start, hit.end) if len(norm) == len(raw) else None
        reason = f"'{said}' = {months:g} months"
        return Answer(Criterion.TIMING, raw, Kind.VALUE, months, confidence, reason, span=span)
    undecided = _UNDECIDED.search(norm) or (None if strict else _UNDECIDED_LENIENT.search(norm))
    if undecided:
        reason = f"'{undecided.group(0)}': timing not decided"
        return Answer(Criterion.TIMING, raw, Kind.UNDECIDED, None, 0.7, reason)
    return Answer.unknown(Criterion.TIMING, raw, "no time phrase found")


def _rewrite_quantities(norm: str) -> str:
    for (pattern, digits), keys in zip(_QUANTITY_WORDS, _QUANTITY_KEYS, strict=True):
        if _has(norm, keys):
            norm = pattern.sub(digits, norm)
    return norm


def _has(norm: str, keys: tuple[str, ...]) -> bool:
    """Cheap substring gate in front of a regex: ``in`` is ~100x faster than a failed search."""
    return any(key in norm for key in keys)


def _months_until(today: dt.date, target: dt.date) -> float:
    """Calendar months, so 1 Oct -> 1 Jan is exactly 3.0 (not 3.02 by day count)."""
    whole = (target.year - today.year) * 12 + target.month - today.month
    return whole + (target.day - today.day) / _DAYS_PER_MONTH


def _first_of(year: int, month: int) -> dt.date:
    """First day of ``month`` in ``year``, rolling months past 12 into the next years."""
    year += (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, 1)


def _span(match: re.Match[str]) -> tuple[int, int]:
    return match.start(), match.end()


def _asap(norm: str, today: dt.date, strict: bool) -> list[_Hit]:
    hits = [_Hit(_FLOOR, *_span(m)) for m in _ASAP.finditer(norm)]
    if not strict:
        hits += [_Hit(_FLOOR, *_span(m), 0.8) for m in _ASAP_LENIENT.finditer(norm)]
    hits += [_Hit(1.0, *_span(m), 0.6) for m in _SOON.finditer(norm)]
    return hits


def _in_n_units(norm: str, today: dt.date, strict: bool) -> list[_Hit]:
    hits = []
    for m in _IN_N_UNITS.finditer(norm):
        if strict and not (m["prefix"] or m["suffix"]):
            continue
        unit = m["unit"].rstrip("s") if not m["unit"].startswith("mes") else "mes"
        per_unit = _UNIT_MONTHS.get(unit.replace("á", "a").replace("í", "i"), _UNIT_MONTHS.get(unit, 1.0))
        low = float(m["n"].replace(",", "."))
        high = float(m["n2"].replace(",", ".")) if m["n2"] else low
        if low > 1000 or high > 1000:  # "2027 days" is not a plan, and huge floats are slow
            continue
        hits.append(_Hit((low + high) / 2 * per_unit, *_span(m), 0.9 if m["prefix"] else 0.75))
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


def _within_year(today: dt.date, year: int, modifier: str | None) -> float:
    """Months until early/mid/late ``year`` (no modifier = the middle)."""
    if modifier and re.match(_START, modifier):
        return _months_until(today, dt.date(year, 2, 1))
    if modifier and re.match(_END, modifier):
        return _months_until(today, dt.date(year + 1, 1, 1))
    return _months_until(today, dt.date(year, 7, 1))


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
        elif re.match(r"by|before|antes", prep) and not modifier:
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


_OF_NEXT_YEAR = re.compile(
    r"\s*(?:of|de|del)\s+(?:the\s+|el\s+)?(?:next\s+year|following\s+year|a[nñ]o\s+que\s+viene"
    r"|pr[oó]ximo\s+a[nñ]o|a[nñ]o\s+(?:pr[oó]ximo|siguiente))"
)
_END_OF = re.compile(rf"(?:{_END})\s+(?:the\s+|el\s+)?$")


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


def _until_period(today: dt.date, year: int | None, index: int, current: int, size: int, at_end: bool) -> float | None:
    """Months until the start of period ``index`` (quarters: size 3, halves: size 6).

    The current period reads as "this quarter/half" (until its end); a passed one without a
    year means next year's; a passed one with a year was a mistake and is ignored.
    """
    start_month = (index - 1) * size + 1
    if year is None:
        year = today.year if index >= current else today.year + 1
    if (year, index) < (today.year, current) or not 1 <= index <= 12 // size:
        return None
    if at_end or (year == today.year and index == current):
        return _months_until(today, _first_of(year, start_month + size))
    return _months_until(today, dt.date(year, start_month, 1))


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


def _until_month(today: dt.date, month: int, year: int | None, modifier: str | None) -> float | None:
    if year is None:
        year = today.year if month >= today.month else today.year + 1
    if (year, month) < (today.year, today.month):
        return None
    start = dt.date(year, month, 1)
    if (year, month) == (today.year, today.month) or (modifier and re.match(_END, modifier)):
        return _months_until(today, _first_of(year, month + 1))
    if modifier and re.match(_MID, modifier):
        return _months_until(today, start) + 0.5
    return _months_until(today, start)


@lru_cache(maxsize=4)
def _date_parser(today: dt.date) -> DateDataParser:
    # Built once per conversation date: constructing a DateDataParser costs milliseconds.
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": dt.datetime(today.year, today.month, today.day),
        "DATE_ORDER": "DMY",  # European visitors: 03/04 is 3 April
    }
    return DateDataParser(languages=["en", "es"], settings=settings)


def _dateparser_months(said: str, today: dt.date) -> float | None:
    try:
        found = _date_parser(today).get_date_data(said).date_obj
    except Exception:  # third-party parser on visitor text: a date we cannot read is no date
        return None
    if found is None or found.date() < today:
        return None
    return _months_until(today, found.date())


_DIGITS = tuple("0123456789")
_WORDS = re.compile(r"[a-z\u00e0-\u00ff]+|\d")
_NONE_KEYS = (
    "plan", "intent", "buy", "research", "brows", "investig", "mirando", "intenci", "comprar",
    "market", "buscando", "buscamos",
)  # fmt: skip
# Each rule with the substrings (tuple) or words (frozenset) one of its phrases must contain.
_RULES: tuple[tuple[_Rule, tuple[str, ...] | frozenset[str]], ...] = (
    (
        _asap,
        (
            "asap", "soon", "possible", "immediat", "right", "straight", "urgent", "yesterday",
            "antes", "posible", "inmediat", "mismo", "seguida", "week", "semana", "today", "hoy",
            "tomorrow", "now", "pronto", "breve", "xim", "near", "short", "corto", "ahora", "ya",
            "ma\u00f1ana", "manana", "ayer", "already",
        ),
    ),
    (_in_n_units, _DIGITS),
    (_calendar_periods, ("month", "mes", "quarter", " q", "trimestre", "year", "a\u00f1o", "ano")),
    (_explicit_years, ("20",)),
    (_quarters, ("q1", "q2", "q3", "q4", "quarter", "trimestre", "half", "semestre", "h1", "h2")),
    (_months, frozenset(_MONTHS) | frozenset(_DIGITS)),
)  # fmt: skip
