"""The leads database: conversations, answers, the handoff outbox, delivery attempts, feedback.

SQLAlchemy 1.4 in 2.0 style; the schema is owned by the Alembic migrations in `bot/migrations`,
applied (`upgrade head`) the first time a process opens a database URL.
"""

from __future__ import annotations

import builtins
import json
import logging
import re
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, declarative_base, relationship, sessionmaker
from sqlalchemy.pool import StaticPool

from bot.parse.base import Answer
from bot.settings import Settings, current_settings

if TYPE_CHECKING:
    from bot.scoring import Score
    from bot.sla import SLA

log = logging.getLogger(__name__)

LEAD_STATUSES = ("in_progress", "sales_ready", "nurture", "disqualified", "stopped")
HANDOFF_STATUSES = ("pending", "sent", "dead")
VERDICTS = ("accept", "reject")
CORE_CRITERIA = ("need", "budget", "role", "timing")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --------------------------------------------------------------------------- public records


@dataclass(frozen=True)
class Contact:
    name: str | None
    email: str | None
    company: str | None


@dataclass(frozen=True)
class Turn:
    speaker: str  # "visitor" | "bot"
    text: str
    at: datetime


@dataclass(frozen=True)
class LeadSnapshot:
    """The state of one conversation as the Rasa actions see it, written after every turn."""

    conversation_id: str
    started_at: datetime
    language: str
    answers: Mapping[str, Answer]
    score: Score
    contact: Contact | None = None
    contact_consent: bool | None = None
    # widget metadata: {"page": {url, path, title, referrer}, "utm": {...}, "pages": [...], "language"}
    page_context: Mapping[str, Any] | None = None
    human_requested: bool = False
    transcript: Sequence[Turn] = ()
    status: str = "in_progress"  # in_progress | sales_ready | nurture | disqualified | stopped


@dataclass(frozen=True)
class AnswerRecord:
    criterion: str
    raw: str
    kind: str
    value: str | float | None
    currency: str | None  # the currency the visitor used, before conversion
    amount: float | None
    period: str | None
    points: int
    max_points: int
    rule: str
    explanation: str
    confidence: float
    reason: str
    knock_out: bool
    extra: Mapping[str, str]
    updated_at: datetime


@dataclass(frozen=True)
class CriterionRecord:
    """One line of the score breakdown (answered or not), as scored when last saved."""

    criterion: str
    points: int
    max_points: int
    rule: str
    explanation: str
    knock_out: bool = False


@dataclass(frozen=True)
class DeliveryAttempt:
    id: int
    handoff_id: int
    channel: str
    at: datetime
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: float


@dataclass(frozen=True)
class Handoff:
    id: int
    lead_id: int
    conversation_id: str
    idempotency_key: str
    channels: tuple[str, ...]
    delivered: Mapping[str, str]  # channel -> ISO time it was accepted
    payload: Mapping[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    created_at: datetime
    last_error: str | None


@dataclass(frozen=True)
class Feedback:
    id: int
    lead_id: int
    verdict: str
    reason: str
    by: str | None
    at: datetime


@dataclass(frozen=True)
class Lead:
    """A lead as read back from the database (detached: safe to pass around)."""

    id: int
    conversation_id: str
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    last_answer_at: datetime | None
    language: str
    status: str
    score: int
    tier: str | None
    knocked_out_by: str | None
    qualified: bool
    human_requested: bool
    contact_consent: bool | None
    contact: Contact | None
    currency: str | None
    page_context: Mapping[str, Any]
    transcript: tuple[Turn, ...]
    answers: Mapping[str, AnswerRecord]
    breakdown: tuple[CriterionRecord, ...]
    summary: str | None
    handoff: Handoff | None = None
    feedback: tuple[Feedback, ...] = ()

    @property
    def handed_off(self) -> bool:
        return self.handoff is not None


LeadRecord = Lead


@dataclass(frozen=True)
class Report:
    """`leadbot report` numbers; see `LeadStore.report` for the definitions."""

    since: datetime | None
    until: datetime | None
    leads: int
    per_tier: Mapping[str, int]
    per_status: Mapping[str, int]
    handoffs_sent: int
    handoffs_pending: int
    handoffs_dead: int
    accepted: int
    rejected: int
    delivery_minutes_median: float | None
    delivery_minutes_p95: float | None
    follow_up_within_minutes: int | None
    follow_up_met: int
    follow_up_breached: int
    follow_up_open: int

    @property
    def acceptance_rate(self) -> float | None:
        judged = self.accepted + self.rejected
        return None if judged == 0 else self.accepted / judged


@dataclass(frozen=True)
class ForgetResult:
    conversation_ids: tuple[str, ...]
    leads: int
    answers: int
    handoffs: int
    delivery_attempts: int
    feedback: int
    tracker_events: int | None  # None: no tracker store configured
    details: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- ORM models


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


Base: Any = declarative_base()


class LeadRow(Base):
    __tablename__ = "leads"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, unique=True)
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
    contact_consent = Column(Boolean)
    contact_name = Column(Text)
    contact_email = Column(Text)
    contact_company = Column(Text)
    currency = Column(String(8))
    page_context = Column(JSON)
    transcript = Column(JSON)
    breakdown = Column(JSON)
    summary = Column(Text)

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
    raw = Column(Text, nullable=False)
    kind = Column(String(16), nullable=False)
    # Two typed columns, not one JSON column: SQLite's numeric affinity would turn 20000.0 into 20000.
    value_text = Column(Text)
    value_number = Column(Float)
    currency = Column(String(8))
    amount = Column(Float)
    period = Column(String(16))
    points = Column(Integer, nullable=False, default=0)
    max_points = Column(Integer, nullable=False, default=0)
    rule = Column(Text, nullable=False, default="")
    explanation = Column(Text, nullable=False, default="")
    confidence = Column(Float, nullable=False, default=0.0)
    reason = Column(Text, nullable=False, default="")
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
    claimed_by = Column(String(64))
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
    reason = Column(Text, nullable=False, default="")
    by = Column(Text)
    at = Column(UTCDateTime, nullable=False)


