"""`leadbot report`: the funnel per tier, delivery times, acceptance and follow-up breaches.

Computed in Python over the detached lead records, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import builtins
from datetime import date, datetime, timedelta
from statistics import median

from bot.domain import HANDOFF_STATUSES, CriterionTally, Lead, Report, top_questions, utcnow
from bot.storage.base import StoreBase
from bot.storage.convert import as_datetime, percentile


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
        leads = self.list(since=since, until=until)
        per_tier: dict[str, int] = {}
        per_status: dict[str, int] = {}
        counts = {s: 0 for s in HANDOFF_STATUSES}
        accepted = rejected = met = breached = still_open = 0
        delivery: builtins.list[float] = []
        for lead in leads:
            if lead.tier:
                per_tier[lead.tier] = per_tier.get(lead.tier, 0) + 1
            per_status[lead.status] = per_status.get(lead.status, 0) + 1
            if lead.feedback:
                if lead.feedback[-1].verdict == "accept":
                    accepted += 1
                else:
                    rejected += 1
            handoff = lead.handoff
            if handoff is None:
                continue
            counts[handoff.status] = counts.get(handoff.status, 0) + 1
            if handoff.sent_at is not None:
                start = lead.last_answer_at or handoff.created_at
                delivery.append(max(0.0, (handoff.sent_at - start).total_seconds() / 60))
            if follow_up_minutes is not None:
                deadline = handoff.created_at + timedelta(minutes=follow_up_minutes)
                first = lead.feedback[0].at if lead.feedback else None
                if first is not None:
                    if first <= deadline:
                        met += 1
                    else:
                        breached += 1
                elif now > deadline:
                    breached += 1
                else:
                    still_open += 1
        return Report(
            since=as_datetime(since) if since is not None else None,
            until=as_datetime(until) if until is not None else None,
            leads=len(leads),
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
            unanswered_questions=top_questions(lead.visitor_questions for lead in reversed(leads)),
            criteria=criterion_tallies(leads),
        )

    # ------------------------------------------------------------------ privacy


def criterion_tallies(leads: builtins.list[Lead]) -> tuple[CriterionTally, ...]:
    """Per criterion: how many leads answered it, how many in words only `unknown` scores, the
    mean points, and which rules fired how often (by the rule's `explain`, without the visitor's words)."""
    order: dict[str, None] = {}
    answered: dict[str, int] = {}
    unknown: dict[str, int] = {}
    points: dict[str, builtins.list[int]] = {}
    best: dict[str, int] = {}
    outcomes: dict[str, dict[str, int]] = {}
    for lead in leads:
        for line in lead.breakdown:
            name = line.criterion
            order.setdefault(name)
            best[name] = max(best.get(name, 0), line.max_points)
            answer = lead.answers.get(name)
            if answer is None:
                continue
            answered[name] = answered.get(name, 0) + 1
            unknown[name] = unknown.get(name, 0) + (answer.kind == "unknown")
            points.setdefault(name, []).append(line.points)
            fired = outcomes.setdefault(name, {})
            rule = line.explanation.removesuffix(f" ({answer.reason})") if answer.reason else line.explanation
            fired[rule] = fired.get(rule, 0) + 1
    return tuple(
        CriterionTally(
            criterion=name,
            answered=answered.get(name, 0),
            not_understood=unknown.get(name, 0),
            points_mean=sum(points[name]) / len(points[name]) if points.get(name) else None,
            max_points=best.get(name, 0),
            outcomes=tuple(sorted(outcomes.get(name, {}).items(), key=lambda item: -item[1])),
        )
        for name in order
    )
