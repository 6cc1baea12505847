"""Booking providers' webhook deliveries: their signatures checked, their payloads read as events.

Cal.com signs the raw body (`X-Cal-Signature-256`: hex HMAC-SHA256 with the webhook's secret);
Calendly signs `"<t>.<body>"` and sends `Calendly-Webhook-Signature: t=<unix time>,v1=<hex>`, so a
delivery signed too long ago is refused as a replay. Neither sends a delivery id, so a
delivery's key is the hash of its signed body: a replay carries the same body. docs/booking.md.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.domain.booking import BOOKED, CANCELLED, RESCHEDULED, BookingEvent

CALCOM_CHANGES = {"BOOKING_CREATED": BOOKED, "BOOKING_RESCHEDULED": RESCHEDULED, "BOOKING_CANCELLED": CANCELLED}


class SignatureError(ValueError):
    """A delivery that is not signed with our secret, or was signed too long ago."""


def verify_calcom(body: bytes, header: str | None, secret: str) -> None:
    if not header:
        raise SignatureError("missing X-Cal-Signature-256")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(header.strip().lower().encode(), expected.encode()):
        raise SignatureError("X-Cal-Signature-256 does not match the body")


def verify_calendly(
    body: bytes, header: str | None, secret: str, *, tolerance_seconds: int, now: float | None = None
) -> None:
    if not header:
        raise SignatureError("missing Calendly-Webhook-Signature")
    parts = dict(item.strip().partition("=")[::2] for item in header.split(","))
    stamp, signature = parts.get("t", ""), parts.get("v1", "")
    if not stamp.isdigit() or not signature:
        raise SignatureError("Calendly-Webhook-Signature must read t=<time>,v1=<signature>")
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature.lower().encode(), expected.encode()):
        raise SignatureError("Calendly-Webhook-Signature does not match the body")
    # Checked after the signature, so a forged time is never reported as merely old.
    age = (time.time() if now is None else now) - int(stamp)
    if abs(age) > tolerance_seconds:
        raise SignatureError(f"signed {int(age)} s ago, more than {tolerance_seconds} s: a replay is refused")


def delivery_key(provider: str, body: bytes) -> str:
    return f"{provider}:{hashlib.sha256(body).hexdigest()}"


def calcom_event(data: Mapping[str, Any], key: str) -> BookingEvent | None:
    """A Cal.com delivery as an event; None for a trigger that does not move a booking (PING...)."""
    change = CALCOM_CHANGES.get(str(data.get("triggerEvent") or ""))
    payload = data.get("payload")
    if change is None or not isinstance(payload, Mapping) or not payload.get("uid"):
        return None
    attendees = payload.get("attendees")
    first = attendees[0] if isinstance(attendees, list) and attendees and isinstance(attendees[0], Mapping) else {}
    metadata = _mapping(payload.get("metadata"))
    refs = [metadata.get("lead_id"), *metadata.values(), *_answers(payload.get("responses"))]
    previous = payload.get("rescheduleUid") or payload.get("fromReschedule")
    return BookingEvent(
        provider="calcom",
        change=change,
        delivery_key=key,
        event_uid=str(payload["uid"]),
        previous_uid=str(previous) if previous else None,
        starts_at=_time(payload.get("startTime")),
        ends_at=_time(payload.get("endTime")),
        email=_text(first.get("email")) or None,
        lead_refs=_refs(refs),
        occurred_at=_time(data.get("createdAt")),
    )


def calendly_event(data: Mapping[str, Any], key: str) -> BookingEvent | None:
    """A Calendly delivery as an event; None when it moves nothing. A reschedule arrives as a
    cancel of the old invitee (`rescheduled: true`, ignored) and a create naming `old_invitee`."""
    kind = str(data.get("event") or "")
    payload = data.get("payload")
    if kind not in ("invitee.created", "invitee.canceled"):
        return None
    if not isinstance(payload, Mapping) or not payload.get("uri"):
        return None
    if kind == "invitee.canceled" and payload.get("rescheduled"):
        return None
    old = payload.get("old_invitee")
    change = CANCELLED if kind == "invitee.canceled" else RESCHEDULED if old else BOOKED
    meeting = _mapping(payload.get("scheduled_event"))
    answers = payload.get("questions_and_answers")
    ordered = sorted(
        (a for a in answers if isinstance(a, Mapping)) if isinstance(answers, list) else [],
        key=lambda a: int(a["position"]) if isinstance(a.get("position"), int) else 99,
    )
    tracking = _mapping(payload.get("tracking"))
    refs = [*(a.get("answer") for a in ordered), *tracking.values()]
    return BookingEvent(
        provider="calendly",
        change=change,
        delivery_key=key,
        event_uid=str(payload["uri"]),
        previous_uid=str(old) if old else None,
        starts_at=_time(meeting.get("start_time")),
        ends_at=_time(meeting.get("end_time")),
        email=_text(payload.get("email")) or None,
        lead_refs=_refs(refs),
        occurred_at=_time(payload.get("created_at") or data.get("created_at")),
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _answers(responses: Any) -> list[Any]:
    # Cal.com's `responses`: {field: value} or {field: {"value": ...}}, by version.
    if not isinstance(responses, Mapping):
        return []
    return [v.get("value") if isinstance(v, Mapping) else v for v in responses.values()]


def _refs(values: list[Any]) -> tuple[str, ...]:
    seen: list[str] = []
    for value in values:
        text = _text(value)
        if text and text not in seen and len(text) <= 255:
            seen.append(text)
    return tuple(seen)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
