"""Meeting booking records: a booking provider's webhook event, read, and a lead's booked meeting.

Pure like the rest of the domain. The web app reads an event from a signed delivery
(bot/web/booking_events.py); the store applies it to the lead (bot/storage/booking.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# What a delivery does to the lead's meeting: booked and rescheduled set it, cancelled clears it.
BOOKED, RESCHEDULED, CANCELLED = "booked", "rescheduled", "cancelled"
BOOKING_CHANGES = (BOOKED, RESCHEDULED, CANCELLED)


@dataclass(frozen=True)
class BookingEvent:
    """One signed delivery from a booking provider, in our words.

    `lead_refs` are the strings the payload may carry our lead id in (Cal.com metadata, a
    Calendly answer or UTM value); the store tries them in order, then `email`, then the
    meeting's own uids (`event_uid`, `previous_uid`) a reschedule or cancel names."""

    provider: str
    change: str  # one of BOOKING_CHANGES
    delivery_key: str  # unique per delivery: a replay carries the same key
    event_uid: str  # the provider's id of the meeting (Cal.com uid, Calendly invitee URI)
    previous_uid: str | None = None  # the meeting a reschedule replaces
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    email: str | None = None
    lead_refs: tuple[str, ...] = ()
    occurred_at: datetime | None = None  # when the visitor booked, per the provider


@dataclass(frozen=True)
class Booking:
    """A lead's meeting as the last delivery left it; `status` cancelled keeps the history."""

    lead_id: int
    provider: str
    status: str  # booked | cancelled
    event_uid: str
    starts_at: datetime | None
    ends_at: datetime | None
    booked_at: datetime  # first booking of this lead (time from chat to booking counts to it)
    updated_at: datetime
    reschedules: int = 0

    @property
    def booked(self) -> bool:
        return self.status == BOOKED


@dataclass(frozen=True)
class BookingResult:
    """What a delivery did: applied (with the lead's booking), duplicate, or no lead to apply it to."""

    outcome: str  # applied | duplicate | unknown_lead | ignored
    booking: Booking | None = None
    conversation_id: str | None = None


def chat_to_booking(finished_at: datetime | None, booking: Booking | None) -> str | None:
    """How long after the end of the chat the visitor booked, as a rep reads it ("12 min",
    "3.5 h", "2.0 days"): the console's Meeting card and `leadbot leads show` say it alike."""
    if booking is None or finished_at is None:
        return None
    minutes = max(0.0, (booking.booked_at - finished_at).total_seconds() / 60)
    if minutes < 90:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.1f} h" if minutes < 48 * 60 else f"{minutes / 1440:.1f} days"
