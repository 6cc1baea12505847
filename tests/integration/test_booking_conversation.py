"""One REST conversation end to end: a Spanish sales-ready visitor gets the prefilled booking link
in the closing message, books on it, and Cal.com's signed webhook marks the lead booked."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from bot.ops.local import Stack
from bot.settings import from_env
from bot.storage import ConsoleStore
from bot.web import WebServer
from tests.conftest import Visitor

SECRET = "calcom-secret-for-the-conversation-test"


def test_a_spanish_visitor_books_from_the_closing_link_and_the_lead_is_marked_booked(
    stack: Stack, make_visitor: Any
) -> None:
    visitor: Visitor = make_visitor({"utm": {"utm_source": "newsletter", "utm_campaign": "invierno"}})
    visitor.say_text("Hola, necesitamos cualificar mejor los leads de la web")
    visitor.say_text("unos 2.000 € al mes")
    visitor.say_text("soy la directora comercial")
    visitor.say_text("el próximo trimestre")
    visitor.say_text("Ana García")
    visitor.say_text("ana.garcia@acme-corp.com")
    visitor.say_text("Acme Corp")
    closing = visitor.say_text("sí")

    found = re.search(r"\[Reserva una llamada con nuestro equipo\]\((https://cal\.com/[^)]+)\)", closing)
    assert found, closing
    query = parse_qs(urlsplit(found.group(1)).query)
    assert query["metadata[lead_id]"] == [visitor.sender] and query["email"] == ["ana.garcia@acme-corp.com"]
    assert query["name"] == ["Ana García"] and query["utm_source"] == ["newsletter"]
    lead = visitor.lead()
    assert lead.tier == "sales_ready" and lead.handed_off

    # Cal.com sends back what the link prefilled: the lead id in payload.metadata.
    body = json.dumps(
        {
            "triggerEvent": "BOOKING_CREATED",
            "createdAt": "2026-12-02T07:00:00.000Z",
            "payload": {
                "uid": "booking-uid-1",
                "startTime": "2026-12-09T09:00:00.000Z",
                "endTime": "2026-12-09T09:30:00.000Z",
                "attendees": [{"name": query["name"][0], "email": query["email"][0]}],
                "metadata": {"lead_id": query["metadata[lead_id]"][0]},
            },
        }
    ).encode()
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    settings = from_env({"LEADBOT_DATABASE_URL": stack.database_url, "LEADBOT_CALCOM_WEBHOOK_SECRET": SECRET})
    store = ConsoleStore(stack.database_url)
    server = WebServer(store, settings, host="127.0.0.1", port=0).start()
    try:
        reply = requests.post(
            f"{server.url}/booking/calcom", data=body, headers={"X-Cal-Signature-256": signature}, timeout=10
        )
    finally:
        server.stop()
    assert reply.status_code == 200 and reply.json()["lead"] == visitor.sender
    booking = store.booking_of(lead.id)
    assert booking is not None and booking.booked
    assert booking.starts_at is not None and booking.starts_at.isoformat() == "2026-12-09T09:00:00+00:00"
