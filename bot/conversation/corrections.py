"""Corrections and additions: a message about an answer already given.

"Sorry, I meant pounds", "en realidad soy el director", "for the record my VP signs": which
earlier answers a message changes, read only from what it states (an amount, a time frame, a
title, a statement of who decides), never from incidental words. Used by `dialogue.read_turn`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.conversation.reading import read_one
from bot.parse.amend import amendment
from bot.parse.base import Answer, Criterion, Kind
from bot.parse.role_statements import SOMEONE_ELSE_DECIDES
from bot.sla import SLA

MAX_RAW = 2000  # visitor words kept per answer; the transcript keeps everything


# "Actually", "I meant", "perdona", "corrijo": the message is about an answer already given, so
# the fields already answered are read as leniently as the question pending.
CORRECTION_CUE = re.compile(
    r"\b(?:actually|i meant|i mean|sorry|oops|make that|correction|scratch that|wait|let me correct|rather"
    r"|let'?s say|more like|realistically|to be honest|tbh|honestly|i exaggerated|overstated|la verdad es que"
    r"|exager[eé]|siendo realistas|siendo sinceros?|en verdad|pongamos|digamos|m[aá]s bien"
    r"|my bad|i was wrong|update:|quick update|small update|change of plans?|cambio de planes|"
    r"got (?:it|that|both) wrong|en realidad|perd[oó]n|perdona|quise decir|quer[ií]a decir"
    r"|me equivoqu[eé]|me he equivocado|corrijo|correcci[oó]n|me li[eé]|me he liado|mejor dicho|rectifico|no,"
    r"|mejor\s+(?:pon|ponlo|ponme|apunta|c[aá]mbialo)|\bpon(?:me|lo)?\s+mejor|c[aá]mbia(?:lo|me)?\s+(?:a|por)\b"
    r"|put\s+(?:me\s+|it\s+)?down\s+(?:as|for)|change\s+(?:it|that)\s+to|make\s+it\b"
    r"|technically|got promoted|just promoted|promoted (?:to|last|this|on)|me (?:han )?ascendi|me ascendieron"
    r"|ahora soy|now i'?m|as of (?:this|last|today)"
    r"|espera\b|un momento|olvida lo (?:anterior|que (?:he|te) dicho)|forget (?:what i said|that|my last)"
    r"|releyendo|re-?reading|(?:demasiado|muy) optimista|too optimistic|pon(?:le|me|lo)\s+(?=\d|unos?\b|m[aá]s\b)"
    r"|typo|fat[\s-]?finger|me bailaron los dedos|se me (?:fue|escap[oó]) (?:el dedo|un cero)|extra zero"
    r"|un cero de m[aá]s)",
    re.IGNORECASE,
)
# Criteria a correction re-reads leniently: budget, timing and role need explicit words (an
# amount, a time frame, a title), so a lenient read cannot invent them; need only with a
# confident model reading.
_RE_READABLE = (Criterion.BUDGET, Criterion.TIMING, Criterion.ROLE, Criterion.NEED)
_RE_READ_NEED_CONFIDENCE = 0.6


def read_corrections(
    text: str,
    asked: str | None,
    slots: Mapping[str, Any],
    sla: SLA,
    today: date,
    found: dict[Criterion, Answer],
    stored: dict[Criterion, str],
) -> set[Criterion]:
    """Add to `found` the earlier answers this message corrects or amends; returns the criteria
    re-read because the visitor said they were correcting ("sorry, we have no budget after all")."""
    budget_before = slots.get("budget")
    change = amendment(text)
    if budget_before and change and asked != "budget" and "budget" in sla.slots:
        joined = f"{budget_before}\n{text}"[:MAX_RAW]  # each message on its line: the words stay the visitor's
        amended = read_one(joined, Criterion.BUDGET, sla, today)
        if amended.understood:
            found[Criterion.BUDGET] = amended
            stored[Criterion.BUDGET] = joined
    read_role_addition(text, asked, slots, sla, today, found, stored)
    if not CORRECTION_CUE.search(text):
        return set()
    re_read: dict[Criterion, Answer] = {}
    words: dict[Criterion, str] = {}  # the clause that says the new answer, when not the whole message
    for criterion in _RE_READABLE:
        slot = criterion.value
        if slot == asked or not slots.get(slot) or criterion in stored:
            continue
        lenient, clause = _new_value(text, criterion, str(slots[slot]), sla, today)
        floor = _RE_READ_NEED_CONFIDENCE if criterion is Criterion.NEED else 0.6
        if lenient.understood and lenient.confidence >= floor:
            re_read[criterion] = lenient
            if clause is not None:
                words[criterion] = clause
    # A correction states one thing. An amount, a time frame or a title it names is that thing;
    # a need, "not decided" or "no plans" is read into it only when it names none of those, and
    # answers neither the question pending nor the budget amended: "en realidad soy el director
    # comercial, todavía no me acostumbro" corrects the role, not the timing.
    said = stated_fields(found) | stated_fields(re_read) | set(stored)
    if asked and Criterion(asked) in found and found[Criterion(asked)].understood:
        said.add(Criterion(asked))
    on_cue: set[Criterion] = set()
    for criterion, lenient in re_read.items():
        soft = criterion is Criterion.NEED or lenient.kind is not Kind.VALUE
        if soft and said - {criterion}:
            continue
        strict = found.get(criterion)
        if strict is None or not strict.understood or strict.kind is not Kind.VALUE or criterion in words:
            found[criterion] = lenient
            if criterion in words:
                stored[criterion] = words[criterion]  # re-read later, these words give the new answer
        on_cue.add(criterion)
    return on_cue


# Where a correction splits into the part that names the old answer and the part that gives the new.
_CLAUSE = re.compile(r"[.;!?]+\s*|,\s+|\s+(?:but|pero|y|and|so|as[ií] que)\s+", re.IGNORECASE)


def _new_value(text: str, criterion: Criterion, previous_raw: str, sla: SLA, today: date) -> tuple[Answer, str | None]:
    """The correction's reading of `criterion`. When the whole message reads as the old answer
    ("lo de cuanto antes era demasiado optimista, ponle 8 meses"), the last clause that says
    something else is the new one, and those words are what the slot keeps."""
    whole = read_one(text, criterion, sla, today)
    before = read_one(previous_raw, criterion, sla, today)
    if not whole.understood or (whole.kind, whole.value) != (before.kind, before.value):
        return whole, None
    for clause in reversed([c for c in _CLAUSE.split(text) if c and c.strip()]):
        answer = read_one(clause, criterion, sla, today)
        if (
            answer.understood
            and answer.kind is not Kind.UNKNOWN
            and (answer.kind, answer.value) != (before.kind, before.value)
        ):
            return answer, clause.strip()
    return whole, None


def read_role_addition(
    text: str,
    asked: str | None,
    slots: Mapping[str, Any],
    sla: SLA,
    today: date,
    found: dict[Criterion, Answer],
    stored: dict[Criterion, str],
) -> None:
    """ "For the record, my VP signs": a word on who decides, sent after the role was answered and
    answering nothing else, adds to the role (both messages, the statement read over the title)."""
    role_before = slots.get("role")
    if not role_before or asked == "role" or "role" not in sla.slots:
        return
    if CORRECTION_CUE.search(text) or any(a.understood for a in found.values()):
        # a correction, or a message that answers something ("no lo sé, eso lo decide mi jefe"
        # answers the budget, and a role read from it is volunteered): read as such
        return
    if read_one(text, Criterion.ROLE, sla, today).reason != SOMEONE_ELSE_DECIDES:
        return  # only who decides: a title said in passing is not the visitor's new role
    if read_one(role_before, Criterion.ROLE, sla, today).value != "decision_maker":
        return  # an analyst whose boss signs is still an analyst: it only takes the decision away
    joined = f"{role_before}\n{text}"[:MAX_RAW]
    amended = read_one(joined, Criterion.ROLE, sla, today)
    if amended.understood:
        found[Criterion.ROLE] = amended
        stored[Criterion.ROLE] = joined


def stated_fields(answers: Mapping[Criterion, Answer]) -> set[Criterion]:
    """The criteria these answers state outright: an amount, a time frame, a title (never a need,
    which any sentence about the visitor's business can be read as)."""
    return {c for c, a in answers.items() if c is not Criterion.NEED and a.understood and a.kind is Kind.VALUE}


# An aside about the budget already given: "that's before VAT", "IVA aparte", "that's euros btw",
# "si hace falta podríamos estirarnos un poco más".
_BUDGET_ASIDE = re.compile(
    r"\b(?:vat|iva|tax|taxes|impuestos?|before\s+tax|plus\s+vat|ex\.?\s+vat|sin\s+iva|con\s+iva|iva\s+incluido"
    r"|euros?|dollars?|pounds?|d[oó]lares|libras|usd|eur|gbp"
    r"|stretch|estirar\w*|a\s+(?:bit|little)\s+more|un\s+poco\s+m[aá]s|flexible|go\s+(?:a\s+bit\s+)?higher"
    r"|subir\s+(?:un\s+poco|algo)|ampliar\w*|negotiable|negociable)\b",
    re.IGNORECASE,
)


def about_earlier_answers(
    text: str, asked: str | None, slots: Mapping[str, Any], found: Mapping[Criterion, Answer]
) -> bool:
    """Whether a message that does not answer the question pending is about answers already given
    ("that's before VAT" after the budget, "y el presupuesto lo firmo yo" after the role): an
    aside, not a failed answer, so the visitor is not told they were not understood."""
    for criterion, answer in found.items():
        if criterion.value != asked and slots.get(criterion.value) and answer.understood and answer.kind is Kind.VALUE:
            return True  # restates an answer (the same value: nothing changed, nothing missed)
    budget_given = bool(slots.get("budget")) and asked != "budget"
    return budget_given and (bool(amendment(text)) or bool(_BUDGET_ASIDE.search(text)))
