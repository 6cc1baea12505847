"""Criteria marketing declares in sla.yml (number, choice, yes/no): read, kept and confirmed.

Their answers live in one slot, `criteria_answers` ({criterion: the visitor's words}), because
the Rasa domain cannot name criteria that only the SLA knows. `slot_view` lays them beside the
domain's slots, so the rest of the conversation treats every question alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel.numbers import format_decimal

from bot.conversation.memo import read_once
from bot.parse.base import Answer, Kind
from bot.sla import SLA, CriterionSpec

TYPED_SLOT = "criteria_answers"
# The slots the qualification form's validation accepts besides the domain form's own: a turn
# that set none of these nor a form slot answered nothing, and Rasa rejects the form for it
# (actions/form.py; bot/ops/rasa_patches.py rejects it without the call).
FORM_ACCEPTS_BEYOND_ITS_SLOTS = ("visitor_questions", TYPED_SLOT)
_MAX_ANSWERS = 50  # the slot travels with every turn: bounded like every other visitor input
_MAX_RAW = 500


def slot_view(slots: Mapping[str, Any]) -> dict[str, Any]:
    """The domain's slots with each declared criterion's words beside them, by criterion name."""
    typed = slots.get(TYPED_SLOT)
    view = dict(slots)
    if isinstance(typed, Mapping):
        for name, raw in list(typed.items())[:_MAX_ANSWERS]:
            if isinstance(name, str) and isinstance(raw, str) and name not in view:
                view[name] = raw
    return view


def split_fills(fills: Mapping[str, Any], sla: SLA, slots: Mapping[str, Any]) -> dict[str, Any]:
    """Slot updates as Rasa can store them: a declared criterion's words go into `criteria_answers`
    (None takes the answer back, so the form asks again)."""
    typed = set(sla.typed_slots)
    result = {slot: value for slot, value in fills.items() if slot not in typed}
    changes = {slot: value for slot, value in fills.items() if slot in typed}
    if changes:
        current = slots.get(TYPED_SLOT)
        merged = dict(current) if isinstance(current, Mapping) else {}
        for slot, value in changes.items():
            if value is None:
                merged.pop(slot, None)
            else:
                merged[slot] = str(value)[:_MAX_RAW]
        result[TYPED_SLOT] = merged
    return result


def read_typed(text: str, name: str, spec: CriterionSpec, *, strict: bool) -> Answer:
    """One declared criterion's answer in a message (`strict`: it was not the question asked)."""
    return spec.read(text, name, strict=strict)


def read_asked(text: str, name: str, sla: SLA) -> Answer:
    """Words read as the answer to a declared criterion's own question (leniently), once per SLA:
    its stored answer on every turn, or a message that answers or corrects it."""
    return read_once((sla,), (name, text), lambda: read_typed(text, name, sla.criteria[name], strict=False))


_WORDS = {
    "en": {"yes": "yes", "no": "no", "undecided": "not sure yet", "about": "about {}", "range": "{} to {}"},
    "es": {"yes": "sí", "no": "no", "undecided": "aún no lo sabes", "about": "unos {}", "range": "de {} a {}"},
}
_LOCALE = {"en": "en_GB", "es": "es_ES"}


def typed_understood_as(answer: Answer, spec: CriterionSpec, language: str) -> str:
    """'about 50 employees', 'Fintech', 'sí': a declared criterion's answer as the visitor is told it."""
    lang = language if language in _WORDS else "en"
    words = _WORDS[lang]
    if answer.kind is Kind.UNDECIDED:
        return words["undecided"]
    if isinstance(answer.value, (int, float)):
        unit = (spec.unit or {}).get(lang) or next(iter((spec.unit or {}).values()), "")
        low, high = answer.extra.get("low"), answer.extra.get("high")
        if low and high:
            number = words["range"].format(_number(float(low), lang), _number(float(high), lang))
        else:
            number = _number(float(answer.value), lang)
            number = words["about"].format(number) if answer.confidence < 1 else number
        return f"{number} {unit}".strip()
    value = str(answer.value or "")
    if spec.kind_of(answer.criterion) == "choice":
        synonyms = (spec.choices or {}).get(value, {})
        shown = (synonyms.get(lang) or next(iter(synonyms.values()), [value]) or [value])[0]
        return shown[:1].upper() + shown[1:]
    return words.get(value, value)


def _number(value: float, lang: str) -> str:
    return format_decimal(round(value, 1), locale=_LOCALE[lang])


def read_declared(
    raw: str,
    *,
    asked: str | None,
    slots: Mapping[str, Any],
    sla: SLA,
    digression: bool,
    question: bool,
    correcting: bool = False,
) -> tuple[dict[str, str], dict[str, Answer], list[str]]:
    """(fills, answers, corrections) for the SLA's declared criteria in one message.

    The criterion asked is read leniently; the others only when the message states them (a
    number with the criterion's unit words, a choice's synonym; never a bare yes or no). A
    changed answer to a question already answered is a correction. `slots` is a `slot_view`.
    """
    fills: dict[str, str] = {}
    answers: dict[str, Answer] = {}
    corrected: list[str] = []
    lenient = _corrected_on_cue(raw, asked=asked, slots=slots, sla=sla, correcting=correcting)
    for name in sla.typed_slots:
        spec = sla.criteria[name]
        answer = read_asked(raw, name, sla) if name in (asked, lenient) else read_typed(raw, name, spec, strict=True)
        if not answer.understood and not (name == asked and _kept_as_written(answer, spec, name, digression, question)):
            continue
        if name == asked and (digression or question) and answer.confidence < _SURE_BESIDE_A_REQUEST:
            continue  # "hi" or "do you integrate with HubSpot?" asks something; it answers nothing
        if name != asked and answer.kind is not Kind.VALUE:
            continue  # "not sure" answers the question asked, never another one
        previous = slots.get(name)
        if previous is not None:
            before = read_asked(str(previous), name, sla)
            if previous == raw or (before.kind == answer.kind and before.value == answer.value):
                continue
            corrected.append(name)
        fills[name] = raw
        answers[name] = answer
    return fills, answers, corrected


_SURE_BESIDE_A_REQUEST = 0.8


def _corrected_on_cue(
    raw: str, *, asked: str | None, slots: Mapping[str, Any], sla: SLA, correcting: bool
) -> str | None:
    """The one answered number or choice a message says it corrects ("perdona, en realidad somos
    60"), read as leniently as the question pending; none when the cue could mean several."""
    if not correcting:
        return None
    candidates = [
        name
        for name in sla.typed_slots
        if name != asked
        and slots.get(name) is not None
        and sla.kind(name) in ("number", "choice")
        and read_asked(raw, name, sla).kind is Kind.VALUE
    ]
    return candidates[0] if len(candidates) == 1 else None


def _kept_as_written(answer: Answer, spec: CriterionSpec, name: str, digression: bool, question: bool) -> bool:
    """A choice answered with an option the SLA does not list ("Oviedo" for the city) is kept as
    the visitor wrote it and scores as unknown; it is an answer, so it is not asked again."""
    return spec.kind_of(name) == "choice" and not (digression or question) and any(c.isalpha() for c in answer.raw)


# Below this the answer to the question just asked is confirmed with the visitor ("is that
# about 40 employees?"), as for the built-in criteria.
_CLARIFY_BELOW = 0.5


def unsure_of(answer: Answer) -> bool:
    return answer.kind is Kind.VALUE and answer.confidence < _CLARIFY_BELOW
