"""Rows to records: the detached domain records the store hands out, and small value helpers.

Kept apart from the queries so every store module converts (and formats times) the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime, timezone
from typing import Any

from bot.domain import (
    AnswerRecord,
    Contact,
    CriterionRecord,
    DeliveryAttempt,
    Feedback,
    Handoff,
    Lead,
    Turn,
)
from bot.storage.tables import AnswerRow, DeliveryAttemptRow, FeedbackRow, HandoffRow, LeadRow


def to_lead(row: LeadRow) -> Lead:
    contact = None
    if row.contact_name or row.contact_email or row.contact_company:
        contact = Contact(row.contact_name, row.contact_email, row.contact_company)
    return Lead(
        id=int(row.id),
        conversation_id=row.conversation_id,
        started_at=aware(row.started_at),
        updated_at=aware(row.updated_at),
        finished_at=aware(row.finished_at) if row.finished_at else None,
        last_answer_at=aware(row.last_answer_at) if row.last_answer_at else None,
        language=row.language,
        status=row.status,
        score=int(row.score or 0),
        tier=row.tier,
        knocked_out_by=row.knocked_out_by,
        qualified=bool(row.qualified),
        human_requested=bool(row.human_requested),
        contact_consent=row.contact_consent,
        contact=contact,
        currency=row.currency,
        page_context=dict(row.page_context or {}),
        transcript=tuple(
            Turn(speaker=t.get("speaker", ""), text=t.get("text", ""), at=parse_iso(t.get("at")))
            for t in (row.transcript or [])
        ),
        answers={a.criterion: to_answer(a) for a in sorted(row.answers, key=criterion_order)},
        breakdown=tuple(CriterionRecord(**c) for c in (row.breakdown or [])),
        summary=row.summary,
        handoff=to_handoff(row.handoff) if row.handoff is not None else None,
        feedback=tuple(to_feedback(f) for f in sorted(row.feedback, key=lambda f: (f.at, f.id))),
        visitor_questions=tuple(str(q) for q in (row.visitor_questions or ())),
        resource=dict(row.resource) if row.resource else None,
    )


def criterion_order(answer: AnswerRow) -> int:
    # The order answers were first stored in; readers order them by the SLA (`Lead.criteria`).
    return int(answer.id or 0)


def to_answer(row: AnswerRow) -> AnswerRecord:
    return AnswerRecord(
        criterion=row.criterion,
        raw=row.raw,
        kind=row.kind,
        value=row.value_number if row.value_number is not None else row.value_text,
        currency=row.currency,
        amount=row.amount,
        period=row.period,
        points=int(row.points or 0),
        max_points=int(row.max_points or 0),
        rule=row.rule or "",
        explanation=row.explanation or "",
        confidence=float(row.confidence or 0.0),
        reason=row.reason or "",
        knock_out=bool(row.knock_out),
        extra=dict(row.extra or {}),
        updated_at=aware(row.updated_at),
    )


def to_handoff(row: HandoffRow) -> Handoff:
    return Handoff(
        id=int(row.id),
        lead_id=int(row.lead_id),
        conversation_id=row.lead.conversation_id if row.lead is not None else "",
        idempotency_key=row.idempotency_key,
        channels=tuple(row.channels or ()),
        delivered=dict(row.delivered or {}),
        payload=dict(row.payload or {}),
        status=row.status,
        attempts=int(row.attempts or 0),
        next_attempt_at=aware(row.next_attempt_at) if row.next_attempt_at else None,
        sent_at=aware(row.sent_at) if row.sent_at else None,
        created_at=aware(row.created_at),
        last_error=row.last_error,
    )


def to_feedback(row: FeedbackRow) -> Feedback:
    return Feedback(
        id=int(row.id),
        lead_id=int(row.lead_id),
        verdict=row.verdict,
        reason=row.reason or "",
        by=row.by,
        at=aware(row.at),
        reason_code=row.reason_code,
    )


def to_attempt(row: DeliveryAttemptRow) -> DeliveryAttempt:
    return DeliveryAttempt(
        id=int(row.id),
        handoff_id=int(row.handoff_id),
        channel=row.channel,
        at=aware(row.at),
        ok=bool(row.ok),
        status_code=row.status_code,
        error=row.error,
        duration_ms=float(row.duration_ms or 0.0),
    )


def enum_value(value: Any) -> Any:
    return getattr(value, "value", value)


def aware(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def iso(value: datetime) -> str:
    return aware(value).isoformat()


def parse_iso(value: str | None) -> datetime:
    if not value:
        return datetime.fromtimestamp(0, timezone.utc)
    return aware(datetime.fromisoformat(value))


def as_datetime(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return aware(value)
    return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)


def jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def escape_like(value: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", value)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: an observed value, honest for small samples."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def id_chunks(ids: Sequence[int], size: int = 500) -> list[list[int]]:
    """Distinct ids in slices small enough for one `IN (…)` (older SQLite builds bind at most 999)."""
    unique = list(dict.fromkeys(ids))
    return [unique[i : i + size] for i in range(0, len(unique), size)]
