"""The widget's beacon counts: how many visitors opened the chat, and how many wrote a first message.

Counters per UTC day and event, nothing else: the beacon carries no lead data, so the funnel's
first two steps cost one row per day and say nothing about anyone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain import utcnow
from bot.storage.base import StoreBase
from bot.storage.convert import as_datetime
from bot.storage.tables import WidgetEventRow

# What the widget may report (web/widget/leadbot.js `_beacon`); anything else is refused.
WIDGET_EVENTS = ("widget_opened", "first_message")


class WidgetEventStore(StoreBase):
    """Counts the widget's beacons, one counter per day and event."""

    def count_widget_event(self, event: str, at: datetime | None = None) -> None:
        if event not in WIDGET_EVENTS:
            raise ValueError(f"widget event must be one of {', '.join(WIDGET_EVENTS)}, not {event!r}")
        day = (at or utcnow()).date()
        for attempt in range(3):
            try:
                with self.session() as session:
                    bumped = session.execute(
                        update(WidgetEventRow)
                        .where(WidgetEventRow.day == day, WidgetEventRow.event == event)
                        .values(count=WidgetEventRow.count + 1)
                    )
                    if not bumped.rowcount:
                        session.add(WidgetEventRow(day=day, event=event, count=1))
                return
            except IntegrityError:  # two first beacons of the day at once: the loser bumps the winner's row
                if attempt == 2:
                    raise

    def widget_events(
        self, *, since: datetime | date | None = None, until: datetime | date | None = None
    ) -> dict[str, int]:
        """Beacons per event over the days of [since, until) (a time inside a day counts its whole day)."""
        query = select(WidgetEventRow.event, func.sum(WidgetEventRow.count)).group_by(WidgetEventRow.event)
        if since is not None:
            query = query.where(WidgetEventRow.day >= as_datetime(since).date())
        if until is not None:
            end = as_datetime(until)
            last = end.date() if end.time() != datetime.min.time() else end.date() - timedelta(days=1)
            query = query.where(WidgetEventRow.day <= last)
        with self.session() as session:
            found = {event: int(n or 0) for event, n in session.execute(query)}
        return {event: found.get(event, 0) for event in WIDGET_EVENTS}
