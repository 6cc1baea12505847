"""What every `leadbot` command module shares: the store named by `--database-url`, the SLA
when it loads, and output made safe for a terminal.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.settings import current_settings

if TYPE_CHECKING:
    from bot.sla import SLA
    from bot.storage import ConsoleStore


def open_store(args: argparse.Namespace) -> ConsoleStore:
    from bot.storage import ConsoleStore

    return ConsoleStore(args.database_url)


def sla_or_none() -> SLA | None:
    """The SLA for labels, currency and the follow-up promise; commands still work without it."""
    path = current_settings().sla_path
    try:
        from bot.sla import load_sla

        return load_sla(path)
    except Exception as exc:
        print(
            f"leadbot: warning: SLA {path} not loaded ({str(exc).splitlines()[0] if str(exc) else exc!r})",
            file=sys.stderr,
        )
        return None


def clean(value: str | None) -> str:
    """One line of visitor- or CRM-supplied text, with control characters escaped."""
    from bot.delivery.summary import escape_text

    return " ".join(escape_text(value).split())
