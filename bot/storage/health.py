"""The SLA-health figures the leads database holds, aggregated in SQL where it can be.

Counts are GROUP BY queries; what needs per-lead Python (drop-off, time buckets, durations) is
streamed as narrow rows (`yield_per`), never as full lead records. Same code on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, and_, case, cast, func, select
from sqlalchemy.orm import Session

from bot.domain import FINISHED, IN_PROGRESS, STOPPED, utcnow
from bot.domain.booking import BOOKED
from bot.storage.convert import aware
from bot.storage.history import CHUNK, in_period, latest_outcomes, latest_verdicts
from bot.storage.tables import AnswerRow, BookingRow, FeedbackRow, HandoffRow, LeadRow
from bot.storage.widget import WidgetEventStore

IDLE = timedelta(minutes=30)  # an unfinished conversation this quiet counts as left
UTM_FIELDS = ("utm_source", "utm_campaign")


@dataclass(frozen=True)
class Timing:
    """One handed-off lead's clocks, in minutes (None: that step has not happened)."""

    started_at: datetime
    system_minutes: float | None  # closed with a tier -> delivered to every channel
    human_minutes: float | None  # delivered -> sales' first verdict


@dataclass(frozen=True)
class SourceTally:
    value: str
    leads: int
    sales_ready: int
    accepted: int
    judged: int  # leads with a verdict
    won: int = 0


@dataclass(frozen=True)
class BookingTally:
    """A lead's meeting (docs/booking.md): where it stands and how long after the chat it was booked."""

    booked: bool  # False: cancelled since
    minutes_to_book: float | None  # the chat's end -> the first booking
    reschedules: int


@dataclass
class HealthFigures:
    """Raw figures; `bot.insights.health` puts them in the SLA's order and words."""

    widget_opened: int = 0  # the widget's beacons (bot/storage/widget.py), per day
    first_message: int = 0
    started: int = 0
    answered: dict[str, int] = field(default_factory=dict)  # criterion -> leads that answered it
    finished: int = 0
    sales_ready: int = 0
    delivered: int = 0
    accepted: int = 0
    rejected: int = 0
    won: int = 0  # leads whose latest outcome is "won"
    left_with: dict[frozenset[str], int] = field(default_factory=dict)  # answered set -> leads that left
    tiers_by_day: dict[tuple[date, str], int] = field(default_factory=dict)
    verdicts_by_tier: dict[tuple[str, str], int] = field(default_factory=dict)  # (tier, verdict) -> leads
    won_by_tier: dict[str, int] = field(default_factory=dict)
    by_rule: dict[tuple[str, str, str | None], int] = field(default_factory=dict)  # (criterion, rule, verdict)
    won_by_rule: dict[tuple[str, str], int] = field(default_factory=dict)  # (criterion, rule) -> leads won
    rejection_reasons: list[tuple[str, int]] = field(default_factory=list)
    timings: list[Timing] = field(default_factory=list)
    sources: dict[str, list[SourceTally]] = field(default_factory=dict)  # utm field / landing_page -> tallies
    bookings: list[BookingTally] = field(default_factory=list)  # one per handed-off lead with a booking


Progress = Callable[[int], None]


