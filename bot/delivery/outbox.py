"""Finishing a lead: render its summary and handoff body, then have the store keep them.

The conversation side calls `finish_lead` (through `DeliveringStore.finish`, the store the
actions hold) when a conversation ends; the worker delivers what was queued here.
"""

from __future__ import annotations

from dataclasses import replace

from bot.delivery.routing import routed_handoff
from bot.delivery.summary import render_summary
from bot.domain import Lead, LeadSnapshot
from bot.routing import OwnerLookup
from bot.settings import Settings, current_settings
from bot.sla import SLA
from bot.storage import LeadStore


def finish_lead(
    store: LeadStore,
    snapshot: LeadSnapshot,
    *,
    sla: SLA,
    handoff: bool,
    settings: Settings | None = None,
    owner_lookup: OwnerLookup | None = None,
) -> Lead:
    """Write the final state, render the summary (and with `handoff` the webhook body), store them.

    Idempotent: a second call never queues a second handoff; without `handoff`, a queued one
    that no channel has received yet is cancelled (a late correction left the lead not a fit).
    With routing configured (`routing:` in the SLA), the handoff is addressed to the rep it picks
    (`owner_lookup`: the CRM's account owners, else the one the settings configure).

    Two short transactions around the rendering instead of one long one holding the write
    lock: if the process dies in between, the lead is stored as finished but without its
    summary and handoff until `finish_lead` runs for it again.
    """
    lead = store.close(snapshot, currency=sla.currency)
    if lead.status != snapshot.status:
        # The store refused the move (a "stop" after the lead finished): its outcome, summary
        # and handoff stand as they were; cancelling the handoff here would break the promise.
        return lead
    summary = render_summary(lead, language=sla.sales_language, fmt="text")
    queued = None
    if handoff and lead.handoff is None:
        settings = settings or current_settings()
        ready = replace(lead, summary=summary)
        queued = routed_handoff(store, ready, sla=sla, settings=settings, owner_lookup=owner_lookup)
    return store.settle(lead.id, summary=summary, handoff=queued, hand_off=handoff)


class DeliveringStore(LeadStore):
    """The lead store as the conversation uses it: `finish` renders through delivery first."""

    def finish(self, snapshot: LeadSnapshot, *, sla: SLA, handoff: bool) -> Lead:
        return finish_lead(self, snapshot, sla=sla, handoff=handoff)
