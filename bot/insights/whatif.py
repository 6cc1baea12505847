"""What-if: every past lead re-scored against an edited SLA, beside the current one, judged by sales' verdicts.

Both SLAs re-read the same stored words (`bot.conversation.rescore`), so a difference between
them is the edit's, not a parser's that changed since; how far today's reading of the current
SLA drifts from the tiers stored at the time is reported apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.conversation.lead import signals
from bot.conversation.rescore import Rescorer, confirmed_need, reads_alike
from bot.sla import SLA
from bot.storage import LeadStore
from bot.storage.history import StoredLead

TIERS = ("sales_ready", "nurture", "disqualified")
HANDED_OFF = "sales_ready"
_EXAMPLES = 20  # lead ids listed per verdict group, for `leadbot leads show`
_PROGRESS_EVERY = 500


@dataclass
class WhatIf:
    """The outcome of re-scoring a period's leads against the current SLA and another one."""

    since: datetime | date | None = None
    until: datetime | date | None = None
    leads: int = 0
    current: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TIERS, 0))
    other: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TIERS, 0))
    # current tier -> other tier -> leads
    matrix: dict[str, dict[str, int]] = field(default_factory=lambda: {t: dict.fromkeys(TIERS, 0) for t in TIERS})
    stored_differs: int = 0  # stored tier (at the time) != current SLA's tier read today
    accepted: int = 0
    accepted_kept: int = 0  # accepted by sales, handed off under the other SLA too
    accepted_lost: int = 0  # accepted, handed off under the current SLA, not under the other
    rejected: int = 0
    rejected_kept: int = 0  # rejected by sales, still handed off under the other SLA
    rejected_filtered: int = 0  # rejected, handed off under the current SLA, not under the other
    new_handoffs_unjudged: int = 0  # handed off only under the other SLA: sales never saw them
    accepted_lost_ids: list[int] = field(default_factory=list)
    rejected_filtered_ids: list[int] = field(default_factory=list)
    unanswered: dict[str, int] = field(default_factory=dict)  # other SLA's question -> leads without words for it

    @property
    def changed(self) -> int:
        return sum(n for cur, row in self.matrix.items() for new, n in row.items() if cur != new)

    @property
    def handoffs_current(self) -> int:
        return self.current[HANDED_OFF]

    @property
    def handoffs_other(self) -> int:
        return self.other[HANDED_OFF]

    @property
    def net_verdicts(self) -> int:
        """Rejected leads spared to sales minus accepted leads lost: > 0, the edit helps sales."""
        return self.rejected_filtered - self.accepted_lost

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": str(self.since) if self.since is not None else None,
            "until": str(self.until) if self.until is not None else None,
            "leads": self.leads,
            "changed": self.changed,
            "current": self.current,
            "other": self.other,
            "matrix": self.matrix,
            "handoffs": {
                "current": self.handoffs_current,
                "other": self.handoffs_other,
                "change": self.handoffs_other - self.handoffs_current,
            },
            "verdicts": {
                "accepted": self.accepted,
                "accepted_kept": self.accepted_kept,
                "accepted_no_longer_handed_off": self.accepted_lost,
                "rejected": self.rejected,
                "rejected_still_handed_off": self.rejected_kept,
                "rejected_filtered_out": self.rejected_filtered,
                "net": self.net_verdicts,
                "new_handoffs_without_verdict": self.new_handoffs_unjudged,
                "accepted_no_longer_handed_off_ids": self.accepted_lost_ids,
                "rejected_filtered_out_ids": self.rejected_filtered_ids,
            },
            "stored_tier_differs_from_current": self.stored_differs,
            "other_questions_without_answers": self.unanswered,
        }


