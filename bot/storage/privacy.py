"""Privacy: the right to be forgotten (every lead holding an email) and retention purges.

Also erases the conversations' events in Rasa's SQL tracker store when its URL is configured,
so nothing the visitor typed survives in either database.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import create_engine, delete, func, or_, select, text
from sqlalchemy.orm import Session

from bot.domain import ForgetResult, utcnow
from bot.settings import current_settings
from bot.storage.base import StoreBase
from bot.storage.convert import escape_like
from bot.storage.tables import AnswerRow, DeliveryAttemptRow, FeedbackRow, HandoffRow, LeadRow

BATCH = 500  # leads (or rows scanned) per round trip when forgetting or purging


def _erase(session: Session, ids: Sequence[int]) -> dict[str, int]:
    """Delete these leads and everything that refers to them; the number of rows per kind."""
    handoff_ids = list(session.execute(select(HandoffRow.id).where(HandoffRow.lead_id.in_(ids))).scalars())
    attempts = session.execute(delete(DeliveryAttemptRow).where(DeliveryAttemptRow.handoff_id.in_(handoff_ids)))
    return {
        "delivery_attempts": attempts.rowcount,
        "handoffs": session.execute(delete(HandoffRow).where(HandoffRow.lead_id.in_(ids))).rowcount,
        "answers": session.execute(delete(AnswerRow).where(AnswerRow.lead_id.in_(ids))).rowcount,
        "feedback": session.execute(delete(FeedbackRow).where(FeedbackRow.lead_id.in_(ids))).rowcount,
        "leads": session.execute(delete(LeadRow).where(LeadRow.id.in_(ids))).rowcount,
    }


class PrivacyStore(StoreBase):
    """Erasure of leads with everything that refers to them."""

    def forget(self, email: str) -> int:
        """Erase every lead that holds this email anywhere; returns the number of leads erased."""
        return self.forget_details(email).leads

    def forget_details(self, email: str, *, tracker_db_url: str | None = None) -> ForgetResult:
        needle = email.strip().lower()
        if not needle:
            raise ValueError("empty email")
        with self.session() as session:
            ids = self._leads_mentioning(session, needle)
        totals = dict.fromkeys(("leads", "answers", "handoffs", "delivery_attempts", "feedback"), 0)
        conversation_ids: list[str] = []
        # One short transaction per batch: a forget over many leads never holds every row, nor
        # the write lock, for its whole run.
        for start in range(0, len(ids), BATCH):
            with self.session() as session:
                batch = ids[start : start + BATCH]
                conversation_ids += session.execute(
                    select(LeadRow.conversation_id).where(LeadRow.id.in_(batch))
                ).scalars()
                for name, count in _erase(session, batch).items():
                    totals[name] += count
        tracker_url = tracker_db_url or current_settings().tracker_db_url
        n_events = delete_tracker_events(tracker_url, conversation_ids) if tracker_url else None
        return ForgetResult(
            conversation_ids=tuple(conversation_ids),
            leads=totals["leads"],
            answers=totals["answers"],
            handoffs=totals["handoffs"],
            delivery_attempts=totals["delivery_attempts"],
            feedback=totals["feedback"],
            tracker_events=n_events,
        )

    def _leads_mentioning(self, session: Session, needle: str) -> builtins.list[int]:
        # The email may sit in the contact columns, but also in free text the visitor typed
        # (an answer, the transcript) or in what we rendered from it (summary, outbox payload).
        like = f"%{escape_like(needle)}%"
        hits: set[int] = set()
        lead_text = [LeadRow.contact_email, LeadRow.contact_name, LeadRow.contact_company, LeadRow.summary]
        hits.update(
            session.execute(
                select(LeadRow.id).where(or_(*(func.lower(c).like(like, escape="\\") for c in lead_text)))
            ).scalars()
        )
        hits.update(
            session.execute(
                select(AnswerRow.lead_id).where(func.lower(AnswerRow.raw).like(like, escape="\\"))
            ).scalars()
        )
        hits.update(
            session.execute(
                select(FeedbackRow.lead_id).where(func.lower(FeedbackRow.reason).like(like, escape="\\"))
            ).scalars()
        )
        # JSON columns: compared in Python (portable across SQLite and PostgreSQL), streamed in
        # batches (`yield_per`: a server-side cursor on PostgreSQL) so that a database of many
        # transcripts is never loaded into memory at once.
        streamed = {"yield_per": BATCH, "stream_results": True}
        for lead_id, transcript, page_context in session.execute(
            select(LeadRow.id, LeadRow.transcript, LeadRow.page_context).execution_options(**streamed)
        ):
            blob = json.dumps([transcript, page_context], ensure_ascii=False).lower()
            if needle in blob:
                hits.add(lead_id)
        for lead_id, payload in session.execute(
            select(HandoffRow.lead_id, HandoffRow.payload).execution_options(**streamed)
        ):
            if needle in json.dumps(payload, ensure_ascii=False).lower():
                hits.add(lead_id)
        return sorted(hits)

    def purge(self, days: int, *, tracker_db_url: str | None = None) -> builtins.list[str]:
        """Retention: erase leads not updated for `days` days; returns their conversation ids."""
        cutoff = utcnow() - timedelta(days=days)
        with self.session() as session:
            rows = list(session.execute(select(LeadRow.id, LeadRow.conversation_id).where(LeadRow.updated_at < cutoff)))
        for start in range(0, len(rows), BATCH):
            with self.session() as session:
                _erase(session, [r[0] for r in rows[start : start + BATCH]])
        conversation_ids = [r[1] for r in rows]
        tracker_url = tracker_db_url or current_settings().tracker_db_url
        if tracker_url and conversation_ids:
            delete_tracker_events(tracker_url, conversation_ids)
        return conversation_ids

    # ------------------------------------------------------------------ the outbox


def delete_tracker_events(tracker_db_url: str, conversation_ids: Sequence[str]) -> int:
    """Delete Rasa's SQL tracker store events (table `events`, column `sender_id`)."""
    if not conversation_ids:
        return 0
    engine = create_engine(tracker_db_url, future=True)
    try:
        with engine.begin() as connection:
            total = 0
            for conversation_id in conversation_ids:
                total += connection.execute(
                    text("DELETE FROM events WHERE sender_id = :sender"), {"sender": conversation_id}
                ).rowcount
            return total
    finally:
        engine.dispose()
