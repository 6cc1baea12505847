"""Routing state: each lead's assignments (the decision log) and the round-robin counters.

A pool's pick runs under a row lock on the pool (PostgreSQL `SELECT … FOR UPDATE`; SQLite the
database write lock a conditional UPDATE takes first, as the outbox claims do), so several
workers and Rasa instances never hand two leads in a row to one rep while others are free.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.domain import utcnow
from bot.domain.routing import LAST_ATTEMPT, Assignee, Assignment, Candidate, RoutePlan
from bot.storage.base import StoreBase
from bot.storage.convert import id_chunks, jsonable, parse_iso
from bot.storage.tables import AssignmentRow, FeedbackRow, HandoffRow, LeadRow, RoundRobinRow, RoutingPoolRow


class RoutingStore(StoreBase):
    """Assignments and round robin; `LeadStore` mixes it in."""

    def assign(self, lead_id: int, plan: RoutePlan, *, now: datetime, replaces: int | None = None) -> Assignment | None:
        """Record who takes a lead, picking among `plan.choices` round robin for a pool.

        Without `replaces`, idempotent: a lead that has an assignment keeps it (a second finish
        of the same conversation picks nobody new). With `replaces`, only while that assignment is
        still the lead's current one (else None: another worker reassigned it first)."""

        def _do(session: Session) -> Assignment | None:
            self._lock(session, LeadRow, LeadRow.id == lead_id)
            current = session.execute(
                select(AssignmentRow).where(AssignmentRow.lead_id == lead_id, AssignmentRow.current.is_(True))
            ).scalar_one_or_none()
            if replaces is None and current is not None:
                return to_assignment(current)
            if replaces is not None and (current is None or current.id != replaces):
                return None
            choice, note = self._pick(session, plan)
            if current is not None:
                current.current = False
                current.ended = plan.reason
            start = max(now, plan.deliver_at or now, dict(plan.starts_at).get(choice.rep_id or "") or now)
            minutes = plan.respond_within_minutes if plan.attempt < LAST_ATTEMPT else None
            row = AssignmentRow(
                lead_id=lead_id,
                current=True,
                attempt=plan.attempt,
                rep_id=choice.rep_id,
                rep_name=choice.name,
                rep_email=choice.email,
                slack_user_id=choice.slack_user_id,
                pool=choice.pool,
                pool_email=choice.pool_email,
                booking_url=choice.booking_url,
                rule=plan.rule,
                target=plan.target,
                reason=plan.reason + (f"; {note}" if note else ""),
                candidates=[c.as_dict() for c in plan.candidates],
                steps=list(plan.steps),
                outside_hours=plan.outside_hours,
                assigned_at=now,
                deliver_at=plan.deliver_at,
                respond_by=start + timedelta(minutes=minutes) if minutes else None,
                respond_minutes=minutes,
            )
            session.add(row)
            session.flush()
            return to_assignment(row)

        return self._retry_on_race(_do)  # type: ignore[no-any-return]

    def _lock(self, session: Session, table: type, where: object) -> None:
        """Take the row lock (PostgreSQL) or the write lock (SQLite) before reading anything."""
        if self.dialect == "postgresql":
            session.execute(select(table).where(where).with_for_update()).first()  # type: ignore[arg-type]
        else:
            first_column = next(iter(table.__table__.primary_key.columns))  # type: ignore[attr-defined]
            session.execute(
                update(table)
                .where(where)
                .values({first_column.name: first_column})
                .execution_options(  # type: ignore[arg-type]
                    synchronize_session=False
                )
            )

    def _pick(self, session: Session, plan: RoutePlan) -> tuple[Assignee, str]:
        """The pool's next rep among the eligible choices, and a note for the decision log.

        Fewest leads first, then the one served longest ago. A rep who was away is lifted to one
        below the busiest eligible rep, so coming back means no run of leads; a rep new to the
        pool starts at the pool's minimum."""
        if plan.pool is None:
            return plan.choices[0], ""
        insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        session.execute(insert(RoutingPoolRow).values(pool=plan.pool, turns=0).on_conflict_do_nothing())
        self._lock(session, RoutingPoolRow, RoutingPoolRow.pool == plan.pool)
        pool = session.get(RoutingPoolRow, plan.pool, populate_existing=True)
        assert pool is not None
        pool.turns = int(pool.turns) + 1
        counters = {
            row.rep_id: row
            for row in session.execute(select(RoundRobinRow).where(RoundRobinRow.pool == plan.pool)).scalars()
        }
        start = min((int(r.assigned) for r in counters.values()), default=0)
        for choice in plan.choices:
            if choice.rep_id not in counters:
                counters[str(choice.rep_id)] = RoundRobinRow(
                    pool=plan.pool, rep_id=choice.rep_id, assigned=start, last_turn=0
                )
                session.add(counters[str(choice.rep_id)])
        eligible = [counters[str(c.rep_id)] for c in plan.choices]
        floor = max(int(r.assigned) for r in eligible) - 1
        for row in eligible:
            row.assigned = max(int(row.assigned), floor)
        order = {str(c.rep_id): i for i, c in enumerate(plan.choices)}
        chosen = min(eligible, key=lambda r: (int(r.assigned), int(r.last_turn), order[r.rep_id]))
        counts = ", ".join(f"{r.rep_id} {int(r.assigned)}" for r in eligible)
        chosen.assigned = int(chosen.assigned) + 1
        chosen.last_turn = pool.turns
        choice = next(c for c in plan.choices if c.rep_id == chosen.rep_id)
        return choice, f"round robin: {chosen.rep_id} had the fewest leads ({counts})"

    # ------------------------------------------------------------------ reads

    def assignments(self, lead_id: int) -> builtins.list[Assignment]:
        """A lead's decision log, oldest first."""
        with self.session() as session:
            rows = session.execute(
                select(AssignmentRow).where(AssignmentRow.lead_id == lead_id).order_by(AssignmentRow.id)
            ).scalars()
            return [to_assignment(r) for r in rows]

    def assignment(self, lead_id: int) -> Assignment | None:
        """The lead's current assignment."""
        return next((a for a in self.assignments(lead_id) if a.current), None)

    def current_assignments(self, lead_ids: Sequence[int]) -> dict[int, Assignment]:
        """The current assignment of each of these leads that has one (the export reads many)."""
        found: dict[int, Assignment] = {}
        with self.session() as session:
            for chunk in id_chunks(lead_ids):
                rows = session.execute(
                    select(AssignmentRow).where(AssignmentRow.lead_id.in_(chunk), AssignmentRow.current.is_(True))
                ).scalars()
                found.update((int(r.lead_id), to_assignment(r)) for r in rows)
        return found

    def round_robin_counts(self, pool: str) -> dict[str, int]:
        with self.session() as session:
            rows = session.execute(select(RoundRobinRow).where(RoundRobinRow.pool == pool)).scalars()
            return {r.rep_id: int(r.assigned) for r in rows}

    # ------------------------------------------------------------------ reassignment

    def due_reassignments(self, now: datetime, limit: int = 50) -> builtins.list[Assignment]:
        """Current assignments whose rep got the handoff `respond_minutes` ago and gave no verdict."""
        judged = exists().where(FeedbackRow.lead_id == AssignmentRow.lead_id)
        query = (
            select(AssignmentRow, HandoffRow.delivered)
            .join(HandoffRow, HandoffRow.lead_id == AssignmentRow.lead_id)
            .where(
                AssignmentRow.current.is_(True),
                AssignmentRow.respond_by.is_not(None),
                AssignmentRow.respond_by <= now,
                HandoffRow.status == "sent",
                ~judged,
            )
            .order_by(AssignmentRow.respond_by)
            .limit(limit)
        )
        due = []
        with self.session() as session:
            for row, delivered in session.execute(query):
                # The clock starts when the rep's message arrived, not when the lead was routed.
                reached = max((parse_iso(v) for v in (delivered or {}).values()), default=None)
                if reached is None or reached + timedelta(minutes=int(row.respond_minutes or 0)) <= now:
                    due.append(to_assignment(row))
        return due

    def claim_reassignment(self, assignment_id: int, *, now: datetime, lease_seconds: float = 300) -> bool:
        """One worker's claim on reassigning a lead: the deadline moves past the lease, so no
        other worker sees it due; a worker that dies leaves it due again afterwards."""
        with self.session() as session:
            won = session.execute(
                update(AssignmentRow)
                .where(
                    AssignmentRow.id == assignment_id,
                    AssignmentRow.current.is_(True),
                    AssignmentRow.respond_by <= now,
                )
                .values(respond_by=now + timedelta(seconds=lease_seconds))
                .execution_options(synchronize_session=False)
            ).rowcount
            return bool(won)

    def stop_reassigning(self, assignment_id: int) -> None:
        with self.session() as session:
            session.execute(update(AssignmentRow).where(AssignmentRow.id == assignment_id).values(respond_by=None))

    def renotify(
        self, lead_id: int, *, idempotency_key: str, payload: dict[str, object], channels: Sequence[str]
    ) -> bool:
        """Send a delivered handoff again, to its new assignee: `channels` are delivered anew
        with the new body and key; other channels (a CRM) keep what they received."""
        with self.session() as session:
            row = session.execute(
                select(HandoffRow).where(HandoffRow.lead_id == lead_id, HandoffRow.status == "sent").with_for_update()
            ).scalar_one_or_none()
            if row is None:
                return False
            row.payload = {**jsonable(payload), "handoff_id": int(row.id)}
            row.idempotency_key = idempotency_key
            row.delivered = {k: v for k, v in (row.delivered or {}).items() if k not in channels}
            row.channels = list(dict.fromkeys([*(row.channels or []), *channels]))
            row.status = "pending"
            row.attempts = 0
            row.next_attempt_at = utcnow()
            row.last_error = None
            return True


def to_assignment(row: AssignmentRow) -> Assignment:
    return Assignment(
        id=int(row.id),
        lead_id=int(row.lead_id),
        assignee=Assignee(
            rep_id=row.rep_id,
            name=row.rep_name or "",
            email=row.rep_email,
            slack_user_id=row.slack_user_id,
            pool=row.pool,
            pool_email=row.pool_email,
            booking_url=row.booking_url,
        ),
        rule=row.rule or "",
        target=row.target,
        reason=row.reason or "",
        candidates=tuple(
            Candidate(str(c.get("rep")), bool(c.get("eligible")), str(c.get("why") or "")) for c in row.candidates or []
        ),
        steps=tuple(str(s) for s in row.steps or ()),
        attempt=int(row.attempt or 0),
        assigned_at=row.assigned_at,
        deliver_at=row.deliver_at,
        respond_by=row.respond_by,
        outside_hours=bool(row.outside_hours),
        current=bool(row.current),
        ended=row.ended,
        respond_minutes=int(row.respond_minutes) if row.respond_minutes is not None else None,
    )
