"""Cached spaCy blank pipelines and lookup lemmas for the answer parsers.

Owns every spaCy object the parsers use, so each is built once per process and never per message.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache, lru_cache

# spaCy's thinc probes for TensorFlow at import; in Rasa's venv that costs ~3 s and ~400 MB
# in every process using the parsers (CLI, action server) although spaCy never uses it.
# Hide TensorFlow during that probe only, unless something already imported it for real.
_hide_tf = "tensorflow" not in sys.modules
if _hide_tf:
    sys.modules["tensorflow"] = None  # type: ignore[assignment]
try:
    import spacy
    from spacy.language import Language
    from spacy.lookups import Table, load_lookups
    from spacy.tokens import Doc
finally:
    if _hide_tf:
        del sys.modules["tensorflow"]

LANGUAGES: tuple[str, ...] = ("en", "es")

# A regex tokenizer instead of ``nlp.make_doc``: spaCy's tokenizer costs ~35 µs per sentence
# and we lemmatize every message in two languages, which would eat the whole parse budget.
# Phrases and messages go through the same function, so their tokens always line up.
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+|[^\w\s]")


@cache
def blank(lang: str) -> Language:
    """The blank pipeline for ``lang``; only its vocab is shared with the matchers."""
    return spacy.blank(lang)


@cache
def _lemma_table(lang: str) -> Table:
    # spacy-lookups-data ships a plain word -> lemma table for both languages; no model needed.
    return load_lookups(lang, ["lemma_lookup"]).get_table("lemma_lookup")


def fold(text: str) -> str:
    """Lower-case and strip accents: visitors often type "todavia" for "todavía"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_aligned(text: str) -> str:
    """``fold`` one character at a time: offsets into the result are offsets into ``text``.

    The typed-answer parsers quote and span the visitor's own words from offsets found in the
    folded text; a character whose folding is not one character ("ﬁ") is kept as it is.
    """
    return "".join(map(_fold_char, text))


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    folded = fold(char)
    return folded if len(folded) == 1 else char


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """``fold`` for one token, cached: the need parser folds every token of every message."""
    return fold(word)


def words(text: str) -> list[str]:
    """Lower-cased tokens of ``text`` (accents kept, so the lemma tables can find them)."""
    # Lone surrogates ("\ud800") are valid Python text but spaCy's string store rejects them.
    clean = text.encode("utf-8", "ignore").decode("utf-8")
    return _TOKEN.findall(clean.lower())


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """Accent-folded lookup lemma of one lower-cased word, English or Spanish.

    One bilingual lemma per word (English table first, then Spanish) instead of one Doc per
    language: visitors mix languages ("perdemos tiempo con leads malos"), and a second Doc
    would double the cost of every need parse. Phrases and messages share this function,
    so a phrase always meets its own inflections.
    """
    for lang in LANGUAGES:
        found = _lemma_table(lang).get(word)
        if isinstance(found, str):
            return fold(found)
    # Loanwords ("leads", "CRMs") are in neither table in the plural; drop the plural so
    # "leads malos" and "lead malo" meet.
    return fold(word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word)


def lemma_doc(tokens: list[str]) -> Doc:
    """A Doc whose ORTH values are the lemmas, ready for an ORTH PhraseMatcher."""
    # A token made only of combining marks folds to "", which a Doc refuses.
    return Doc(blank("en").vocab, words=[lemma(token) or "_" for token in tokens])


def is_word(word: str) -> bool:
    """Whether the English or Spanish lemma tables know ``word`` (as a lemma or an inflection)."""
    return word in _lemmas() or any(isinstance(_lemma_table(lang).get(word), str) for lang in LANGUAGES)


@lru_cache(maxsize=1)
def _lemmas() -> frozenset[str]:
    # The tables map inflections to lemmas; the lemmas themselves are only among the values.
    return frozenset(lemma for lang in LANGUAGES for lemma in _lemma_table(lang).values() if isinstance(lemma, str))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (swapping two neighbours is one edit), or ``limit + 1``
    as soon as it must exceed ``limit``. difflib's ratio is no edit count, so it cannot tell
    "manger" (one edit from "manager") from ordinary words the same ratio away."""
    before_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], before_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before_previous, previous = previous, current
    return previous[-1]
