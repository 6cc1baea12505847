"""Past leads streamed for re-scoring: the visitor's words per question, the stored tier, the verdict.

A what-if reads every lead of a period once; rows are streamed in id order (`yield_per`) and the
answers merged in, so 100,000 leads never sit in memory as full records.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql import Select

from bot.storage.base import StoreBase
from bot.storage.convert import as_datetime, aware
from bot.storage.tables import AnswerRow, FeedbackRow, HandoffRow, LeadRow, OutcomeRow

CHUNK = 2000  # rows per fetch: big enough to be fast, small enough to stay light


@dataclass(frozen=True)
class StoredAnswer:
    raw: str
    value: str | None  # the label read then (need, role, choices), for what the visitor confirmed
    reason: str


@dataclass(frozen=True)
class StoredLead:
    """What a re-score needs of one past lead."""

    id: int
    started_at: datetime
    last_answer_at: datetime | None
    status: str
    tier: str | None
    handed_off: bool
    verdict: str | None  # sales' latest verdict: accept | reject | None
    page_context: dict[str, Any] | None
    answers: dict[str, StoredAnswer] = field(default_factory=dict)


def in_period(query: Select, since: datetime | date | None, until: datetime | date | None) -> Select:
    """Leads started in [since, until)."""
    if since is not None:
        query = query.where(LeadRow.started_at >= as_datetime(since))
    if until is not None:
        query = query.where(LeadRow.started_at < as_datetime(until))
    return query


def latest_verdicts() -> Any:
    """A subquery (lead_id, verdict, reason, at): each lead's latest verdict, the one that counts."""
    ranked = select(
        FeedbackRow.lead_id,
        FeedbackRow.verdict,
        FeedbackRow.reason,
        FeedbackRow.at,
        func.row_number()
        .over(partition_by=FeedbackRow.lead_id, order_by=(FeedbackRow.at.desc(), FeedbackRow.id.desc()))
        .label("rank"),
    ).subquery()
    return select(ranked.c.lead_id, ranked.c.verdict, ranked.c.reason, ranked.c.at).where(ranked.c.rank == 1).subquery()


def latest_outcomes() -> Any:
    """A subquery (lead_id, outcome): each lead's latest outcome (meeting held … won, lost)."""
    ranked = select(
        OutcomeRow.lead_id,
        OutcomeRow.outcome,
        func.row_number()
        .over(partition_by=OutcomeRow.lead_id, order_by=(OutcomeRow.at.desc(), OutcomeRow.id.desc()))
        .label("rank"),
    ).subquery()
    return select(ranked.c.lead_id, ranked.c.outcome).where(ranked.c.rank == 1).subquery()


class HistoryStore(StoreBase):
    """The past leads of a period, for `leadbot simulate` and the console's "try a change"."""

    def count_leads(self, *, since: datetime | date | None = None, until: datetime | date | None = None) -> int:
        with self.session() as session:
            return int(session.execute(in_period(select(func.count(LeadRow.id)), since, until)).scalar_one())

    def stored_leads(
        self, *, since: datetime | date | None = None, until: datetime | date | None = None
    ) -> Iterator[StoredLead]:
        """Every lead started in [since, until) that the visitor answered at least one question
        in their own words, oldest id first, with sales' latest verdict."""
        verdicts = latest_verdicts()
        leads = in_period(
            select(
                LeadRow.id,
                LeadRow.started_at,
                LeadRow.last_answer_at,
                LeadRow.status,
                LeadRow.tier,
                LeadRow.page_context,
                HandoffRow.id.label("handoff_id"),
                verdicts.c.verdict,
            )
            .outerjoin(HandoffRow, HandoffRow.lead_id == LeadRow.id)
            .outerjoin(verdicts, verdicts.c.lead_id == LeadRow.id)
            .order_by(LeadRow.id),
            since,
            until,
        )
        answers = in_period(
            select(AnswerRow.lead_id, AnswerRow.criterion, AnswerRow.raw, AnswerRow.value_text, AnswerRow.reason)
            .join(LeadRow, LeadRow.id == AnswerRow.lead_id)
            .where(AnswerRow.raw != "")
            .order_by(AnswerRow.lead_id),
            since,
            until,
        )
        # Two connections, two cursors walking in lead-id order: a merge join without loading
        # either side. Core rows, not an ORM session's: the ORM's per-row bookkeeping cost more
        # than the whole re-score of a lead whose answers were read before.
        with self.engine.connect() as lead_connection, self.engine.connect() as answer_connection:
            answer_rows = iter(answer_connection.execution_options(yield_per=CHUNK).execute(answers))
            pending = next(answer_rows, None)
            for row in lead_connection.execution_options(yield_per=CHUNK).execute(leads):
                words: dict[str, StoredAnswer] = {}
                while pending is not None and pending.lead_id < row.id:
                    pending = next(answer_rows, None)
                while pending is not None and pending.lead_id == row.id:
                    words[pending.criterion] = StoredAnswer(pending.raw, pending.value_text, pending.reason or "")
                    pending = next(answer_rows, None)
                if not words:
                    continue
                yield StoredLead(
                    id=int(row.id),
                    started_at=aware(row.started_at),
                    last_answer_at=aware(row.last_answer_at) if row.last_answer_at else None,
                    status=row.status,
                    tier=row.tier,
                    handed_off=row.handoff_id is not None,
                    verdict=row.verdict,
                    page_context=row.page_context,
                    answers=words,
                )
