"""Whole conversations through the real actions and the real store, without Rasa's NLU.

`Conversation` plays Rasa's part of `data/rules.yml` (which action runs after a message, the
form's next question, the close) around the real action classes, so a test can drive random
sequences of answers, corrections, stop, start over, a person please, late and replayed
messages, delivery and sales feedback, and check after each step what `check_lead` checks:
status never goes backwards, and tier, status, summary, outbox and what the visitor was told agree.
"""

from __future__ import annotations

import asyncio
import copy
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.flow import Finish, RequestHuman, StartOver, Stop
from actions.form import ValidateQualificationForm
from actions.reading import ReadMessage
from bot.conversation.dialogue import closing
from bot.domain import FINISHED, Lead, rank
from bot.scoring import Tier
from bot.sla import SLA
from bot.storage import LeadStore

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))

FORM_SLOTS = list(DOMAIN["forms"]["qualification_form"]["required_slots"])
ANSWERS = {
    "need": [
        "our reps waste hours on bad leads",
        "we lose deals because follow-up with inbound leads is slow",
        "just curious",
        "exploring options",
        "just browsing, I'm a student doing homework",
    ],
    "budget": ["around 30k a year", "2.000 € al mes", "about 7k", "not decided yet", "no budget", "3k a year"],
    "role": ["VP of Sales", "I'm the founder", "marketing manager", "analyst", "I'm an intern"],
    "timing": ["next month", "asap", "in 4 months", "in about 9 months", "no plans"],
    "name": ["Ana López", "Bob Smith"],
    "email": ["ana@acme.example", "bob@northwind.example", "ana at acme", "not telling"],
    "company": ["Acme", "Northwind Traders"],
}
CORRECTIONS = [
    "actually our budget is 50k a year",
    "actually our budget is only 2k",
    "sorry, I'm actually the CEO",
    "actually I'm an intern",
    "actually we want it next month",
    "actually we have no plans to buy",
    "my email is carla@contoso.example",
]
CONTROLS = [
    ("stop", "stop"),
    ("start over", "start_over"),
    ("I want to talk to a person", "human"),
    ("hi", "greet"),
    ("yes", "affirm"),
    ("no", "deny"),
]
EVENTS = ("answer", "anything", "correction", "control", "stale", "deliver", "feedback")
HANDOFF_CLOSES = frozenset({"utter_close_sales_ready", "utter_close_human"})
CLOSES = HANDOFF_CLOSES | {"utter_close_nurture", "utter_close_disqualified", "utter_close_no_consent"}


_LOOP = asyncio.new_event_loop()  # one loop for every action: a fresh one per call costs more than the action


def _run(coroutine: Any) -> Any:
    return _LOOP.run_until_complete(coroutine)


