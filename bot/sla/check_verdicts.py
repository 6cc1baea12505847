"""`leadbot check` for `verdict_reasons`: keys the database can keep, labels a rep can read.

Each problem is placed on the line to change, like the checks in `bot.sla.check`.
"""

from __future__ import annotations

import re
from typing import Protocol

from bot.sla.marks import _Path
from bot.sla.model import SLA

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class _Reports(Protocol):
    sla: SLA

    def _at_key(self, path: _Path, message: str) -> None: ...

    def _at_value(self, path: _Path, message: str) -> None: ...


def check_verdict_reasons(report: _Reports) -> None:
    reasons = report.sla.verdict_reasons
    for verdict in ("accept", "reject"):
        listed = reasons.for_verdict(verdict)
        if not listed:
            report._at_key(
                ("verdict_reasons", verdict),
                f"verdict_reasons.{verdict}: give at least one reason for sales to pick",
            )
        seen: set[str] = set()
        for index, reason in enumerate(listed):
            path: _Path = ("verdict_reasons", verdict, index)
            if not _KEY.match(reason.key):
                report._at_value(
                    (*path, "key"),
                    f"verdict reason key {reason.key!r}: use lower-case letters, digits and _ "
                    "(it is stored with every verdict; e.g. no_budget)",
                )
            elif reason.key in seen:
                report._at_value((*path, "key"), f"verdict reason key {reason.key!r} is listed twice under {verdict}")
            seen.add(reason.key)
            if not reason.label.strip():
                report._at_value((*path, "label"), f"verdict reason {reason.key!r}: the label is empty")
