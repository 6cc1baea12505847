"""The routing file's typed models (`routing.yml`, referenced from sla.yml as `routing:`).

Sales ops' file: reps, pools, ordered first-match rules, the fallback pool and the default
owner. Structure only; `bot/routing/check.py` says what is wrong in it, at its line.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Extra, Field, validator

# Lead fields a rule may test besides the SLA's criteria (bot/routing/facts.py fills them).
LEAD_FIELDS = (
    "tier",
    "score",
    "language",
    "human_requested",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "landing_page",
    "referrer_domain",
    "email_domain",
    "company",
)
POLICIES = ("assign", "queue")


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


def _flag(value: Any) -> Any:
    if not isinstance(value, bool):
        raise TypeError("expected true or false")
    return value


class Absence(_Strict):
    """Out of office from one day to another, both included (the rep's own dates)."""

    from_: date = Field(alias="from")
    to: date

    class Config:
        allow_population_by_field_name = True


class Rep(_Strict):
    id: str
    name: str
    email: str
    slack_user_id: str | None = None
    languages: list[str] = Field(default_factory=list)  # empty: any language
    time_zone: str = "UTC"  # an IANA name (zoneinfo): Europe/Madrid, America/New_York
    working_hours: dict[str, str] | None = None  # None: the file's `working_hours`
    out_of_office: list[date | Absence] = Field(default_factory=list)
    active: bool = True
    booking_url: str | None = None

    _check_active = validator("active", pre=True, allow_reuse=True)(_flag)

    @validator("out_of_office", pre=True, each_item=True)
    def _absence(cls, value: Any) -> Any:
        # One clear message instead of one per member of `date | Absence`.
        if isinstance(value, (date, Absence)):
            return value
        if isinstance(value, dict):
            return Absence.parse_obj(value)
        raise TypeError("expected a date (2026-12-24) or a range {from: 2026-12-28, to: 2027-01-06}")

    def away_on(self, day: date) -> bool:
        return any(
            (entry == day) if isinstance(entry, date) else (entry.from_ <= day <= entry.to)
            for entry in self.out_of_office
        )

    def speaks(self, language: str | None) -> bool:
        return not self.languages or language is None or language in self.languages


class Pool(_Strict):
    reps: list[str]
    email: str | None = None  # a team address copied in on the handoff email
    booking_url: str | None = None
    outside_hours: Literal["assign", "queue"] | None = None  # None: the file's policy


class RoutingRule(_Strict):
    """`when` every listed field matches (an empty `when` matches every lead), send to the target."""

    name: str = ""
    when: dict[str, Any] = Field(default_factory=dict)
    rep: str | None = None
    pool: str | None = None
    crm_owner: bool = False

    _check_crm = validator("crm_owner", pre=True, allow_reuse=True)(_flag)

    def label(self, index: int) -> str:
        return f"rule {index + 1}" + (f" '{self.name}'" if self.name else "")


class RoutingConfig(_Strict):
    version: int = 1
    # Nobody in the pool works now: `assign` anyway (the booking link lets the visitor pick a
    # time) or `queue` the handoff until the first rep's hours begin.
    outside_hours: Literal["assign", "queue"] = "assign"
    reassign_after_minutes: int | None = 30  # no verdict by then: reassigned once, then the default owner
    copy_configured_email: bool = True  # LEADBOT_SMTP_TO stays in Cc of the rep's email
    working_hours: dict[str, str] = Field(default_factory=lambda: {"mon-fri": "09:00-17:00"})
    reps: list[Rep]
    pools: dict[str, Pool] = Field(default_factory=dict)
    rules: list[RoutingRule] = Field(default_factory=list)
    fallback_pool: str | None = None
    default_owner: str

    _check_copy = validator("copy_configured_email", pre=True, allow_reuse=True)(_flag)

    def rep(self, rep_id: str | None) -> Rep | None:
        return next((r for r in self.reps if r.id == rep_id), None)

    def rep_by_email(self, email: str) -> Rep | None:
        wanted = email.strip().casefold()
        return next((r for r in self.reps if r.email.casefold() == wanted), None)

    def hours_of(self, rep: Rep) -> dict[str, str]:
        return rep.working_hours if rep.working_hours is not None else self.working_hours

    def policy(self, pool: str | None) -> str:
        spec = self.pools.get(pool) if pool else None
        return (spec.outside_hours if spec is not None else None) or self.outside_hours
