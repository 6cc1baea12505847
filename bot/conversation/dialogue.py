"""What one visitor message means for the qualification: answers, corrections, misses.

The Rasa actions call `read_turn` on every message and `next_questions` to decide what to ask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from bot.conversation.asking import announces_question, answer_beside_question, asks_us, stands_in_question
from bot.conversation.corrections import (
    CORRECTION_CUE,
    MAX_RAW,
    about_earlier_answers,
    read_corrections,
    stated_fields,
)
from bot.conversation.intents import is_question
from bot.conversation.language import greeting_language, mentions_language, plain_words
from bot.conversation.reading import read_one, read_with_sla
from bot.conversation.typed import read_declared, unsure_of
from bot.parse.base import Answer, Criterion, Kind
from bot.parse.contact import parse_company, parse_consent, parse_email, parse_name
from bot.parse.need import by_model_alone, names_topic
from bot.parse.role_statements import SOMEONE_ELSE_DECIDES
from bot.scoring import Score, Tier
from bot.sla import SLA

QUESTION_SLOTS = tuple(c.value for c in Criterion)
CONTACT_SLOTS = ("name", "email", "company", "contact_consent")

# Intents that are never an answer to the pending question: the form steps aside and a
# rule answers them. Everything else (inform, affirm, deny, greet+answer…) is read as one.
DIGRESSIONS = frozenset(
    {
        "why_ask",
        "human",
        "stop",
        "start_over",
        "switch_language",
        "chitchat",
        "bot_challenge",
        "out_of_scope",
        "nonsense",
        "greet",
        "thanks",
        "goodbye",
        "ask_product",
    }
)
# Intents whose words must not be mined for volunteered answers either.
# A low-confidence message (nlu_fallback) IS read as an answer attempt: an answer the NLU
# can't place ("purple" to the budget question) must count as a miss, or the question loops.
_NOT_ANSWERS = frozenset({"why_ask", "nonsense", "start_over", "stop"})

# Criteria whose vague answers ("not sure", "no") fit any question: volunteered only with a value.
_VAGUE_WHEN_VOLUNTEERED = frozenset({Criterion.BUDGET, Criterion.TIMING})

# How sure the reading of the asked question must be to stand over a digression the NLU saw.
# Out of scope is the NLU's guess for words it has no intent for, so an unsure budget it never
# saw ("el cliente no tiene claro cuánto quiere gastar", 0.72) is still the budget; off-topic
# requests never read as a budget or a time frame that sure. A need is too easy to read in them.
_DIGRESSION_FLOOR = 0.8
_OUT_OF_SCOPE_FLOOR = 0.6


def _digression_floor(criterion: Criterion, intent: str | None) -> float:
    if intent == "out_of_scope" and criterion in (Criterion.BUDGET, Criterion.TIMING):
        return _OUT_OF_SCOPE_FLOOR
    return _DIGRESSION_FLOOR


MAX_MISSES = 2  # re-ask once with a hint, then store as unknown and move on


@dataclass
class Reading:
    """What to change after one message. `fills` maps slot -> new value (None = ask again)."""

    fills: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)  # new answers, for confirmations
    corrected: list[str] = field(default_factory=list)  # already-answered slots that changed
    hint_for: str | None = None  # re-ask this question with its hint
    gave_up_on: str | None = None  # second miss: stored as unknown
    question: str | None = None  # the visitor asked us something instead of answering
    clarify: str | None = None  # not sure how to read the answer to this question: ask
    announced_question: bool = False  # "a couple of questions first": invite them, not a miss
    invalid_email: bool = False
    language_aside: bool = False  # "perdón que escriba en español": about the language, not a miss
    misses: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.fills)


def read_turn(
    text: str,
    *,
    intent: str | None,
    requested: str | None,
    slots: Mapping[str, Any],
    misses: Mapping[str, int] | None,
    sla: SLA,
    today: date,
) -> Reading:
    """Read one visitor message against the conversation so far.

    `requested` is the question pending (Rasa's requested_slot). Answers to other
    questions are taken only when the parsers are sure (strict mode), so "next quarter"
    volunteered while asked about budget fills timing, and a changed answer to a question
    already answered is a correction.
    """
    reading = Reading(misses=dict(misses or {}))
    text = (text or "").strip()
    if requested == "contact_consent" and intent in ("affirm", "deny") and not text:
        reading.fills["contact_consent"] = intent == "affirm"  # a Yes/No button
        return reading
    if not text or (intent in _NOT_ANSWERS and requested not in CONTACT_SLOTS):
        return reading
    if requested not in CONTACT_SLOTS and (greeting_language(text, tuple(sla.languages)) or _is_acknowledgement(text)):
        return reading  # "Hello.", "ok thanks": nothing to read, and not a miss either

    # A question of marketing's own (docs/criteria.md) is read by its type's parser; for the
    # built-in readers below it is as if no question were pending: they read strictly.
    declared = requested if requested in sla.typed_slots else None
    asked = requested if requested in sla.slots and requested in QUESTION_SLOTS else None
    clarifying = slots.get("clarifying") if isinstance(slots.get("clarifying"), Mapping) else None
    if clarifying and clarifying.get("slot") != (asked or declared):
        clarifying = None
    if text.startswith(CLARIFY) and clarifying:
        _read_clarification(reading, text[len(CLARIFY) :], clarifying, slots)
        return reading
    found = read_with_sla(text, sla, today, Criterion(asked) if asked else None)
    raw = text[:MAX_RAW]
    stored: dict[Criterion, str] = {}  # what to store per criterion, when not the message itself
    corrected_on_cue = read_corrections(text, asked, slots, sla, today, found, stored)
    asks = is_question(text)
    if asks:
        # "no wait, can I finish this later?": a question changes an answer only with a value said.
        corrected_on_cue = {c for c in corrected_on_cue if stands_in_question(found.get(c))}
    # Fields this message states outright besides the question pending (an amount, a time frame,
    # a title, an amended budget): a need volunteered beside them, or a soft reading of the
    # pending question ("todavía no"), is a reading of the same words, not a second statement.
    stated_elsewhere = {c for c in stated_fields(found) | set(stored) if c.value != asked}
    pending_answer = found.get(Criterion(asked)) if asked else None
    if (
        pending_answer is not None
        and stated_elsewhere & (corrected_on_cue | set(stored))
        and (Criterion(asked) is Criterion.NEED or pending_answer.kind is not Kind.VALUE)
    ):
        found.pop(Criterion(asked))  # "en realidad soy el director, todavía no me acostumbro"
    role = found.get(Criterion.ROLE)
    if (
        asked == Criterion.NEED.value
        and pending_answer is not None
        and pending_answer.value == "none"
        and role is not None
        and role.value == "no_authority"
    ):
        # "Soy estudiante de ADE": the same words say no need and no authority, as sure as the role.
        pending_answer = found[Criterion.NEED] = replace(
            pending_answer, confidence=max(pending_answer.confidence, role.confidence)
        )
        stated_elsewhere.discard(Criterion.ROLE)
    if (
        asked == Criterion.NEED.value
        and pending_answer is not None
        and stated_elsewhere
        and not (pending_answer.value in ("pain", "none") and pending_answer.confidence >= _NEED_BESIDE_FACTS)
        and (pending_answer.value != "interest" or by_model_alone(pending_answer))
    ):
        # "sales director here, we've got 20 grand set aside": role and budget, said first;
        # the need question is still open (a clear pain or no-need beside them stands).
        found.pop(Criterion.NEED, None)
    if asked and asks and not stands_in_question(found.get(Criterion(asked))):
        found.pop(Criterion(asked), None)  # "does it work with HubSpot?" asks about us: not a need, not a miss
        beside = answer_beside_question(text, Criterion(asked), sla, today)
        if beside is not None:
            # "budget? lol we don't have one": the statement answers, the question is passed on.
            found[Criterion(asked)], stored[Criterion(asked)] = beside, beside.raw[:MAX_RAW]
    announces = announces_question(text)
    for criterion, answer in found.items():
        slot = criterion.value
        if slot not in sla.slots or not answer.understood:
            continue
        # "it's zero until next year, budget's frozen" states the budget in words; "no idea" does not.
        no_budget_said = criterion is Criterion.BUDGET and answer.kind is Kind.NONE and answer.confidence >= 0.85
        vague = criterion in _VAGUE_WHEN_VOLUNTEERED and answer.kind is not Kind.VALUE and not no_budget_said
        if slot != asked and vague and criterion not in corrected_on_cue:
            continue  # "not decided yet" answers the question asked, not budget AND timing
        if slot == asked and intent in DIGRESSIONS and answer.confidence < _digression_floor(criterion, intent):
            continue  # "hi" while asked about budget is a greeting, not an answer
        if (
            criterion is Criterion.ROLE
            and slot != asked
            and asked in (Criterion.BUDGET.value, Criterion.TIMING.value)
            and answer.reason == SOMEONE_ELSE_DECIDES
            and criterion not in corrected_on_cue
            and criterion not in stored
        ):
            continue  # "no lo sé, eso lo decide mi jefe" answers the budget: the approval, not the role
        if criterion is Criterion.NEED and answer.kind is Kind.NONE and intent in DIGRESSIONS:
            continue  # "can I change the language?" asks for something: never a no-need knock-out
        if (
            criterion is Criterion.NEED
            and announces
            and (_unsure(answer) or (answer.kind is Kind.NONE and by_model_alone(answer)))
        ):
            continue  # "hola, tengo una duda sobre el enrutado de leads": about to ask, not a knock-out
        answers_asked = bool(asked) and Criterion(asked) in found and found[Criterion(asked)].understood
        if (
            criterion is Criterion.NEED
            and slot != asked
            and (
                (stated_elsewhere and slots.get("need") is not None)
                or not _may_volunteer_need(text, intent, slots, answers_asked)
            )
        ):
            continue
        if (
            criterion is Criterion.NEED
            and slot != asked
            and answer.value == "interest"
            and slots.get("need") is None
            and not CORRECTION_CUE.search(text)
        ):
            continue  # "quiero ver una demo" first: the need question still asks what the problem is
        previous = slots.get(slot)
        if previous is not None and previous == raw:
            continue
        if previous is not None and _same_answer(previous, answer, sla, today):
            continue
        if slot == asked and clarifying:
            # The second try after a clarifying question: both messages together, best reading kept.
            stored[criterion] = f"{clarifying['raw']}\n{raw}"[:MAX_RAW]
            reading.fills["clarifying"] = None
        elif slot == asked and (_unsure(answer) or _vague_interest(answer, slots, reading, sla)):
            reading.fills["clarifying"] = {"slot": slot, "raw": raw}
            reading.fills[slot] = None  # the form asks again: the clarifying question, with buttons
            reading.clarify = slot
            continue
        reading.fills[slot] = stored.get(criterion, raw)
        reading.answers[slot] = answer
        if previous is not None:
            reading.corrected.append(slot)
        reading.misses.pop(slot, None)

    if sla.typed_slots and intent not in _NOT_ANSWERS:
        digression = intent in DIGRESSIONS
        fills, answers, corrected = read_declared(
            raw,
            asked=declared,
            slots=slots,
            sla=sla,
            digression=digression,
            question=asks,
            correcting=bool(CORRECTION_CUE.search(text)),  # "perdona, en realidad somos 60"
        )
        reading.fills.update(fills)
        if declared in fills and clarifying:
            reading.fills["clarifying"] = None  # typed again instead of a button: the new words decide
        elif declared and declared in fills and unsure_of(answers[declared]):
            reading.fills["clarifying"] = {"slot": declared, "raw": raw}
            reading.fills[declared] = None  # the form asks again: the clarifying question, with buttons
            reading.clarify = declared
        reading.answers.update(answers)
        reading.corrected += corrected
        for slot in fills:
            reading.misses.pop(slot, None)

    if asks and _pending_filled(reading, asked) and asks_us(text):
        reading.question = text[:MAX_RAW]  # answered and asked at once: the answer counts, the question is passed on

    email = parse_email(text)
    if email and email != slots.get("email"):
        reading.fills["email"] = email

    pending = asked or declared
    if pending and pending not in reading.fills and intent not in DIGRESSIONS and not reading.fills:
        if asks:
            reading.question = text[:MAX_RAW]  # asked us something: pass it on, never a failed answer
        elif announces:
            reading.announced_question = True  # "hola, una consulta": they are about to ask
        elif asked and about_earlier_answers(text, asked, slots, found):
            reading.fills[pending] = None  # an aside about an earlier answer: the question is asked again
        elif asked and mentions_language(text, tuple(sla.languages)):
            reading.fills[pending] = None  # "sorry, my English is not great": the question is asked again
            reading.language_aside = True
        else:
            _count_miss(reading, pending, raw)
    elif requested in CONTACT_SLOTS and reading.corrected:
        pass  # "actually I'm the director" while asked for a name is a correction, not a name
    elif requested in CONTACT_SLOTS and intent not in DIGRESSIONS - {"greet"}:
        _read_contact(reading, requested, text, intent)
    return reading


def _may_volunteer_need(text: str, intent: str | None, slots: Mapping[str, Any], answers_asked: bool) -> bool:
    """A need read from a message the question pending did not ask for: never from a request or
    a question ("can I talk to a real person?"); a need already given changes when the visitor
    says they are correcting it, or when the message is about nothing but their need."""
    if intent in DIGRESSIONS or is_question(text):
        return False
    return slots.get("need") is None or not answers_asked or bool(CORRECTION_CUE.search(text))


MAX_QUESTIONS = 10


def remember_question(questions: Any, text: str) -> list[str]:
    """The visitor's questions so far plus this one (bounded: the slot travels with every turn)."""
    kept = [str(q) for q in questions] if isinstance(questions, list) else []
    if text and text[:MAX_RAW] not in kept:
        kept.append(text[:MAX_RAW])
    return kept[-MAX_QUESTIONS:]


# A clarifying button's answer: /inform{"answer": "clarify:pain"} (see utter_clarify_* in domain.yml).
CLARIFY = "clarify:"
# Below these confidences an answer to the question just asked is confirmed with the visitor:
# need from the classifier's probability, budget when a bare number was read as thousands.
_CLARIFY_NEED_BELOW = 0.5
_CLARIFY_BUDGET_BELOW = 0.5
_CLARIFY_KNOCK_OUT_BELOW = 0.7
# "Hola. Quiero una demo." read as "none" by the model alone, at 0.77: a knock-out on a hunch
# loses a buyer for good, so below this the visitor is asked (a problem, exploring, or neither).
_CLARIFY_MODEL_KNOCK_OUT_BELOW = 0.9


def _unsure(answer: Answer) -> bool:
    if answer.criterion is Criterion.NEED:
        # "none" knocks the lead out: it needs more certainty than the other classes.
        floor = _CLARIFY_KNOCK_OUT_BELOW if answer.value == "none" else _CLARIFY_NEED_BELOW
        if answer.value == "none" and by_model_alone(answer):
            floor = _CLARIFY_MODEL_KNOCK_OUT_BELOW  # no phrase of marketing's says "not a buyer"
        return answer.confidence < floor
    if answer.criterion is Criterion.BUDGET:
        return answer.kind is Kind.VALUE and answer.confidence < _CLARIFY_BUDGET_BELOW
    return False


_NEED_BESIDE_FACTS = 0.8

# "Quería informarme un poco", "just having a look": interest said in so few words that
# they name nothing the product is about. Often a visitor with a real problem opening politely,
# so the first time the need question is answered that way the bot asks which it is.
_VAGUE_WORDS = 16


def _vague_interest(answer: Answer, slots: Mapping[str, Any], reading: Reading, sla: SLA) -> bool:
    if answer.criterion is not Criterion.NEED or answer.value != "interest" or slots.get("need") is not None:
        return False
    if reading.misses.get("need") or len(answer.raw.split()) > _VAGUE_WORDS or not by_model_alone(answer):
        return False  # "just curious", "solo estoy mirando": interest in so many words stands
    return not names_topic(answer.raw, sla.need_lexicon())


def _read_clarification(reading: Reading, choice: str, clarifying: Mapping[str, Any], slots: Mapping[str, Any]) -> None:
    """A button pressed after a clarifying question: the earlier words, read as the visitor chose."""
    slot = str(clarifying["slot"])
    reading.fills["clarifying"] = None
    if choice == "no":  # "is that about €2,000 a month?" - no: ask the question again, with its hint
        reading.fills[slot] = None
        reading.hint_for = slot
        return
    reading.fills[slot] = clarifying["raw"]
    clarified = dict(slots.get("clarified") or {})
    clarified[slot] = {"raw": clarifying["raw"], "choice": choice}
    reading.fills["clarified"] = clarified


def apply_clarifications(answers: dict[str, Answer], slots: Mapping[str, Any]) -> dict[str, Answer]:
    """Answers as the visitor confirmed them with a clarifying button (while the words stand)."""
    clarified = slots.get("clarified")
    if not isinstance(clarified, Mapping):
        return answers
    result = dict(answers)
    for slot, entry in clarified.items():
        answer = result.get(slot)
        if answer is None or not isinstance(entry, Mapping) or entry.get("raw") != slots.get(slot):
            continue  # answered again since: the new words decide
        choice = str(entry.get("choice"))
        if answer.criterion is Criterion.NEED and choice in ("pain", "interest", "none"):
            kind = Kind.NONE if choice == "none" else Kind.VALUE
            result[slot] = replace(
                answer, kind=kind, value=choice, confidence=1.0, reason=f"{choice}, as the visitor confirmed"
            )
        elif choice == "yes":
            reason = f"{answer.reason} (confirmed by the visitor)"
            result[slot] = replace(answer, confidence=1.0, reason=reason)
    return result


_ACKNOWLEDGEMENTS = frozenset(
    {"ok", "okay", "k", "kk", "sure", "cool", "great", "thanks", "thank you", "thx", "ty", "hmm", "hm", "mmm",
     "vale", "gracias", "muchas gracias", "genial", "perfecto", "de acuerdo", "claro", "bueno", "ok gracias",
     "ok thanks", "alright", "got it", "entendido", "ajá", "aja", "uh", "eh", "ah"}
)  # fmt: skip


def _is_acknowledgement(text: str) -> bool:
    return plain_words(text) in _ACKNOWLEDGEMENTS


def _pending_filled(reading: Reading, asked: str | None) -> bool:
    return bool(asked) and reading.fills.get(str(asked)) is not None


def _count_miss(reading: Reading, slot: str, raw: str) -> None:
    count = reading.misses.get(slot, 0) + 1
    reading.misses[slot] = count
    if count >= MAX_MISSES:
        reading.fills[slot] = raw  # kept as the visitor's words; scores as "unknown"
        reading.gave_up_on = slot
    else:
        reading.fills[slot] = None
        reading.hint_for = slot


# A message this long with a correction cue is a sentence about an answer, not a name or a company.
_SENTENCE_WORDS = 5


def _read_contact(reading: Reading, slot: str, text: str, intent: str | None) -> None:
    value: Any
    if slot == "email":
        if "email" in reading.fills:
            return
        count = reading.misses.get("email", 0) + 1
        reading.misses["email"] = count
        if count >= MAX_MISSES + 1:
            reading.fills["email"] = text[:MAX_RAW]  # kept as written; sales can read it
        else:
            reading.fills["email"] = None
            reading.invalid_email = True
        return
    if slot in ("name", "company") and CORRECTION_CUE.search(text) and len(text.split()) >= _SENTENCE_WORDS:
        reading.fills[slot] = None  # "rectifico, mejor a un año vista": about an answer, never a name
        return
    if slot == "name":
        value = parse_name(text)
    elif slot == "company":
        value = parse_company(text)
    else:
        value = parse_consent(text, intent)
    reading.fills[slot] = value  # None re-asks the same question


def _same_answer(previous_raw: str, answer: Answer, sla: SLA, today: date) -> bool:
    """Whether a slot's earlier words already meant this answer (then it is no correction)."""
    before = read_one(previous_raw, Criterion(answer.criterion), sla, today)
    return before.kind == answer.kind and before.value == answer.value


@dataclass(frozen=True)
class Closing:
    """How a finished conversation ends: what the visitor is told, and whether sales gets it."""

    response: str
    handoff: bool


def closing(tier: Tier, *, human: bool, consent: bool) -> Closing:
    """One decision for the first close and for a re-close after a late correction, so what the
    visitor is told, the stored tier and the outbox cannot drift apart."""
    handoff = consent and (human or tier is Tier.SALES_READY)
    if human or tier is Tier.SALES_READY:
        if not handoff:
            return Closing("utter_close_no_consent", False)
        return Closing("utter_close_human" if human else "utter_close_sales_ready", True)
    if tier is Tier.NURTURE:
        return Closing("utter_close_nurture", False)
    return Closing("utter_close_disqualified", False)


def next_questions(sla: SLA, slots: Mapping[str, Any], score: Score | None) -> list[str]:
    """The slots the form still has to fill, in the SLA's order.

    Contact details are asked only when the lead is sales-ready or the visitor asked for a
    person: we don't collect personal data we have no use for.
    """
    wanted = list(sla.slots)
    wants_contact = bool(slots.get("human_requested")) or (score is not None and score.tier is Tier.SALES_READY)
    if bool(slots.get("human_requested")) and bool(slots.get("skip_questions")):
        wanted = []  # a visitor who asked to skip the questions is not made to finish them
    if wants_contact and all(slots.get(s) is not None for s in wanted):
        wanted += [s for s in CONTACT_SLOTS if not (s == "company" and slots.get("company") == "")]
    return wanted
