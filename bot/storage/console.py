"""The console's part of the store: accounts, the sales inbox query, outcomes, one-click links.

`ConsoleStore` is the lead store plus these; verdicts still go through `LeadStore.feedback`
(`add_feedback`), so the CLI, the API, the console and its links write the same rows.
"""

from __future__ import annotations

import builtins
from datetime import date, datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from bot.domain import Feedback, utcnow
from bot.domain.console import OUTCOMES, ROLES, InboxPage, Outcome, User
from bot.storage.convert import as_datetime, to_feedback
from bot.storage.leads import LeadStore
from bot.storage.tables import AnswerRow, AssignmentRow, FeedbackRow, LeadRow, OutcomeRow, UserRow, VerdictLinkUseRow

# The inbox's verdict filter: what sales still has to judge, or what it decided.
VERDICT_FILTERS = ("awaiting", "accept", "reject")


class LinkAlreadyUsed(Exception):
    """A one-click verdict link that was used before (its nonce is spent)."""


class ConsoleStore(LeadStore):
    """The lead store as the console and `leadbot users` use it."""

    # ------------------------------------------------------------------ accounts

    def add_user(self, email: str, *, role: str, password_hash: str, name: str = "") -> User:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        email = _email(email)
        with self.session() as session:
            if session.execute(select(UserRow).where(UserRow.email == email)).scalar_one_or_none():
                raise ValueError(f"user {email} exists already (change the password with `leadbot users passwd`)")
            row = UserRow(
                email=email, name=name, role=role, password_hash=password_hash, active=True, created_at=utcnow()
            )
            session.add(row)
            session.flush()
            return _to_user(row)

    def users(self) -> builtins.list[User]:
        with self.session() as session:
            return [_to_user(r) for r in session.execute(select(UserRow).order_by(UserRow.email)).scalars()]

    def user(self, user_id: int) -> User | None:
        with self.session() as session:
            row = session.get(UserRow, user_id)
            return _to_user(row) if row is not None else None

    def credentials(self, email: str) -> tuple[User, str] | None:
        """The user and their password hash, for signing in; None for an unknown address."""
        with self.session() as session:
            row = session.execute(select(UserRow).where(UserRow.email == _email(email))).scalar_one_or_none()
            return (_to_user(row), str(row.password_hash)) if row is not None else None

    def set_password(self, email: str, password_hash: str) -> User:
        """A new password; every session signed in before it ends."""

        def change(row: UserRow) -> None:
            row.password_hash = password_hash
            row.session_epoch = int(row.session_epoch or 0) + 1

        return self._change_user(email, change)

    def disable_user(self, email: str) -> User:
        """The user can no longer sign in, and their open sessions end at their next request."""

        def change(row: UserRow) -> None:
            row.active = False
            row.session_epoch = int(row.session_epoch or 0) + 1

        return self._change_user(email, change)

    def enable_user(self, email: str) -> User:
        """A disabled account may sign in again (its old sessions stay ended)."""

        def change(row: UserRow) -> None:
            row.active = True

        return self._change_user(email, change)

    def rehash(self, user_id: int, password_hash: str) -> None:
        """Store a hash made with newer parameters (same password: sessions stay)."""
        with self.session() as session:
            row = session.get(UserRow, user_id)
            if row is not None:
                row.password_hash = password_hash

    def signed_in(self, user_id: int) -> None:
        with self.session() as session:
            row = session.get(UserRow, user_id)
            if row is not None:
                row.last_login_at = utcnow()

    def _change_user(self, email: str, change: object) -> User:
        with self.session() as session:
            row = session.execute(select(UserRow).where(UserRow.email == _email(email))).scalar_one_or_none()
            if row is None:
                raise LookupError(f"no user {email!r} (see `leadbot users list`)")
            change(row)  # type: ignore[operator]
            session.flush()
            return _to_user(row)

    # ------------------------------------------------------------------ the inbox

    def inbox(
        self,
        *,
        tier: str | None = None,
        verdict: str | None = None,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
        text: str | None = None,
        assignee: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> InboxPage:
        """Leads that answered at least one question, newest first, filtered as the rep asks.

        `verdict`: "awaiting" (none yet), "accept" or "reject" (the latest verdict). `text`
        matches the contact, the summary (which holds the transcript) and the answers' words.
        `assignee`: the rep id (or, for a CRM owner outside routing.yml, the email) the lead's
        current assignment names."""
        if verdict is not None and verdict not in VERDICT_FILTERS:
            raise ValueError(f"verdict filter must be one of {', '.join(VERDICT_FILTERS)}")
        latest = (
            select(FeedbackRow.lead_id, func.max(FeedbackRow.id).label("last_id"))
            .group_by(FeedbackRow.lead_id)
            .subquery()
        )
        query = (
            select(LeadRow.id)
            .outerjoin(latest, latest.c.lead_id == LeadRow.id)
            .outerjoin(FeedbackRow, FeedbackRow.id == latest.c.last_id)
            .where(LeadRow.answers.any(AnswerRow.raw != ""))
        )
        if tier:
            query = query.where(LeadRow.tier == tier)
        if assignee:
            query = query.where(
                exists().where(
                    AssignmentRow.lead_id == LeadRow.id,
                    AssignmentRow.current.is_(True),
                    or_(AssignmentRow.rep_id == assignee, AssignmentRow.rep_email == assignee),
                )
            )
        if verdict == "awaiting":
            query = query.where(latest.c.last_id.is_(None))
        elif verdict:
            query = query.where(FeedbackRow.verdict == verdict)
        if since is not None:
            query = query.where(LeadRow.started_at >= as_datetime(since))
        if until is not None:
            query = query.where(LeadRow.started_at < as_datetime(until))
        if text and text.strip():
            pattern = f"%{_like_escaped(text.strip().lower())}%"
            fields = (LeadRow.contact_name, LeadRow.contact_email, LeadRow.contact_company, LeadRow.summary)
            query = query.where(
                or_(
                    *(func.lower(f).like(pattern, escape="\\") for f in fields),
                    LeadRow.conversation_id.like(pattern, escape="\\"),
                    LeadRow.answers.any(func.lower(AnswerRow.raw).like(pattern, escape="\\")),
                )
            )
        with self.session() as session:
            total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
            page = query.order_by(LeadRow.started_at.desc(), LeadRow.id.desc()).offset(offset).limit(limit)
            ids = tuple(int(i) for i in session.execute(page).scalars())
        return InboxPage(lead_ids=ids, total=total)

    def assignees(self) -> builtins.list[tuple[str, str]]:
        """(rep id or email, name) of everyone who currently has a lead: the inbox's filter."""
        key = func.coalesce(AssignmentRow.rep_id, AssignmentRow.rep_email)
        query = (
            select(key, func.max(AssignmentRow.rep_name))
            .where(AssignmentRow.current.is_(True), key.is_not(None))
            .group_by(key)
            .order_by(func.max(AssignmentRow.rep_name))
        )
        with self.session() as session:
            return [(str(k), str(name or k)) for k, name in session.execute(query)]

    # ------------------------------------------------------------------ outcomes and links

    def record_outcome(self, lead: str | int, outcome: str, *, note: str = "", by: str | None = None) -> Outcome:
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
        with self.session() as session:
            row = self._find(session, lead)
            if row is None:
                raise LookupError(f"no lead {lead!r}")
            out = OutcomeRow(lead_id=row.id, outcome=outcome, note=note or "", by=by, at=utcnow())
            session.add(out)
            session.flush()
            return _to_outcome(out)

    def outcomes(self, lead_id: int) -> builtins.list[Outcome]:
        with self.session() as session:
            rows = session.execute(select(OutcomeRow).where(OutcomeRow.lead_id == lead_id).order_by(OutcomeRow.id))
            return [_to_outcome(r) for r in rows.scalars()]

    def link_used(self, nonce: str) -> bool:
        with self.session() as session:
            return session.get(VerdictLinkUseRow, nonce) is not None

    def feedback_from_link(
        self,
        nonce: str,
        lead_id: int,
        verdict: str,
        reason: str = "",
        by: str | None = None,
        *,
        reason_code: str | None = None,
    ) -> Feedback:
        """Record a one-click verdict and spend its link, in one transaction: a link works once
        (two clicks at the same instant: the second one's insert of the nonce fails)."""
        try:
            with self.session() as session:
                if session.get(VerdictLinkUseRow, nonce) is not None:
                    raise LinkAlreadyUsed(nonce)
                fb = self.add_feedback(session, lead_id, verdict, reason, by, reason_code=reason_code)
                session.add(VerdictLinkUseRow(nonce=nonce, lead_id=fb.lead_id, feedback_id=fb.id, used_at=utcnow()))
                session.flush()
                return to_feedback(fb)
        except IntegrityError as exc:
            raise LinkAlreadyUsed(nonce) from exc


def _email(value: str) -> str:
    email = value.strip().lower()
    if "@" not in email or len(email) > 320:
        raise ValueError(f"not an email address: {value!r}")
    return email


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _to_user(row: UserRow) -> User:
    return User(
        id=int(row.id),
        email=row.email,
        name=row.name or "",
        role=row.role,
        active=bool(row.active),
        session_epoch=int(row.session_epoch or 0),
        created_at=row.created_at,
        last_login_at=row.last_login_at,
    )


def _to_outcome(row: OutcomeRow) -> Outcome:
    return Outcome(
        id=int(row.id), lead_id=int(row.lead_id), outcome=row.outcome, note=row.note or "", by=row.by, at=row.at
    )
