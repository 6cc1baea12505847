"""Intents that end, restart or redirect the conversation need the visitor's own words for it.

The NLU model learns `stop`, `start_over`, `human` and `switch_language` from short examples,
so a timing answer that opens with "para" ("para el Q2 nos gustaría"), an aside about the chat
("is this chat itself your product? bit meta") or an off-topic request can come out as one of
them. Stopping loses a lead, starting over wipes the answers, a human request skips the
questions and switching answers an English visitor in Spanish, so each is kept only when the
message says so in words; otherwise the next intent of the ranking stands
(`bot.ops.intent_guard` applies this inside the Rasa pipeline). The same holds for the two
digressions that would pass over an answer: a product question (`ask_product`) is never a
statement about the visitor's own business, and `bot_challenge` names a bot or a person.
`is_question` (a question to us rather than an answer) lives here too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.conversation.language import requested_language

# A stop in words, English and Spanish. "para" (also "for") stops only alone or as "para ya",
# "para de…", "para aquí".
_STOP = re.compile(
    r"\b(?:stop|quit|cancel|exit|bye|goodbye|enough|leave me alone|no more(?!\s+than)|not interested|forget it"
    r"|i'?m done|i'?m out|end (?:this|the chat|the conversation)|(?:don'?t|do not) want to (?:continue|go on|answer)"
    r"|shut up|that'?s all|no thanks?|nah,? thanks|(?:don'?t|do not) wanna|never ?mind|give up|abort|unsubscribe"
    r"|^\W*end\W*$|(?:don'?t|do not) ask me|i want out"
    r"|basta|d[eé]ja(?:lo|me|la)?\b|olv[ií]d(?:alo|ate)|cancel[ae]r?|salir|hasta aqu[ií]|se acab[oó]|c[aá]llate"
    r"|no sigas|no quiero (?:seguir|continuar|contestar|responder|hablar)|quiero parar|no me preguntes"
    r"|me rindo|paso de|paremos|^\W*termina\W*$|termina(?:mos)?\s+(?:aqu[ií]|ya|esto)\b"
    r"|terminemos\s+(?:aqu[ií]|ya|con\s+esto)\b|terminar\s+(?:la\s+|esta\s+)?(?:conversaci[oó]n|charla|chat|esto)\b"
    r"|ya est[aá] bien|ya no m[aá]s|no m[aá]s preguntas|adi[oó]s|chao|chau|no,? gracias"
    r"|^\W*fin\W*$|\bfin\s+de\s+(?:la\s+)?(?:conversaci[oó]n|chat)\b)",
    re.IGNORECASE,
)
_STOP_PARA = re.compile(r"^\W*para\W*$|^\W*para\s+(?:ya|de\b|aqu[ií]|porfa|por favor)|,\s*para\W*$", re.IGNORECASE)
_LANGUAGE_WORD = re.compile(r"\b(?:language|idioma|lengua)\b", re.IGNORECASE)
# A language named in a longer message asks for it only next to a word about the chat's
# language: "can we speak Spanish?", "reply in English", "¿me lo escribes en español?". Named
# as an adjective it is an aside: "your spanish pricing page has a typo", "my english is bad".
_LANGUAGE_REQUEST = re.compile(
    r"\b(?:speak|talk|writ\w*|repl\w*|answer|respond|continue|switch|change|prefer|understand|version|translat\w*"
    r"|please|pls|plz|habl\w*|escrib\w*|respond\w*|contest\w*|segui\w*|sigamos|cambi\w*|prefier\w*|prefer\w*"
    r"|entiend\w*|entender|traduc\w*|versi[oó]n|favor|porfa)\b"
    r"|\b(?:in|en)\s+(?:espa[ñn]ol|castellano|spanish|ingl[ée]s|english)\b",
    re.IGNORECASE,
)
_SHORT_LANGUAGE_REQUEST = 4  # "Español", "english pls", "do you have spanish"
# Starting over wipes the answers given: only when asked for in words.
_START_OVER = re.compile(
    r"\b(?:start|begin)\w*\s+(?:over|again|from)|\brestart|\breset|\bfrom\s+(?:scratch|the\s+(?:start|beginning|top))"
    r"|\bredo\b|\bagain\b|\b(?:empez|comenz|empiez|comienz)\w*\s+(?:de\s+nuevo|otra\s+vez|desde)|\breinici"
    r"|\bvolver\s+a\s+(?:empezar|comenzar)|\bdesde\s+(?:el\s+)?(?:principio|cero|inicio)|\bde\s+nuevo\b|\botra\s+vez\b"
    r"|\bnew\s+conversation|\bback\s+to\s+the\s+(?:beginning|start)|\bstart\s+fresh|\bdo\s+over|\breboot"
    r"|\bde\s+cero\b|\bal\s+principio|\bnueva\s+conversaci[oó]n|\bal\s+inicio|\brepetir\w*\s+todo|\bborr[oó]n",
    re.IGNORECASE,
)
# Asking for a person names one: a person, a human, sales, a call.
_HUMAN = re.compile(
    r"\b(?:person|people|human|someone|somebody|anyone|agent|rep|reps|representative|real|live|talk|speak|chat\s+with"
    r"|call|phone|ring|sales|salesperson|team|staff|operator|support|manager|contact|connect|service|advisor"
    r"|persona|personas|humano|humana|alguien|agente|hablar|habla|llamar|llamada|ll[aá]mame|tel[eé]fono|comercial"
    r"|ventas|equipo|operador|contactar|contacto|p[aá]same|ponme|gente|asesor|asesora|soporte|comun[ií]came|p[aá]sas)\b",
    re.IGNORECASE,
)

# A product question asks about us; a statement about the visitor's own business answers the
# question pending ("I sell data enrichment APIs and would love to talk partnerships" is a vendor,
# a no-need), unless it also asks for something about the product in words.
_OWN_SITUATION = re.compile(
    r"\b(?:i|we)\s+(?:sell|offer|provide|run|own|manage|lead|work|build|make|write|represent|struggle|lose|use)\b"
    r"|\b(?:i'?m|i\s+am|we'?re|we\s+are)\s+(?:an?|the|from|with|at|in|working|writing|doing|looking|trying|selling"
    r"|offering|building|running|studying|just)\b|\b(?:my|our)\s+(?:company|agency|team|boss|client|business|startup"
    r"|reps|sdrs|leads|pipeline|crm)\b"
    r"|\b(?:vendo|vendemos|ofrezco|ofrecemos|trabajo|trabajamos|llevo|dirijo|somos|soy|estoy|estamos|tengo|tenemos"
    r"|perdemos|usamos|represento)\b|\b(?:mi|nuestr[oa]s?)\s+(?:empresa|agencia|equipo|jefe|jefa|cliente|negocio"
    r"|comerciales|leads|crm)\b",
    re.IGNORECASE,
)
_ASKS_ABOUT_PRODUCT = re.compile(
    r"\b(?:price|prices|pricing|cost|costs|plan|plans|trial|integrat\w*|know|info|information|details|demo"
    r"|precio|precios|cuesta|cuestan|tarifa\w*|prueba|integra\w*|saber|informaci[oó]n|detalles)\b",
    re.IGNORECASE,
)
# "Are you a bot?" names the bot, a machine or a person; "do you have an affiliate program?" does not.
_ABOUT_THE_BOT = re.compile(
    r"\b(?:bot|robot|chatbot|ai|a\.i\.|ia|gpt|chatgpt|human|humans|humano|humana|person|persona|people|real|machine"
    r"|m[aá]quina|computer|ordenador|computadora|automated|autom[aá]tic[oa]|alive|vivo|viva|anyone|alguien|someone"
    r"|typing|escribe|(?:a|un)\s+program(?:a)?|who\s+am\s+i|what\s+are\s+you|qu[eé]\s+eres|con\s+qui[eé]n\s+hablo"
    r"|de\s+verdad|inteligencia\s+artificial)\b",
    re.IGNORECASE,
)

GUARDED = ("stop", "switch_language", "start_over", "human", "ask_product", "bot_challenge", "out_of_scope")
# "how much is it?" asks our price: never out of scope, whatever the model says.
_ASKS_PRICE = re.compile(
    r"\bhow\s+much\s+(?:is|does|would|will|do|are)\s+(?:it|this|that|you|your|the\s+(?:tool|product|software"
    r"|platform|plans?|service|licen[cs]e|subscription))\b|\bhow\s+much\W*$|\bpricing\b|\bthe\s+price\W*$"
    r"|\bcu[aá]nto\s+(?:cuesta|cuestan|vale|valen|sale|salen|cobr\w*|es|son)\s*(?:$|\?|m[aá]s\s+o\s+menos|esto"
    r"|eso|la\s+(?:herramienta|licencia|suscripci[oó]n)|el\s+(?:plan|servicio|producto|software)|vuestr|su\b"
    r"|al\s+(?:mes|a[nñ]o))|\b(?:precios|tarifas)\b|\bel\s+precio\W*$",
    re.IGNORECASE,
)


# A question to us rather than an answer: "how much is it?", "¿tenéis integración con HubSpot?".
_QUESTION = re.compile(
    r"\?\s*$|^\W*¿|^\W*[^\W\d]+(?:\s+[^\W\d]+)?\s*\?"  # "precio? así a lo bruto"
    r"|^\W*(?:(?:y|and|so|pero|but|ok|okay|vale|bueno|entonces|oye|hey|hmm|ah)\W+)?"
    r"(?:how|what|which|why|when|where|who|(?:what|how|where|who)['’]?s|am\s+i|do|does|did|can(?!['’]t)|could|is|are"
    r"|will|would|should"
    r"|cu[aá]nto(?!\s+antes)|cu[aá]nta|c[oó]mo(?!\s+(?:mucho|m[aá]ximo|m[ií]nimo|poco))|qu[eé]|cu[aá]l|por\s*qu[eé]"
    r"|para\s*qu[eé]|d[oó]nde|tiene[ns]?|ten[eé]is"
    r"|hay|se\s+puede|pod[eé]is|puedo|es\s+posible|integr[aá]is|funciona)\b",
    re.IGNORECASE,
)


# The words that open a question in the middle of a message (after a comma or a full stop).
_ASKS_MID_MESSAGE = (
    r"how|what|which|why|when|where|who|do|does|can|could|is|are|will|would|cu[aá]nt[oa]s?"
    r"|c[oó]mo|qu[eé]|cu[aá]l|por\s*qu[eé]|d[oó]nde|ten[eé]is|tienen|hay|se\s+puede|pod[eé]is"
)
# "Before anything, where is the data stored? We're UK based": a question inside the message.
_QUESTION_INSIDE = re.compile(
    r"(?:^|[.!?,;:]\s+)(?:(?:y|and|so|pero|but|ok|okay|vale|bueno|entonces|oye|oiga|oigan|hey|mira|ah|eh|pues)\W+)*"
    rf"(?:(?:ustedes|vosotros|vosotras|you(?:\s+guys)?)\s+)?(?:(?:what|how|where|who)['’]?s|{_ASKS_MID_MESSAGE})"
    r"\b[^.!?]{0,120}\?",
    re.IGNORECASE,
)


# A tag that makes a sentence a question without a question mark: "me dais el precio o qué".
_TAG_QUESTION = re.compile(r"\b(?:o\s+qu[eé]|or\s+what|or\s+not|o\s+no)\W*$", re.IGNORECASE)
# A question mark inside the message ends a question too: "los planes van por usuario? cuánto sale".
_MARK_INSIDE = re.compile(r"\w\s*\?+\s+\w")


def asks_in_so_many_words(text: str) -> bool:
    """A question marked as one: a question mark anywhere, or a closing tag ("…o qué")."""
    return "?" in text or bool(_TAG_QUESTION.search(text.strip()))


def is_question(text: str) -> bool:
    text = text.strip()
    return any(pattern.search(text) for pattern in (_QUESTION, _QUESTION_INSIDE, _TAG_QUESTION, _MARK_INSIDE))


# Where a message splits into sentences: end marks, line breaks, emoji and dashes between words.
_SENTENCE = re.compile(r"([.!?…;]+|\n+|\s[-–—]\s|[\u2600-\u27bf\U0001f300-\U0001faff]+)")
# The question that closes a sentence after a comma: "not sure yet, what do you do exactly?"
_TRAILING_QUESTION = re.compile(
    rf",\s*(?:(?:y|and|so|pero|but|ok|vale|bueno|oye|pues)\s+)?(?:{_ASKS_MID_MESSAGE}|got|any|puedo)\b[^,]*$",
    re.IGNORECASE,
)


def statements(text: str) -> str:
    """The message without its questions: "budget? lol we don't have one" -> "lol we don't have one".

    A visitor often answers and asks in one message; what they state about themselves is read as
    an answer, what they ask is passed on. "" when the whole message is a question."""
    parts = _SENTENCE.split(text.replace("¿", "\n¿"))  # "rondará los 20k, ¿eso da para el pro?"
    kept: list[str] = []
    for index in range(0, len(parts), 2):
        sentence = parts[index].strip()
        end = parts[index + 1] if index + 1 < len(parts) else ""
        if not sentence:
            continue
        if "?" in end or sentence.startswith("¿"):
            sentence = _TRAILING_QUESTION.sub("", sentence).strip() if "," in sentence else ""
        if not sentence or is_question(sentence):
            continue  # "cuánto sale más o menos" asks without a question mark
        kept.append(sentence.rstrip(" ,") + (end.strip() if end.strip() in (".", "!", "…") else ""))
    return " ".join(kept).strip()


def says_stop(text: str) -> bool:
    return bool(_STOP.search(text) or _STOP_PARA.search(text))


def names_language(text: str, languages: tuple[str, ...] = ("en", "es")) -> bool:
    """Whether the words ask about the chat's language, not just mention one."""
    if _LANGUAGE_WORD.search(text):
        return True
    if not requested_language(text, languages):
        return False
    return len(text.split()) <= _SHORT_LANGUAGE_REQUEST or bool(_LANGUAGE_REQUEST.search(text))


def keeps(intent: str, text: str) -> bool:
    """Whether a predicted `intent` stands for these words (intents not guarded always do)."""
    if intent == "stop":
        return says_stop(text)
    if intent == "switch_language":
        return names_language(text)
    if intent == "start_over":
        return bool(_START_OVER.search(text))
    if intent == "human":
        return bool(_HUMAN.search(text))
    if intent == "ask_product":
        return is_question(text) or not _OWN_SITUATION.search(text) or bool(_ASKS_ABOUT_PRODUCT.search(text))
    if intent == "bot_challenge":
        return bool(_ABOUT_THE_BOT.search(text))
    if intent == "out_of_scope":
        return not (_ASKS_PRICE.search(text) and is_question(text))
    return True


def guarded_ranking(text: str, ranking: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The intent ranking without the guarded intents these words don't say (order kept)."""
    return [item for item in ranking if keeps(str(item.get("name")), text)]
