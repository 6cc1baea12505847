"""Timing words: units, months, quarters, seasons and vague times as English and Spanish visitors write them.

Owns the phrase tables ``parse_timing`` reads; the conventions they follow are in ``bot.parse.timing``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_DAYS_PER_MONTH = 30.44  # a day is 1/30.44 of a month (the conventions in bot.parse.timing)

_UNIT_MONTHS = {
    "day": 1 / _DAYS_PER_MONTH, "dia": 1 / _DAYS_PER_MONTH, "día": 1 / _DAYS_PER_MONTH,
    "week": 7 / _DAYS_PER_MONTH, "wk": 7 / _DAYS_PER_MONTH, "semana": 7 / _DAYS_PER_MONTH,
    "fortnight": 14 / _DAYS_PER_MONTH, "quincena": 15 / _DAYS_PER_MONTH,
    "month": 1.0, "mes": 1.0, "quarter": 3.0, "trimestre": 3.0,
    "year": 12.0, "yr": 12.0, "año": 12.0, "ano": 12.0,
}  # fmt: skip
_UNIT = (
    r"(?P<unit>days?|d[ií]as?|weeks?|wks?|semanas?|fortnights?|quincenas?|months?|mes(?:es)?|quarters?"
    r"|trimestres?|years?|yrs?|a[nñ]os?)\b"
)
# The same units for the word rewrites below (singular and plural, English and Spanish).
_UNIT_WORD = (
    r"(?:days?|d[ií]as?|weeks?|semanas?|fortnights?|quincenas?|months?|mes(?:es)?|quarters?|trimestres?"
    r"|years?|a[nñ]os?)\b"
)
_UNIT_ONE = r"(day|week|fortnight|month|year|d[ií]a|semana|quincena|mes|a[nñ]o)"


def _unit_months(word: str) -> float | None:
    word = word.lower()
    for singular in (word, word[:-1], word[:-2]):
        if singular in _UNIT_MONTHS:
            return _UNIT_MONTHS[singular]
    return None


def _months_range(m: re.Match[str]) -> str | None:
    """``N unit and M unit2`` as ``a-b months`` when the units differ (same units read as they are)."""
    first, second = _unit_months(m["unit"]), _unit_months(m["unit2"])
    if first is None or second is None or first == second:
        return None
    low = float(m["n"].replace(",", ".")) * first
    high = (1.0 if m["one"] else float(m["n2"].replace(",", "."))) * second
    return f"{round(low, 2):g}-{round(high, 2):g} months"


# Word quantities rewritten as digits so one regex reads them all: (substrings one of which a
# phrase must contain, pattern, replacement), applied in order ("2 months and a half" before
# "a month and a half", fractions before "in a month").
_QUANTITY_WORDS: tuple[tuple[tuple[str, ...], re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # "between 6 months and a year", "entre 3 semanas y 2 meses": one range, in months.
    (
        (" and ", " y ", " to ", " a ", " or ", " o ", "-"),
        re.compile(
            r"\b(?P<n>\d+(?:[.,]\d+)?)\s+(?P<unit>" + _UNIT_WORD + r")\s*(?:and|y|to|a|or|o|-|–)\s*"
            r"(?:(?P<one>a|an|one|un|una)|(?P<n2>\d+(?:[.,]\d+)?))\s+(?P<unit2>" + _UNIT_WORD + r")"
        ),
        lambda m: _months_range(m) or m.group(0),
    ),
    # "in a few months, 4 or 5 maybe", "en unos meses, 5 o 6": the figure said beats the vague word.
    (
        ("few", "several", "couple", "handful", "unos", "unas", "algun", "vari", "par de"),
        re.compile(
            r"\b(?:(?:a\s+)?(?:few|several|couple(?:\s+of)?|handful\s+of)|unos|unas|algunos|algunas|varios|varias"
            r"|un\s+par\s+de)(?:\s+pocos|\s+pocas|\s+cuantos|\s+cuantas)?\s+(?P<unit>" + _UNIT_WORD + r")"
            r"\s*[,;:(–-]?\s*(?P<hedge>(?:(?:say|maybe|probably|perhaps|like|about|around|i'?d\s+say|digamos"
            r"|pongamos|quiz[aá]s?|tal\s+vez|unos|unas|igual|pues|creo\s+que|probablemente)\s+)*)"
            r"(?P<n>\d+(?:[.,]\d+)?(?:\s*(?:-|–|to|or|o|u|a|y)\s*\d+(?:[.,]\d+)?)?)"
            r"(?:\s+(?P<unit2>" + _UNIT_WORD + r"))?"
            r"(?=\s*(?:$|[.,;:!?)]|(?:maybe|probably|perhaps|i\s+(?:think|guess)|or\s+so|tops|max|at\s+most"
            r"|quiz[aá]s?|tal\s+vez|creo|supongo|igual|como\s+mucho|m[aá]ximo|more\s+or\s+less|m[aá]s\s+o\s+menos"
            r"|probablemente|seguramente)\b))"
        ),
        lambda m: f"{m['n']} {m['unit2'] or m['unit']} {m['hedge']}".rstrip(),
    ),
    # alpha2digit leaves "one"/"uno" alone: "one or two months" is the range 1-2.
    (("one", "uno"), re.compile(r"\b(?:one|uno)\s+(?=(?:or|to|o|a)\s+\d)"), "1 "),
    (("half",), re.compile(r"\b(\d+)\s+and\s+a\s+half\s+(?=" + _UNIT_WORD + ")"), r"\1.5 "),
    (
        ("half", "medi"),
        re.compile(r"\b(\d+)\s+(" + _UNIT_WORD + r")\s+(?:and\s+a\s+half|y\s+medi[oa])\b"),
        r"\1.5 \2",
    ),
    (
        ("half", "medi"),
        re.compile(r"\b(?:(?:a|an|one|un|una)\s+)?" + _UNIT_ONE + r"\s+(?:and\s+a\s+half|y\s+medi[oa])\b"),
        r"1.5 \1",
    ),
    (("half",), re.compile(r"\b(?:a\s+)?half[\s-]+(?:a\s+)?year\b"), "6 months"),
    (("half", "medi"), re.compile(r"\b(?:half\s+(?:a|an)|medi[oa])\s+(?=" + _UNIT_ONE + r"\b)"), "0.5 "),
    (("couple",), re.compile(r"\b(?:a\s+)?couple\s+(?:of\s+)?(?=" + _UNIT_WORD + ")"), "2 "),
    (("par de",), re.compile(r"\bun\s+par\s+de\s+(?=" + _UNIT_WORD + ")"), "2 "),
    (
        ("few", "several", "handful"),
        re.compile(r"\b(?:a\s+)?(?:few|several|handful\s+of)\s+(?=" + _UNIT_WORD + ")"),
        "3 ",
    ),
    (
        ("unos", "unas", "algun", "vari"),
        re.compile(
            r"\b(?:unos|unas|algunos|algunas|varios|varias)(?:\s+pocos|\s+pocas|\s+cuantos|\s+cuantas)?\s+(?="
            + _UNIT_WORD
            + ")"
        ),
        "3 ",
    ),
    # "a month or two", "un mes o dos": the range 1-2.
    (
        (" or ", " o ", " u "),
        re.compile(r"\b(?:a|an|one|un|una|1)\s+" + _UNIT_ONE + r"\s+(?:or|o|u)\s+(?:2|two|dos)\b"),
        r"1-2 \1",
    ),
    # "in a year" but not "30k a year": the article only counts after a time preposition.
    (
        (" a ", " an ", "one", " un"),
        re.compile(
            r"\b(in|within|en|dentro\s+de|next|after|despu[eé]s\s+de|less\s+than|en\s+menos\s+de|more\s+than"
            r"|at\s+least|over|m[aá]s\s+de|al\s+menos|por\s+lo\s+menos|como\s+m[ií]nimo|before|antes\s+de"
            r"|de\s+aqu[ií]\s+a)"
            r"(\s+(?:about|around|roughly|approximately|approx|just|only|unos|unas|cosa\s+de|aproximadamente"
            r"|m[aá]s\s+o\s+menos|solo))?"
            r"\s+(?:a|an|one|un|una)\s+(?=" + _UNIT_ONE + r"\b)"
        ),
        r"\1\2 1 ",
    ),
    # "a un año vista": a time frame from now, in Spain's usual words.
    (("vista",), re.compile(r"\b(?:a|an)\s+(?:un|una)\s+(?=" + _UNIT_ONE + r"\s+vista\b)"), "a 1 "),
    # "a year out", "a month away": counted from now like "in a year".
    ((" out", " away"), re.compile(r"\b(?:a|an|one)\s+(?=" + _UNIT_ONE + r"\s+(?:out|away)\b)"), "1 "),
    # A bare "a month" / "un año" as the whole answer.
    (
        ("a ", "an ", "one", "un"),
        re.compile(
            r"^(\W*(?:(?:about|around|roughly|maybe|probably|unos|unas|quiz[aá]s?)\s+)?)(?:a|an|one|un|una)\s+(?="
            + _UNIT_ONE
            + r"\b)"
        ),
        r"\g<1>1 ",
    ),
)
_NUMBER = r"\d+(?:[.,]\d+)?"
_AT_LEAST = r"at\s+least|more\s+than|over|m[aá]s\s+de|al\s+menos|por\s+lo\s+menos|como\s+m[ií]nimo|minimum|m[ií]nimo"
_IN_N_UNITS = re.compile(
    r"(?P<prefix>\b(?:in|within|en|dentro\s+de|over\s+the\s+next|the\s+next|next|los\s+pr[oó]ximos"
    r"|las\s+pr[oó]ximas|pr[oó]ximos|pr[oó]ximas|de\s+aqu[ií]\s+a|en\s+los\s+pr[oó]ximos"
    r"|en\s+las\s+pr[oó]ximas|en\s+menos\s+de|less\s+than|before|antes\s+de|about|around|unos|unas|after"
    rf"|despu[eé]s\s+de|{_AT_LEAST})\s+)?"
    rf"(?<![\w.,])(?P<n>{_NUMBER})(?:\s*(?:-|–|to|a|y|or|o|u)\s*(?P<n2>{_NUMBER}))?(?P<plus>\s*\+)?\s*{_UNIT}"
    r"(?P<more>\s+(?:or\s+(?:more|longer)|o\s+m[aá]s|plus|at\s+least|minimum|al\s+menos|por\s+lo\s+menos"
    r"|como\s+m[ií]nimo|m[ií]nimo))?"
    r"(?P<suffix>\s+(?:from\s+now|time|desde\s+hoy|from\s+today|out|vista))?"
)
_AT_LEAST_PREFIX = re.compile(_AT_LEAST)
# "hace 2 meses", "the last 6 months", "2 weeks ago": a story, not a plan.
_PAST_BEFORE = re.compile(r"\b(?:hace|last|past|previous|[uú]ltim[oa]s|pasad[oa]s)\s+(?:the\s+)?$")
_AGO_AFTER = re.compile(r"\s*(?:ago|atr[aá]s|back)\b")

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
    r"|(?:a\s+)?comienzos\s+del?|(?:a\s+)?inicios\s+del?|(?:la\s+)?primera\s+quincena\s+del?"
)
_MID = r"mid|middle\s+of|(?:a\s+)?mediados\s+del?|(?:la\s+)?segunda\s+quincena\s+del?"
_END = r"late|(?:the\s+)?end\s+of|(?:a\s+)?final(?:es)?\s+del?|(?:a\s+)?fin(?:es)?\s+del?"
_MONTH = re.compile(
    r"(?P<prep>\b(?:in|by|for|until|till|before|after|around|from|starting|start|until|para|en|antes\s+de"
    r"|desde|a\s+partir\s+de|hacia|de|del|sobre|hasta|no\s+later\s+than|not\s+later\s+than"
    r"|no\s+m[aá]s\s+tarde\s+de)\s+)?"
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
    r"\basap\b|as\s+soon\s+as\s+(?:possible|(?:we|i)\s+can)|immediately|right\s+away|straight\s+away|urgent"
    r"|yesterday|\bpara\s+ayer\b|cuanto\s+antes|lo\s+antes\s+posible|lo\s+m[aá]s\s+pronto\s+posible|de\s+inmediato"
    r"|inmediatamente|ya\s+mismo|para\s+ya\b|enseguida|en\s+seguida|this\s+week|esta\s+semana|next\s+week"
    r"|la\s+semana\s+que\s+viene|la\s+pr[oó]xima\s+semana|\btoday\b|\bhoy\b|\btomorrow\b"
    r"|tan\s+pronto\s+como\s+(?:sea\s+posible|podamos|se\s+pueda)|en\s+cuanto\s+(?:podamos|se\s+pueda|sea\s+posible)|next\s+fortnight"
    r"|(?:la\s+)?pr[oó]xima\s+quincena|(?:la\s+)?quincena\s+que\s+viene"
)
# Words for the present: ASAP only in a clause about the purchase ("we need it now"), never in
# a description of today ("right now we're just looking", "ahora mismo usamos Excel").
_PRESENT = re.compile(
    r"\b(?:right\s+now|just\s+now|now|ahora\s+mismo|ahorita|ahora)\b(?!\s+we\b)|\bya\b(?=\s*(?:[,.;!?]|$))"
)
_PRESENT_DENIED = re.compile(r"\s*,?\s*(?:no|not|nada|todav[ií]a\s+no)\b")
# Too vague to count unless timing was just asked: "ya tenemos CRM", "mañana" alone.
_ASAP_LENIENT = re.compile(r"^\W*(?:ya|ma[nñ]ana|ayer|already)\W*$")
_SOON = re.compile(
    r"\bsoon\b(?!\s+as\b)|shortly|\bpronto\b(?!\s+como\b)|en\s+breve|pr[oó]ximamente|coming\s+weeks"
    r"|pr[oó]ximas\s+semanas|near\s+future|short[\s-]term|corto\s+plazo"
)
_MEDIUM_TERM = re.compile(r"medium[\s-]term|mid[\s-]term|medio\s+plazo")
_NEXT_MONTH = re.compile(
    r"next\s+month|following\s+month|(?:el\s+)?mes\s+que\s+viene|(?:el\s+)?pr[oó]ximo\s+mes"
    r"|el\s+mes\s+(?:pr[oó]ximo|siguiente)|siguiente\s+mes"
)
_THIS_MONTH = re.compile(
    r"this\s+month|este\s+(?:mismo\s+)?mes|end\s+of\s+(?:the\s+|this\s+)?month|month[\s-]end"
    r"|fin(?:al)?(?:es)?\s+de(?:l)?\s+mes|within\s+the\s+month"
)
_NEXT_QUARTER = re.compile(
    r"next\s+(?:quarter|qtr|q)\b|following\s+(?:quarter|qtr)|(?:el\s+)?(?:pr[oó]ximo|siguiente)\s+trimestre"
    r"|(?:el\s+)?trimestre\s+(?:que\s+viene|pr[oó]ximo|siguiente)"
)
_THIS_QUARTER = re.compile(
    r"this\s+(?:quarter|qtr|q)\b|este\s+trimestre|end\s+of\s+(?:the\s+|this\s+)?quarter|quarter[\s-]end"
    r"|fin(?:al)?(?:es)?\s+de(?:l)?\s+(?:este\s+)?trimestre|cierre\s+(?:del|de\s+este)\s+trimestre"
)
_NEXT_YEAR = re.compile(
    rf"(?:(?P<mod>{_START}|{_MID}|{_END})[\s-]+(?:the\s+|el\s+)?)?"
    r"(?:next\s+(?:fiscal\s+|financial\s+)?year|following\s+year|(?:el\s+)?a[nñ]o\s+(?:que\s+viene|pr[oó]ximo|siguiente)"
    r"|(?:el\s+)?pr[oó]ximo\s+(?:a[nñ]o|ejercicio)|siguiente\s+a[nñ]o)"
)
_THIS_YEAR = re.compile(
    r"this\s+year|este\s+a[nñ]o|end\s+of\s+(?:the\s+|this\s+)?year|year[\s-]end|end\s+of\s+year"
    r"|fin(?:al)?(?:es)?\s+de(?:l)?\s+a[nñ]o|fin\s+de\s+a[nñ]o|before\s+the\s+year\s+is\s+out"
    r"|(?:que\s+)?(?:se\s+)?(?:acabe|termine|finalice|cierre)\s+el\s+a[nñ]o"
)
_EXPLICIT_YEAR = re.compile(
    r"(?P<prep>\b(?:in|by|before|until|till|for|during|en|para|antes\s+de|hasta|durante|hacia)\s+)?"
    rf"(?:(?P<mod>{_START}|{_MID}|{_END})[\s-]+)?(?:del\s+|de\s+)?(?P<year>20\d\d)\b(?![.,]?\d|\s*(?:k|€|\$))"
)
_BARE_YEAR = re.compile(r"^\W*(?P<year>20\d\d)\W*$")
_UPPER_BOUND = re.compile(r"by|before|until|till|antes|hasta")

_OF_NEXT_YEAR = re.compile(
    r"\s*(?:of|de|del)\s+(?:the\s+|el\s+)?(?:next\s+year|following\s+year|a[nñ]o\s+que\s+viene"
    r"|pr[oó]ximo\s+a[nñ]o|a[nñ]o\s+(?:pr[oó]ximo|siguiente))"
)
_END_OF = re.compile(rf"(?:{_END})\s+(?:the\s+|el\s+)?$")

# Seasons and holidays (see the conventions in bot.parse.timing); names that are also common words count
# only with a preposition, "this/next" or a year, or alone in their clause ("probably fall").
_SEASON = re.compile(
    r"\b(?P<name>summer\s+(?:holidays?|vacations?|break)|vacaciones\s+de\s+verano"
    r"|(?:las\s+)?vacaciones(?!\s+de\s+(?:navidad|semana|pascua|invierno|reyes))"
    r"|spring(?:time)?|primavera|summer(?:time)?|verano|autumn|fall|oto[nñ]o|winter|invierno"
    r"|christmas|xmas|navidad(?:es)?|fiestas\s+navide[nñ]as|las\s+fiestas|the\s+holidays|holiday\s+season"
    r"|new\s+(?:fiscal\s+|financial\s+)?year|a[nñ]o\s+nuevo|nuevo\s+a[nñ]o|reyes|epiphany"
    r"|easter|pascua|semana\s+santa|holy\s+week|black\s+friday|cyber\s+monday|thanksgiving|buen\s+fin"
    r"|back\s+to\s+school|vuelta\s+al\s+cole(?:gio)?|cole(?:gio)?|(?:nuevo|pr[oó]ximo)\s+curso"
    r"|(?:new|next)\s+school\s+year)\b"
)
_SEASON_LEAD = re.compile(
    r"(?P<prep>\b(?:after|post|once|when|cuando\s+(?:pasen?|terminen?|acaben?)|before|by|for|in|during|until|till|around|ahead\s+of|over"
    r"|antes\s+del?|despu[eé]s\s+del?|tras|pasad[oa]s?|a\s+la\s+vuelta\s+del?|vuelta\s+del?|para|en"
    r"|durante|hasta|hacia|de\s+cara\s+al?|sobre|por)\s+)?"
    r"(?P<which>\b(?:this|next|coming|este|esta|estas|estos|el\s+pr[oó]ximo|la\s+pr[oó]xima|pr[oó]ximo"
    r"|pr[oó]xima|last|the\s+last)\s+)?"
    rf"(?P<mod>\b(?:{_START}|{_MID}|{_END}|the\s+middle\s+of|the\s+start\s+of|the\s+beginning\s+of)\s+)?"
    r"(?:(?:the|el|la|las|los)\s+)?$"
)
_SEASON_TAIL = re.compile(
    r"(?:\s+(?:of\s+|de\s+|del\s+)?(?P<year>20\d\d)\b)?"
    r"(?P<next_year>\s+(?:of\s+|de\s+|del\s+)?(?:the\s+|el\s+)?(?:next\s+year|a[nñ]o\s+(?:que\s+viene|pr[oó]ximo"
    r"|siguiente)|pr[oó]ximo\s+a[nñ]o|siguiente\s+a[nñ]o))?"
    r"(?P<next>\s+(?:que\s+viene|pr[oó]xim[oa]s?|siguientes?))?"
    r"(?P<past>\s+(?:pasad[oa]s?|anterior))?"
    r"(?P<over>\s+(?:is\s+over|are\s+over|ends|has\s+passed|termine|terminen|acabe|acaben|pase|pasen))?"
)
_SEASON_AFTER = re.compile(r"after|post|once|despu|tras|pasad|a\s+la\s+vuelta|vuelta|cuando\s+(?:pas|termin|acab)")
_NEXT_WORD = re.compile(r"next|el\s+pr|la\s+pr|pr")
_SEASON_AMBIGUOUS = frozenset({"fall", "reyes", "cole", "colegio", "las fiestas", "vacaciones", "las vacaciones"})
_SEASON_KEYS = frozenset(
    {
        "spring", "springtime", "primavera", "summer", "summertime", "verano", "autumn", "fall", "otoño",
        "otono", "winter", "invierno", "christmas", "xmas", "navidad", "navidades", "fiestas", "holidays",
        "holiday", "new", "nuevo", "reyes", "epiphany", "easter", "pascua", "santa", "holy", "friday",
        "cyber", "thanksgiving", "fin", "vacaciones", "school", "cole", "colegio", "curso",
    }
)  # fmt: skip

_NONE = re.compile(
    r"no\s+(?:current\s+|immediate\s+)?plans?|not\s+planning|no\s+(?:intention|intent)|not\s+(?:looking\s+to\s+)?buy"
    r"|(?:not\s+going\s+to|won'?t|will\s+not|never\s+going\s+to)\s+(?:be\s+)?buy"
    r"|no\s+tengo\s+(?:ning[uú]n\s+)?(?:planes|plan|intenci[oó]n)|ning[uú]n\s+plan|no\s+hay\s+(?:ning[uú]n\s+)?plan"
    r"|no\s+(?:voy|pienso|planeo|planeamos)\s+a?\s*comprar|no\s+(?:compraremos|compraré|comprare)\b"
    r"|no\s+(?:busco|buscamos|quiero|queremos)\s+comprar|not\s+a\s+buyer"
    r"|no\s+(?:estamos|estoy)\s+(?:comprando|pensando\s+en\s+comprar)"
    r"|just\s+(?:researching|research|browsing)|only\s+researching|solo\s+(?:estamos\s+)?(?:investigando|mirando)"
    r"|no\s+tenemos\s+(?:planes|intenci[oó]n)|no\s+hay\s+planes|no\s+(?:pensamos|vamos\s+a)\s+comprar"
    r"|not\s+in\s+the\s+market|no\s+estamos\s+buscando|no\s+buscamos|no\s+busco\s+nada|sin\s+planes"
    r"|not\s+looking\s+for\s+anything"
    # "we can't buy right now", "no podemos comprar nada ahora": no purchase, whatever time follows
    r"|(?:can'?t|cannot|can\s+not|unable\s+to)\s+(?:afford\s+to\s+)?buy|no\s+(?:podemos|puedo|podr[ií]amos)\s+comprar"
)

# "not a priority this year", "este año no es prioridad": the time named is when nothing happens.
_NOT_THIS_PERIOD = re.compile(
    r"(?:not\s+(?:a\s+)?(?:top\s+|high\s+|real\s+)?priority|no\s+rush|no\s+plans?|nothing\s+planned"
    r"|no\s+es\s+(?:una\s+)?prioridad|no\s+hay\s+prisa|no\s+corre\s+prisa|no\s+(?:hay|tenemos)\s+planes)"
    r"\s+(?:for\s+|in\s+|para\s+|en\s+)?(?:this|este|esta)\s+(?:year|a[nñ]o|quarter|trimestre|semestre)"
    r"|(?:this|este|esta)\s+(?:year|a[nñ]o)\s+(?:it'?s\s+|is\s+)?(?:not\s+(?:a\s+)?priority|no\s+es\s+(?:una\s+)?prioridad)"
)

# The cheap gate in front of ``_NONE``: the regex is tried only on a message holding one of these.
_NONE_KEYS = (
    "plan", "intent", "buy", "research", "brows", "investig", "mirando", "intenci", "compr",
    "market", "buscando", "buscamos", "busco", "looking",
)  # fmt: skip

_NONE_LENIENT = re.compile(
    r"\bnever\b|\bnunca\b|^\W*(?:no|nope|none|n/a|ninguno)\W*$|^\W*(?:none|n/a|ninguno|ninguna|nada)\s*[,.;:!-]"
    r"|^\W*(?:lol|jaja\w*|haha\w*)?\W*(?:none|nada|ninguno)\W*$|\bno\s+aplica\b|\bnot\s+applicable\b"
)
# No plans in other words, when no time frame comes with them ("no rush, maybe Q3" is Q3):
# no date, long term, not yet, just looking, money first ("when budget frees up").
_NO_PLANS = re.compile(
    r"\bno\s+(?:real\s+|concrete\s+|firm\s+|specific\s+|definite\s+)plans?\b|\bno\s+hay\s+nada\s+(?:pensado|previsto|decidido)\b"
    r"|\bnada\s+pensado\b"
    r"|\bno\s+(?:real\s+|fixed\s+|set\s+|firm\s+|concrete\s+|clear\s+|specific\s+)?(?:timeline|time\s*frame|date"
    r"|deadline|schedule|rush|hurry)\b|\bnot\s+(?:urgent|(?:a\s+)?(?:top\s+|high\s+)?priority|in\s+a\s+(?:rush|hurry))"
    r"|\blong[\s-]term\b|\bin\s+the\s+long\s+run\b|\bdown\s+the\s+(?:road|line)\b|\bsome\s*day\b"
    r"|\bnothing\s+(?:scheduled|planned|booked|set|decided)\b|\bnada\s+(?:previsto|planeado|programado|planificado)\b"
    r"|\b(?:sin|no\s+(?:hay|tenemos|tengo))\s+(?:una\s+|ninguna\s+)?(?:fecha|plazo|prisa|calendario)\b|\bno\s+corre\s+prisa\b"
    r"|\blargo\s+plazo\b|\bno\s+es\s+(?:una\s+)?prioridad\b|\bnada\s+urgente\b|\bno\s+urge\b|\balg[uú]n\s+d[ií]a\b"
    r"|\b(?:just|only|simply|merely)\s+(?:looking|exploring|curious|having\s+a\s+look|window[\s-]shopping"
    r"|gathering\s+info\w*|checking\s+(?:things\s+|you\s+)?out)|\bexploring\s+(?:options|the\s+market)\b"
    r"|\b(?:solo|s[oó]lo|solamente|de\s+momento)\s+(?:estoy\s+|estamos\s+)?(?:mirando|viendo|explorando"
    r"|curioseando|investigo|investigamos|investigando|inform[aá]ndo(?:me|nos)|cotilleando|echando\s+un\s+vistazo)"
    r"|\becha(?:ndo|r)\s+un\s+vistazo\b"
    r"|\b(?:not\s+(?:yet|now|right\s+now|at\s+the\s+moment|currently|for\s+now)|(?:de\s+momento|por\s+ahora"
    r"|por\s+el\s+momento|ahora\s+mismo|ahora|ahorita|todav[ií]a|a[uú]n|hoy\s+por\s+hoy)\s+no)\b"
    r"(?!\s+(?:lo\s+|se\s+|estoy\s+|estamos\s+|we'?re\s+|i'?m\s+)?(?:s[eé]|sabemos|sabr\w*|sure|decided|decidido"
    r"|hemos|tenemos\s+claro|seguro|segura|clear))"
)
# A date that is not a purchase: a job seeker's start, a student's deadline ("me podría incorporar en
# dos semanas", "available to start immediately", "tengo que entregar en junio").
_NOT_A_PURCHASE = re.compile(
    r"\b(?:incorporar(?:me)?|me\s+incorporo|empezar\s+a\s+trabajar|available\s+to\s+(?:start|join)|start\s+working"
    r"|(?:can|could)\s+(?:start|join)\s+(?:immediately|right\s+away|in|on|next)|notice\s+period|preaviso"
    r"|(?:tengo|tenemos|hay)\s+que\s+entregar(?:lo|la)?|entrega\s+(?:del|de\s+la|el)\s+(?:tfg|tfm|trabajo|tesis|proyecto)"
    r"|(?:my|the|our)\s+(?:thesis|dissertation|assignment|essay|coursework|report\s+for\s+(?:class|uni|school))"
    r"\s+(?:is\s+)?due|hand\s+(?:it\s+)?in\s+(?:by|on|in))\b"
)
# Money first, no date ("when budget frees up", "cuando tengamos plata, no sé cuándo"): no plans,
# even beside a "don't know when" (the SLA: a purchase waiting for money is not a time frame).
_MONEY_FIRST = re.compile(
    r"\b(?:when|once|until|if|whenever)\s+(?:we\s+(?:have|get|find|secure|raise)\s+|there\s+is\s+|there'?s\s+|the\s+)?"
    r"(?:some\s+|the\s+|a\s+|more\s+|enough\s+)?(?:budget|money|funding|funds|cash)\b"
    r"(?!\s+(?:is\s+|gets\s+|has\s+been\s+)?(?:approv|sign))|\bbudget\s+frees\s+up"
    r"|\b(?:cuando|hasta\s+que|si)\s+(?:no\s+)?(?:tengamos|haya|se\s+libere|se\s+descongele|se\s+desbloquee|consigamos"
    r"|dispongamos\s+de|entre|vuelva\s+a\s+haber|llegue)\s+"
    r"(?:el\s+|algo\s+de\s+|m[aá]s\s+|suficiente\s+)?"
    r"(?:presupuesto|dinero|fondos|financiaci[oó]n|plata|pasta|lana|guita|liquidez|caja)\b"
    # a funding round first: "cuando levantemos ronda", "once we close our seed round"
    r"|\b(?:cuando|hasta\s+que|si)\s+(?:no\s+)?(?:levantemos|cerremos|consigamos)\s+(?:la\s+|una\s+|nuestra\s+)?"
    r"(?:ronda|inversi[oó]n|financiaci[oó]n)|\b(?:when|once|until|if)\s+we\s+(?:raise|close|get)\s+(?:our\s+|the\s+|a\s+)?"
    r"(?:next\s+)?(?:seed\s+|series\s+\w\s+)?(?:round|funding|investment)"
    # a budget freeze first: "whenever the freeze lifts", "cuando se levante la congelación"
    r"|\b(?:when|once|until|after|whenever)\s+(?:the\s+|our\s+)?(?:budget\s+|spending\s+|hiring\s+)?freeze\b"
    r"|\bunfreez\w*|\b(?:cuando|hasta\s+que)\s+se\s+(?:levante|acabe|termine)\s+(?:la\s+)?congelaci[oó]n"
)
# Not a priority: no plans, even beside "later" ("no es prioridad ahora, quizá más adelante").
_NOT_A_PRIORITY = re.compile(
    r"\bnot\s+(?:a\s+)?(?:top\s+|high\s+|real\s+)?priority\b|\bno\s+es\s+(?:una\s+)?prioridad\b"
    r"|\bno\s+(?:es|son)\s+(?:nuestra|mi)\s+prioridad\b"
)
_UNDECIDED = re.compile(
    r"not\s+sure\s+when|no\s+s[eé]\s+cu[aá]ndo|no\s+sabemos\s+cu[aá]ndo|whenever|when(?:ever)?\s+(?:the\s+|our\s+|my\s+)?"
    r"(?:board|boss|ceo|cfo|management|committee|finance|procurement|legal)\b"
    r"|(?:once|when|after|as\s+soon\s+as|if)\b[^.,;!?]{0,40}?\b(?:approv\w*|signs?\s+off|sign-off"
    r"|green[\s-]?light\w*|gives?\s+(?:us\s+)?the\s+(?:ok|go[\s-]ahead|nod)|says?\s+(?:yes|go)|decides?)"
    r"|(?:cuando|en\s+cuanto|una\s+vez\s+que|tan\s+pronto\s+como)\b[^.,;!?]{0,40}?\b(?:aprueb\w*|d[eé]n?\s+"
    r"(?:el\s+)?(?:ok|visto\s+bueno|luz\s+verde)|firme\w*|decida\w*|diga\w*)"
    r"|timing\s+depends|at\s+some\s+point|eventually|en\s+alg[uú]n\s+momento"
    r"|m[aá]s\s+adelante|\btbd\b|to\s+be\s+(?:decided|determined)|por\s+(?:decidir|definir)|undecided"
    r"|not\s+(?:yet\s+)?decided|no\s+(?:lo\s+)?hemos\s+decidido|sin\s+decidir|depends\s+on\s+(?:the\s+)?"
    r"(?:board|budget|approval|boss)|pending\s+approval|pendiente\s+de\s+aprobaci[oó]n|depende\s+de"
)
_UNDECIDED_LENIENT = re.compile(
    r"not\s+sure|unsure|(?:don'?t|do\s+not)\s+know|\bidk\b|\bdunno\b|no\s+idea|ni\s+idea|depends|depende|\bno\s+s[eé]\b"
    r"|who\s+knows|qui[eé]n\s+sabe|🤷"
    r"|no\s+(?:lo\s+)?sabemos|\blater\b|luego|ya\s+veremos|we'?ll\s+see|not\s+yet|todav[ií]a\s+no|a[uú]n\s+no"
    # a condition with no date: "when our new VP starts", "cuando entre el nuevo director"
    r"|(?:^|(?<=[,.;:!?])\s*)(?:when|once|as\s+soon\s+as|after|cuando|en\s+cuanto|una\s+vez\s+que"
    r"|despu[eé]s\s+de\s+que)\b[^.,;:!?]{0,40}"
)
_HEDGE = re.compile(r"maybe|probably|perhaps|quiz[aá]s?|tal\s+vez|ideally|hopefully|idealmente|ojal[aá]|\?")
# "not in March", "no es el próximo trimestre", "it isn't next quarter": a denied time is dropped.
_NEGATED = re.compile(
    r"(?:\b(?:not|no|nor|ni|never|nunca)\s+(?:(?:es|ser[aá]|is|will\s+be)\s+)?|\bisn'?t\s+|\bwon'?t\s+be\s+)"
    r"(?:in\s+|en\s+|by\s+|para\s+|before\s+)?(?:the\s+|el\s+|la\s+)?$"
)

# "not before 2028", "ni de coña antes de un año", "hasta marzo no": a denied upper bound is
# a lower bound, so the date is kept instead of being dropped like "not in March".
_DENIAL = r"\b(?:not|no|ni|never|nunca|nada)(?:\s+(?:de\s+co[nñ]a|de\s+broma|way|even|really|for))?"
_BOUND = r"(?:before|until|till|by|within|in\s+less\s+than|antes\s+del?|hasta|en\s+menos\s+de|dentro\s+de)"
_DENIED_BOUND_BEFORE = re.compile(rf"{_DENIAL}\s+{_BOUND}\s+(?:the\s+|el\s+|la\s+)?$")
_DENIAL_BEFORE = re.compile(rf"{_DENIAL}\s+$")
_BOUND_AT = re.compile(rf"{_BOUND}\b")
_DENIAL_AFTER = re.compile(r"\s+(?:no|nada|ni\s+de\s+co[nñ]a)\b(?!\s*\?)")

# --- what makes a volunteered time the visitor's purchase timing --------------------------
_CLAUSE_BREAK = re.compile(
    r"[,;:!?()\n]|\.(?!\d)|\s[-–—]+\s|[–—]"
    r"|\band\b(?!\s+running)|\b(?:but|because|so|though|although|while|whereas|y|pero|porque|aunque|mientras)\b"
)
_TOKEN = re.compile(r"[a-z\u00e0-\u00ff]+")
# Words that leave a clause saying nothing but its time: "hmm, let's say ideally by March".
_FILLERS = frozenset(
    {
        "a", "al", "an", "and", "around", "approx", "approximately", "about", "at", "be", "but", "by", "d",
        "definitely", "el", "en", "eh", "em", "er", "for", "from", "guess", "hmm", "hopefully", "i",
        "ideally", "in", "is", "it", "l", "la", "las", "latest", "let", "like", "lo", "lol", "los", "ll",
        "m", "maybe", "me", "mean", "mm", "mmm", "more", "most", "no", "o", "of", "ok", "okay", "or",
        "perhaps", "please", "prob", "probably", "rather", "realistically", "roughly", "s", "say", "so",
        "sometime", "sorry", "sure", "tbh", "that", "the", "then", "think", "tops", "u", "uh", "um", "we",
        "well", "what", "wait", "yeah", "yes", "yep", "y", "max", "actually", "honestly", "guessing",
        "hoping", "hope", "would", "could", "should", "estimate", "estimating", "likely", "antes", "bueno",
        "como", "creo", "de", "del", "digamos", "diría", "diria", "igual", "mucho", "más", "mas", "menos",
        "ojalá", "ojala", "para", "pongamos", "por", "probablemente", "pues", "quizá", "quiza", "quizás",
        "quizas", "seguramente", "sí", "si", "supongo", "tal", "tarde", "vale", "vez", "calculo",
        "idealmente", "aprox", "aproximadamente", "alrededor", "unos", "unas", "sobre", "hacia", "aunque",
        "gracias", "perdona", "perdón", "perdon", "mejor", "dicho", "bien", "realmente", "make", "thanks",
        "thank", "you", "ya", "re", "ve", "que"
    }
)  # fmt: skip
_PURCHASE_CUE = re.compile(
    r"\b(?:want|wants|wanting|wanna|need|needs|needing|would\s+like|'d\s+like|like\s+to\s+have|hope|hoping"
    r"|aim|aiming|plan(?:ning)?\s+(?:to|for|on)|going\s+to|gonna|looking\s+to|expect(?:ing)?\s+to|target\w*"
    r"|deadline|go[\s-]live|goes\s+live|live|launch\w*|roll(?:ing)?[\s-]?out|implement\w*|deploy\w*|onboard\w*"
    r"|set\s+(?:it\s+|this\s+|something\s+)?up|up\s+and\s+running|in\s+place|start\s+using|switch\w*|migrat\w*"
    r"|buy|buying|purchas(?:e|ing)|sign\s+(?:the\s+)?(?:contract|deal)|decide|decision|get\s+(?:it|this|something"
    r"|a\s+tool|started)|have\s+(?:it|this|something|a\s+(?:tool|solution|system))|kick\s*off|move\s+forward"
    r"|(?:we|i)(?:'d|\s+would|'ll|\s+will)\s+(?:start|begin|go|move|buy|sign|get|have)"
    r"|quiero|queremos|quiere|quieren|querr[ií]amos|necesito|necesitamos|necesita|necesitan|necesitar[ií]amos"
    r"|nos\s+gustar[ií]a|me\s+gustar[ií]a|esperamos|espero|pensamos|planeamos|tenemos\s+previsto"
    r"|est[aá]\s+previsto|prevemos|la\s+idea\s+es|el\s+objetivo\s+es|objetivo|vamos\s+a|voy\s+a"
    r"|tener(?:lo|la)?|funcionando|en\s+marcha|arrancar|empezar|comenzar|implantar\w*|implementar\w*"
    r"|desplegar|lanzar|contratar(?:lo)?|comprar(?:lo)?|adquirir|decidir|migrar|cambiar(?:nos)?|fecha\s+l[ií]mite)\b"
)
_PAST = re.compile(
    r"\b(?:last|ago|since|past|previous|used\s+to|spent|bought|purchased|tried|lost|started|began|cleaned"
    r"|went|happened|signed|back\s+in|desde|hace|pasad[oa]s?|[uú]ltim[oa]s?|anterior|tuvimos|compr[eé]"
    r"|compr[oó]|perdimos|gastaron|estuvimos)\b"
)
# A later time after "realistically", "actually" replaces an earlier one in the same message.
_RESTATED = re.compile(
    r"\b(?:realistically|actually|or\s+rather|i\s+mean|more\s+like|make\s+(?:it|that)|en\s+realidad"
    r"|mejor\s+dicho|o\s+sea|siendo\s+realistas?|m[aá]s\s+bien|corrijo|rectifico)\b"
)
