"""What a visitor's question changes about reading their message: an answer beside it, one that
stands inside it, and a question announced before it is asked.

`bot.conversation.dialogue.read_turn` asks these; `intents.is_question` / `statements` split the words.
"""

from __future__ import annotations

import re
from datetime import date

from bot.conversation.intents import asks_in_so_many_words, statements
from bot.conversation.reading import read_with_sla
from bot.parse.base import Answer, Criterion, Kind
from bot.sla import SLA

_ANNOUNCES_QUESTION = re.compile(
    r"\b(?:quick\s+q(?:uestion)?s?|(?:a\s+)?(?:couple|few)(?:\s+of)?\s+(?:quick\s+)?(?:questions|things\s+to\s+ask|qs)"
    r"|(?:a|one|some)\s+(?:quick\s+)?questions?|i\s+have\s+(?:a\s+)?(?:quick\s+)?questions?|can\s+i\s+ask"
    r"|una\s+(?:consulta|pregunta|duda)|(?:unas|un\s+par\s+de|algunas|varias)\s+(?:consultas|preguntas|dudas)|tengo\s+(?:una\s+|unas\s+)?"
    r"(?:dudas?|consultas?|preguntas?)|(?:puedo|quer[ií]a)\s+(?:hacer|preguntar|consultar))",
    re.IGNORECASE,
)
_ANNOUNCE_WORDS = 10


def announces_question(text: str) -> bool:
    """ "hola, una consulta", "quick question": about to ask, in a short message."""
    return bool(_ANNOUNCES_QUESTION.search(text)) and len(text.split()) <= _ANNOUNCE_WORDS


_NEED_IN_QUESTION = 0.85
_NONE_IN_QUESTION = 0.95
_SURE_BESIDE_QUESTION = 0.8
# ...and only beside a statement about the visitor ("I'm writing my thesis", "we're an agency").
_ABOUT_SELF = re.compile(
    r"\b(?:i'?m|i am|we'?re|we are|i'?ve|we'?ve|i work|we work|i need|we need|i'?m looking|looking for"
    r"|i (?:sell|run|own|offer)|we (?:sell|offer|help|do)|our (?:agency|company|team|reps|sdrs|leads|pipeline)"
    r"|soy|somos|estoy|estamos"
    r"|trabajo|vendo|vendemos|ofrecemos|busco|buscamos|necesito|necesitamos|nuestr[oa]s?)\b",
    re.IGNORECASE,
)


def asks_us(text: str) -> bool:
    """A question to pass on beside an answer: asked in so many words, with a question mark or a
    tag ("me dais el precio o qué"), and more than an echo of ours ("budget? none" echoes it).
    "Como mucho 20k" and "cuanto antes" open like questions and are answers."""
    if not asks_in_so_many_words(text):
        return False
    said = statements(text)
    return len(text.split()) - len(said.split()) >= 2


def answer_beside_question(text: str, asked: Criterion, sla: SLA, today: date) -> Answer | None:
    """The pending question's answer in what the message states besides its question, if any.

    Read alone, the statements stand when the reading is sure (and never as interest: "not sure
    yet, what do you do?" is asked back, not taken as mild interest)."""
    said = statements(text)
    if not said or said == text or len(said.split()) < 2:
        return None
    answer = read_with_sla(said, sla, today, asked).get(asked)
    if answer is None or not answer.understood or answer.kind is Kind.UNKNOWN:
        return None
    if asked is Criterion.NEED and answer.value == "interest":
        return None
    # Only a sure reading: a guess next to a question would be asked back twice at once.
    return answer if answer.confidence >= _SURE_BESIDE_QUESTION else None


def stands_in_question(answer: Answer | None) -> bool:
    """An answer that stands even inside a question: an amount, a time frame, a title, a clear need."""
    if answer is None or answer.kind not in (Kind.VALUE, Kind.NONE) or not answer.understood:
        return False
    if answer.kind is Kind.NONE and answer.criterion is not Criterion.NEED:
        return False
    if answer.criterion in (Criterion.BUDGET, Criterion.TIMING):
        return answer.value is not None
    if answer.criterion is Criterion.NEED:
        # "I'm writing my thesis, could you answer a few questions?" is a no-need in a question;
        # "what do you do exactly?" says nothing about one. Interest is never read from a question.
        # A no-need the model is all but certain of stands on its own ("saw a posting for an SDR
        # role on your careers page, is it still open?" is a job seeker asking about the job).
        return answer.value != "interest" and (
            (answer.confidence >= _NEED_IN_QUESTION and bool(_ABOUT_SELF.search(answer.raw)))
            or (answer.value == "none" and answer.confidence >= _NONE_IN_QUESTION)
        )
    return answer.criterion is Criterion.ROLE and "title" in answer.extra
