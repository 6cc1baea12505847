"""Marketing's own words found in a visitor's message: a criterion's unit words, a choice's synonyms.

Owns ``Synonyms``: whole words and phrases in any language, forgiving case, accents, plurals and one-letter typos.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from bot.parse.nlp import edit_distance, fold, is_word
from bot.parse.numbers import MAX_CHARS

# Letters and digits in one run ("b2b", "hubspot", "españa"), apostrophes inside ("don't").
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# What may sit between the words of one phrase: "b2b software", "e-commerce", "hub spot".
_JOIN = re.compile(r"[\s\-–/.&+]{1,3}")
# A one-letter typo is forgiven only in a word this long: "banca"/"banco" are one letter apart too.
_TYPO_MIN = 5
# Everyday words marketing may list as a synonym ("US" for the United States, "IT" for an
# industry): such a synonym counts only written in capitals, or "contact us" would name a country.
_EVERYDAY = frozenset(
    {
        "us", "it", "is", "as", "at", "in", "on", "no", "so", "or", "an", "to", "do", "be", "me", "my", "we", "he",
        "am", "are", "can", "es", "el", "la", "lo", "un", "en", "de", "se", "si", "ya", "su", "tu", "mi", "te", "al",
        "con", "por", "una", "uno", "ti", "yo", "and", "the", "for", "all", "one", "hi",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Token:
    """One word of the message: lower-cased, accent-folded, with its place in the text."""

    word: str  # lower-cased, accents kept (the lemma tables know "está", not "esta")
    folded: str
    start: int
    end: int


@dataclass(frozen=True)
class Hit:
    """Where one synonym was found: its label (the choice key), its text span and token range."""

    label: str
    start: int
    end: int
    first: int  # index of the first token
    last: int  # index after the last token
    typo: bool = False
    phrase: tuple[str, ...] = ()  # the synonym's folded words


def tokens(text: str) -> list[Token]:
    """The words of ``text`` (its first ``MAX_CHARS`` characters), spans into ``text`` itself."""
    found = []
    for match in _TOKEN.finditer(text[:MAX_CHARS]):
        word = match.group(0).lower().replace("’", "'")
        found.append(Token(word, fold(word), match.start(), match.end()))
    return found


def joined(text: str, left: Token, right: Token) -> bool:
    """Whether two neighbouring tokens belong to one phrase (no comma or full stop between them)."""
    return bool(_JOIN.fullmatch(text, left.end, right.start))


class Synonyms:
    """Phrases per label, matched on whole words; build once per SLA, reuse for every message."""

    def __init__(self, phrases: Iterable[tuple[str, str]]) -> None:
        compiled = []
        for label, phrase in phrases:
            words = tuple(token.folded for token in tokens(phrase))
            if words:
                compiled.append((label, words, "".join(words), all(word in _EVERYDAY for word in words)))
        # Longest phrases first: "b2b software" is tried before "software".
        self._phrases = sorted(compiled, key=lambda item: -len(item[2]))
        # Every way a phrase can match (exact, plural, joined, typo) keeps its first letter:
        # a message's word is only tried against the phrases that start like it.
        self._by_letter: dict[str, list[tuple[str, tuple[str, ...], str, bool]]] = {}
        for item in self._phrases:
            self._by_letter.setdefault(item[2][:1], []).append(item)

    @classmethod
    def per_language(cls, by_label: Mapping[str, Mapping[str, Sequence[str]]]) -> Synonyms:
        """From ``{label: {"en": [...], "es": [...]}}``: every language is searched in every message."""
        return cls((label, phrase) for label, languages in by_label.items() for phrase in _phrases(languages))

    @property
    def words(self) -> frozenset[str]:
        """Every folded word of every phrase (for callers that must not read them as something else)."""
        return frozenset(word for _, words, _, _ in self._phrases for word in words)

    def find(self, text: str, found: list[Token] | None = None, *, typos: bool = True) -> list[Hit]:
        """The phrases said in ``text``, in order, none overlapping (the longest wins where they do)."""
        toks = tokens(text) if found is None else found
        hits: list[Hit] = []
        for index, token in enumerate(toks):
            for label, words, compact, capitals in self._by_letter.get(token.folded[:1], ()):
                hit = self._at(text, toks, index, label, words, compact, typos)
                if hit is not None and not (capitals and not text[hit.start : hit.end].isupper()):
                    hits.append(hit)
        chosen: list[Hit] = []
        taken: set[int] = set()
        for hit in sorted(hits, key=lambda h: (h.typo, -(h.end - h.start), h.start)):
            span = set(range(hit.first, hit.last))
            if not span & taken:
                chosen.append(hit)
                taken |= span
        return sorted(chosen, key=lambda h: h.start)

    @staticmethod
    def _at(
        text: str, toks: list[Token], index: int, label: str, words: tuple[str, ...], compact: str, typos: bool
    ) -> Hit | None:
        size = len(words)
        # Word for word: "empresa de software" / "empresas de sofware".
        window = toks[index : index + size]
        if len(window) == size and all(joined(text, a, b) for a, b in pairwise(window)):
            exact = all(_same(t.folded, w) for t, w in zip(window, words, strict=True))
            typo = (
                not exact
                and typos
                and all(_same(t.folded, w) or _typo(t, w) for t, w in zip(window, words, strict=True))
            )
            if exact or typo:
                return Hit(label, window[0].start, window[-1].end, index, index + size, typo, words)
        # Written together or apart: "ecommerce" / "e-commerce", "hub spot" / "hubspot".
        for width in (size - 1, size + 1):
            window = toks[index : index + width]
            if width < 1 or len(window) != width or not all(joined(text, a, b) for a, b in pairwise(window)):
                continue
            said = "".join(t.folded for t in window)
            typo = False
            if not _same(said, compact):
                if not (typos and len(compact) >= _TYPO_MIN and said[:1] == compact[:1]):
                    continue
                if edit_distance(said, compact, 1) > 1:
                    continue
                typo = True
            return Hit(label, window[0].start, window[-1].end, index, index + width, typo, words)
        return None


def _phrases(languages: Mapping[str, Sequence[str]] | Sequence[str]) -> Iterable[str]:
    if isinstance(languages, Mapping):
        for phrases in languages.values():
            yield from ([phrases] if isinstance(phrases, str) else phrases)
    else:
        yield from ([languages] if isinstance(languages, str) else languages)


# The plurals that do not end in -s: "a 40-person company" says "people" too.
_IRREGULAR = {"people": ("person",), "men": ("man",), "women": ("woman",), "children": ("child",)}


@lru_cache(maxsize=65536)
def _forms(word: str) -> frozenset[str]:
    """The word and what it is the plural of: "empleados" -> empleado, "paises" -> pais, "companies" -> company."""
    if word.endswith("'s") and len(word) > 3:
        word = word[:-2]  # "hubspot's free crm"
    forms = {word, *_IRREGULAR.get(word, ())}
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        forms.add(word[:-1])
        if len(word) > 4 and word.endswith("es"):
            forms.add(word[:-2])
        if len(word) > 4 and word.endswith("ies"):
            forms.add(word[:-3] + "y")
    return frozenset(forms)


def _same(said: str, synonym: str) -> bool:
    return said == synonym or bool(_forms(said) & _forms(synonym))


def _typo(token: Token, synonym: str) -> bool:
    """One letter off a synonym of five or more letters, same first letter, and not a word of its own
    ("hubspt", "fintec", "sofware"; never "detail" for "retail" or "blanca" for "banca")."""
    said = token.folded
    if len(synonym) < _TYPO_MIN or said[:1] != synonym[:1] or abs(len(said) - len(synonym)) > 1:
        return False
    if is_word(token.word):
        return False
    return edit_distance(said, synonym, 1) <= 1 or any(edit_distance(form, synonym, 1) <= 1 for form in _forms(said))
