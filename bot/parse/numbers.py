"""Number words and written numerals shared by the money and timing parsers.

Owns the single place where "veinte mil", "twenty thousand", "2.000,50" and "1,5" become floats.
"""

from __future__ import annotations

import math
import re

from text_to_num import alpha2digit

# The longest input any parser looks at: long pastes are truncated, never scanned whole,
# so a 10,000-character message costs the same as a long sentence.
MAX_CHARS = 1000

# alpha2digit costs ~100 µs per call, more than a whole parse, so it only runs when a
# number word is actually present. Multipliers right after digits ("20 mil", "20 thousand")
# are left alone: the money regex reads them, and alpha2digit would write "20 1000".
_WORD = re.compile(r"[a-záéíóúñü]+")
_EN_NUMBER_WORDS = frozenset(
    {
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred",
    }
)  # fmt: skip
_ES_NUMBER_WORDS = frozenset(
    {
        "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "doce", "trece",
        "catorce", "quince", "veinte", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta",
        "ochenta", "noventa", "cien", "ciento", "doscientos", "doscientas", "trescientos",
        "trescientas", "cuatrocientos", "cuatrocientas", "quinientos", "quinientas", "seiscientos",
        "seiscientas", "setecientos", "setecientas", "ochocientos", "ochocientas", "novecientos",
        "novecientas",
    }
)  # fmt: skip
_EN_MULTIPLIER_ALONE = re.compile(r"(?<!\d\s)\b(?:thousand|million|billion)\b")
_ES_MULTIPLIER_ALONE = re.compile(r"(?<!\d\s)\bmil\b|\bun\s+mill[oó]n")
# Protected before alpha2digit: it would turn "one-off" into "1-off".
_KEEP_WORDS = re.compile(r"\bone[\s-]?(?:off|time)\b")
_HALF_MILLION = re.compile(r"\b(?:medio\s+mill[oó]n|half\s+a\s+million)\b")
_A_MULTIPLIER = re.compile(r"\b(?:a|one)\s+(thousand|grand|million)\b")
# Word quantities of money, written as the figure they stand for before alpha2digit reads
# "hundred" alone as 100: "a couple hundred" = 200, "a few hundred" = 300, "un par de miles" = 2000.
_SOME_HUNDREDS = re.compile(
    r"\b(?:(?:a\s+)?(?P<two>couple)\s+(?:of\s+)?|(?:a\s+)?(?:few|several)\s+|(?P<dos>un\s+par)\s+de\s+"
    r"|(?:unos|unas|varios|varias|algunos|algunas)\s+(?:pocos\s+|cuantos\s+)?)"
    r"(?P<unit>hundred|thousand|grand|cientos|miles)\b"
)
_SOME = {"hundred": 100, "cientos": 100, "thousand": 1000, "miles": 1000, "grand": 1000}
# "mil y pico", "mil y algo": a thousand and a bit, read as the thousand said.
_AND_A_BIT = re.compile(r"\b(mil|thousand|grand)\s+(?:y\s+(?:pico|algo)|and\s+(?:a\s+bit|change|something))\b")
# alpha2digit reads "al menos tres" and "más o menos cinco mil" as minus three and minus 5000:
# the hedge word is put back, so "al -3" never reaches a parser.
_MINUS_HEDGE = re.compile(r"\b(al|lo|o)\s+-(?=\d)")


def normalize(text: str) -> str:
    """Lower-case ``text`` and write English and Spanish number words as digits.

    Every rewrite is gated by a plain substring test first: regex searches over every
    position cost more than the rest of a parse.
    """
    text = text[:MAX_CHARS].lower()
    if "medio" in text or "half" in text:
        text = _HALF_MILLION.sub("500000", text)
    if "thousand" in text or "grand" in text or "million" in text:
        text = _A_MULTIPLIER.sub(r"1 \1", text)
    if "one" in text:
        text = _KEEP_WORDS.sub("oneoff", text)
    if any(word in text for word in ("couple", "few", "several", "par de", "unos", "unas", "vari", "algun")):
        text = _SOME_HUNDREDS.sub(_some_hundreds, text)
    if " y " in text or " and " in text:
        text = _AND_A_BIT.sub(r"\1", text)
    tokens = set(_WORD.findall(text))
    if tokens & _EN_NUMBER_WORDS or (tokens & {"thousand", "million", "billion"} and _EN_MULTIPLIER_ALONE.search(text)):
        text = _safe_alpha2digit(text, "en")
        tokens = set(_WORD.findall(text))
    if (
        tokens & _ES_NUMBER_WORDS
        or any(t.startswith(("dieci", "veinti")) for t in tokens)
        or (tokens & {"mil", "millón", "millon"} and _ES_MULTIPLIER_ALONE.search(text))
    ):
        # "13 mil, trece": the digits keep their "mil" (text2num would write it as a second 1000).
        text = _DIGITS_MIL.sub(r"\1 milx", text)
        text = _safe_alpha2digit(text, "es").replace(" milx", " mil")
        if "-" in text:
            text = _MINUS_HEDGE.sub(r"\1 menos ", text)
    return text


_DIGITS_MIL = re.compile(r"(\d)\s+mil\b")


def _some_hundreds(match: re.Match[str]) -> str:
    count = 2 if match["two"] or match["dos"] else 3
    return str(count * _SOME[match["unit"]])


def _safe_alpha2digit(text: str, lang: str) -> str:
    try:
        return str(alpha2digit(text, lang))
    except Exception:  # third-party parser on hostile input: keep the words rather than fail
        return text


def to_float(numeral: str) -> float:
    """Read a written numeral with either thousands convention.

    "2,000" and "2.000" are two thousand; "2.000,50" and "2,000.50" are the same amount;
    "1,5" and "1.5" are one and a half. A single separator followed by exactly three digits is
    a thousands separator; that is how people write amounts, and "1.500" euros is never 1.5.
    """
    numeral = numeral.replace(" ", "").replace("\u00a0", "")
    dots, commas = numeral.count("."), numeral.count(",")
    if dots and commas:
        decimal = "." if numeral.rfind(".") > numeral.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        numeral = numeral.replace(thousands, "").replace(decimal, ".")
    elif dots + commas:
        sep = "." if dots else ","
        head, _, tail = numeral.rpartition(sep)
        if dots + commas > 1 or len(tail) == 3:
            numeral = numeral.replace(sep, "")
        else:
            numeral = head.replace(sep, "") + "." + tail
    try:
        value = float(numeral)
    except ValueError:
        return 0.0
    # "999…9" pasted 10,000 times is infinity, which no amount arithmetic survives.
    return value if math.isfinite(value) else 0.0
