"""Routing at handoff time: the assignee chosen when the handoff is queued, stored with it, and
the reassignment of leads nobody judged in time (run from the delivery worker's loop).

The rules and hours are `bot/routing`'s (pure); the round robin and the decision log are the
store's (`bot/storage/routing.py`); this module joins them and renders what the channels send.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from typing import Any

from bot.delivery.crm import owner_lookup
from bot.delivery.payload import configured_channels, queued_handoff
from bot.domain import Lead, QueuedHandoff, utcnow
from bot.domain.routing import Assignment
from bot.routing import OwnerLookup, RoutingConfig, current_routing, lead_facts, plan_reassignment, plan_route
from bot.routing import routing_path as _routing_path
from bot.settings import Settings
from bot.sla import SLA, SLAError, load_sla
from bot.storage import LeadStore

log = logging.getLogger(__name__)

# The channels that address people: a reassignment sends them again, to the new assignee. A
# channel not listed (a CRM) keeps what it received.
NOTIFY_CHANNELS = ("webhook", "slack", "email")


def owner_lookup_from(settings: Settings) -> OwnerLookup | None:
    """The CRM's account-owner lookup when a CRM API is configured (HubSpot, then Salesforce);
    None: a `crm_owner` rule passes every lead on to the next rule. Routing asks while the lead
    closes, inside a conversation turn, so each request waits briefly (a failure is no owner)."""
    return owner_lookup(settings, timeout=_OWNER_LOOKUP_TIMEOUT)


# Seconds per CRM request when routing asks for the account owner during a turn.
_OWNER_LOOKUP_TIMEOUT = 3.0


def routing_for(sla: SLA, settings: Settings) -> RoutingConfig | None:
    """The routing the SLA file references (`routing:`), or None: every handoff goes to the
    configured channels only, as before routing existed."""
    path = _routing_path(sla, settings.sla_path)
    return current_routing(path, sla) if path is not None else None


def route_lead(
    store: LeadStore,
    lead: Lead,
    config: RoutingConfig,
    *,
    now: datetime | None = None,
    owner_lookup: OwnerLookup | None = None,
) -> Assignment:
    """Plan and store who takes `lead` (a lead routed before keeps its assignee)."""
    now = now or utcnow()
    email = lead.contact.email if lead.contact else None
    plan = plan_route(config, lead_facts(lead), now, owner_lookup=owner_lookup, visitor_email=email)
    assignment = store.assign(lead.id, plan, now=now)
    assert assignment is not None  # without `replaces`, assign always answers
    log.info("lead %s routed to %s: %s", lead.conversation_id, assignment.assignee.rep_id, assignment.reason)
    return assignment


def assignee_payload(assignment: Assignment, config: RoutingConfig, settings: Settings) -> dict[str, Any]:
    """The webhook body's `assignee` object; the email channel reads its `email` and `cc`."""
    cc = [assignment.assignee.pool_email] if assignment.assignee.pool_email else []
    if config.copy_configured_email:
        cc += [address for address in settings.smtp_to if address not in cc]
    return {
        **assignment.assignee.as_dict(),
        "cc": [address for address in cc if address != assignment.assignee.email],
        "rule": assignment.rule,
        "target": assignment.target,
        "reason": assignment.reason,
        "attempt": assignment.attempt,
        "outside_hours": assignment.outside_hours,
        "deliver_at": assignment.deliver_at.isoformat() if assignment.deliver_at else None,
        "respond_by": assignment.respond_by.isoformat() if assignment.respond_by else None,
    }


def routed_handoff(
    store: LeadStore,
    lead: Lead,
    *,
    sla: SLA,
    settings: Settings,
    now: datetime | None = None,
    owner_lookup: OwnerLookup | None = None,
) -> QueuedHandoff:
    """The handoff body for `lead`, addressed to its assignee when routing is configured."""
    config = routing_for(sla, settings)
    if config is None:
        return queued_handoff(lead, sla.sales_language, settings)
    lookup = owner_lookup if owner_lookup is not None else owner_lookup_from(settings)
    assignment = route_lead(store, lead, config, now=now, owner_lookup=lookup)
    return queued_handoff(
        lead,
        sla.sales_language,
        settings,
        assignee=assignee_payload(assignment, config, settings),
        not_before=assignment.deliver_at,
    )


_worker_slas: dict[str, tuple[int, SLA]] = {}


def _worker_sla(path: str) -> SLA | None:
    """The SLA as the worker needs it (sales language, the routing file): structure only, no
    classifiers to train, re-read when the file changes."""
    try:
        mtime = os.stat(path).st_mtime_ns
        cached = _worker_slas.get(path)
        if cached is None or cached[0] != mtime:
            _worker_slas[path] = (mtime, load_sla(path))
        return _worker_slas[path][1]
    except (OSError, SLAError) as exc:
        log.warning("reassignment skipped: SLA %s not loaded (%s)", path, str(exc).splitlines()[0] if str(exc) else exc)
        return None


def reassign_due(store: LeadStore, settings: Settings, *, now: datetime | None = None, sla: SLA | None = None) -> int:
    """Reassign every lead whose assignee gave no verdict in time; returns how many moved.

    Each is claimed first (one worker per lead), then given to another rep of its pool or the
    default owner, and its handoff is sent again to them with a new idempotency key."""
    now = now or utcnow()
    sla = sla or _worker_sla(settings.sla_path)
    config = routing_for(sla, settings) if sla is not None else None
    if sla is None or config is None or not config.reassign_after_minutes:
        return 0
    moved = 0
    for due in store.due_reassignments(now):
        if not store.claim_reassignment(due.id, now=now):
            continue  # another worker has it
        lead = store.get(due.lead_id)
        plan = plan_reassignment(config, lead_facts(lead), due, now) if lead is not None else None
        if lead is None or plan is None:
            store.stop_reassigning(due.id)
            continue
        new = store.assign(lead.id, plan, now=now, replaces=due.id)
        if new is None:
            continue
        queued = queued_handoff(
            lead,
            sla.sales_language,
            settings,
            assignee=assignee_payload(new, config, settings),
            previous=assignee_payload(due, config, settings),
        )
        channels = [c for c in configured_channels(settings) if c in NOTIFY_CHANNELS]
        if channels:  # with none configured, the new assignee is recorded and the outbox left alone
            store.renotify(
                lead.id, idempotency_key=queued.idempotency_key, payload=dict(queued.payload), channels=channels
            )
        log.info("lead %s reassigned from %s to %s: %s", lead.conversation_id, due.assignee.rep_id,
                 new.assignee.rep_id, new.reason)  # fmt: skip
        moved += 1
    return moved