class HealthStore(WidgetEventStore):
    """`leadbot report`'s SLA-health figures over leads started in [since, until)."""

    def health(
        self,
        *,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
        now: datetime | None = None,
        on_progress: Progress | None = None,
    ) -> HealthFigures:
        now = now or utcnow()
        figures = HealthFigures()
        verdicts, outcomes = latest_verdicts(), latest_outcomes()
        tick = on_progress or (lambda _n: None)
        beacons = self.widget_events(since=since, until=until)
        figures.widget_opened, figures.first_message = beacons["widget_opened"], beacons["first_message"]
        with self.session() as session:
            self._funnel(session, figures, verdicts, outcomes, since, until)
            tick(1)
            self._drop_off(session, figures, since, until, now)
            tick(1)
            self._tier_mix(session, figures, since, until)
            tick(1)
            self._acceptance(session, figures, verdicts, outcomes, since, until)
            tick(1)
            self._speed(session, figures, since, until)
            tick(1)
            self._sources(session, figures, verdicts, outcomes, since, until)
            tick(1)
            self._bookings(session, figures, since, until)
            tick(1)
        return figures

    STEPS = 7  # progress ticks `health` reports

    @staticmethod
    def _funnel(session: Session, figures: HealthFigures, verdicts: Any, outcomes: Any, since: Any, until: Any) -> None:
        row = session.execute(
            in_period(
                select(
                    func.count(LeadRow.id),
                    func.sum(case((LeadRow.status.in_(FINISHED), 1), else_=0)),
                    func.sum(case((LeadRow.status == "sales_ready", 1), else_=0)),
                    func.sum(case((HandoffRow.status == "sent", 1), else_=0)),
                    func.sum(case((verdicts.c.verdict == "accept", 1), else_=0)),
                    func.sum(case((verdicts.c.verdict == "reject", 1), else_=0)),
                    func.sum(case((outcomes.c.outcome == "won", 1), else_=0)),
                )
                .outerjoin(HandoffRow, HandoffRow.lead_id == LeadRow.id)
                .outerjoin(verdicts, verdicts.c.lead_id == LeadRow.id)
                .outerjoin(outcomes, outcomes.c.lead_id == LeadRow.id),
                since,
                until,
            )
        ).one()
        figures.started, figures.finished, figures.sales_ready, figures.delivered = (int(v or 0) for v in row[:4])
        figures.accepted, figures.rejected, figures.won = (int(v or 0) for v in row[4:7])
        answered = in_period(
            select(AnswerRow.criterion, func.count(AnswerRow.id))
            .join(LeadRow, LeadRow.id == AnswerRow.lead_id)
            .where(AnswerRow.raw != "")
            .group_by(AnswerRow.criterion),
            since,
            until,
        )
        figures.answered = {criterion: int(n) for criterion, n in session.execute(answered)}

    @staticmethod
    def _drop_off(session: Session, figures: HealthFigures, since: Any, until: Any, now: datetime) -> None:
        # A visitor who stopped, or went quiet before the end, left at the first question of
        # the SLA they had not answered: the form asks in order and skips what was answered.
        query = in_period(
            select(LeadRow.id, AnswerRow.criterion)
            .outerjoin(AnswerRow, and_(AnswerRow.lead_id == LeadRow.id, AnswerRow.raw != ""))
            .where((LeadRow.status == STOPPED) | ((LeadRow.status == IN_PROGRESS) & (LeadRow.updated_at < now - IDLE)))
            .order_by(LeadRow.id),
            since,
            until,
        )
        current: int | None = None
        answered: set[str] = set()

        def close() -> None:
            if current is not None:
                key = frozenset(answered)
                figures.left_with[key] = figures.left_with.get(key, 0) + 1

        for lead_id, criterion in session.execute(query).yield_per(CHUNK):
            if lead_id != current:
                close()
                current, answered = lead_id, set()
            if criterion is not None:
                answered.add(criterion)
        close()

    @staticmethod
    def _tier_mix(session: Session, figures: HealthFigures, since: Any, until: Any) -> None:
        # Counted per UTC day in SQL: a few hundred rows come back instead of one per lead.
        day = utc_day(LeadRow.started_at, session.get_bind().dialect.name)
        query = in_period(
            select(day, LeadRow.status, func.count(LeadRow.id))
            .where(LeadRow.status.in_(FINISHED))
            .group_by(day, LeadRow.status),
            since,
            until,
        )
        tiers = figures.tiers_by_day
        for started_on, tier, n in session.execute(query):
            key = (started_on if isinstance(started_on, date) else date.fromisoformat(str(started_on)), tier)
            tiers[key] = tiers.get(key, 0) + int(n)

    @staticmethod
    def _acceptance(
        session: Session, figures: HealthFigures, verdicts: Any, outcomes: Any, since: Any, until: Any
    ) -> None:
        by_tier = in_period(
            select(LeadRow.tier, verdicts.c.verdict, func.count(LeadRow.id))
            .join(verdicts, verdicts.c.lead_id == LeadRow.id)
            .group_by(LeadRow.tier, verdicts.c.verdict),
            since,
            until,
        )
        figures.verdicts_by_tier = {(tier or "none", verdict): int(n) for tier, verdict, n in session.execute(by_tier)}
        # Every finished lead's answers per rule, then the judged ones per verdict (starting from
        # the few judged leads); the unjudged are the difference. One outer join of every answer
        # to the verdicts' window took longer than both together.
        answered = in_period(
            select(AnswerRow.criterion, AnswerRow.rule, func.count(AnswerRow.id))
            .join(LeadRow, LeadRow.id == AnswerRow.lead_id)
            .where(LeadRow.status.in_(FINISHED))
            .group_by(AnswerRow.criterion, AnswerRow.rule),
            since,
            until,
        )
        judged = in_period(
            select(AnswerRow.criterion, AnswerRow.rule, verdicts.c.verdict, func.count(AnswerRow.id))
            .select_from(verdicts)
            .join(AnswerRow, AnswerRow.lead_id == verdicts.c.lead_id)
            .join(LeadRow, LeadRow.id == AnswerRow.lead_id)
            .where(LeadRow.status.in_(FINISHED))
            .group_by(AnswerRow.criterion, AnswerRow.rule, verdicts.c.verdict),
            since,
            until,
        )
        by_rule: dict[tuple[str, str, str | None], int] = {}
        unjudged = {(c, r or "none"): int(n) for c, r, n in session.execute(answered)}
        for c, r, v, n in session.execute(judged):
            rule = r or "none"
            by_rule[(c, rule, v)] = by_rule.get((c, rule, v), 0) + int(n)
            unjudged[(c, rule)] = unjudged.get((c, rule), 0) - int(n)
        by_rule.update({(c, rule, None): n for (c, rule), n in unjudged.items() if n})
        figures.by_rule = by_rule
        won = outcomes.c.outcome == "won"
        won_by_tier = in_period(
            select(LeadRow.tier, func.count(LeadRow.id))
            .join(outcomes, outcomes.c.lead_id == LeadRow.id)
            .where(won)
            .group_by(LeadRow.tier),
            since,
            until,
        )
        figures.won_by_tier = {tier or "none": int(n) for tier, n in session.execute(won_by_tier)}
        won_by_rule = in_period(
            select(AnswerRow.criterion, AnswerRow.rule, func.count(AnswerRow.id))
            .join(LeadRow, LeadRow.id == AnswerRow.lead_id)
            .join(outcomes, outcomes.c.lead_id == AnswerRow.lead_id)
            .where(LeadRow.status.in_(FINISHED), won)
            .group_by(AnswerRow.criterion, AnswerRow.rule),
            since,
            until,
        )
        figures.won_by_rule = {(c, r or "none"): int(n) for c, r, n in session.execute(won_by_rule)}
        reason = func.trim(verdicts.c.reason)
        reasons = in_period(
            select(reason, func.count(LeadRow.id))
            .join(verdicts, verdicts.c.lead_id == LeadRow.id)
            .where(verdicts.c.verdict == "reject")
            .group_by(reason)
            .order_by(func.count(LeadRow.id).desc(), reason)
            .limit(10),
            since,
            until,
        )
        figures.rejection_reasons = [(text or "", int(n)) for text, n in session.execute(reasons)]

    @staticmethod
    def _speed(session: Session, figures: HealthFigures, since: Any, until: Any) -> None:
        first = (
            select(FeedbackRow.lead_id, func.min(FeedbackRow.at).label("at")).group_by(FeedbackRow.lead_id).subquery()
        )
        query = in_period(
            select(LeadRow.started_at, LeadRow.finished_at, HandoffRow.created_at, HandoffRow.sent_at, first.c.at)
            .join(HandoffRow, HandoffRow.lead_id == LeadRow.id)
            .outerjoin(first, first.c.lead_id == LeadRow.id),
            since,
            until,
        )
        for started, finished, created, sent, verdict_at in session.execute(query).yield_per(CHUNK):
            tiered = aware(finished or created)
            delivered = aware(sent) if sent else None
            judged = aware(verdict_at) if verdict_at else None
            figures.timings.append(
                Timing(
                    started_at=aware(started),
                    system_minutes=_minutes(tiered, delivered),
                    human_minutes=_minutes(delivered, judged),
                )
            )

    @staticmethod
    def _sources(
        session: Session, figures: HealthFigures, verdicts: Any, outcomes: Any, since: Any, until: Any
    ) -> None:
        columns = {name: LeadRow.page_context[("utm", name)].as_string() for name in UTM_FIELDS}
        columns["landing_page"] = LeadRow.page_context["landing_page"].as_string()
        for name, column in columns.items():
            query = in_period(
                select(
                    column,
                    func.count(LeadRow.id),
                    func.sum(case((LeadRow.status == "sales_ready", 1), else_=0)),
                    func.sum(case((verdicts.c.verdict == "accept", 1), else_=0)),
                    func.count(verdicts.c.verdict),
                    func.sum(case((outcomes.c.outcome == "won", 1), else_=0)),
                )
                .outerjoin(verdicts, verdicts.c.lead_id == LeadRow.id)
                .outerjoin(outcomes, outcomes.c.lead_id == LeadRow.id)
                .group_by(column),
                since,
                until,
            )
            figures.sources[name] = [
                SourceTally(value or "", int(n), int(ready or 0), int(accepted or 0), int(judged or 0), int(won or 0))
                for value, n, ready, accepted, judged, won in session.execute(query)
            ]

    @staticmethod
    def _bookings(session: Session, figures: HealthFigures, since: Any, until: Any) -> None:
        # Booking links are offered in the handoff closings, so the handed-off leads (counted in
        # `timings`) are the ones that could book; a booking by email of another lead still counts.
        query = in_period(
            select(LeadRow.finished_at, BookingRow.status, BookingRow.booked_at, BookingRow.reschedules).join(
                BookingRow, BookingRow.lead_id == LeadRow.id
            ),
            since,
            until,
        )
        for finished, status, booked_at, reschedules in session.execute(query).yield_per(CHUNK):
            figures.bookings.append(
                BookingTally(
                    booked=status == BOOKED,
                    minutes_to_book=_minutes(aware(finished), aware(booked_at)) if finished else None,
                    reschedules=int(reschedules or 0),
                )
            )


def utc_day(column: Any, dialect: str) -> Any:
    """The UTC calendar day of a `UTCDateTime` column, in SQL. SQLite keeps naive UTC text
    (`date()` reads its first ten characters); PostgreSQL's timestamptz is turned to UTC first,
    since `date()` there follows the session's time zone."""
    if dialect == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds() / 60)
