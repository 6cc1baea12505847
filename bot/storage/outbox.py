"""The handoff outbox as the worker sees it: one claim per handoff, fenced writes, channel guards.

A claim is exclusive (PostgreSQL `FOR UPDATE SKIP LOCKED`, SQLite a conditional UPDATE per row)
and carries a fresh token; the worker renews its lease while it sends (`extend_claim`), and every
write it makes afterwards checks the token still holds the row. Per channel, `delivered` records
what a receiver accepted and `sending` what is on the wire, so a channel is never sent twice
while a worker lives, even by a worker that took over a lapsed claim.
"""

from __future__ import annotations

import builtins
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.domain import DeliveryAttempt, Handoff, utcnow
from bot.storage.base import StoreBase
from bot.storage.convert import iso, parse_iso, to_attempt, to_handoff
from bot.storage.tables import DeliveryAttemptRow, HandoffRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    """One worker's hold on one handoff; its writes count only while `token` is the row's."""

    handoff: Handoff
    token: str


@dataclass(frozen=True)
class SendDecision:
    """Whether a channel may be sent now: `go`, else `delivered`, `in_flight` (until `wait_until`)
    or `claim_lost`."""

    verdict: str
    wait_until: datetime | None = None

    @property
    def go(self) -> bool:
        return self.verdict == "go"


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
                .values(
                    status="pending",
                    attempts=0,
                    next_attempt_at=utcnow(),
                    claimed_until=None,
                    claimed_by=None,
                    claim_token=None,
                )
            )
            return bool(result.rowcount)

    def claim_handoffs(self, *, worker: str, lease_seconds: float, limit: int = 1) -> builtins.list[Claim]:
        """Claim up to `limit` due handoffs for `lease_seconds`, each with its own token; no two
        workers hold the same row. A claim whose lease lapsed (its worker died or stalled) can be
        taken over; the old holder's later writes are then refused (see `_fenced`).

        PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED. SQLite: a conditional UPDATE per row, which
        only one writer can win (a few extra candidates, so a lost race still finds work)."""
        now = utcnow()
        due = (
            (HandoffRow.status == "pending")
            & (HandoffRow.next_attempt_at <= now)
            & or_(HandoffRow.claimed_until.is_(None), HandoffRow.claimed_until < now)
        )
        until = now + timedelta(seconds=lease_seconds)
        claimed: builtins.list[Claim] = []
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
                    token = _token()
                    row.claimed_until, row.claimed_by, row.claim_token = until, worker, token
                    claimed.append(Claim(to_handoff(row), token))
                return claimed
            candidates = list(
                session.execute(
                    select(HandoffRow.id).where(due).order_by(HandoffRow.next_attempt_at).limit(limit + 4)
                ).scalars()
            )
        for handoff_id in candidates:
            if len(claimed) >= limit:
                break
            token = _token()
            with self.session() as session:
                won = session.execute(
                    update(HandoffRow)
                    .where(HandoffRow.id == handoff_id, due)
                    .values(claimed_until=until, claimed_by=worker, claim_token=token)
                ).rowcount
                if won:
                    claimed.append(Claim(to_handoff(session.get(HandoffRow, handoff_id)), token))
        return claimed

    def extend_claim(self, handoff_id: int, *, token: str, lease_seconds: float) -> bool:
        """The heartbeat: push the lease forward; False once the claim is someone else's."""
        with self.session() as session:
            return bool(
                session.execute(
                    update(HandoffRow)
                    .where(HandoffRow.id == handoff_id, HandoffRow.claim_token == token)
                    .values(claimed_until=utcnow() + timedelta(seconds=lease_seconds))
                ).rowcount
            )

    def begin_send(self, handoff_id: int, channel: str, *, token: str, in_flight_seconds: float) -> SendDecision:
        """Before sending to `channel`: check the claim, that the channel has not accepted this
        handoff already, and that no earlier claim's send to it may still be on the wire; then
        mark it in flight for at most `in_flight_seconds` (how long a send can take)."""
        now = utcnow()
        with self.session() as session:
            row = _fenced(session, handoff_id, token)
            if row is None:
                return SendDecision("claim_lost")
            if channel in (row.delivered or {}):
                return SendDecision("delivered")
            sending = dict(row.sending or {})
            other = sending.get(channel)
            if other and other.get("token") != token and parse_iso(other.get("until")) > now:
                # A worker that lost its claim mid-send may still get an answer and record it.
                return SendDecision("in_flight", parse_iso(other.get("until")))
            sending[channel] = {"token": token, "until": iso(now + timedelta(seconds=in_flight_seconds))}
            row.sending = sending
            return SendDecision("go")

    def record_attempt(
        self,
        handoff_id: int,
        channel: str,
        *,
        token: str,
        ok: bool,
        status_code: int | None,
        error: str | None,
        duration_ms: float,
    ) -> bool:
        """Log one channel's attempt; on success mark that channel delivered, at once. Returns
        whether the claim still holds.

        With the claim lost, a failure is refused (the new holder owns the retries), but a
        success is still kept: the receiver has the lead, and forgetting that would make the new
        holder send it again."""
        now = utcnow()
        with self.session() as session:
            row = _fenced(session, handoff_id, token)
            held = row is not None
            if row is None:
                if not ok:
                    return False
                # Locked like a fenced row: the new holder may be writing the same JSON columns.
                row = session.execute(
                    select(HandoffRow).where(HandoffRow.id == handoff_id).with_for_update()
                ).scalar_one_or_none()
                if row is None:  # cancelled or forgotten meanwhile
                    return False
                log.warning("handoff %s: claim lost while %s accepted it; kept as delivered", handoff_id, channel)
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
                row.delivered = {**(row.delivered or {}), channel: iso(now)}
            sending = dict(row.sending or {})
            if (sending.get(channel) or {}).get("token") == token:
                del sending[channel]
                row.sending = sending
            return held

    def complete_pass(
        self,
        handoff_id: int,
        *,
        token: str,
        channels: Sequence[str],
        next_attempt_at: datetime | None,
        max_attempts: int,
        error: str | None,
        wait_until: datetime | None = None,
    ) -> str:
        """Close one delivery pass over a claimed handoff and release it; returns its new status.

        `sent` once every channel in `channels` has accepted it. A pass that only waited for
        an earlier send (`wait_until`) burns no attempt."""
        now = utcnow()
        with self.session() as session:
            row = _fenced(session, handoff_id, token)
            if row is None:
                current = session.get(HandoffRow, handoff_id)
                log.warning("handoff %s: claim lost before the pass ended; leaving it to its new holder", handoff_id)
                return str(current.status) if current is not None else "gone"
            row.channels = list(dict.fromkeys([*(row.channels or []), *channels]))
            row.claimed_until = None
            row.claimed_by = None
            row.claim_token = None
            row.last_error = error
            if not channels:
                # Nothing to deliver to: wait for configuration, without burning attempts.
                row.next_attempt_at = next_attempt_at
                return str(row.status)
            if set(channels) <= set(row.delivered or {}):
                row.status = "sent"
                row.sent_at = row.sent_at or now  # a reassignment re-sends: speed to lead counts the first
                row.next_attempt_at = None
                row.attempts = int(row.attempts) + 1
                return "sent"
            if error is None and wait_until is not None:
                row.next_attempt_at = wait_until
                return str(row.status)
            row.attempts = int(row.attempts) + 1
            if row.attempts >= max_attempts:
                row.status = "dead"
                row.next_attempt_at = None
            else:
                row.next_attempt_at = max(t for t in (next_attempt_at, wait_until, now) if t is not None)
            return str(row.status)


def _token() -> str:
    return uuid.uuid4().hex


def _fenced(session: Session, handoff_id: int, token: str) -> HandoffRow | None:
    """The row, locked for this transaction, if `token` still holds its claim; else None.

    The conditional UPDATE comes first on purpose: it takes the write lock (SQLite) or the row
    lock (PostgreSQL) before anything is read, so a worker taking over the claim cannot slip in
    between this check and the writes that follow it."""
    held = session.execute(
        update(HandoffRow)
        .where(HandoffRow.id == handoff_id, HandoffRow.claim_token == token)
        .values(claim_token=token)
        .execution_options(synchronize_session=False)
    ).rowcount
    return session.get(HandoffRow, handoff_id) if held else None
