"""The booking store on SQLite and PostgreSQL (the Alembic schema, migration 0007_booking): a
delivery applied once even when two copies race, reschedules, cancels, the lead found by email."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from bot.delivery import finish_lead
from bot.domain.booking import BOOKED, CANCELLED, RESCHEDULED, BookingEvent
from bot.storage import LeadStore
from tests.integration.conftest import make_sla, make_snapshot

NINE = datetime(2026, 12, 9, 9, 0, tzinfo=timezone.utc)


def _event(
    change: str,
    uid: str,
    key: str,
    *,
    ref: str | None = "conv-b",
    starts_at: datetime = NINE,
    previous_uid: str | None = None,
    email: str | None = None,
) -> BookingEvent:
    refs = (ref,) if ref else ()
    return BookingEvent("calcom", change, key, uid, previous_uid, starts_at, None, email, refs)


def test_two_copies_of_one_delivery_racing_apply_it_once(store: LeadStore) -> None:
    lead = finish_lead(store, make_snapshot("conv-b"), sla=make_sla(), handoff=True)
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(r.outcome for r in pool.map(store.apply_booking, [_event(BOOKED, "u1", "k1")] * 2))
    assert outcomes == ["applied", "duplicate"]
    booking = store.booking_of(lead.id)
    assert booking is not None and booking.booked and booking.starts_at == NINE


def test_reschedule_then_cancel_by_uid_and_email(store: LeadStore) -> None:
    lead = finish_lead(store, make_snapshot("conv-b", email="Ann@Example.com"), sla=make_sla(), handoff=True)
    assert store.apply_booking(_event(BOOKED, "u1", "k1", ref=None, email="ann@example.com")).outcome == "applied"
    later = NINE.replace(day=10)
    moved = store.apply_booking(_event(RESCHEDULED, "u2", "k2", ref=None, previous_uid="u1", starts_at=later))
    assert moved.conversation_id == "conv-b" and moved.booking is not None and moved.booking.starts_at == later
    assert store.apply_booking(_event(CANCELLED, "u2", "k3", ref=None)).outcome == "applied"
    booking = store.booking_of(lead.id)
    assert booking is not None and booking.status == "cancelled" and booking.starts_at is None
    assert booking.reschedules == 1


def test_a_booking_for_no_known_lead_is_not_stored(store: LeadStore) -> None:
    assert store.apply_booking(_event(BOOKED, "u9", "k9", ref="nobody", email="x@y.z")).outcome == "unknown_lead"
