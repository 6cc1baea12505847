"""The lead records every layer passes around: contact, transcript, answers, handoffs, reports.

Pure frozen dataclasses (no I/O, no SQLAlchemy): storage builds them from rows, delivery renders
them, the CLI prints them, and the conversation side fills `LeadSnapshot` after every turn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: the domain records sit below the reading and the scorer
    from bot.parse.base import Answer
    from bot.scoring import Score

HANDOFF_STATUSES = ("pending", "sent", "dead")
VERDICTS = ("accept", "reject")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Contact:
    name: str | None
    email: str | None
    company: str | None


@dataclass(frozen=True)
class Turn:
    speaker: str  # "visitor" | "bot"
    text: str
    at: datetime


@dataclass(frozen=True)
class LeadSnapshot:
    """The state of one conversation as the Rasa actions see it, written after every turn."""

    conversation_id: str
    started_at: datetime
    language: str
    answers: Mapping[str, Answer]
    score: Score
    contact: Contact | None = None
    contact_consent: bool | None = None
    # widget metadata: {"page": {url, path, title, referrer}, "utm": {...}, "pages": [...], "language"}
    page_context: Mapping[str, Any] | None = None
    human_requested: bool = False
    transcript: Sequence[Turn] = ()
    visitor_questions: Sequence[str] = ()  # asked us instead of answering: for sales to answer
    # {title, url, rule} the closing message offered a nurture or disqualified lead (nurture_content)
    resource: Mapping[str, Any] | None = None
    status: str = "in_progress"  # one of LEAD_STATUSES (bot/domain/status.py)


@dataclass(frozen=True)
class AnswerRecord:
    criterion: str
    raw: str
    kind: str
    value: str | float | None
    currency: str | None  # the currency the visitor used, before conversion
    amount: float | None
    period: str | None
    points: int
    max_points: int
    rule: str
    explanation: str
    confidence: float
    reason: str
    knock_out: bool
    extra: Mapping[str, str]
    updated_at: datetime


@dataclass(frozen=True)
class CriterionRecord:
    """One line of the score breakdown (answered or not), as scored when last saved."""

    criterion: str
    points: int
    max_points: int
    rule: str
    explanation: str
    knock_out: bool = False
    asked: bool = True  # False for criteria computed from the page (the SLA's extra_criteria)


@dataclass(frozen=True)
class DeliveryAttempt:
    id: int
    handoff_id: int
    channel: str
    at: datetime
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: float


@dataclass(frozen=True)
class Handoff:
    id: int
    lead_id: int
    conversation_id: str
    idempotency_key: str
    channels: tuple[str, ...]
    delivered: Mapping[str, str]  # channel -> ISO time it was accepted
    payload: Mapping[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    created_at: datetime
    last_error: str | None


@dataclass(frozen=True)
class Feedback:
    id: int
    lead_id: int
    verdict: str
    reason: str
    by: str | None
    at: datetime
    reason_code: str | None = None  # a key of the SLA's verdict_reasons


@dataclass(frozen=True)
class Lead:
    """A lead as read back from the database (detached: safe to pass around)."""

    id: int
    conversation_id: str
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    last_answer_at: datetime | None
    language: str
    status: str
    score: int
    tier: str | None
    knocked_out_by: str | None
    qualified: bool
    human_requested: bool
    contact_consent: bool | None
    contact: Contact | None
    currency: str | None
    page_context: Mapping[str, Any]
    transcript: tuple[Turn, ...]
    answers: Mapping[str, AnswerRecord]
    breakdown: tuple[CriterionRecord, ...]
    summary: str | None
    handoff: Handoff | None = None
    feedback: tuple[Feedback, ...] = ()
    visitor_questions: tuple[str, ...] = ()
    resource: Mapping[str, Any] | None = None  # see LeadSnapshot.resource

    @property
    def handed_off(self) -> bool:
        return self.handoff is not None

    def criteria(self) -> list[str]:
        """The asked criteria in the SLA's order as last scored, then any other answer kept."""
        names = [c.criterion for c in self.breakdown if c.asked]
        return [*names, *(n for n in self.answers if n not in names)]


LeadRecord = Lead


@dataclass(frozen=True)
class CriterionTally:
    """How one criterion scored across the report's leads: what marketing's rules did."""

    criterion: str
    answered: int  # leads whose answer the assistant read (behaviour: computed)
    not_understood: int  # answered in words no rule but `unknown` scores
    points_mean: float | None  # over the answered
    max_points: int
    outcomes: tuple[tuple[str, int], ...]  # (the rule's explanation, leads), most frequent first


@dataclass(frozen=True)
class Report:
    """`leadbot report` numbers; see `LeadStore.report` for the definitions."""

    since: datetime | None
    until: datetime | None
    leads: int
    per_tier: Mapping[str, int]
    per_status: Mapping[str, int]
    handoffs_sent: int
    handoffs_pending: int
    handoffs_dead: int
    accepted: int
    rejected: int
    delivery_minutes_median: float | None
    delivery_minutes_p95: float | None
    follow_up_within_minutes: int | None
    follow_up_met: int
    follow_up_breached: int
    follow_up_open: int
    # The visitors' questions nobody answered (passed on to sales), most asked first, with how
    # many leads asked each: what marketing could add to `product_answers` in sla.yml.
    unanswered_questions: tuple[tuple[str, int], ...] = ()
    # Per criterion of the leads' breakdowns, in the SLA's order as last scored.
    criteria: tuple[CriterionTally, ...] = ()

    @property
    def acceptance_rate(self) -> float | None:
        judged = self.accepted + self.rejected
        return None if judged == 0 else self.accepted / judged


@dataclass(frozen=True)
class ForgetResult:
    conversation_ids: tuple[str, ...]
    leads: int
    answers: int
    handoffs: int
    delivery_attempts: int
    feedback: int
    tracker_events: int | None  # None: no tracker store configured
    details: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class QueuedHandoff:
    """A handoff as delivery rendered it, for storage to queue: the store adds only its id.

    The idempotency key is chosen here, before the row exists, so the rendered body and every
    later retry carry the same one."""

    idempotency_key: str
    channels: tuple[str, ...]
    payload: Mapping[str, Any]
    not_before: datetime | None = None  # held until then (routing: the pool opens)
