"""The leads database schema as SQLAlchemy models: leads, answers, handoffs, attempts, feedback, users,
widget beacon counts.

The schema itself is owned by the Alembic migrations next to this module (`migrations/`);
these classes must match them column for column.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship


class UTCDateTime(TypeDecorator):  # type: ignore[misc]
    """Timezone-aware UTC in and out, also on SQLite (which stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class VisitorText(TypeDecorator):  # type: ignore[misc]
    """Text that may hold what a visitor typed: NUL characters are dropped on the way in.

    PostgreSQL refuses a string with NUL (psycopg2 raises ValueError before the query runs), so
    one "\\x00" in a message would make the action that saves the lead fail."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return value.replace("\x00", "") if isinstance(value, str) else value


class VisitorString(VisitorText):  # type: ignore[misc]
    """A bounded `VisitorText` (the conversation id comes from the client)."""

    impl = String
    cache_ok = True


Base: Any = declarative_base()


class LeadRow(Base):
    __tablename__ = "leads"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(VisitorString(255), nullable=False, unique=True)
    started_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)
    finished_at = Column(UTCDateTime)
    last_answer_at = Column(UTCDateTime)
    language = Column(String(16), nullable=False, default="en")
    status = Column(String(32), nullable=False, default="in_progress")
    score = Column(Integer, nullable=False, default=0)
    tier = Column(String(32))
    knocked_out_by = Column(String(64))
    qualified = Column(Boolean, nullable=False, default=False)
    human_requested = Column(Boolean, nullable=False, default=False)
    visitor_questions = Column(JSON)  # what the visitor asked us, passed on to sales
    resource = Column(JSON)  # {title, url, rule}: what a nurture/disqualified close offered
    contact_consent = Column(Boolean)
    contact_name = Column(VisitorText)
    contact_email = Column(VisitorText)
    contact_company = Column(VisitorText)
    currency = Column(String(8))
    page_context = Column(JSON)
    transcript = Column(JSON)
    breakdown = Column(JSON)
    summary = Column(VisitorText)

    answers = relationship("AnswerRow", cascade="all, delete-orphan", passive_deletes=True)
    handoff = relationship("HandoffRow", uselist=False, cascade="all, delete-orphan", passive_deletes=True)
    feedback = relationship(
        "FeedbackRow", cascade="all, delete-orphan", passive_deletes=True, order_by="FeedbackRow.at"
    )


class AnswerRow(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("lead_id", "criterion", name="uq_answers_lead_criterion"),)

    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True)
    criterion = Column(String(64), nullable=False)
    raw = Column(VisitorText, nullable=False)
    kind = Column(String(16), nullable=False)
    # Two typed columns, not one JSON column: SQLite's numeric affinity would turn 20000.0 into 20000.
    value_text = Column(VisitorText)
    value_number = Column(Float)
    currency = Column(String(8))
    amount = Column(Float)
    period = Column(String(16))
    points = Column(Integer, nullable=False, default=0)
    max_points = Column(Integer, nullable=False, default=0)
    rule = Column(Text, nullable=False, default="")
    explanation = Column(VisitorText, nullable=False, default="")
    confidence = Column(Float, nullable=False, default=0.0)
    reason = Column(VisitorText, nullable=False, default="")
    knock_out = Column(Boolean, nullable=False, default=False)
    extra = Column(JSON)
    updated_at = Column(UTCDateTime, nullable=False)


class HandoffRow(Base):
    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, unique=True)
    idempotency_key = Column(String(36), nullable=False, unique=True)
    channels = Column(JSON, nullable=False)  # targets at creation; refilled from config if empty
    delivered = Column(JSON, nullable=False)  # channel -> ISO time accepted
    payload = Column(JSON, nullable=False)
    status = Column(String(16), nullable=False, default="pending", index=True)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime, index=True)
    claimed_until = Column(UTCDateTime)
    claimed_by = Column(String(64))  # the worker, for people reading the table
    claim_token = Column(String(36))  # fences the writes of the current claim (bot/storage/outbox.py)
    sending = Column(JSON)  # channel -> {"token", "until"}: a send on the wire, not yet recorded
    last_error = Column(Text)
    sent_at = Column(UTCDateTime)
    created_at = Column(UTCDateTime, nullable=False)

    lead = relationship("LeadRow", back_populates=None, viewonly=True)
    attempts_log = relationship(
        "DeliveryAttemptRow", cascade="all, delete-orphan", passive_deletes=True, order_by="DeliveryAttemptRow.id"
    )


class DeliveryAttemptRow(Base):
    __tablename__ = "delivery_attempts"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    at = Column(UTCDateTime, nullable=False)
    ok = Column(Boolean, nullable=False)
    status_code = Column(Integer)
    error = Column(Text)
    duration_ms = Column(Float, nullable=False, default=0.0)


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True)
    verdict = Column(String(16), nullable=False)
    reason = Column(VisitorText, nullable=False, default="")
    by = Column(Text)
    at = Column(UTCDateTime, nullable=False)
    reason_code = Column(String(64))  # a key of the SLA's verdict_reasons, when one was picked


class UserRow(Base):
    """A console account: sales, marketing or admin (`leadbot users`)."""

    __tablename__ = "users"

    id = Column(Integer, primary_key=True)
    email = Column(String(320), nullable=False, unique=True)
    name = Column(Text, nullable=False, default="")
    role = Column(String(16), nullable=False)
    password_hash = Column(Text, nullable=False)  # argon2id, from bot/web/passwords.py
    active = Column(Boolean, nullable=False, default=True)
    # Bumped by a new password or a disable: the sessions signed before it stop working.
    session_epoch = Column(Integer, nullable=False, default=0)
    created_at = Column(UTCDateTime, nullable=False)
    last_login_at = Column(UTCDateTime)


class VerdictLinkUseRow(Base):
    """A one-click verdict link that was used: the same link is refused afterwards."""

    __tablename__ = "verdict_link_uses"

    nonce = Column(String(64), primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True)
    feedback_id = Column(Integer, ForeignKey("feedback.id", ondelete="CASCADE"))
    used_at = Column(UTCDateTime, nullable=False)


class OutcomeRow(Base):
    """What became of a lead after the verdict (meeting held, opportunity, won, lost); latest wins."""

    __tablename__ = "lead_outcomes"

    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True)
    outcome = Column(String(32), nullable=False)
    note = Column(VisitorText, nullable=False, default="")
    by = Column(Text)
    at = Column(UTCDateTime, nullable=False)


class WidgetEventRow(Base):
    """How many times the widget said "opened" or "first message" on a UTC day (its beacon).

    A counter, not a log: nothing here points at a visitor or a lead (bot/storage/widget.py)."""

    __tablename__ = "widget_events"

    day = Column(Date, primary_key=True)
    event = Column(String(32), primary_key=True)
    count = Column(Integer, nullable=False, default=0)


class BookingRow(Base):
    """A lead's booked meeting (docs/booking.md): set by a signed booking webhook, one per lead."""

    __tablename__ = "bookings"

    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True)
    provider = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False)  # booked | cancelled
    event_uid = Column(String(255), nullable=False, index=True)  # the provider's meeting id
    starts_at = Column(UTCDateTime)
    ends_at = Column(UTCDateTime)
    booked_at = Column(UTCDateTime, nullable=False)  # the first booking: time from chat to booking
    reschedules = Column(Integer, nullable=False, default=0)
    updated_at = Column(UTCDateTime, nullable=False)


