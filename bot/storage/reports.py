"""`leadbot report`: the funnel per tier, delivery times, acceptance and follow-up breaches.

Counted in SQL (GROUP BY) and over narrow streamed rows, never whole lead records, so it stays
quick on 100,000 leads; the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import builtins
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import Text, case, cast, func, select
from sqlalchemy.orm import Session

from bot.domain import HANDOFF_STATUSES, CriterionTally, Report, top_questions, utcnow
from bot.storage.base import StoreBase
from bot.storage.convert import as_datetime, aware, percentile
from bot.storage.history import CHUNK, in_period, latest_verdicts
from bot.storage.tables import AnswerRow, FeedbackRow, HandoffRow, LeadRow

_SHAPE_SAMPLE = 2000  # newest breakdowns read for the criteria's order


class ReportStore(StoreBase):
    """The report numbers over leads started in a period."""

    def report(
        self,
        *,
        follow_up_minutes: int | None = None,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
        now: datetime | None = None,
    ) -> Report:
        """Numbers for `leadbot report`, over leads started in [since, until).

        - per tier / status: every lead with a tier (in-progress ones included).
        - handoffs sent / pending / dead: the outbox rows of those leads.
        - acceptance: the latest verdict per lead; rate = accepted / (accepted + rejected).
        - delivery minutes: from the lead's last answer to the handoff being accepted by every
          channel (`sent_at`), for sent handoffs only.
        - follow-up: the clock starts when the handoff is queued (the moment the visitor is told
          sales will call). Sales' first feedback on the lead is taken as the follow-up. Met: first
          feedback within `follow_up_minutes`; breached: later, or none yet and the deadline is past
          (dead handoffs included: the promise was still made); open: none yet, deadline ahead.
        """
        now = now or utcnow()
        period = (since, until)
        verdicts = latest_verdicts()
        first_feedback = (
            select(FeedbackRow.lead_id, func.min(FeedbackRow.at).label("at")).group_by(FeedbackRow.lead_id).subquery()
        )
        delivery: builtins.list[float] = []
        met = breached = still_open = 0
        with self.session() as session:
            total = int(session.execute(in_period(select(func.count(LeadRow.id)), *period)).scalar_one())
            per_tier = _counts(
                session,
                in_period(
                    select(LeadRow.tier, func.count()).where(LeadRow.tier.isnot(None)).group_by(LeadRow.tier), *period
                ),
            )
            per_status = _counts(
                session, in_period(select(LeadRow.status, func.count()).group_by(LeadRow.status), *period)
            )
            counts = {s: 0 for s in HANDOFF_STATUSES}
            counts.update(
                _counts(
                    session,
                    in_period(
                        select(HandoffRow.status, func.count())
                        .join(LeadRow, LeadRow.id == HandoffRow.lead_id)
                        .group_by(HandoffRow.status),
                        *period,
                    ),
                )
            )
            judged = _counts(
                session,
                in_period(
                    select(verdicts.c.verdict, func.count())
                    .join(LeadRow, LeadRow.id == verdicts.c.lead_id)
                    .group_by(verdicts.c.verdict),
                    *period,
                ),
            )
            handoffs = in_period(
                select(LeadRow.last_answer_at, HandoffRow.created_at, HandoffRow.sent_at, first_feedback.c.at)
                .join(HandoffRow, HandoffRow.lead_id == LeadRow.id)
                .outerjoin(first_feedback, first_feedback.c.lead_id == LeadRow.id),
                *period,
            )
            for last_answer, created, sent, first in session.execute(handoffs).yield_per(CHUNK):
                created = aware(created)
                if sent is not None:
                    start = aware(last_answer) if last_answer else created
                    delivery.append(max(0.0, (aware(sent) - start).total_seconds() / 60))
                if follow_up_minutes is None:
                    continue
                deadline = created + timedelta(minutes=follow_up_minutes)
                if first is not None:
                    if aware(first) <= deadline:
                        met += 1
                    else:
                        breached += 1
                elif now > deadline:
                    breached += 1
                else:
                    still_open += 1
            # Oldest first, so on a tie the spelling asked first is the one shown.
            asked = in_period(
                select(LeadRow.visitor_questions)
                .where(LeadRow.visitor_questions.isnot(None), cast(LeadRow.visitor_questions, Text) != "null")
                .order_by(LeadRow.started_at, LeadRow.id),
                *period,
            )
            questions = top_questions(tuple(q or ()) for (q,) in session.execute(asked).yield_per(CHUNK))
            criteria = _criterion_tallies(session, period)
        accepted, rejected = judged.get("accept", 0), judged.get("reject", 0)
        return Report(
            since=as_datetime(since) if since is not None else None,
            until=as_datetime(until) if until is not None else None,
            leads=total,
            per_tier=per_tier,
            per_status=per_status,
            handoffs_sent=counts["sent"],
            handoffs_pending=counts["pending"],
            handoffs_dead=counts["dead"],
            accepted=accepted,
            rejected=rejected,
            delivery_minutes_median=median(delivery) if delivery else None,
            delivery_minutes_p95=percentile(delivery, 95) if delivery else None,
            follow_up_within_minutes=follow_up_minutes,
            follow_up_met=met,
            follow_up_breached=breached,
            follow_up_open=still_open,
            # Oldest first, so on a tie the spelling asked first is the one shown.
            unanswered_questions=questions,
            criteria=criteria,
        )

    # ------------------------------------------------------------------ privacy


def _counts(session: Session, query: Any) -> dict[str, int]:
    return {str(key): int(n) for key, n in session.execute(query)}


def _criterion_tallies(session: Session, period: tuple[Any, Any]) -> tuple[CriterionTally, ...]:
    """Per criterion: how many leads answered it, how many in words only `unknown` scores, the
    mean points, and which rules fired how often (by the rule's `explain`, without the visitor's words).

    Counted in SQL over the answers table (each row keeps the points and explanation it scored);
    the criteria's order and best points come from the breakdowns (newest first), which also
    name the criteria nobody answered."""
    order: dict[str, None] = {}
    best: dict[str, int] = {}
    # The newest leads' breakdowns carry the SLA's order and the criteria nobody answered;
    # decoding every lead's breakdown would cost more than all the counting below.
    newest = in_period(
        select(LeadRow.breakdown).order_by(LeadRow.started_at.desc(), LeadRow.id.desc()).limit(_SHAPE_SAMPLE),
        *period,
    )
    for (breakdown,) in session.execute(newest):
        for line in breakdown or []:
            name = str(line.get("criterion"))
            order.setdefault(name)
            best[name] = max(best.get(name, 0), int(line.get("max_points") or 0))
    # One pass over the answers, grouped by what a rule fired; the per-criterion totals are sums
    # of those groups (three GROUP BYs over 400,000 answers took three passes).
    unknown = func.sum(case((AnswerRow.kind == "unknown", 1), else_=0))
    groups = select(
        AnswerRow.criterion,
        AnswerRow.explanation,
        AnswerRow.reason,
        func.count(),
        unknown,
        func.sum(AnswerRow.points),
        func.max(AnswerRow.max_points),
    ).group_by(AnswerRow.criterion, AnswerRow.explanation, AnswerRow.reason)
    if period != (None, None):  # every answer has its lead: join only to filter by start date
        groups = in_period(groups.join(LeadRow, LeadRow.id == AnswerRow.lead_id), *period)
    counted: dict[str, list[int]] = {}  # criterion -> [answers, not understood, points]
    fired: dict[str, dict[str, int]] = {}
    for criterion, explanation, reason, n, not_understood, points, most in session.execute(groups):
        totals = counted.setdefault(criterion, [0, 0, 0])
        totals[0] += int(n)
        totals[1] += int(not_understood or 0)
        totals[2] += int(points or 0)
        order.setdefault(criterion)  # criteria only older leads were scored on
        best[criterion] = max(best.get(criterion, 0), int(most or 0))
        rule = explanation.removesuffix(f" ({reason})") if reason else explanation
        outcomes = fired.setdefault(criterion, {})
        outcomes[rule] = outcomes.get(rule, 0) + int(n)
    tallied = {c: (n, unknown_n, points / n) for c, (n, unknown_n, points) in counted.items()}
    return tuple(
        CriterionTally(
            criterion=name,
            answered=tallied[name][0] if name in tallied else 0,
            not_understood=tallied[name][1] if name in tallied else 0,
            points_mean=tallied[name][2] if name in tallied else None,
            max_points=best.get(name, 0),
            outcomes=tuple(sorted(fired.get(name, {}).items(), key=lambda item: (-item[1], item[0]))),
        )
        for name in order
    )
