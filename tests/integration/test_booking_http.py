"""The booking webhooks over real HTTP (the `leadbot serve` app on a free port): Cal.com and
Calendly deliveries signed as the providers sign them, forged ones, replays, reschedules and
cancellations, and the lead they mark booked."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.booking_webhooks import calcom_delivery, post_calcom
from tests.console_helpers import Console, running_console

CALCOM_SECRET = "calcom-secret-for-tests"
CALENDLY_SECRET = "calendly-signing-key-for-tests"


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    env = {"LEADBOT_CALCOM_WEBHOOK_SECRET": CALCOM_SECRET, "LEADBOT_CALENDLY_WEBHOOK_SECRET": CALENDLY_SECRET}
    with running_console(tmp_path, monkeypatch, **env) as running:
        yield running


_calcom = calcom_delivery


def _post_calcom(app: Console, body: bytes, secret: str = CALCOM_SECRET, **headers: str) -> requests.Response:
    return post_calcom(app.url, body, secret, **headers)


def _calendly(
    event: str, invitee: str, *, answer: str | None, start: str = "2026-12-09T15:00:00.000000Z", **extra: Any
):
    payload = {
        "uri": invitee,
        "email": "ann@example.com",
        "name": "Ann",
        "rescheduled": False,
        "old_invitee": None,
        "new_invitee": None,
        "questions_and_answers": [{"question": "Lead", "answer": answer, "position": 0}] if answer else [],
        "tracking": {"utm_source": "leadbot", "utm_medium": "chat", "utm_campaign": None},
        "scheduled_event": {
            "uri": "https://api.calendly.com/scheduled_events/E1",
            "start_time": start,
            "end_time": start.replace("15:00", "15:30"),
        },
        "created_at": "2026-12-02T06:40:00.000000Z",
        **extra,
    }
    return json.dumps({"event": event, "created_at": "2026-12-02T06:40:01.000000Z", "payload": payload}).encode()


def _post_calendly(
    app: Console, body: bytes, *, secret: str = CALENDLY_SECRET, signed_at: float | None = None
) -> requests.Response:
    stamp = str(int(time.time() if signed_at is None else signed_at))
    signature = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "Calendly-Webhook-Signature": f"t={stamp},v1={signature}"}
    return requests.post(f"{app.url}/booking/calendly", data=body, headers=headers, timeout=10)


def test_a_signed_calcom_booking_marks_the_lead_booked_with_the_meeting_time(app: Console) -> None:
    lead = app.finished_lead(conversation_id="chat-42", email="someone.else@example.com")
    reply = _post_calcom(app, _calcom("BOOKING_CREATED", "uid-1", lead="chat-42"))
    assert reply.status_code == 200
    assert reply.json() == {
        "status": "applied",
        "lead": "chat-42",
        "booked": True,
        "starts_at": "2026-12-09T10:00:00+00:00",
    }
    booking = app.store.booking_of(lead.id)
    assert booking is not None and booking.booked and booking.provider == "calcom"
    assert booking.starts_at is not None and booking.starts_at.isoformat() == "2026-12-09T10:00:00+00:00"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"secret": "not-our-secret"}, id="wrong-secret"),
        pytest.param({"X-Cal-Signature-256": "0" * 64}, id="made-up-signature"),
        pytest.param({"X-Cal-Signature-256": ""}, id="no-signature"),
    ],
)
def test_a_forged_calcom_delivery_is_refused_and_changes_nothing(app: Console, headers: dict[str, str]) -> None:
    lead = app.finished_lead(conversation_id="chat-43")
    secret = headers.pop("secret", CALCOM_SECRET)
    reply = _post_calcom(app, _calcom("BOOKING_CREATED", "uid-2", lead="chat-43"), secret, **headers)
    assert reply.status_code == 401
    assert app.store.booking_of(lead.id) is None


def test_a_replayed_calcom_booking_cannot_rebook_a_cancelled_meeting(app: Console) -> None:
    lead = app.finished_lead(conversation_id="chat-44")
    created = _calcom("BOOKING_CREATED", "uid-3", lead="chat-44")
    assert _post_calcom(app, created).json()["status"] == "applied"
    cancelled = _post_calcom(app, _calcom("BOOKING_CANCELLED", "uid-3", lead="chat-44"))
    assert cancelled.json() == {"status": "applied", "lead": "chat-44", "booked": False, "starts_at": None}
    replay = _post_calcom(app, created)
    assert replay.status_code == 200 and replay.json() == {"status": "duplicate"}
    booking = app.store.booking_of(lead.id)
    assert booking is not None and not booking.booked and booking.starts_at is None


def test_a_calcom_reschedule_moves_the_meeting_and_its_cancel_clears_it(app: Console) -> None:
    lead = app.finished_lead(conversation_id="chat-45")
    _post_calcom(app, _calcom("BOOKING_CREATED", "uid-4", lead="chat-45"))
    # Cal.com's reschedule is a new booking uid naming the one it replaces; no lead id this time.
    moved = _calcom("BOOKING_RESCHEDULED", "uid-5", lead=None, start="2026-12-11T10:00:00.000Z", rescheduleUid="uid-4")
    assert _post_calcom(app, moved).json()["starts_at"] == "2026-12-11T10:00:00+00:00"
    booking = app.store.booking_of(lead.id)
    assert booking is not None and booking.booked and booking.reschedules == 1 and booking.event_uid == "uid-5"
    # A late cancel of the replaced meeting leaves the new one booked; the new one's cancel clears it.
    assert _post_calcom(app, _calcom("BOOKING_CANCELLED", "uid-4", lead="chat-45")).json()["status"] == "ignored"
    assert app.store.booking_of(lead.id).booked  # type: ignore[union-attr]
    _post_calcom(app, _calcom("BOOKING_CANCELLED", "uid-5", lead="chat-45"))
    assert not app.store.booking_of(lead.id).booked  # type: ignore[union-attr]


def test_a_booking_without_a_lead_id_is_matched_by_email(app: Console) -> None:
    lead = app.finished_lead(conversation_id="chat-46", email="Ann@Example.com")
    reply = _post_calcom(app, _calcom("BOOKING_CREATED", "uid-6", lead=None))
    assert reply.json()["lead"] == "chat-46" and app.store.booking_of(lead.id) is not None


def test_a_booking_of_nobody_we_know_is_acknowledged_and_stored_nowhere(app: Console) -> None:
    reply = _post_calcom(app, _calcom("BOOKING_CREATED", "uid-7", lead="not-a-lead"))
    assert reply.status_code == 200 and reply.json() == {"status": "unknown_lead"}


def test_a_signed_calendly_booking_marks_the_lead_booked(app: Console) -> None:
    lead = app.finished_lead(conversation_id="chat-50", email="other@example.com")
    reply = _post_calendly(app, _calendly("invitee.created", "https://api.calendly.com/invitees/I1", answer="chat-50"))
    assert reply.status_code == 200 and reply.json()["starts_at"] == "2026-12-09T15:00:00+00:00"
    booking = app.store.booking_of(lead.id)
    assert booking is not None and booking.booked and booking.provider == "calendly"


def test_a_forged_or_stale_calendly_delivery_is_refused(app: Console) -> None:
    lead = app.finished_lead(conversation_id="chat-51")
    body = _calendly("invitee.created", "https://api.calendly.com/invitees/I2", answer="chat-51")
    forged = _post_calendly(app, body, secret="guessed")
    stale = _post_calendly(app, body, signed_at=time.time() - 600)  # a captured delivery, replayed later
    assert (forged.status_code, stale.status_code) == (401, 401)
    assert "replay" in stale.json()["error"]
    assert app.store.booking_of(lead.id) is None


def test_a_calendly_replay_inside_the_tolerance_is_a_duplicate(app: Console) -> None:
    lead = app.finished_lead(conversation_id="chat-52")
    created = _calendly("invitee.created", "https://api.calendly.com/invitees/I3", answer="chat-52")
    now = time.time()
    assert _post_calendly(app, created, signed_at=now).json()["status"] == "applied"
    _post_calendly(app, _calendly("invitee.canceled", "https://api.calendly.com/invitees/I3", answer="chat-52"))
    assert _post_calendly(app, created, signed_at=now).json() == {"status": "duplicate"}
    assert not app.store.booking_of(lead.id).booked  # type: ignore[union-attr]


def test_a_calendly_reschedule_keeps_the_lead_booked_at_the_new_time(app: Console) -> None:
    lead = app.finished_lead(conversation_id="chat-53")
    old, new = "https://api.calendly.com/invitees/I4", "https://api.calendly.com/invitees/I5"
    _post_calendly(app, _calendly("invitee.created", old, answer="chat-53"))
    # Calendly cancels the old invitee (rescheduled: true) and creates a new one naming it.
    gone = _post_calendly(app, _calendly("invitee.canceled", old, answer="chat-53", rescheduled=True, new_invitee=new))
    assert gone.json() == {"status": "ignored"}
    moved = _calendly("invitee.created", new, answer="chat-53", start="2026-12-10T15:00:00.000000Z", old_invitee=old)
    assert _post_calendly(app, moved).json()["starts_at"] == "2026-12-10T15:00:00+00:00"
    booking = app.store.booking_of(lead.id)
    assert booking is not None and booking.booked and booking.reschedules == 1
    _post_calendly(app, _calendly("invitee.canceled", new, answer="chat-53"))
    assert not app.store.booking_of(lead.id).booked  # type: ignore[union-attr]


def test_without_a_secret_the_webhooks_answer_503(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with running_console(tmp_path, monkeypatch) as app:
        body = _calcom("BOOKING_CREATED", "uid-9", lead="x")
        reply = _post_calcom(app, body)
        assert reply.status_code == 503 and "LEADBOT_CALCOM_WEBHOOK_SECRET" in reply.json()["error"]
        assert _post_calendly(app, b"{}").status_code == 503
