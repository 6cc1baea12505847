"""What leaves the building: the export object and the webhook payload, built from a lead.

The store keeps what is rendered here (the summary, the handoff body) and renders nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from bot.delivery.summary import render_summary
from bot.delivery.verdict_links import verdict_links
from bot.domain import Contact, Handoff, Lead, QueuedHandoff, Unit, unit_of, utcnow
from bot.domain.booking import Booking
from bot.domain.routing import Assignment
from bot.settings import Settings
from bot.storage import LeadStore

SCHEMA_VERSION = 1


def configured_channels(settings: Settings) -> tuple[str, ...]:
    """The channels a handoff queued now is meant for (the worker adds any configured later)."""
    channels: list[str] = []
    if settings.handoff_url:
        channels.append("webhook")
    if settings.slack_webhook_url:
        channels.append("slack")
    if settings.email_configured:
        channels.append("email")
    if settings.hubspot_configured:
        channels.append("hubspot")
    if settings.salesforce_configured:
        channels.append("salesforce")
    return tuple(channels)


def export_object(
    lead: Lead, *, language: str = "en", currency: str | None = None, criteria: Sequence[str] | None = None
) -> dict[str, Any]:
    """One lead as the export object of docs/export.md (plus a few extra fields).

    ``answers`` has one entry per criterion of the SLA (``criteria``, in its order; by default the
    criteria the lead was last scored on), answered or not, then any other answer kept.
    The stored summary when there is one; a lead still in progress gets one rendered now."""
    answers: dict[str, Any] = {}
    names = lead.criteria() if criteria is None else [*criteria, *(n for n in lead.answers if n not in criteria)]
    for name in names:
        answer = lead.answers.get(name)
        item: dict[str, Any] = {
            "raw": (answer.raw or None) if answer else None,  # a behaviour criterion has no words
            "value": answer.value if answer else None,
            "points": answer.points if answer else 0,
        }
        if unit_of(name) is Unit.MONEY:
            item["currency"] = lead.currency or currency or "EUR"
        if answer is not None:
            item["kind"] = answer.kind
            item["explanation"] = answer.explanation
            item["confidence"] = answer.confidence
        answers[name] = item
    contact = lead.contact or Contact(None, None, None)
    return {
        "conversation_id": lead.conversation_id,
        "started_at": _iso(lead.started_at),
        "language": lead.language,
        "answers": answers,
        "score": lead.score,
        "tier": lead.tier,
        "knocked_out_by": lead.knocked_out_by,
        "qualified": lead.qualified,
        "handed_off": lead.handed_off,
        "contact": {"name": contact.name, "email": contact.email, "company": contact.company},
        "summary": lead.summary if lead.summary is not None else render_summary(lead, language=language, fmt="text"),
        "lead_id": lead.id,
        "status": lead.status,
        "finished_at": _iso(lead.finished_at) if lead.finished_at else None,
        "human_requested": lead.human_requested,
        "page_context": dict(lead.page_context),
        "handoff_status": lead.handoff.status if lead.handoff else None,
        "resource": dict(lead.resource) if lead.resource else None,  # offered at a nurture/disqualified close
    }


def export_leads(
    store: LeadStore,
    *,
    language: str = "en",
    currency: str | None = None,
    criteria: Sequence[str] | None = None,
    **filters: Any,
) -> list[dict[str, Any]]:
    """The export objects, oldest first, for conversations with at least one answer, each with
    its current `assignee` (routing) and its `booking` (the meeting booked from the chat)."""
    leads = list(reversed(store.list(answered_only=True, **filters)))
    ids = [lead.id for lead in leads]
    assigned, booked = store.current_assignments(ids), store.bookings_of(ids)
    return [
        {
            **export_object(lead, language=language, currency=currency, criteria=criteria),
            "assignee": _assignee_object(assigned.get(lead.id)),
            "booking": _booking_object(booked.get(lead.id)),
        }
        for lead in leads
    ]


def _assignee_object(assignment: Assignment | None) -> dict[str, Any] | None:
    if assignment is None:
        return None
    return {
        **assignment.assignee.as_dict(),
        "rule": assignment.rule,
        "target": assignment.target,
        "assigned_at": _iso(assignment.assigned_at),
    }


def _booking_object(booking: Booking | None) -> dict[str, Any] | None:
    if booking is None:
        return None
    return {
        "status": booking.status,  # booked | cancelled
        "provider": booking.provider,
        "starts_at": _iso(booking.starts_at) if booking.starts_at else None,
        "ends_at": _iso(booking.ends_at) if booking.ends_at else None,
        "booked_at": _iso(booking.booked_at),
        "reschedules": booking.reschedules,
    }


def queued_handoff(
    lead: Lead,
    language: str,
    settings: Settings,
    *,
    assignee: Mapping[str, Any] | None = None,
    previous: Mapping[str, Any] | None = None,
    not_before: datetime | None = None,
) -> QueuedHandoff:
    """Render the webhook body for a lead about to be handed off: the export object, the three
    summaries and the handoff's identity (the store adds `handoff_id` once the row exists).

    `assignee` (bot/delivery/routing.py) is who routing gave the lead: the summaries name them
    (the Slack one mentions them) and the body carries it; `previous` makes it a reassignment."""
    key = str(uuid.uuid4())
    now = utcnow()
    pending = Handoff(
        id=0,
        lead_id=lead.id,
        conversation_id=lead.conversation_id,
        idempotency_key=key,
        channels=configured_channels(settings),
        delivered={},
        payload={},
        status="pending",
        attempts=0,
        next_attempt_at=now,
        sent_at=None,
        created_at=now,
        last_error=None,
    )
    queued = replace(lead, handoff=pending)
    body = export_object(queued, language=language)
    # The people reading Slack and the email get one-click Accept / Reject links; the webhook
    # body's own fields stay as they were (a CRM posts its verdict to the API instead).
    links = verdict_links(lead.id, key, settings)
    for fmt, field in (("text", "summary"), ("markdown", "summary_markdown"), ("html", "summary_html")):
        body[field] = render_summary(
            queued, language=language, fmt=fmt, verdict_links=links, assignee=assignee, previous=previous
        )
    body["idempotency_key"] = key
    body["event"] = "lead.reassigned" if previous else "lead.handed_off"
    body["schema_version"] = SCHEMA_VERSION
    body["assignee"] = dict(assignee) if assignee else None
    if previous:
        body["previous_assignee"] = dict(previous)
    return QueuedHandoff(idempotency_key=key, channels=pending.channels, payload=body, not_before=not_before)


def _iso(value: datetime) -> str:
    return (value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value).isoformat()
