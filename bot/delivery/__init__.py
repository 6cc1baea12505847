"""Delivery: the sales summary and its templates, the export and webhook payloads, the channels,
signing and the outbox worker. It renders; storage keeps what it rendered.
"""

from bot.delivery.outbox import DeliveringStore, finish_lead
from bot.delivery.payload import configured_channels, export_leads, export_object, queued_handoff
from bot.delivery.signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, canonical_body, sign, verify_signature
from bot.delivery.summary import escape_markdown, escape_text, render_summary
from bot.delivery.worker import Worker, backoff_delay, deliver_due, run_worker

__all__ = [
    "IDEMPOTENCY_HEADER",
    "SIGNATURE_HEADER",
    "DeliveringStore",
    "Worker",
    "backoff_delay",
    "canonical_body",
    "configured_channels",
    "deliver_due",
    "escape_markdown",
    "escape_text",
    "export_leads",
    "export_object",
    "finish_lead",
    "queued_handoff",
    "render_summary",
    "run_worker",
    "sign",
    "verify_signature",
]