# --------------------------------------------------------------------------- engines


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def engine_for(url: str) -> Engine:
    """One engine per URL per process, migrated to head on first use."""
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _create_engine(url)
            migrate(engine)
            _ENGINES[url] = engine
        return engine


def dispose_engines() -> None:
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            future=True,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=StaticPool if memory else None,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            if not memory:
                # WAL lets the worker read while the action server writes.
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """`alembic upgrade head` on this engine, configured in code so it works when installed."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Several processes (actions, worker, CLI) may open a fresh database at once.
            connection.execute(text("SELECT pg_advisory_xact_lock(7420501)"))
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


# --------------------------------------------------------------------------- the store


class LeadStore:
    """Everything the actions, the worker and the CLI read or write about leads."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or current_settings().database_url
        self.engine = engine_for(self.url)
        self._sessions = sessionmaker(self.engine, future=True, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    @property
    def dialect(self) -> str:
        return str(self.engine.dialect.name)

    # ------------------------------------------------------------------ writes from the actions

    def save(self, snapshot: LeadSnapshot) -> None:
        """Upsert the lead and its answers; called after every visitor turn."""
        self._retry_on_race(lambda s: self._upsert(s, snapshot))

    def finish(self, snapshot: LeadSnapshot, *, sla: SLA, handoff: bool) -> Lead:
        """Write the final state; with `handoff`, queue it in the outbox in the same transaction.

        Idempotent: a handoff row is unique per lead, so a second call never queues a second one.
        """

        def _do(session: Session) -> int:
            row = self._upsert(session, snapshot)
            row.finished_at = row.finished_at or utcnow()
            row.currency = sla.currency
            session.flush()
            record = _to_lead(row)
            row.summary = _render_summary(record, sla.sales_language, "text")
            if handoff and row.handoff is None:
                self._queue_handoff(session, row, sla)
            elif (
                not handoff
                and row.handoff is not None
                and row.handoff.status == "pending"
                and not row.handoff.delivered
            ):
                # A late correction took the lead below sales-ready before any channel got it:
                # sales must not receive a lead the visitor was just told is not a fit.
                log.info("lead %s: queued handoff cancelled, tier is now %s", row.conversation_id, row.tier)
                session.delete(row.handoff)
                row.handoff = None
            return int(row.id)

        lead_id = self._retry_on_race(_do)
        lead = self.get(lead_id)
        assert lead is not None
        return lead

    def reset(self, conversation_id: str) -> None:
        """ "Start over": forget the answers and the score, keep the lead row (and any handoff)."""
        with self.session() as session:
            row = session.execute(
                select(LeadRow).where(LeadRow.conversation_id == conversation_id)
            ).scalar_one_or_none()
            if row is None:
                return
            session.execute(delete(AnswerRow).where(AnswerRow.lead_id == row.id))
            row.score = 0
            row.tier = None
            row.knocked_out_by = None
            row.qualified = False
            row.breakdown = []
            row.status = "in_progress"
            row.finished_at = None
            row.summary = None
            row.updated_at = utcnow()

    def _retry_on_race(self, fn: Any) -> Any:
        # Two processes may insert the same conversation (or handoff) at once: the unique
        # constraint makes one lose; its retry then sees the winner's row and updates it.
        for attempt in range(3):
            try:
                with self.session() as session:
                    return fn(session)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _upsert(self, session: Session, snapshot: LeadSnapshot) -> LeadRow:
        if snapshot.status not in LEAD_STATUSES:
            raise ValueError(f"unknown lead status {snapshot.status!r}")
        now = utcnow()
        row = session.execute(
            select(LeadRow).where(LeadRow.conversation_id == snapshot.conversation_id)
        ).scalar_one_or_none()
        if row is None:
            row = LeadRow(
                conversation_id=snapshot.conversation_id, started_at=snapshot.started_at, human_requested=False
            )
            session.add(row)
        row.updated_at = now
        row.language = snapshot.language
        row.status = snapshot.status
        row.score = int(snapshot.score.total)
        row.tier = _enum_value(snapshot.score.tier)
        row.knocked_out_by = snapshot.score.knocked_out_by
        row.qualified = bool(snapshot.score.qualified)
        row.human_requested = bool(row.human_requested) or snapshot.human_requested
        row.contact_consent = snapshot.contact_consent
        # Contact details are personal data: kept only with the visitor's consent.
        keep = snapshot.contact_consent is True and snapshot.contact is not None
        contact = snapshot.contact if keep else None
        row.contact_name = contact.name if contact else None
        row.contact_email = contact.email if contact else None
        row.contact_company = contact.company if contact else None
        if snapshot.page_context is not None:
            row.page_context = _jsonable(snapshot.page_context)
        if snapshot.transcript:
            row.transcript = [{"speaker": t.speaker, "text": t.text, "at": _iso(t.at)} for t in snapshot.transcript]
        row.breakdown = [
            {
                "criterion": c.criterion,
                "points": int(c.points),
                "max_points": int(c.max_points),
                "rule": c.rule,
                "explanation": c.explanation,
                "knock_out": bool(c.knock_out),
            }
            for c in snapshot.score.breakdown
        ]
        session.flush()
        if self._sync_answers(session, row, snapshot, now):
            row.last_answer_at = now
        return row

    def _sync_answers(self, session: Session, row: LeadRow, snapshot: LeadSnapshot, now: datetime) -> bool:
        existing = {a.criterion: a for a in row.answers}
        changed = False
        for name, answer in snapshot.answers.items():
            scored = snapshot.score.criterion(name)
            answer_row = existing.pop(name, None)
            if answer_row is None:
                answer_row = AnswerRow(lead_id=row.id, criterion=name)
                row.answers.append(answer_row)
                changed = True
            elif answer_row.raw != answer.raw:
                changed = True
            answer_row.raw = answer.raw
            answer_row.kind = _enum_value(answer.kind)
            is_number = isinstance(answer.value, (int, float)) and not isinstance(answer.value, bool)
            answer_row.value_number = float(answer.value) if is_number else None  # type: ignore[arg-type]
            answer_row.value_text = None if is_number or answer.value is None else str(answer.value)
            answer_row.currency = answer.currency
            answer_row.amount = answer.amount
            answer_row.period = answer.period
            answer_row.confidence = float(answer.confidence)
            answer_row.reason = answer.reason
            answer_row.extra = dict(answer.extra)
            answer_row.points = int(scored.points) if scored else 0
            answer_row.max_points = int(scored.max_points) if scored else 0
            answer_row.rule = scored.rule if scored else ""
            answer_row.explanation = scored.explanation if scored else ""
            answer_row.knock_out = bool(scored.knock_out) if scored else False
            answer_row.updated_at = now
        for stale in existing.values():
            row.answers.remove(stale)
            session.delete(stale)
        return changed

    def _queue_handoff(self, session: Session, row: LeadRow, sla: SLA) -> None:
        settings = current_settings()
        handoff_row = HandoffRow(
            lead_id=row.id,
            idempotency_key=str(uuid.uuid4()),
            channels=list(configured_channels(settings)),
            delivered={},
            payload={},
            status="pending",
            attempts=0,
            next_attempt_at=utcnow(),
            created_at=utcnow(),
        )
        session.add(handoff_row)
        session.flush()
        row.handoff = handoff_row
        record = _to_lead(row)
        handoff_row.payload = handoff_payload(record, sla.sales_language, settings)

    # ------------------------------------------------------------------ reads

    def get(self, conversation_id_or_lead_id: str | int) -> Lead | None:
        with self.session() as session:
            row = self._find(session, conversation_id_or_lead_id)
            return _to_lead(row) if row is not None else None

    def _find(self, session: Session, key: str | int) -> LeadRow | None:
        if isinstance(key, str):
            row = session.execute(select(LeadRow).where(LeadRow.conversation_id == key)).scalar_one_or_none()
            if row is not None or not key.isdigit():
                return row
            key = int(key)
        return session.get(LeadRow, key)

    def list(
        self,
        *,
        tier: str | None = None,
        status: str | None = None,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
        handed_off: bool | None = None,
        answered_only: bool = False,
        limit: int | None = None,
    ) -> builtins.list[Lead]:
        """Leads, newest first; `since`/`until` bound `started_at` ([since, until))."""
        query = select(LeadRow).order_by(LeadRow.started_at.desc(), LeadRow.id.desc())
        if tier is not None:
            query = query.where(LeadRow.tier == tier)
        if status is not None:
            query = query.where(LeadRow.status == status)
        if since is not None:
            query = query.where(LeadRow.started_at >= _as_datetime(since))
        if until is not None:
            query = query.where(LeadRow.started_at < _as_datetime(until))
        if handed_off is True:
            query = query.where(LeadRow.handoff.has())
        elif handed_off is False:
            query = query.where(~LeadRow.handoff.has())
        if answered_only:
            query = query.where(LeadRow.answers.any())
        if limit is not None:
            query = query.limit(limit)
        with self.session() as session:
            return [_to_lead(row) for row in session.execute(query).scalars().unique()]

    def export(self, *, sla: SLA | None = None, **filters: Any) -> builtins.list[dict[str, Any]]:
        """The DESIGN.md lead objects, oldest first, for conversations with at least one answer."""
        leads = self.list(answered_only=True, **filters)
        language = sla.sales_language if sla is not None else "en"
        currency = sla.currency if sla is not None else None
        return [export_object(lead, language=language, currency=currency) for lead in reversed(leads)]

    # ------------------------------------------------------------------ feedback

    def feedback(self, lead: str | int, verdict: str, reason: str = "", by: str | None = None) -> Feedback:
        """Record sales' verdict on a lead; raises LookupError for an unknown lead."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
        with self.session() as session:
            row = self._find(session, lead)
            if row is None:
                raise LookupError(f"no lead {lead!r}")
            fb = FeedbackRow(lead_id=row.id, verdict=verdict, reason=reason or "", by=by, at=utcnow())
            session.add(fb)
            session.flush()
            return _to_feedback(fb)

    # ------------------------------------------------------------------ report

    def report(
        self,
        *,
        follow_up_minutes: int | None = None,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
        now: datetime | None = None,
    ) -> Report:
        """Numbers for `leadbot report`, over leads started in [since, until).

        - per tier / status: every lead with a tier (in-progress ones included).
        - handoffs sent / pending / dead: the outbox rows of those leads.
        - acceptance: the latest verdict per lead; rate = accepted / (accepted + rejected).
        - delivery minutes: from the lead's last answer to the handoff being accepted by every
          channel (`sent_at`), for sent handoffs only.
        - follow-up: the clock starts when the handoff is queued (the moment the visitor is told
          sales will call). Sales' first feedback on the lead is taken as the follow-up. Met: first
          feedback within `follow_up_minutes`; breached: later, or none yet and the deadline is past
          (dead handoffs included: the promise was still made); open: none yet, deadline ahead.
        """
        now = now or utcnow()
        leads = self.list(since=since, until=until)
        per_tier: dict[str, int] = {}
        per_status: dict[str, int] = {}
        counts = {s: 0 for s in HANDOFF_STATUSES}
        accepted = rejected = met = breached = still_open = 0
        delivery: builtins.list[float] = []
        for lead in leads:
            if lead.tier:
                per_tier[lead.tier] = per_tier.get(lead.tier, 0) + 1
            per_status[lead.status] = per_status.get(lead.status, 0) + 1
            if lead.feedback:
                if lead.feedback[-1].verdict == "accept":
                    accepted += 1
                else:
                    rejected += 1
            handoff = lead.handoff
            if handoff is None:
                continue
            counts[handoff.status] = counts.get(handoff.status, 0) + 1
            if handoff.sent_at is not None:
                start = lead.last_answer_at or handoff.created_at
                delivery.append(max(0.0, (handoff.sent_at - start).total_seconds() / 60))
            if follow_up_minutes is not None:
                deadline = handoff.created_at + timedelta(minutes=follow_up_minutes)
                first = lead.feedback[0].at if lead.feedback else None
                if first is not None:
                    if first <= deadline:
                        met += 1
                    else:
                        breached += 1
                elif now > deadline:
                    breached += 1
                else:
                    still_open += 1
        return Report(
            since=_as_datetime(since) if since is not None else None,
            until=_as_datetime(until) if until is not None else None,
            leads=len(leads),
            per_tier=per_tier,
            per_status=per_status,
            handoffs_sent=counts["sent"],
            handoffs_pending=counts["pending"],
            handoffs_dead=counts["dead"],
            accepted=accepted,
            rejected=rejected,
            delivery_minutes_median=median(delivery) if delivery else None,
            delivery_minutes_p95=_percentile(delivery, 95) if delivery else None,
            follow_up_within_minutes=follow_up_minutes,
            follow_up_met=met,
            follow_up_breached=breached,
            follow_up_open=still_open,
        )

    # ------------------------------------------------------------------ privacy

    def forget(self, email: str) -> int:
        """Erase every lead that holds this email anywhere; returns the number of leads erased."""
        return self.forget_details(email).leads

    def forget_details(self, email: str, *, tracker_db_url: str | None = None) -> ForgetResult:
        needle = email.strip().lower()
        if not needle:
            raise ValueError("empty email")
        with self.session() as session:
            ids = self._leads_mentioning(session, needle)
            rows = [session.get(LeadRow, i) for i in ids]
            conversation_ids = tuple(r.conversation_id for r in rows if r is not None)
            handoff_ids = list(session.execute(select(HandoffRow.id).where(HandoffRow.lead_id.in_(ids))).scalars())
            n_attempts = session.execute(
                delete(DeliveryAttemptRow).where(DeliveryAttemptRow.handoff_id.in_(handoff_ids))
            ).rowcount
            n_handoffs = session.execute(delete(HandoffRow).where(HandoffRow.lead_id.in_(ids))).rowcount
            n_answers = session.execute(delete(AnswerRow).where(AnswerRow.lead_id.in_(ids))).rowcount
            n_feedback = session.execute(delete(FeedbackRow).where(FeedbackRow.lead_id.in_(ids))).rowcount
            n_leads = session.execute(delete(LeadRow).where(LeadRow.id.in_(ids))).rowcount
        tracker_url = tracker_db_url or current_settings().tracker_db_url
        n_events = delete_tracker_events(tracker_url, conversation_ids) if tracker_url else None
        return ForgetResult(
            conversation_ids=conversation_ids,
            leads=n_leads,
            answers=n_answers,
            handoffs=n_handoffs,
            delivery_attempts=n_attempts,
            feedback=n_feedback,
            tracker_events=n_events,
        )

    def _leads_mentioning(self, session: Session, needle: str) -> builtins.list[int]:
        # The email may sit in the contact columns, but also in free text the visitor typed
        # (an answer, the transcript) or in what we rendered from it (summary, outbox payload).
        like = f"%{_escape_like(needle)}%"
        hits: set[int] = set()
        lead_text = [LeadRow.contact_email, LeadRow.contact_name, LeadRow.contact_company, LeadRow.summary]
        hits.update(
            session.execute(
                select(LeadRow.id).where(or_(*(func.lower(c).like(like, escape="\\") for c in lead_text)))
            ).scalars()
        )
        hits.update(
            session.execute(
                select(AnswerRow.lead_id).where(func.lower(AnswerRow.raw).like(like, escape="\\"))
            ).scalars()
        )
        hits.update(
            session.execute(
                select(FeedbackRow.lead_id).where(func.lower(FeedbackRow.reason).like(like, escape="\\"))
            ).scalars()
        )
        # JSON columns: compare in Python, portable across SQLite and PostgreSQL.
        for lead_id, transcript, page_context in session.execute(
            select(LeadRow.id, LeadRow.transcript, LeadRow.page_context)
        ):
            blob = json.dumps([transcript, page_context], ensure_ascii=False).lower()
            if needle in blob:
                hits.add(lead_id)
        for lead_id, payload in session.execute(select(HandoffRow.lead_id, HandoffRow.payload)):
            if needle in json.dumps(payload, ensure_ascii=False).lower():
                hits.add(lead_id)
        return sorted(hits)

    def purge(self, days: int, *, tracker_db_url: str | None = None) -> builtins.list[str]:
        """Retention: erase leads not updated for `days` days; returns their conversation ids."""
        cutoff = utcnow() - timedelta(days=days)
        with self.session() as session:
            rows = list(session.execute(select(LeadRow.id, LeadRow.conversation_id).where(LeadRow.updated_at < cutoff)))
            ids = [r[0] for r in rows]
            handoff_ids = list(session.execute(select(HandoffRow.id).where(HandoffRow.lead_id.in_(ids))).scalars())
            session.execute(delete(DeliveryAttemptRow).where(DeliveryAttemptRow.handoff_id.in_(handoff_ids)))
            session.execute(delete(HandoffRow).where(HandoffRow.lead_id.in_(ids)))
            session.execute(delete(AnswerRow).where(AnswerRow.lead_id.in_(ids)))
            session.execute(delete(FeedbackRow).where(FeedbackRow.lead_id.in_(ids)))
            session.execute(delete(LeadRow).where(LeadRow.id.in_(ids)))
        conversation_ids = [r[1] for r in rows]
        tracker_url = tracker_db_url or current_settings().tracker_db_url
        if tracker_url and conversation_ids:
            delete_tracker_events(tracker_url, conversation_ids)
        return conversation_ids

    # ------------------------------------------------------------------ the outbox

    def handoffs(self, *, status: str | None = None, limit: int | None = None) -> builtins.list[Handoff]:
        query = select(HandoffRow).order_by(HandoffRow.id.desc())
        if status is not None:
            query = query.where(HandoffRow.status == status)
        if limit is not None:
            query = query.limit(limit)
        with self.session() as session:
            return [_to_handoff(row) for row in session.execute(query).scalars()]

    def handoff(self, handoff_id: int) -> Handoff | None:
        with self.session() as session:
            row = session.get(HandoffRow, handoff_id)
            return _to_handoff(row) if row is not None else None

    def delivery_attempts(self, handoff_id: int | None = None) -> builtins.list[DeliveryAttempt]:
        query = select(DeliveryAttemptRow).order_by(DeliveryAttemptRow.id)
        if handoff_id is not None:
            query = query.where(DeliveryAttemptRow.handoff_id == handoff_id)
        with self.session() as session:
            return [_to_attempt(row) for row in session.execute(query).scalars()]

    def retry_handoff(self, handoff_id: int) -> bool:
        """Put a dead (or waiting) handoff back at the head of the queue with fresh attempts."""
        with self.session() as session:
            result = session.execute(
                update(HandoffRow)
                .where(HandoffRow.id == handoff_id, HandoffRow.status != "sent")
                .values(status="pending", attempts=0, next_attempt_at=utcnow(), claimed_until=None, claimed_by=None)
            )
            return bool(result.rowcount)

    def claim_handoffs(self, *, worker: str, lease_seconds: float, limit: int = 10) -> builtins.list[Handoff]:
        """Claim due handoffs for one worker for `lease_seconds`; no two workers get the same row.

        PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED. SQLite: a conditional UPDATE per row, which
        only one writer can win. A crashed worker's claim lapses after the lease.
        """
        now = utcnow()
        due = (
            (HandoffRow.status == "pending")
            & (HandoffRow.next_attempt_at <= now)
            & or_(HandoffRow.claimed_until.is_(None), HandoffRow.claimed_until < now)
        )
        until = now + timedelta(seconds=lease_seconds)
        claimed: builtins.list[Handoff] = []
        with self.session() as session:
            if self.dialect == "postgresql":
                query = (
                    select(HandoffRow)
                    .where(due)
                    .order_by(HandoffRow.next_attempt_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
                for row in session.execute(query).scalars():
                    row.claimed_until = until
                    row.claimed_by = worker
                    claimed.append(_to_handoff(row))
                return claimed
            candidates = list(
                session.execute(
                    select(HandoffRow.id).where(due).order_by(HandoffRow.next_attempt_at).limit(limit)
                ).scalars()
            )
        for handoff_id in candidates:
            with self.session() as session:
                won = session.execute(
                    update(HandoffRow)
                    .where(HandoffRow.id == handoff_id, due)
                    .values(claimed_until=until, claimed_by=worker)
                ).rowcount
                if won:
                    row = session.get(HandoffRow, handoff_id)
                    claimed.append(_to_handoff(row))
        return claimed

    def record_attempt(
        self,
        handoff_id: int,
        channel: str,
        *,
        ok: bool,
        status_code: int | None,
        error: str | None,
        duration_ms: float,
    ) -> None:
        """Log one channel's attempt; on success mark that channel delivered, at once."""
        now = utcnow()
        with self.session() as session:
            session.add(
                DeliveryAttemptRow(
                    handoff_id=handoff_id,
                    channel=channel,
                    at=now,
                    ok=ok,
                    status_code=status_code,
                    error=error,
                    duration_ms=duration_ms,
                )
            )
            if ok:
                row = session.get(HandoffRow, handoff_id)
                if row is not None:
                    delivered = dict(row.delivered or {})
                    delivered[channel] = _iso(now)
                    row.delivered = delivered

    def complete_pass(
        self,
        handoff_id: int,
        *,
        worker: str,
        channels: Sequence[str],
        all_delivered: bool,
        next_attempt_at: datetime | None,
        max_attempts: int,
        error: str | None,
    ) -> str:
        """Close one delivery pass over a claimed handoff; returns its new status."""
        now = utcnow()
        with self.session() as session:
            row = session.get(HandoffRow, handoff_id)
            if row is None:
                return "gone"
            if row.claimed_by != worker:
                log.warning("handoff %s: claim lost to %s; leaving it", handoff_id, row.claimed_by)
                return str(row.status)
            row.channels = list(dict.fromkeys([*(row.channels or []), *channels]))
            row.claimed_until = None
            row.claimed_by = None
            row.last_error = error
            if not channels:
                # Nothing to deliver to: wait for configuration, without burning attempts.
                row.next_attempt_at = next_attempt_at
                return str(row.status)
            row.attempts = int(row.attempts) + 1
            if all_delivered:
                row.status = "sent"
                row.sent_at = now
                row.next_attempt_at = None
            elif row.attempts >= max_attempts:
                row.status = "dead"
                row.next_attempt_at = None
            else:
                row.next_attempt_at = next_attempt_at
            return str(row.status)


# --------------------------------------------------------------------------- export & payload


def configured_channels(settings: Settings) -> tuple[str, ...]:
    channels: list[str] = []
    if settings.handoff_url:
        channels.append("webhook")
    if settings.slack_webhook_url:
        channels.append("slack")
    if settings.email_configured:
        channels.append("email")
    return tuple(channels)


def _cancellable(handoff: HandoffRow | None) -> bool:
    """A queued handoff no channel has received yet."""
    return handoff is not None and handoff.status == "pending" and not handoff.delivered


def export_object(lead: Lead, *, language: str = "en", currency: str | None = None) -> dict[str, Any]:
    """One lead as the DESIGN.md export object (plus a few extra fields)."""
    answers: dict[str, Any] = {}
    for name in [*CORE_CRITERIA, *(n for n in lead.answers if n not in CORE_CRITERIA)]:
        answer = lead.answers.get(name)
        item: dict[str, Any] = {
            "raw": answer.raw if answer else None,
            "value": answer.value if answer else None,
            "points": answer.points if answer else 0,
        }
        if name == "budget":
            item["currency"] = lead.currency or currency or "EUR"
        if answer is not None:
            item["kind"] = answer.kind
            item["explanation"] = answer.explanation
            item["confidence"] = answer.confidence
        answers[name] = item
    contact = lead.contact or Contact(None, None, None)
    return {
        "conversation_id": lead.conversation_id,
        "started_at": _iso(lead.started_at),
        "language": lead.language,
        "answers": answers,
        "score": lead.score,
        "tier": lead.tier,
        "knocked_out_by": lead.knocked_out_by,
        "qualified": lead.qualified,
        "handed_off": lead.handed_off,
        "contact": {"name": contact.name, "email": contact.email, "company": contact.company},
        "summary": lead.summary if lead.summary is not None else _render_summary(lead, language, "text"),
        "lead_id": lead.id,
        "status": lead.status,
        "finished_at": _iso(lead.finished_at) if lead.finished_at else None,
        "human_requested": lead.human_requested,
        "page_context": dict(lead.page_context),
        "handoff_status": lead.handoff.status if lead.handoff else None,
    }


def handoff_payload(lead: Lead, language: str, settings: Settings) -> dict[str, Any]:
    """The webhook body: the export object + rendered summaries + the handoff's identity."""
    assert lead.handoff is not None
    payload = export_object(lead, language=language)
    payload["summary"] = _render_summary(lead, language, "text")
    payload["summary_markdown"] = _render_summary(lead, language, "markdown")
    payload["summary_html"] = _render_summary(lead, language, "html")
    payload["handoff_id"] = lead.handoff.id
    payload["idempotency_key"] = lead.handoff.idempotency_key
    payload["event"] = "lead.handed_off"
    payload["schema_version"] = 1
    return payload


def _render_summary(lead: Lead, language: str, fmt: str) -> str:
    from bot.summary import render_summary

    return render_summary(lead, language=language, fmt=fmt)


# --------------------------------------------------------------------------- tracker store


def delete_tracker_events(tracker_db_url: str, conversation_ids: Sequence[str]) -> int:
    """Delete Rasa's SQL tracker store events (table `events`, column `sender_id`)."""
    if not conversation_ids:
        return 0
    engine = create_engine(tracker_db_url, future=True)
    try:
        with engine.begin() as connection:
            total = 0
            for conversation_id in conversation_ids:
                total += connection.execute(
                    text("DELETE FROM events WHERE sender_id = :sender"), {"sender": conversation_id}
                ).rowcount
            return total
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- helpers


def _to_lead(row: LeadRow) -> Lead:
    contact = None
    if row.contact_name or row.contact_email or row.contact_company:
        contact = Contact(row.contact_name, row.contact_email, row.contact_company)
    return Lead(
        id=int(row.id),
        conversation_id=row.conversation_id,
        started_at=_aware(row.started_at),
        updated_at=_aware(row.updated_at),
        finished_at=_aware(row.finished_at) if row.finished_at else None,
        last_answer_at=_aware(row.last_answer_at) if row.last_answer_at else None,
        language=row.language,
        status=row.status,
        score=int(row.score or 0),
        tier=row.tier,
        knocked_out_by=row.knocked_out_by,
        qualified=bool(row.qualified),
        human_requested=bool(row.human_requested),
        contact_consent=row.contact_consent,
        contact=contact,
        currency=row.currency,
        page_context=dict(row.page_context or {}),
        transcript=tuple(
            Turn(speaker=t.get("speaker", ""), text=t.get("text", ""), at=_parse_iso(t.get("at")))
            for t in (row.transcript or [])
        ),
        answers={a.criterion: _to_answer(a) for a in sorted(row.answers, key=_criterion_order)},
        breakdown=tuple(CriterionRecord(**c) for c in (row.breakdown or [])),
        summary=row.summary,
        handoff=_to_handoff(row.handoff) if row.handoff is not None else None,
        feedback=tuple(_to_feedback(f) for f in sorted(row.feedback, key=lambda f: (f.at, f.id))),
    )


def _criterion_order(answer: AnswerRow) -> tuple[int, str]:
    name = answer.criterion
    return (CORE_CRITERIA.index(name) if name in CORE_CRITERIA else len(CORE_CRITERIA), name)


def _to_answer(row: AnswerRow) -> AnswerRecord:
    return AnswerRecord(
        criterion=row.criterion,
        raw=row.raw,
        kind=row.kind,
        value=row.value_number if row.value_number is not None else row.value_text,
        currency=row.currency,
        amount=row.amount,
        period=row.period,
        points=int(row.points or 0),
        max_points=int(row.max_points or 0),
        rule=row.rule or "",
        explanation=row.explanation or "",
        confidence=float(row.confidence or 0.0),
        reason=row.reason or "",
        knock_out=bool(row.knock_out),
        extra=dict(row.extra or {}),
        updated_at=_aware(row.updated_at),
    )


def _to_handoff(row: HandoffRow) -> Handoff:
    return Handoff(
        id=int(row.id),
        lead_id=int(row.lead_id),
        conversation_id=row.lead.conversation_id if row.lead is not None else "",
        idempotency_key=row.idempotency_key,
        channels=tuple(row.channels or ()),
        delivered=dict(row.delivered or {}),
        payload=dict(row.payload or {}),
        status=row.status,
        attempts=int(row.attempts or 0),
        next_attempt_at=_aware(row.next_attempt_at) if row.next_attempt_at else None,
        sent_at=_aware(row.sent_at) if row.sent_at else None,
        created_at=_aware(row.created_at),
        last_error=row.last_error,
    )


def _to_feedback(row: FeedbackRow) -> Feedback:
    return Feedback(
        id=int(row.id),
        lead_id=int(row.lead_id),
        verdict=row.verdict,
        reason=row.reason or "",
        by=row.by,
        at=_aware(row.at),
    )


def _to_attempt(row: DeliveryAttemptRow) -> DeliveryAttempt:
    return DeliveryAttempt(
        id=int(row.id),
        handoff_id=int(row.handoff_id),
        channel=row.channel,
        at=_aware(row.at),
        ok=bool(row.ok),
        status_code=row.status_code,
        error=row.error,
        duration_ms=float(row.duration_ms or 0.0),
    )


def _enum_value(value: Any) -> Any:
    return getattr(value, "value", value)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _iso(value: datetime) -> str:
    return _aware(value).isoformat()


def _parse_iso(value: str | None) -> datetime:
    if not value:
        return datetime.fromtimestamp(0, timezone.utc)
    return _aware(datetime.fromisoformat(value))


def _as_datetime(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return _aware(value)
    return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _escape_like(value: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", value)


def _percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: an observed value, honest for small samples."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]
