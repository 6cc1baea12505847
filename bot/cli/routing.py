"""The routing parts of the command line: `leadbot check` of the routing file an SLA references,
and the decision log `leadbot leads show` prints.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.domain.routing import Assignment
    from bot.sla import SLA


def check_routing_of(sla: SLA, sla_path: str | Path) -> tuple[list[str], str | None]:
    """The routing file's problems as `file:line:col: message` lines, and a one-line summary
    when it is fine (None without a routing file)."""
    from bot.routing import check_routing, load_routing, routing_path

    path = routing_path(sla, sla_path)
    if path is None:
        return [], None
    problems = check_routing(path, sla)
    if problems:
        return [str(p) for p in problems], None
    config = load_routing(path, sla)
    return [], (
        f"{path}: OK — {len(config.reps)} reps, {len(config.pools)} pools, {len(config.rules)} rules, "
        f"default owner {config.default_owner}"
    )


def print_assignments(assignments: list[Assignment], clean: Callable[[str | None], str]) -> None:
    """The decision log: who has the lead, why, and whom routing considered."""
    if not assignments:
        print("Routing: not routed")
        return
    for a in assignments:
        who = a.assignee.rep_id or a.assignee.email or a.assignee.name
        state = "current" if a.current else f"ended: {clean(a.ended)}" if a.ended else "ended"
        print(f"Routing {a.assigned_at:%Y-%m-%d %H:%M} → {clean(who)} ({clean(a.assignee.name)}) [{state}]")
        print(f"  reason: {clean(a.reason)}")
        for step in a.steps:
            print(f"  tried: {clean(step)}")
        for c in a.candidates:
            print(f"  candidate {clean(c.rep_id)}: {'eligible' if c.eligible else 'not eligible'} — {clean(c.why)}")
        if a.deliver_at:
            print(f"  held until {a.deliver_at:%Y-%m-%d %H:%M UTC} (the pool's first rep starts)")
        if a.respond_by and a.current:
            print(f"  reassigned if no verdict by {a.respond_by:%Y-%m-%d %H:%M UTC}")
