"""Which language a conversation is in: the page's, the visitor's, or the one they ask for.

Detection uses lingua restricted to the SLA's languages: it ships its models in the wheel
(no download at run time) and, unlike langdetect, is reliable on two- or three-word messages.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

_LINGUA = {"en": Language.ENGLISH, "es": Language.SPANISH}

# "¿puedes hablar en español?", "English please": the language word decides.
_ASKED = {
    "es": re.compile(r"espa[ñn]ol|castellano|spanish", re.IGNORECASE),
    "en": re.compile(r"ingl[ée]s|english", re.IGNORECASE),
}

# Below these confidences a message says nothing reliable about its language: lingua gives
# "hello" 0.61 Spanish and "asap" 0.69 Spanish, but "buenas tardes" 0.94 and "next quarter" 0.86.
MIN_CONFIDENCE = 0.6
MIN_CONFIDENCE_ONE_WORD = 0.8
MIN_LETTERS = 3


@lru_cache(maxsize=4)
def _detector(languages: tuple[str, ...]) -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*(_LINGUA[lang] for lang in languages)).build()


def detect_language(text: str, languages: tuple[str, ...] = ("en", "es")) -> str | None:
    """The language `text` is written in, or None when it is too short or ambiguous to tell."""
    supported = tuple(lang for lang in languages if lang in _LINGUA)
    sample = text[:500]
    if len(supported) < 2 or sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    best = _detector(supported).compute_language_confidence_values(sample)[0]
    one_word = len(sample.split()) < 2
    if best.value < (MIN_CONFIDENCE_ONE_WORD if one_word else MIN_CONFIDENCE):
        return None
    return next(code for code, lang in _LINGUA.items() if lang == best.language)


# "no hablo inglés", "I don't speak Spanish": the named language is the one NOT wanted.
_NEGATION = re.compile(
    r"\b(?:no|not|don'?t|do not|doesn'?t|can'?t|cannot|nunca|tampoco)\W+(?:\w+\W+){0,2}$", re.IGNORECASE
)


def requested_language(text: str, languages: tuple[str, ...] = ("en", "es")) -> str | None:
    """The language a "can we speak Spanish?" message asks for, if that is clear.

    A language named after a negation is excluded ("no hablo inglés" asks for Spanish
    when the SLA has exactly two languages).
    """
    wanted: list[str] = []
    refused: list[str] = []
    for lang, pattern in _ASKED.items():
        match = pattern.search(text) if lang in languages else None
        if match:
            (refused if _NEGATION.search(text[: match.start()]) else wanted).append(lang)
    if len(wanted) == 1:
        return wanted[0]
    if not wanted and len(refused) == 1 and len(languages) == 2:
        return next(lang for lang in languages if lang != refused[0])
    return None


def mentions_language(text: str, languages: tuple[str, ...] = ("en", "es")) -> bool:
    """Whether the words name one of the languages at all ("mi inglés es regulín")."""
    return any(pattern.search(text) for lang, pattern in _ASKED.items() if lang in languages)


# Greetings say which language the visitor speaks even when lingua cannot tell ("hola" alone).
GREETINGS: dict[str, frozenset[str]] = {
    "en": frozenset({"hi", "hello", "hey", "hiya", "howdy", "yo", "good morning", "good afternoon", "good evening",
                     "hi there", "hello there", "hey there", "morning", "greetings"}),
    "es": frozenset({"hola", "buenas", "buenos dias", "buenos días", "buenas tardes", "buenas noches", "holi",
                     "holaa", "hola buenas", "que tal", "qué tal", "saludos", "buen dia", "buen día", "qué onda",
                     "que onda", "hola que tal", "hola qué tal", "muy buenas"}),
}  # fmt: skip
_GREETING_CLEAN = re.compile(r"[^\w\s]+")


def plain_words(text: str) -> str:
    """A short message as lower-case words without punctuation: "Hola!!" -> "hola"."""
    return " ".join(_GREETING_CLEAN.sub(" ", text.lower()).split())


def greeting_language(text: str, languages: tuple[str, ...] = ("en", "es")) -> str | None:
    """The language of a message that is only a greeting ("Hola!", "hi there"), else None."""
    said = plain_words(text)
    return next((lang for lang in languages if said in GREETINGS.get(lang, ())), None)


SENTENCE_WORDS = 3  # from this many words a message's own language overrides the page's
SWITCH_WORDS = 12  # ...and from this many, it overrides the language of an earlier sentence
