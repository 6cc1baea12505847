"""Cal.com booking deliveries as Cal.com sends them: the JSON body of a trigger and its
`X-Cal-Signature-256` (hex HMAC-SHA256 of the raw body with the webhook's secret).

Shared by tests/integration/test_booking_http.py and the end-to-end conversation test.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import requests


def calcom_delivery(
    trigger: str,
    uid: str,
    *,
    lead: str | None,
    start: str = "2026-12-09T10:00:00.000Z",
    attendee: tuple[str, str] = ("Ann", "ann@example.com"),
    **extra: Any,
) -> bytes:
    """The body of one Cal.com webhook delivery; `lead` is what the booking link put in metadata."""
    name, email = attendee
    payload = {
        "uid": uid,
        "title": "Intro call",
        "startTime": start,
        "endTime": start.replace("10:00", "10:30"),
        "attendees": [{"name": name, "email": email, "timeZone": "Europe/Madrid"}],
        "metadata": {"lead_id": lead} if lead else {},
        **extra,
    }
    return json.dumps({"triggerEvent": trigger, "createdAt": "2026-12-02T06:30:00.000Z", "payload": payload}).encode()


def post_calcom(app_url: str, body: bytes, secret: str, **headers: str) -> requests.Response:
    """POST a delivery to `leadbot serve`'s /booking/calcom, signed with `secret`."""
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    sent = {"Content-Type": "application/json", "X-Cal-Signature-256": signature, **headers}
    return requests.post(f"{app_url}/booking/calcom", data=body, headers=sent, timeout=10)