@dataclass
class Conversation:
    """One visitor, with the slots, events and active form Rasa would keep for them."""

    sender: str
    store: LeadStore
    slots: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    active_form: bool = False
    told: str | None = None  # the last closing message the visitor saw
    history: list[tuple[dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.slots = {name: None for name in DOMAIN["slots"]} | {"human_requested": False} | self.slots

    # ------------------------------------------------------------------ what Rasa does

    def tracker(self, message: dict[str, Any] | None = None) -> Tracker:
        loop = {"name": "qualification_form"} if self.active_form else {}
        return Tracker(self.sender, dict(self.slots), message or {}, list(self.events), False, None, loop, "")

    def _apply(self, events: list[dict[str, Any]], dispatcher: CollectingDispatcher | None = None) -> None:
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
                self.events.append(event)
            elif event.get("event") == "active_loop":
                self.active_form = bool(event.get("name"))
        for message in dispatcher.messages if dispatcher else []:
            self.told = _close_named(message) or self.told
            text = message.get("text") or message.get("response")
            self.events.append({"event": "bot", "text": text, "timestamp": time.time()})

    def _act(self, action: Any, message: dict[str, Any] | None = None) -> None:
        dispatcher = CollectingDispatcher()
        self._apply(_run(action.run(dispatcher, self.tracker(message), DOMAIN)), dispatcher)

    def _form(self, message: dict[str, Any]) -> None:
        self.active_form = True
        dispatcher = CollectingDispatcher()
        events = _run(ValidateQualificationForm().run(dispatcher, self.tracker(message), DOMAIN))
        self._apply(events, dispatcher)
        if not any(e.get("name") == "requested_slot" for e in events):
            # required_slots returned the domain's own list: Rasa's form picks the next one
            missing = [s for s in FORM_SLOTS if self.slots.get(s) is None]
            self._apply([{"event": "slot", "name": "requested_slot", "value": missing[0] if missing else None}])
        if self.slots.get("requested_slot") is None:
            self.active_form = False
            self._act(Finish(), message)

    def say(self, text: str, intent: str = "inform") -> None:
        """One visitor message, routed as data/rules.yml routes it."""
        self.history.append((copy.deepcopy(self.slots), list(self.events)))
        message = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": [], "metadata": {}}
        self.events.append({"event": "user", "text": text, "timestamp": time.time(), "parse_data": message})
        self._act(ReadMessage(), message)
        if intent == "stop":
            if self.active_form:
                self._act(Stop(), message)
            return
        if intent == "start_over":
            self._act(StartOver(), message)
        elif intent == "human":
            self._act(RequestHuman(), message)
        elif not (self.active_form or intent in ("inform", "greet")):
            return
        self._form(message)

    def replay_stale(self, rnd: random.Random, text: str) -> None:
        """A message read against the conversation as it was some turns ago (a turn re-sent
        after a crash): its writes reach the store, its events are lost."""
        before_close = [(s, e) for s, e in self.history if not s.get("tier")]
        if not before_close:
            return
        slots, events = rnd.choice(before_close)
        message = {"text": text, "intent": {"name": "inform", "confidence": 0.99}, "entities": [], "metadata": {}}
        stale = Tracker(self.sender, slots, message, [*events, {"event": "user", "text": text}], False, None, {}, "")
        _run(ReadMessage().run(CollectingDispatcher(), stale, DOMAIN))

    def deliver(self) -> None:
        """The worker delivers this conversation's handoff, if one is queued."""
        lead = self.store.get(self.sender)
        if lead is None or lead.handoff is None or lead.handoff.status != "pending":
            return
        for claim in self.store.claim_handoffs(worker="sim", lease_seconds=60, limit=1000):
            handoff, token = claim.handoff, claim.token
            if handoff.id != lead.handoff.id:
                # Not this conversation's: release it untouched (no channels burns no attempt).
                self.store.complete_pass(
                    handoff.id, token=token, channels=[],
                    next_attempt_at=handoff.next_attempt_at, max_attempts=5, error=None,
                )  # fmt: skip
                continue
            self.store.record_attempt(
                handoff.id, "webhook", token=token, ok=True, status_code=200, error=None, duration_ms=1.0
            )  # fmt: skip
            self.store.complete_pass(
                handoff.id, token=token, channels=["webhook"],
                next_attempt_at=None, max_attempts=5, error=None,
            )  # fmt: skip

    # ------------------------------------------------------------------ random visitors

    def step(self, rnd: random.Random, kind: str) -> None:
        self.steps.append(kind)
        if kind == "answer":
            pending = self.slots.get("requested_slot")
            if pending == "contact_consent":
                yes = rnd.random() < 0.7
                self.say("yes" if yes else "no", "affirm" if yes else "deny")
            else:
                self.say(rnd.choice(ANSWERS.get(str(pending)) or ANSWERS["need"]))
        elif kind == "anything":
            self.say(rnd.choice([a for pool in ANSWERS.values() for a in pool]))
        elif kind == "correction":
            self.say(rnd.choice(CORRECTIONS))
        elif kind == "control":
            self.say(*rnd.choice(CONTROLS))
        elif kind == "stale":
            self.replay_stale(rnd, rnd.choice(CORRECTIONS + ANSWERS["need"]))
        elif kind == "deliver":
            self.deliver()
        elif kind == "feedback" and self.store.get(self.sender) is not None:
            self.store.feedback(self.sender, rnd.choice(["accept", "reject"]), reason="sim")


def _close_named(message: dict[str, Any]) -> str | None:
    """The closing response a message is, whether uttered by name or as its text (`runtime.say`)."""
    if message.get("response") in CLOSES:
        return str(message["response"])
    text = str(message.get("text") or "")
    for name in CLOSES:
        for variant in DOMAIN["responses"][name]:
            fixed = str(variant.get("text") or "").split("{")[0]
            if fixed and text.startswith(fixed):
                return name
    return None


def random_events(rnd: random.Random, length: int) -> list[str]:
    """A visitor's events, mostly answering what is asked so that many conversations finish."""
    weights = (10, 2, 2, 2, 1, 1, 1)
    return rnd.choices(EVENTS, weights=weights, k=length)


def check_lead(lead: Lead | None, previous: Lead | None, conversation: Conversation, sla: SLA) -> list[str]:
    """What is wrong with the stored lead after one step (empty when nothing is)."""
    if lead is None:
        return [] if previous is None else ["the lead disappeared"]
    problems = []
    if previous is not None and rank(lead.status) < rank(previous.status):
        problems.append(f"status went back: {previous.status} -> {lead.status}")
    handoff = lead.handoff
    pending = handoff is not None and handoff.status == "pending"
    if lead.status in FINISHED:
        if lead.tier != lead.status:
            problems.append(f"status {lead.status} but tier {lead.tier}")
        if lead.tier != _tier_of(lead, sla):
            problems.append(f"tier {lead.tier} but score {lead.score} means {_tier_of(lead, sla)}")
        if not lead.summary or f"({lead.score}/100)" not in lead.summary:
            problems.append(f"summary does not show the stored score {lead.score}")
        # As the actions decide: consent and contact details given. An email that never
        # validated is not the lead's email (nothing is sent to it), but the lead is handed off.
        consent = lead.contact_consent is True and lead.contact is not None
        should = closing(Tier(lead.status), human=lead.human_requested, consent=consent).handoff
        if pending and not should:
            problems.append(f"a {lead.status} lead (consent {consent}) has a pending handoff")
        if should and handoff is None:
            problems.append(f"a {lead.status} lead with consent has no handoff")
    elif pending:
        problems.append(f"a {lead.status} lead has a pending handoff")
    if lead.status == "stopped" and not lead.summary:
        problems.append("a stopped lead has no summary")
    told = conversation.told
    if told in HANDOFF_CLOSES and handoff is None:
        problems.append(f"the visitor was told {told} but nothing is queued")
    if told in CLOSES - HANDOFF_CLOSES and pending:
        problems.append(f"the visitor was told {told} but a handoff is pending")
    if told is None and handoff is not None:
        problems.append("a handoff was queued before any close")
    return problems


def _tier_of(lead: Lead, sla: SLA) -> str:
    if any(c.knock_out for c in lead.breakdown):
        return Tier.DISQUALIFIED.value
    if lead.score >= sla.tiers.sales_ready:
        return Tier.SALES_READY.value
    return Tier.NURTURE.value if lead.score >= sla.tiers.nurture else Tier.DISQUALIFIED.value


def run_sequence(
    store: LeadStore, sla: SLA, sender: str, events: Sequence[str], rnd: random.Random
) -> tuple[list[str], Conversation]:
    """Drive one conversation through `events`; returns every problem found, step by step."""
    conversation = Conversation(sender, store)
    problems: list[str] = []
    previous = None
    for index, kind in enumerate(events):
        conversation.step(rnd, kind)
        lead = store.get(sender)
        problems += [f"step {index} ({kind}): {p}" for p in check_lead(lead, previous, conversation, sla)]
        previous = lead or previous
    return problems, conversation
