"""The store's foundation: sessions on one database, retries on insert races, lead reads.

`LeadStore` (bot/storage/leads.py) is this plus the writes, the outbox, reports and privacy,
each in its own module so no file holds the whole database.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import Lead
from bot.settings import current_settings
from bot.storage.convert import as_datetime, to_lead
from bot.storage.engine import engine_for
from bot.storage.tables import AnswerRow, LeadRow


class StoreBase:
    """A session factory on one database URL, and the reads every part of the store shares."""

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

    def get(self, conversation_id_or_lead_id: str | int) -> Lead | None:
        with self.session() as session:
            row = self._find(session, conversation_id_or_lead_id)
            return to_lead(row) if row is not None else None

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
            query = query.where(LeadRow.started_at >= as_datetime(since))
        if until is not None:
            query = query.where(LeadRow.started_at < as_datetime(until))
        if handed_off is True:
            query = query.where(LeadRow.handoff.has())
        elif handed_off is False:
            query = query.where(~LeadRow.handoff.has())
        if answered_only:
            # A visitor's answer keeps their words; a behaviour criterion (computed from the
            # page, never asked) keeps none, and alone does not make a conversation answered.
            query = query.where(LeadRow.answers.any(AnswerRow.raw != ""))
        if limit is not None:
            query = query.limit(limit)
        with self.session() as session:
            return [to_lead(row) for row in session.execute(query).scalars().unique()]
