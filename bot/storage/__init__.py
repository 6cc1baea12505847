"""Storage: the leads database (SQLAlchemy + Alembic), SQLite by default, PostgreSQL in production.

`LeadStore` is the one entry point; it persists records and what delivery rendered, and renders
nothing itself.
"""

from sqlalchemy.exc import SQLAlchemyError as StorageError  # what a database hiccup raises

from bot.storage.console import ConsoleStore, LinkAlreadyUsed
from bot.storage.engine import dispose_engines, engine_for, migrate
from bot.storage.leads import LeadStore
from bot.storage.outbox import Claim, SendDecision
from bot.storage.privacy import delete_tracker_events
from bot.storage.tables import Base

__all__ = [
    "Base",
    "Claim",
    "ConsoleStore",
    "LeadStore",
    "LinkAlreadyUsed",
    "SendDecision",
    "StorageError",
    "delete_tracker_events",
    "dispose_engines",
    "engine_for",
    "migrate",
]
