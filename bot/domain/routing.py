"""Who a handoff goes to: the assignee, the candidates routing considered, the stored decision.

Pure records: `bot/routing` plans a decision, the store picks a pool's rep round robin and keeps
it (`bot/storage/routing.py`), delivery puts the assignee in the Slack message, email and webhook.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# The targets a decision can come from, in the order they are tried.
TARGETS = ("rep", "pool", "crm_owner", "fallback_pool", "default_owner")
# attempt 0: first routing; 1: reassigned once (another rep of the pool); 2: the default owner.
LAST_ATTEMPT = 2


@dataclass(frozen=True)
class Assignee:
    """A rep as the channels need them (or a CRM owner who is not in routing.yml: email only)."""

    rep_id: str | None
    name: str
    email: str | None = None
    slack_user_id: str | None = None
    pool: str | None = None
    pool_email: str | None = None  # copied in on the email
    booking_url: str | None = None  # the rep's, else the pool's

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.rep_id,
            "name": self.name,
            "email": self.email,
            "slack_user_id": self.slack_user_id,
            "pool": self.pool,
            "pool_email": self.pool_email,
            "booking_url": self.booking_url,
        }


@dataclass(frozen=True)
class Candidate:
    """One rep routing looked at, and why they could or could not take the lead."""

    rep_id: str
    eligible: bool
    why: str  # "in working hours", "out of office", "outside working hours (opens …)", "inactive"

    def as_dict(self) -> dict[str, Any]:
        return {"rep": self.rep_id, "eligible": self.eligible, "why": self.why}


@dataclass(frozen=True)
class RoutePlan:
    """What routing decided before the database picks among `choices` (round robin for a pool).

    `choices` are the eligible reps in routing.yml's order; one choice means no round robin.
    `deliver_at` holds the handoff until the pool opens (outside-hours policy `queue`)."""

    rule: str  # "rule 2 'Spanish-speaking visitors'", "fallback pool", "default owner"
    target: str  # one of TARGETS
    choices: tuple[Assignee, ...]
    reason: str
    pool: str | None = None
    candidates: tuple[Candidate, ...] = ()
    steps: tuple[str, ...] = ()  # the rules tried before this one, and why each passed
    deliver_at: datetime | None = None
    outside_hours: bool = False  # assigned although nobody is working now (policy `assign`)
    respond_within_minutes: int | None = None  # no verdict by then: reassigned
    attempt: int = 0
    # Assigned outside hours: when each chosen rep starts work. Their response time counts from
    # then, or every lead assigned at night would move on before anyone could see it.
    starts_at: tuple[tuple[str, datetime], ...] = ()


@dataclass(frozen=True)
class Assignment:
    """A stored routing decision; the lead's latest one is `current`."""

    id: int
    lead_id: int
    assignee: Assignee
    rule: str
    target: str
    reason: str
    candidates: tuple[Candidate, ...]
    steps: tuple[str, ...]
    attempt: int
    assigned_at: datetime
    deliver_at: datetime | None
    respond_by: datetime | None
    outside_hours: bool
    current: bool
    ended: str | None = None  # why it stopped being current ("no verdict within 30 min")
    respond_minutes: int | None = None