def simulate(
    store: LeadStore,
    current: SLA,
    other: SLA,
    *,
    since: datetime | date | None = None,
    until: datetime | date | None = None,
    on_progress: Callable[[int], None] | None = None,
    share_scores: bool = True,
) -> WhatIf:
    """Re-score every lead started in [since, until) that answered a question, against both SLAs.

    `on_progress(n)` is called with the number of leads done since the last call.
    `share_scores=False` scores every lead on its own: the reference the tests hold the shared
    scores to (the same figures, only slower)."""
    result = WhatIf(since=since, until=until)
    now_current = Rescorer(current)
    # An edit of rules, points or tiers reads every answer as the current SLA does: read once.
    now_other = Rescorer(other, now_current.readings if reads_alike(current, other) else None)
    other_questions = [slot for slot in other.slots if slot in other.criteria]
    # Without behaviour criteria a lead's two tiers depend only on what `_signature` holds:
    # leads that share it (most do: buttons, common answers) are scored once.
    memo: dict[Any, tuple[str, str]] | None = (
        {} if share_scores and not current.behaviour_criteria and not other.behaviour_criteria else None
    )
    done = 0
    for lead in store.stored_leads(since=since, until=until):
        tiers = None
        if memo is not None:
            key = _signature(lead, now_current, now_other)
            tiers = memo.get(key)
        if tiers is None:
            tiers = (_tier(now_current, lead), _tier(now_other, lead))
            if memo is not None:
                memo[key] = tiers
        _count(result, lead, *tiers)
        for slot in other_questions:
            if slot not in lead.answers:
                result.unanswered[slot] = result.unanswered.get(slot, 0) + 1
        done += 1
        if on_progress is not None and done % _PROGRESS_EVERY == 0:
            on_progress(_PROGRESS_EVERY)
    if on_progress is not None and done % _PROGRESS_EVERY:
        on_progress(done % _PROGRESS_EVERY)
    return result


def _signature(lead: StoredLead, *rescorers: Rescorer) -> Any:
    """Everything a lead's score depends on when no criterion reads the visit's clock: the words
    per question, the need the visitor confirmed, the visit's yes/no signals, and the start date
    only while a timing answer may mean another thing on another date (`Rescorer` finds out)."""
    words = tuple(sorted((name, answer.raw) for name, answer in lead.answers.items()))
    need = lead.answers.get("need")
    dated = any(r.date_matters(name, answer.raw) for name, answer in lead.answers.items() for r in rescorers)
    return (
        words,
        confirmed_need(need.reason, need.value) if need is not None else None,
        tuple(sorted(signals(lead.page_context).items())),
        lead.started_at.date() if dated else None,
    )


def _tier(rescorer: Rescorer, lead: StoredLead) -> str:
    need = lead.answers.get("need")
    confirmed = confirmed_need(need.reason, need.value) if need is not None else None
    score = rescorer.score(
        {name: answer.raw for name, answer in lead.answers.items()},
        started_at=lead.started_at,
        last_answer_at=lead.last_answer_at,
        page_context=lead.page_context,
        confirmed={"need": confirmed} if confirmed else None,
    )
    return str(score.tier.value)


def _count(result: WhatIf, lead: StoredLead, cur: str, new: str) -> None:
    result.leads += 1
    result.current[cur] += 1
    result.other[new] += 1
    result.matrix[cur][new] += 1
    if lead.tier is not None and lead.tier != cur:
        result.stored_differs += 1
    # Only what the edit changes: a lead today's reading of the current SLA would not hand off
    # either (see `stored_differs`) is not the edit's loss or gain.
    lost = cur == HANDED_OFF and new != HANDED_OFF
    if lead.verdict == "accept":
        result.accepted += 1
        result.accepted_kept += new == HANDED_OFF
        if lost:
            result.accepted_lost += 1
            if len(result.accepted_lost_ids) < _EXAMPLES:
                result.accepted_lost_ids.append(lead.id)
    elif lead.verdict == "reject":
        result.rejected += 1
        result.rejected_kept += new == HANDED_OFF
        if lost:
            result.rejected_filtered += 1
            if len(result.rejected_filtered_ids) < _EXAMPLES:
                result.rejected_filtered_ids.append(lead.id)
    elif new == HANDED_OFF and cur != HANDED_OFF and not lead.handed_off:
        result.new_handoffs_unjudged += 1
