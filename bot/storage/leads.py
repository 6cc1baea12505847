"""The lead store: what the actions, the worker and the CLI read or write about leads.

`LeadStore` writes a conversation's state after every turn and, when it finishes, persists the
summary and handoff that delivery rendered (`bot/delivery/outbox.py`); the outbox, reports and
privacy parts live in their own modules and are mixed in here.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.domain import (
    IN_PROGRESS,
    LEAD_STATUSES,
    VERDICTS,
    Feedback,
    Lead,
    LeadSnapshot,
    Move,
    QueuedHandoff,
    move_for,
    next_status,
    utcnow,
)
from bot.storage.booking import BookingStore
from bot.storage.convert import enum_value, iso, jsonable, parse_iso, to_feedback
from bot.storage.health import HealthStore
from bot.storage.history import HistoryStore
from bot.storage.outbox import OutboxStore
from bot.storage.privacy import PrivacyStore
from bot.storage.reports import ReportStore
from bot.storage.tables import AnswerRow, FeedbackRow, HandoffRow, LeadRow

log = logging.getLogger(__name__)


class LeadStore(OutboxStore, ReportStore, PrivacyStore, HistoryStore, HealthStore, BookingStore):
    """Everything the actions, the worker and the CLI read or write about leads."""

    def save(self, snapshot: LeadSnapshot) -> str:
        """Upsert the lead and its answers; called after every visitor turn (status in_progress).

        Returns the status the lead has now: a stopped or finished lead stays so
        (`bot/domain/status.py`), and of a late turn only the running record (transcript, page,
        questions) is kept. A snapshot with another status is written as the move it stands for."""

        def _do(session: Session) -> str:
            row, _ = self._upsert(session, snapshot, move_for(snapshot.status))
            return str(row.status)

        return str(self._retry_on_race(_do))

    def close(self, snapshot: LeadSnapshot, *, currency: str) -> Lead:
        """Write the final state of a conversation (first step of finishing a lead).

        Delivery then renders the summary (and the handoff body) from the returned record and
        stores them with `settle`: nothing is rendered inside a write transaction.
        A close the state machine refuses (a "stop" after the lead finished) changes nothing but
        the running record: the returned lead's status then differs from the snapshot's.
        """

        def _do(session: Session) -> int:
            row, accepted = self._upsert(session, snapshot, move_for(snapshot.status))
            if accepted:
                row.finished_at = row.finished_at or utcnow()
                row.currency = currency
            return int(row.id)

        return self._read(self._retry_on_race(_do))

    def settle(self, lead_id: int, *, summary: str, handoff: QueuedHandoff | None, hand_off: bool) -> Lead:
        """Store the rendered summary; with `hand_off`, queue `handoff` unless one is queued already.

        Idempotent: a handoff row is unique per lead, so a second call never queues a second one.
        Without `hand_off`, a queued handoff no channel has received yet is cancelled."""

        def _do(session: Session) -> None:
            row = session.get(LeadRow, lead_id)
            if row is None:
                raise LookupError(f"no lead {lead_id}")
            row.summary = summary
            if hand_off and row.handoff is None and handoff is not None:
                self._queue_handoff(session, row, handoff)
            elif not hand_off and _cancellable(row.handoff):
                # A late correction took the lead below sales-ready before any channel got it:
                # sales must not receive a lead the visitor was just told is not a fit.
                log.info("lead %s: queued handoff cancelled, tier is now %s", row.conversation_id, row.tier)
                session.delete(row.handoff)
                row.handoff = None

        self._retry_on_race(_do)
        return self._read(lead_id)

    def _read(self, lead_id: int) -> Lead:
        lead = self.get(lead_id)
        assert lead is not None
        return lead

    def reset(self, conversation_id: str) -> None:
        """ "Start over": forget the answers and the score, keep the lead row.

        A stopped or finished lead keeps its outcome (answers, tier, summary, handoff) until the
        new conversation closes it again: what the visitor was told at the close still holds."""
        with self.session() as session:
            row = session.execute(
                select(LeadRow).where(LeadRow.conversation_id == conversation_id)
            ).scalar_one_or_none()
            if row is None:
                return
            if next_status(row.status, Move.START_OVER, IN_PROGRESS) is None:
                row.updated_at = utcnow()
                return
            session.execute(delete(AnswerRow).where(AnswerRow.lead_id == row.id))
            row.score = 0
            row.tier = None
            row.knocked_out_by = None
            row.qualified = False
            row.breakdown = []
            row.status = IN_PROGRESS
            row.finished_at = None
            row.summary = None
            row.updated_at = utcnow()

    def _upsert(self, session: Session, snapshot: LeadSnapshot, move: Move) -> tuple[LeadRow, bool]:
        """Write the snapshot as `move`; (the row, whether the state machine accepted the move).

        A refused move writes only the running record: the lead's state stays as it was closed."""
        if snapshot.status not in LEAD_STATUSES:
            raise ValueError(f"unknown lead status {snapshot.status!r}")
        now = utcnow()
        row = session.execute(
            select(LeadRow).where(LeadRow.conversation_id == snapshot.conversation_id)
        ).scalar_one_or_none()
        if row is None:
            row = LeadRow(
                conversation_id=snapshot.conversation_id, started_at=snapshot.started_at, human_requested=False
            )
            session.add(row)
        status = next_status(row.status, move, snapshot.status)
        row.updated_at = now
        row.language = snapshot.language
        row.human_requested = bool(row.human_requested) or snapshot.human_requested
        if snapshot.visitor_questions:
            row.visitor_questions = [str(q) for q in snapshot.visitor_questions]
        if snapshot.page_context is not None:
            row.page_context = jsonable(snapshot.page_context)
        if snapshot.transcript:
            row.transcript = [{"speaker": t.speaker, "text": t.text, "at": iso(t.at)} for t in snapshot.transcript]
        if status is None:
            log.info("lead %s is %s: %s keeps its outcome", row.conversation_id, row.status, move.value)
            return row, False
        row.status = status
        row.score = int(snapshot.score.total)
        row.tier = enum_value(snapshot.score.tier)
        row.knocked_out_by = snapshot.score.knocked_out_by
        row.qualified = bool(snapshot.score.qualified)
        row.contact_consent = snapshot.contact_consent
        row.resource = jsonable(snapshot.resource) if snapshot.resource else None
        # Contact details are personal data: kept only with the visitor's consent.
        keep = snapshot.contact_consent is True and snapshot.contact is not None
        contact = snapshot.contact if keep else None
        row.contact_name = contact.name if contact else None
        row.contact_email = contact.email if contact else None
        row.contact_company = contact.company if contact else None
        row.breakdown = [
            {
                "criterion": c.criterion,
                "points": int(c.points),
                "max_points": int(c.max_points),
                "rule": c.rule,
                "explanation": c.explanation,
                "knock_out": bool(c.knock_out),
                "asked": bool(c.asked),
            }
            for c in snapshot.score.breakdown
        ]
        session.flush()
        if self._sync_answers(session, row, snapshot, now):
            row.last_answer_at = now
        return row, True

    def _sync_answers(self, session: Session, row: LeadRow, snapshot: LeadSnapshot, now: datetime) -> bool:
        existing = {a.criterion: a for a in row.answers}
        changed = False
        for name, answer in snapshot.answers.items():
            scored = snapshot.score.criterion(name)
            answer_row = existing.pop(name, None)
            if answer_row is None:
                answer_row = AnswerRow(lead_id=row.id, criterion=name)
                row.answers.append(answer_row)
            # Only the visitor's words make an answer new: a behaviour criterion (no words,
            # recomputed from the page every turn) does not move `last_answer_at`.
            if (answer_row.raw or "") != answer.raw:
                changed = True
            answer_row.raw = answer.raw
            answer_row.kind = enum_value(answer.kind)
            is_number = isinstance(answer.value, (int, float)) and not isinstance(answer.value, bool)
            answer_row.value_number = float(answer.value) if is_number else None  # type: ignore[arg-type]
            answer_row.value_text = None if is_number or answer.value is None else str(answer.value)
            answer_row.currency = answer.currency
            answer_row.amount = answer.amount
            answer_row.period = answer.period
            answer_row.confidence = float(answer.confidence)
            answer_row.reason = answer.reason
            answer_row.extra = dict(answer.extra)
            answer_row.points = int(scored.points) if scored else 0
            answer_row.max_points = int(scored.max_points) if scored else 0
            answer_row.rule = scored.rule if scored else ""
            answer_row.explanation = scored.explanation if scored else ""
            answer_row.knock_out = bool(scored.knock_out) if scored else False
            answer_row.updated_at = now
        for stale in existing.values():
            row.answers.remove(stale)
            session.delete(stale)
        return changed

    def feedback(
        self, lead: str | int, verdict: str, reason: str = "", by: str | None = None, *, reason_code: str | None = None
    ) -> Feedback:
        """Record sales' verdict on a lead; raises LookupError for an unknown lead.

        The one write of a verdict: the CLI, the API and the console (also its one-click links,
        through `add_feedback`) all record it here."""
        with self.session() as session:
            return to_feedback(self.add_feedback(session, lead, verdict, reason, by, reason_code=reason_code))

    def add_feedback(
        self,
        session: Session,
        lead: str | int,
        verdict: str,
        reason: str = "",
        by: str | None = None,
        *,
        reason_code: str | None = None,
    ) -> FeedbackRow:
        """`feedback` inside the caller's transaction (a one-click link is spent in the same one)."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
        row = self._find(session, lead)
        if row is None:
            raise LookupError(f"no lead {lead!r}")
        fb = FeedbackRow(
            lead_id=row.id, verdict=verdict, reason=reason or "", by=by, at=utcnow(), reason_code=reason_code or None
        )
        session.add(fb)
        session.flush()
        return fb

    # ------------------------------------------------------------------ report

    def _queue_handoff(self, session: Session, row: LeadRow, handoff: QueuedHandoff) -> None:
        now = utcnow()
        handoff_row = HandoffRow(
            lead_id=row.id,
            idempotency_key=handoff.idempotency_key,
            channels=list(handoff.channels),
            delivered={},
            payload={},
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        session.add(handoff_row)
        session.flush()
        # The one field delivery cannot know before the row exists.
        handoff_row.payload = {**jsonable(handoff.payload), "handoff_id": int(handoff_row.id)}
        row.handoff = handoff_row


def _cancellable(handoff: HandoffRow | None) -> bool:
    """A queued handoff no channel has received yet, and none is sending right now (a worker
    holding a claim with nothing on the wire finds its claim gone and stops)."""
    if handoff is None or handoff.status != "pending" or handoff.delivered:
        return False
    now = utcnow()
    return not any(parse_iso(send.get("until")) > now for send in (handoff.sending or {}).values())
