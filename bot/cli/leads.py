"""`leadbot leads list`, `leads show` and `export`: the leads as sales and ops read them, with
who routing gave each one to and the meeting the visitor booked (docs/routing.md, docs/booking.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from bot.cli.common import clean, open_store, sla_or_none
from bot.cli.csv_export import to_csv
from bot.cli.routing import print_assignments
from bot.domain.booking import chat_to_booking

if TYPE_CHECKING:
    from bot.domain import Lead
    from bot.domain.booking import Booking
    from bot.domain.routing import Assignment


def list_leads(args: argparse.Namespace) -> int:
    store = open_store(args)
    leads = store.list(
        tier=args.tier,
        status=args.status,
        since=args.since,
        until=args.until,
        handed_off=args.handed_off,
        limit=args.limit,
    )
    assigned = store.current_assignments([lead.id for lead in leads])
    print(
        f"{'ID':>5}  {'STARTED (UTC)':16}  {'STATUS':12}  {'TIER':12}  {'SCORE':>5}  {'HANDOFF':7}  "
        f"{'ASSIGNEE':14}  CONTACT"
    )
    for lead in leads:
        contact = lead.contact
        who = " / ".join(x for x in ((contact.name, contact.email, contact.company) if contact else ()) if x)
        assignment = assigned.get(lead.id)
        rep = (assignment.assignee.rep_id or assignment.assignee.email or "?") if assignment else "-"
        print(
            f"{lead.id:>5}  {lead.started_at:%Y-%m-%d %H:%M}  {lead.status:12}  {lead.tier or '-':12}  "
            f"{lead.score:>5}  {lead.handoff.status if lead.handoff else '-':7}  {clean(rep):14}  {clean(who) or '-'}"
        )
    print(f"{len(leads)} lead(s)", file=sys.stderr)
    return 0


def show_lead(args: argparse.Namespace) -> int:
    from bot.delivery.summary import render_summary

    store = open_store(args)
    lead = store.get(args.id)
    if lead is None:
        raise LookupError(f"no lead {args.id!r}")
    sla = sla_or_none()
    print(render_summary(lead, language=sla.sales_language if sla else "en", fmt="text"))
    print(f"Lead id: {lead.id} · status: {lead.status} · updated {lead.updated_at:%Y-%m-%d %H:%M UTC}")
    if lead.resource:
        print(f"Resource offered: {clean(str(lead.resource.get('title')))} – {clean(str(lead.resource.get('url')))}")
    if lead.handoff is not None:
        h = lead.handoff
        print(f"Handoff {h.id}: {h.status}, {h.attempts} attempt(s), key {h.idempotency_key}")
        for attempt in store.delivery_attempts(h.id):
            outcome = "ok" if attempt.ok else (attempt.error or f"HTTP {attempt.status_code}")
            when = f"{attempt.at:%Y-%m-%d %H:%M:%S}"
            print(f"  {when} {attempt.channel}: {clean(outcome)} ({attempt.duration_ms:.0f} ms)")
    else:
        print("Handoff: none")
    assignments = store.assignments(lead.id)
    print(assignee_line(next((a for a in assignments if a.current), None)))
    print(meeting_line(lead, store.booking_of(lead.id)))
    print_assignments(assignments, clean)
    for fb in lead.feedback:
        print(f"Feedback {fb.at:%Y-%m-%d %H:%M}: {fb.verdict} by {clean(fb.by or '?')} — {clean(fb.reason)}")
    return 0


def assignee_line(assignment: Assignment | None) -> str:
    """ "Assignee: Lucía Fernández (pool spanish) <lucia@example.com>", or that nobody has it."""
    if assignment is None:
        return "Assignee: none (not routed)"
    a = assignment.assignee
    pool = f" (pool {clean(a.pool)})" if a.pool else ""
    email = f" <{clean(a.email)}>" if a.email else ""
    return f"Assignee: {clean(a.name or a.rep_id)}{pool}{email}"


def meeting_line(lead: Lead, booking: Booking | None) -> str:
    """The Meeting card of the console's lead page, on one line."""
    if booking is None:
        return "Meeting: none booked from the chat's booking link yet"
    if not booking.booked:
        return (
            f"Meeting: cancelled (booked via {clean(booking.provider)} {booking.booked_at:%Y-%m-%d %H:%M UTC}, "
            f"cancelled {booking.updated_at:%Y-%m-%d %H:%M UTC})"
        )
    when = f" for {booking.starts_at:%Y-%m-%d %H:%M UTC}" if booking.starts_at else ""
    line = f"Meeting: booked{when} via {clean(booking.provider)}"
    delay = chat_to_booking(lead.finished_at, booking)
    if delay:
        line += f" · booked {delay} after the chat"
    if booking.reschedules:
        line += f" · rescheduled {booking.reschedules}×"
    return line


def export(args: argparse.Namespace) -> int:
    from bot.delivery.payload import export_leads

    store = open_store(args)
    sla = sla_or_none()
    criteria = list(sla.criteria) if sla is not None else None
    objects = export_leads(
        store,
        language=sla.sales_language if sla is not None else "en",
        currency=sla.currency if sla is not None else None,
        criteria=criteria,
        tier=args.tier,
        since=args.since,
        until=args.until,
        handed_off=args.handed_off,
    )
    text = (
        json.dumps(objects, ensure_ascii=False, indent=2) + "\n" if args.format == "json" else to_csv(objects, criteria)
    )
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        print(f"{len(objects)} lead(s) written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
