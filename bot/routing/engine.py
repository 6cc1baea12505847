"""Routing a lead: the first matching rule whose target has someone, then the fallback pool,
then the default owner. Pure: the clock (`now`) and the CRM (`OwnerLookup`) come in as arguments.

A pool's choice among its eligible reps is the database's (round robin under a row lock,
`bot/storage/routing.py`); this module says who is eligible and why the others are not.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Protocol

from bot.domain.routing import LAST_ATTEMPT, Assignee, Assignment, Candidate, RoutePlan
from bot.routing.facts import Facts, rule_matches
from bot.routing.hours import describe, is_working, next_start, parse_week, zone
from bot.routing.model import Rep, RoutingConfig

log = logging.getLogger(__name__)
# A rep who starts work within this many days (a long weekend) can be assigned outside hours or
# waited for; one who does not (out of office from tomorrow on) is not available.
SOON_DAYS = 4


class OwnerLookup(Protocol):
    """The CRM's account owner of a visitor (HubSpot, Salesforce: the CRM channels implement it)."""

    def owner_email(self, visitor_email: str) -> str | None: ...


@dataclass(frozen=True)
class _Look:
    """One rep at `now`: working, free later (`opens`), or not available at all (`why`)."""

    rep: Rep
    working: bool
    opens: datetime | None
    why: str


def _look(config: RoutingConfig, rep: Rep, now: datetime) -> _Look:
    if not rep.active:
        return _Look(rep, False, None, "inactive")
    tz = zone(rep.time_zone)
    if tz is None:  # `leadbot check` refuses this; a running bot never drops the lead for it
        return _Look(rep, False, None, f"unknown time zone {rep.time_zone}")
    week, _ = parse_week(config.hours_of(rep))

    def away(day: date) -> bool:
        return rep.away_on(day)

    if away(now.astimezone(tz).date()):
        # Away today is away: an out-of-office rep is not assigned "anyway", nor waited for.
        opens = next_start(week, tz, away, now)
        return _Look(rep, False, None, "out of office" + (f" (back {describe(opens, tz)})" if opens else ""))
    if is_working(week, tz, away, now):
        return _Look(rep, True, now, f"working ({now.astimezone(tz):%a %H:%M} {tz.key})")
    opens = next_start(week, tz, away, now)
    if opens is None or opens - now > timedelta(days=SOON_DAYS):
        return _Look(rep, False, None, f"not working in the next {SOON_DAYS} days")
    return _Look(rep, False, opens, f"outside working hours (starts {describe(opens, tz)})")


def assignee(config: RoutingConfig, rep: Rep, pool: str | None = None) -> Assignee:
    spec = config.pools.get(pool) if pool else None
    return Assignee(
        rep_id=rep.id,
        name=rep.name,
        email=rep.email,
        slack_user_id=rep.slack_user_id,
        pool=pool,
        pool_email=spec.email if spec else None,
        booking_url=rep.booking_url or (spec.booking_url if spec else None),
    )


@dataclass
class _Routing:
    """One decision in the making: the file, the lead, the instant, and the rules tried so far."""

    config: RoutingConfig
    facts: Facts
    now: datetime
    steps: list[str]


def _among(
    r: _Routing, reps: Sequence[Rep], *, rule: str, target: str, pool: str | None = None, queue_allowed: bool = True
) -> RoutePlan | None:
    """A plan over these reps (one rep: a named target), or None with the reason in `steps`."""
    config, now, steps = r.config, r.now, r.steps
    looks = [_look(config, rep, now) for rep in reps]
    language = r.facts.get("language")
    working = [look for look in looks if look.working]
    later = [look for look in looks if not look.working and look.opens is not None]
    policy = config.policy(pool)
    chosen: list[_Look]
    deliver_at = None
    outside = False
    if working:
        chosen = working
        how = "working now"
    elif later and (policy == "assign" or not queue_allowed):
        chosen, outside = later, True
        how = "nobody working now; assigned anyway (outside_hours: assign)"
    elif later:
        first = min(look.opens for look in later if look.opens is not None).astimezone(timezone.utc)
        chosen = [look for look in later if look.opens == first]
        deliver_at = first
        how = f"nobody working now; queued until {first:%Y-%m-%d %H:%M} UTC (outside_hours: queue)"
    else:
        where = f"pool {pool}" if pool else f"rep {reps[0].id}" if reps else "nobody"
        steps.append(f"{rule} → {where}: nobody available ({'; '.join(f'{k.rep.id}: {k.why}' for k in looks)})")
        return None
    speakers = [look for look in chosen if look.rep.speaks(language)]
    not_speaking = {look.rep.id for look in chosen} - {look.rep.id for look in speakers} if speakers else set()
    chosen = speakers or chosen
    candidates = tuple(
        Candidate(
            look.rep.id,
            look in chosen,
            f"does not speak {language}; {look.why}" if look.rep.id in not_speaking else look.why,
        )
        for look in looks
    )
    where = f"pool {pool}" if pool and target != "rep" else f"rep {chosen[0].rep.id}"
    return RoutePlan(
        rule=rule,
        target=target,
        choices=tuple(assignee(config, look.rep, pool) for look in chosen),
        reason=f"{rule} → {where}: {how}",
        pool=pool if target != "rep" else None,
        candidates=candidates,
        steps=tuple(steps),
        deliver_at=deliver_at,
        outside_hours=outside,
        respond_within_minutes=config.reassign_after_minutes or None,
        starts_at=tuple((look.rep.id, look.opens) for look in chosen if outside and look.opens is not None),
    )


