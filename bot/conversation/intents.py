"""Intents that end or redirect the conversation need the visitor's own words for it.

The NLU model learns `stop` and `switch_language` from short examples, so a timing answer that
opens with "para" ("para el Q2 nos gustaría") or an aside about the chat ("is this chat itself
your product? bit meta") can come out as a request to stop or to change language. Stopping
loses a lead and switching answers an English visitor in Spanish, so both are kept only when the
message says so in words; otherwise the next intent of the ranking stands (`bot.ops.intent_guard`
applies this inside the Rasa pipeline).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.conversation.language import requested_language

# A stop in words, English and Spanish. "para" (also "for") stops only alone or as "para ya",
# "para de…", "para aquí".
_STOP = re.compile(
    r"\b(?:stop|quit|cancel|exit|bye|goodbye|enough|leave me alone|no more|not interested|forget it|i'?m done"
    r"|i'?m out|end (?:this|the chat|the conversation)|(?:don'?t|do not) want to (?:continue|go on|answer)"
    r"|shut up|that'?s all|no thanks?|nah,? thanks|(?:don'?t|do not) wanna|never ?mind|give up|abort|unsubscribe"
    r"|^\W*end\W*$|(?:don'?t|do not) ask me|i want out"
    r"|basta|d[eé]ja(?:lo|me|la)?\b|olv[ií]d(?:alo|ate)|cancel[ae]r?|salir|hasta aqu[ií]|se acab[oó]|c[aá]llate"
    r"|no sigas|no quiero (?:seguir|continuar|contestar|responder|hablar)|quiero parar|no me preguntes"
    r"|me rindo|paso de|paremos|termina"
    r"|ya est[aá] bien|ya no m[aá]s|no m[aá]s preguntas|adi[oó]s|chao|chau|no,? gracias|fin\b)",
    re.IGNORECASE,
)
_STOP_PARA = re.compile(r"^\W*para\W*$|^\W*para\s+(?:ya|de\b|aqu[ií]|porfa|por favor)|,\s*para\W*$", re.IGNORECASE)
_LANGUAGE_WORD = re.compile(r"\b(?:language|idioma|lengua)\b", re.IGNORECASE)

GUARDED = ("stop", "switch_language")


def says_stop(text: str) -> bool:
    return bool(_STOP.search(text) or _STOP_PARA.search(text))


def names_language(text: str, languages: tuple[str, ...] = ("en", "es")) -> bool:
    return bool(requested_language(text, languages) or _LANGUAGE_WORD.search(text))


def keeps(intent: str, text: str) -> bool:
    """Whether a predicted `intent` stands for these words (intents not guarded always do)."""
    if intent == "stop":
        return says_stop(text)
    if intent == "switch_language":
        return names_language(text)
    return True


def guarded_ranking(text: str, ranking: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The intent ranking without the guarded intents these words don't say (order kept)."""
    return [item for item in ranking if keeps(str(item.get("name")), text)]
