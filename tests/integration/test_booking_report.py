"""`leadbot report` (text, --json, --html) and the console's lead page on booked meetings: the
booked rate over the handed-off leads and the time from the end of the chat to the booking."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain import Lead
from bot.domain.booking import BOOKED, CANCELLED, RESCHEDULED, BookingEvent
from bot.storage import LeadStore
from tests.console_helpers import running_console, signed_in
from tests.insights_data import ROOT, seed_leads


def _event(lead: Lead, change: str, uid: str, *, minutes: float, key: str) -> BookingEvent:
    assert lead.finished_at is not None
    starts = lead.finished_at + timedelta(days=2)
    return BookingEvent(
        provider="calcom",
        change=change,
        delivery_key=key,
        event_uid=uid,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        lead_refs=(lead.conversation_id,),
        occurred_at=lead.finished_at + timedelta(minutes=minutes),
    )


def test_the_report_shows_the_booked_rate_and_the_time_from_chat_to_booking(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LEADBOT_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("LEADBOT_SLA", str(ROOT / "sla.yml"))
    leads = seed_leads(sqlite_url)  # four sales-ready leads handed off, one disqualified
    store = LeadStore(sqlite_url)
    ann, di, cy = leads["accepted_20k"], leads["accepted_top"], leads["rejected_60k"]
    store.apply_booking(_event(ann, BOOKED, "a1", minutes=30, key="k1"))
    store.apply_booking(_event(di, BOOKED, "d1", minutes=90, key="k2"))
    store.apply_booking(_event(di, RESCHEDULED, "d2", minutes=200, key="k3"))
    store.apply_booking(_event(cy, BOOKED, "c1", minutes=60, key="k4"))
    store.apply_booking(_event(cy, CANCELLED, "c1", minutes=70, key="k5"))

    assert main(["report", "--json"]) == 0
    bookings = json.loads(capsys.readouterr().out)["health"]["bookings"]
    assert bookings["handed_off"] == 4 and bookings["booked"] == 2 and bookings["booked_rate"] == 0.5
    assert (bookings["cancelled"], bookings["rescheduled"]) == (1, 1)
    assert bookings["median_minutes"] == pytest.approx(60)  # 30, 60 and 90: a reschedule keeps the first booking

    assert main(["report"]) == 0
    text = capsys.readouterr().out
    assert re.search(r"Meetings booked: 2 of 4 handed off \(50%\), 1 cancelled, 1 rescheduled;", text)
    assert "chat → booking median 60.0 min" in text

    page = tmp_path / "health.html"
    assert main(["report", "--html", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert 'id="bookings"' in html and "60.0 min" in html


def test_the_console_lead_page_shows_the_meeting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with running_console(tmp_path, monkeypatch) as console:
        rep = console.add_user("rep@example.com")
        booked = console.finished_lead(conversation_id="chat-b1")
        cancelled = console.finished_lead(conversation_id="chat-b2", email="bo@example.com")
        none = console.finished_lead(conversation_id="chat-b3", email="cy@example.com")
        for lead, key in ((booked, "b1"), (cancelled, "b2")):
            console.store.apply_booking(_event(lead, BOOKED, key, minutes=42, key=key))
        console.store.apply_booking(_event(cancelled, CANCELLED, "b2", minutes=50, key="b2-cancel"))
        http = signed_in(console, rep)

        def meeting(lead: Lead) -> str:
            page = http.get(f"{console.console}/leads/{lead.id}", timeout=10).text
            found = re.search(r'<div class="card" id="booking">(.*?)</div>', page, re.S)
            assert found
            return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())

        starts = (booked.finished_at + timedelta(days=2)).strftime("%Y-%m-%d %H:%M UTC")  # type: ignore[operator]
        assert f"Booked for {starts} via calcom · booked 42 min after the chat" in meeting(booked)
        assert "Cancelled" in meeting(cancelled)
        assert "No meeting booked" in meeting(none)
