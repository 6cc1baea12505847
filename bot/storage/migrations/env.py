"""Alembic environment for the leads database.

Configured in code by `bot.storage.engine.migrate` (no alembic.ini needed, so it works from an installed
package); `alembic -x url=... upgrade head` also works for ops who prefer the Alembic CLI.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bot.storage.tables import Base

target_metadata = Base.metadata


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds tables in later migrations.
        render_as_batch=getattr(getattr(connection, "dialect", None), "name", "") == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from bot.settings import current_settings

    url = context.get_x_argument(as_dictionary=True).get("url") or current_settings().database_url
    engine = create_engine(url, future=True)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
