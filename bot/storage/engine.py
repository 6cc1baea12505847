"""Database engines: one per URL per process, migrated to head (Alembic) on first use.

SQLite gets the pragmas the store relies on (foreign keys, WAL, a busy timeout) and a pool that
keeps its connections open; PostgreSQL a pre-ping pool and an advisory lock so processes opening
a fresh database migrate it once.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool, StaticPool

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
        return sqlite_engine(url)
    return create_engine(url, future=True, pool_pre_ping=True)


def sqlite_engine(url: str, *, future: bool = True) -> Engine:
    """A SQLite engine with the pragmas and the pool our stores rely on (also Rasa's tracker
    store, `bot.ops.rasa_patches.fast_sqlite_tracker_store`, which needs ``future=False``)."""
    memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        url,
        future=future,
        connect_args={"check_same_thread": False, "timeout": 30},
        # SQLAlchemy 1.4 opens a new SQLite file connection per session (NullPool), and
        # each connect re-runs the pragmas: a pool keeps them (about 1 ms per turn).
        poolclass=StaticPool if memory else QueuePool,
    )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if not memory:
            # WAL lets the worker read while the action server writes.
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: a crash of any
            # process loses nothing; a power cut may lose the last commits. SQLite is the
            # local mode; production runs on PostgreSQL.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


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
