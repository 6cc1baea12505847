"""The handoff outbox as the worker sees it: claims with a lease, attempts, delivery passes.

Claims are exclusive across workers: PostgreSQL `FOR UPDATE SKIP LOCKED`, SQLite a conditional
UPDATE per row; a crashed worker's claim lapses after its lease.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from bot.domain import DeliveryAttempt, Handoff, utcnow
from bot.storage.base import StoreBase
from bot.storage.convert import iso, to_attempt, to_handoff
from bot.storage.tables import DeliveryAttemptRow, HandoffRow

log = logging.getLogger(__name__)


class OutboxStore(StoreBase):
    """Reads and state changes of queued handoffs (`LeadStore` queues them when a lead finishes)."""

    def handoffs(self, *, status: str | None = None, limit: int | None = None) -> builtins.list[Handoff]:
        query = select(HandoffRow).order_by(HandoffRow.id.desc())
        if status is not None:
            query = query.where(HandoffRow.status == status)
        if limit is not None:
            query = query.limit(limit)
        with self.session() as session:
            return [to_handoff(row) for row in session.execute(query).scalars()]

    def handoff(self, handoff_id: int) -> Handoff | None:
        with self.session() as session:
            row = session.get(HandoffRow, handoff_id)
            return to_handoff(row) if row is not None else None

    def delivery_attempts(self, handoff_id: int | None = None) -> builtins.list[DeliveryAttempt]:
        query = select(DeliveryAttemptRow).order_by(DeliveryAttemptRow.id)
        if handoff_id is not None:
            query = query.where(DeliveryAttemptRow.handoff_id == handoff_id)
        with self.session() as session:
            return [to_attempt(row) for row in session.execute(query).scalars()]

    def retry_handoff(self, handoff_id: int) -> bool:
        """Put a dead (or waiting) handoff back at the head of the queue with fresh attempts."""
        with self.session() as session:
            result = session.execute(
                update(HandoffRow)
                .where(HandoffRow.id == handoff_id, HandoffRow.status != "sent")
                .values(status="pending", attempts=0, next_attempt_at=utcnow(), claimed_until=None, claimed_by=None)
            )
            return bool(result.rowcount)

    def claim_handoffs(self, *, worker: str, lease_seconds: float, limit: int = 10) -> builtins.list[Handoff]:
        """Claim due handoffs for one worker for `lease_seconds`; no two workers get the same row.

        PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED. SQLite: a conditional UPDATE per row, which
        only one writer can win. A crashed worker's claim lapses after the lease.
        """
        now = utcnow()
        due = (
            (HandoffRow.status == "pending")
            & (HandoffRow.next_attempt_at <= now)
            & or_(HandoffRow.claimed_until.is_(None), HandoffRow.claimed_until < now)
        )
        until = now + timedelta(seconds=lease_seconds)
        claimed: builtins.list[Handoff] = []
        with self.session() as session:
            if self.dialect == "postgresql":
                query = (
                    select(HandoffRow)
                    .where(due)
                    .order_by(HandoffRow.next_attempt_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
                for row in session.execute(query).scalars():
                    row.claimed_until = until
                    row.claimed_by = worker
                    claimed.append(to_handoff(row))
                return claimed
            candidates = list(
                session.execute(
                    select(HandoffRow.id).where(due).order_by(HandoffRow.next_attempt_at).limit(limit)
                ).scalars()
            )
        for handoff_id in candidates:
            with self.session() as session:
                won = session.execute(
                    update(HandoffRow)
                    .where(HandoffRow.id == handoff_id, due)
                    .values(claimed_until=until, claimed_by=worker)
                ).rowcount
                if won:
                    row = session.get(HandoffRow, handoff_id)
                    claimed.append(to_handoff(row))
        return claimed

    def record_attempt(
        self,
        handoff_id: int,
        channel: str,
        *,
        ok: bool,
        status_code: int | None,
        error: str | None,
        duration_ms: float,
    ) -> None:
        """Log one channel's attempt; on success mark that channel delivered, at once."""
        now = utcnow()
        with self.session() as session:
            session.add(
                DeliveryAttemptRow(
                    handoff_id=handoff_id,
                    channel=channel,
                    at=now,
                    ok=ok,
                    status_code=status_code,
                    error=error,
                    duration_ms=duration_ms,
                )
            )
            if ok:
                row = session.get(HandoffRow, handoff_id)
                if row is not None:
                    delivered = dict(row.delivered or {})
                    delivered[channel] = iso(now)
                    row.delivered = delivered

    def complete_pass(
        self,
        handoff_id: int,
        *,
        worker: str,
        channels: Sequence[str],
        all_delivered: bool,
        next_attempt_at: datetime | None,
        max_attempts: int,
        error: str | None,
    ) -> str:
        """Close one delivery pass over a claimed handoff; returns its new status."""
        now = utcnow()
        with self.session() as session:
            row = session.get(HandoffRow, handoff_id)
            if row is None:
                return "gone"
            if row.claimed_by != worker:
                log.warning("handoff %s: claim lost to %s; leaving it", handoff_id, row.claimed_by)
                return str(row.status)
            row.channels = list(dict.fromkeys([*(row.channels or []), *channels]))
            row.claimed_until = None
            row.claimed_by = None
            row.last_error = error
            if not channels:
                # Nothing to deliver to: wait for configuration, without burning attempts.
                row.next_attempt_at = next_attempt_at
                return str(row.status)
            row.attempts = int(row.attempts) + 1
            if all_delivered:
                row.status = "sent"
                row.sent_at = now
                row.next_attempt_at = None
            elif row.attempts >= max_attempts:
                row.status = "dead"
                row.next_attempt_at = None
            else:
                row.next_attempt_at = next_attempt_at
            return str(row.status)