def _pool(config: RoutingConfig, name: str) -> list[Rep]:
    spec = config.pools.get(name)
    return [rep for rep in (config.rep(i) for i in (spec.reps if spec else [])) if rep is not None]


def plan_route(
    config: RoutingConfig,
    facts: Facts,
    now: datetime,
    *,
    owner_lookup: OwnerLookup | None = None,
    visitor_email: str | None = None,
) -> RoutePlan:
    """Who a lead goes to now. Never None: the default owner takes what nothing else does."""
    r = _Routing(config, facts, now, [])
    for index, rule in enumerate(config.rules):
        label = rule.label(index)
        if not rule_matches(rule.when, facts):
            continue
        plan: RoutePlan | None = None
        if rule.rep is not None:
            rep = config.rep(rule.rep)
            plan = _among(r, [rep] if rep else [], rule=label, target="rep")
        elif rule.pool is not None:
            plan = _among(r, _pool(config, rule.pool), rule=label, target="pool", pool=rule.pool)
        elif rule.crm_owner:
            plan = _crm_owner(r, label, owner_lookup, visitor_email)
        if plan is not None:
            return plan
    if not r.steps:
        r.steps.append("no rule matched")
    if config.fallback_pool:
        fallback = _pool(config, config.fallback_pool)
        plan = _among(r, fallback, rule="fallback pool", target="fallback_pool", pool=config.fallback_pool)
        if plan is not None:
            return plan
    return _default_owner(r, attempt=0)


def _crm_owner(r: _Routing, label: str, lookup: OwnerLookup | None, visitor_email: str | None) -> RoutePlan | None:
    config, steps = r.config, r.steps
    if lookup is None:
        steps.append(f"{label} → CRM owner: no CRM owner lookup configured")
        return None
    if not visitor_email:
        steps.append(f"{label} → CRM owner: the visitor left no email")
        return None
    try:
        owner = lookup.owner_email(visitor_email)
    except Exception as exc:  # a CRM outage must not cost the lead its handoff
        log.warning("CRM owner lookup failed: %s", exc)
        steps.append(f"{label} → CRM owner: lookup failed ({type(exc).__name__})")
        return None
    if not owner:
        steps.append(f"{label} → CRM owner: the CRM knows no owner for this visitor")
        return None
    rep = config.rep_by_email(owner)
    if rep is None:
        # The CRM's owner is the owner, listed in routing.yml or not: email only, no hours known.
        return RoutePlan(
            rule=label,
            target="crm_owner",
            choices=(Assignee(rep_id=None, name=owner, email=owner),),
            reason=f"{label} → CRM owner {owner} (not a rep in routing.yml: no Slack id, hours unknown)",
            steps=tuple(steps),
            respond_within_minutes=config.reassign_after_minutes or None,
        )
    plan = _among(r, [rep], rule=label, target="rep")
    if plan is None:
        return None
    return replace(plan, target="crm_owner", reason=plan.reason.replace("→ rep", "→ CRM owner", 1))


def _default_owner(r: _Routing, attempt: int) -> RoutePlan:
    config, steps = r.config, r.steps
    rep = config.rep(config.default_owner)
    if rep is None:  # `leadbot check` refuses this; keep the lead with an address-less owner
        return RoutePlan("default owner", "default_owner", (Assignee(None, config.default_owner),),
                         "default owner (not a rep in routing.yml)", steps=tuple(steps), attempt=attempt)  # fmt: skip
    look = _look(config, rep, r.now)
    return RoutePlan(
        rule="default owner",
        target="default_owner",
        choices=(assignee(config, rep),),
        reason=f"default owner {rep.id}, whatever their hours ({look.why})",
        candidates=(Candidate(rep.id, True, look.why),),
        steps=tuple(steps),
        outside_hours=not look.working,
        attempt=attempt,
    )


def plan_reassignment(config: RoutingConfig, facts: Facts, current: Assignment, now: datetime) -> RoutePlan | None:
    """Who takes a lead its assignee did not judge in time: once another rep of the same pool
    (working now), then the default owner; None when the default owner has it already."""
    minutes = config.reassign_after_minutes
    why = f"no verdict from {current.assignee.name} within {minutes} min"
    steps = [*current.steps, f"{current.rule} → {current.assignee.rep_id or current.assignee.name}: {why}"]
    r = _Routing(config, facts, now, steps)
    pool = current.assignee.pool
    if current.attempt == 0 and pool:
        others = [rep for rep in _pool(config, pool) if rep.id != current.assignee.rep_id]
        plan = _among(r, others, rule=f"reassigned ({current.rule})", target="pool", pool=pool, queue_allowed=False)
        if plan is not None and not plan.outside_hours:
            return replace(plan, attempt=1, reason=f"{why}; {plan.reason}")
    if current.attempt >= LAST_ATTEMPT or current.assignee.rep_id == config.default_owner:
        return None
    plan = _default_owner(r, attempt=LAST_ATTEMPT)
    return replace(plan, reason=f"{why}; {plan.reason}")
