"""The console's records: who may sign in (users and roles) and what became of a lead (outcomes).

Pure like the rest of the domain; the store reads and writes them (bot/storage/console.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# sales: the inbox, verdicts and outcomes; marketing: reads leads (and its dashboards);
# admin: everything, and the one role `leadbot users` is meant for.
ROLES = ("sales", "marketing", "admin")
# May record a verdict or an outcome.
DECIDING_ROLES = ("sales", "admin")
# What became of a lead after sales accepted it, so the SLA is judged on closes too.
OUTCOMES = ("meeting_held", "opportunity", "won", "lost")
OUTCOME_LABELS = {"meeting_held": "Meeting held", "opportunity": "Opportunity", "won": "Won", "lost": "Lost"}


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    role: str
    active: bool
    session_epoch: int
    created_at: datetime
    last_login_at: datetime | None

    @property
    def can_decide(self) -> bool:
        return self.role in DECIDING_ROLES


@dataclass(frozen=True)
class Outcome:
    id: int
    lead_id: int
    outcome: str
    note: str
    by: str | None
    at: datetime


@dataclass(frozen=True)
class InboxPage:
    """One page of the sales inbox: the leads' ids in order, and how many match in all."""

    lead_ids: tuple[int, ...]
    total: int
