"""The booked meetings: a signed booking webhook's event applied to its lead, once.

`BookingStore` is mixed into `LeadStore`. A delivery is applied in one transaction with the
record of its key (`booking_deliveries`), so a replayed delivery, or the provider's retry racing
the first, changes nothing: the second insert of the key loses and reads as a duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain import utcnow
from bot.domain.booking import BOOKED, CANCELLED, RESCHEDULED, Booking, BookingEvent, BookingResult
from bot.storage.base import StoreBase
from bot.storage.convert import aware, id_chunks
from bot.storage.tables import BookingDeliveryRow, BookingRow, LeadRow


class BookingStore(StoreBase):
    """Applies booking events to leads; reads a lead's meeting."""

    def apply_booking(self, event: BookingEvent) -> BookingResult:
        """Mark the event's lead booked, rescheduled or cancelled; a delivery seen before is a
        duplicate and changes nothing. A lead is found by the lead id the booking link carried,
        then by the meeting a reschedule or cancel names, then by the attendee's email."""

        def _do(session: Session) -> BookingResult:
            if session.get(BookingDeliveryRow, event.delivery_key) is not None:
                return BookingResult("duplicate")
            lead = self._lead_for(session, event)
            if lead is None:
                return BookingResult("unknown_lead")
            session.add(
                BookingDeliveryRow(
                    key=event.delivery_key, provider=event.provider, lead_id=lead.id, received_at=utcnow()
                )
            )
            session.flush()  # a concurrent copy of this delivery fails here, before any change
            row = session.get(BookingRow, lead.id)
            outcome = _apply(session, row, event, int(lead.id))
            booking = session.get(BookingRow, lead.id)
            return BookingResult(outcome, _to_booking(booking) if booking else None, lead.conversation_id)

        result: BookingResult = self._retry_on_race(_do)
        return result

    def booking_of(self, lead_id: int) -> Booking | None:
        with self.session() as session:
            row = session.get(BookingRow, lead_id)
            return _to_booking(row) if row is not None else None

    def bookings_of(self, lead_ids: Sequence[int]) -> dict[int, Booking]:
        """The meeting of each of these leads that has one (the export reads many)."""
        found: dict[int, Booking] = {}
        with self.session() as session:
            for chunk in id_chunks(lead_ids):
                rows = session.execute(select(BookingRow).where(BookingRow.lead_id.in_(chunk))).scalars()
                found.update((int(r.lead_id), _to_booking(r)) for r in rows)
        return found

    @staticmethod
    def _lead_for(session: Session, event: BookingEvent) -> LeadRow | None:
        for ref in event.lead_refs:
            row = session.execute(select(LeadRow).where(LeadRow.conversation_id == ref)).scalar_one_or_none()
            if row is not None:
                return row
        for uid in (event.previous_uid, event.event_uid):
            if uid:
                booked = session.execute(select(BookingRow).where(BookingRow.event_uid == uid)).scalars().first()
                if booked is not None:
                    return session.get(LeadRow, booked.lead_id)
        if event.email:
            query = (
                select(LeadRow)
                .where(func.lower(LeadRow.contact_email) == event.email.strip().lower())
                .order_by(LeadRow.started_at.desc(), LeadRow.id.desc())
                .limit(1)
            )
            return session.execute(query).scalar_one_or_none()
        return None


def _apply(session: Session, row: BookingRow | None, event: BookingEvent, lead_id: int) -> str:
    now = utcnow()
    if event.change == CANCELLED:
        # Only the lead's current meeting is cancelled: a cancel of the one a reschedule
        # replaced (Calendly sends it too, in any order) leaves the new one booked.
        if row is None or row.status != BOOKED or row.event_uid != event.event_uid:
            return "ignored"
        row.status, row.starts_at, row.ends_at, row.updated_at = CANCELLED, None, None, now
        return "applied"
    if row is None:
        # A reschedule of a booking we never saw is a booking all the same.
        row = BookingRow(lead_id=lead_id, provider=event.provider, booked_at=event.occurred_at or now, reschedules=0)
        session.add(row)
    elif event.change == RESCHEDULED:
        row.reschedules = int(row.reschedules or 0) + 1
    row.provider = event.provider
    row.status = BOOKED
    row.event_uid = event.event_uid
    row.starts_at, row.ends_at, row.updated_at = event.starts_at, event.ends_at, now
    return "applied"


def _to_booking(row: BookingRow) -> Booking:
    return Booking(
        lead_id=int(row.lead_id),
        provider=row.provider,
        status=row.status,
        event_uid=row.event_uid,
        starts_at=aware(row.starts_at) if row.starts_at else None,
        ends_at=aware(row.ends_at) if row.ends_at else None,
        booked_at=aware(row.booked_at),
        updated_at=aware(row.updated_at),
        reschedules=int(row.reschedules or 0),
    )