class BookingDeliveryRow(Base):
    """A booking webhook delivery already applied: the same delivery again is a replay."""

    __tablename__ = "booking_deliveries"

    key = Column(String(128), primary_key=True)  # provider:sha256 of the signed body
    provider = Column(String(16), nullable=False)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    received_at = Column(UTCDateTime, nullable=False)


class AssignmentRow(Base):
    """One routing decision for a lead (bot/storage/routing.py); the latest is `current`."""

    __tablename__ = "lead_assignments"

    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True)
    current = Column(Boolean, nullable=False, default=True, index=True)
    attempt = Column(Integer, nullable=False, default=0)  # 0 routed, 1 reassigned, 2 default owner
    rep_id = Column(String(64), index=True)  # None: a CRM owner who is not in routing.yml
    rep_name = Column(Text, nullable=False, default="")
    rep_email = Column(String(320))
    slack_user_id = Column(String(32))
    pool = Column(String(64))
    pool_email = Column(String(320))
    booking_url = Column(Text)
    rule = Column(Text, nullable=False, default="")
    target = Column(String(32), nullable=False)
    reason = Column(Text, nullable=False, default="")
    candidates = Column(JSON)  # [{rep, eligible, why}]
    steps = Column(JSON)  # the rules tried before, and why each passed the lead on
    outside_hours = Column(Boolean, nullable=False, default=False)
    assigned_at = Column(UTCDateTime, nullable=False)
    deliver_at = Column(UTCDateTime)  # held until the pool opens
    respond_by = Column(UTCDateTime, index=True)  # no verdict by then: reassigned (None: never)
    respond_minutes = Column(Integer)  # counted from the handoff's delivery to the rep
    ended = Column(Text)  # why it stopped being current


class RoundRobinRow(Base):
    """How many leads a rep of a pool was given, and when last (the pool's turn number)."""

    __tablename__ = "routing_counters"

    pool = Column(String(64), primary_key=True)
    rep_id = Column(String(64), primary_key=True)
    assigned = Column(Integer, nullable=False, default=0)
    last_turn = Column(Integer, nullable=False, default=0)


class RoutingPoolRow(Base):
    """One row per pool: the row lock every round-robin pick in that pool takes first."""

    __tablename__ = "routing_pools"

    pool = Column(String(64), primary_key=True)
    turns = Column(Integer, nullable=False, default=0)
