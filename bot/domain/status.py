"""A lead's status as a state machine: the statuses, the moves, and which moves are allowed.

The one place that says how a lead's status may change; the store (`bot/storage/leads.py`)
enforces it on every write, so no action can move a lead backwards by accident.
"""

from __future__ import annotations

from enum import Enum

IN_PROGRESS = "in_progress"
STOPPED = "stopped"
# A finished lead's status is its tier: what the visitor was told at the close.
FINISHED = ("sales_ready", "nurture", "disqualified")
LEAD_STATUSES = (IN_PROGRESS, *FINISHED, STOPPED)


class Move(str, Enum):
    """What a write means for the lead's status."""

    SAVE = "save"  # a turn's progress, after every visitor message
    STOP = "stop"  # the visitor said "stop" before the end
    FINISH = "finish"  # the conversation closed with a tier (or closed again after a correction)
    START_OVER = "start_over"  # "start over": the answers are cleared


def rank(status: str | None) -> int:
    """How far a lead has come: in progress (0) < stopped (1) < finished (2). Never decreases."""
    if status in FINISHED:
        return 2
    return 1 if status == STOPPED else 0


def next_status(current: str | None, move: Move, target: str) -> str | None:
    """The status after `move` towards `target`, or None: the move is refused and the lead keeps
    its status *and its record* (answers, score, tier, summary, handoff) as they are.

    `current` is None for a conversation not stored yet. The table:

    | from \\ move  | save        | stop    | finish (tier) | start over  |
    |--------------|-------------|---------|---------------|-------------|
    | new          | in_progress | stopped | tier          | in_progress |
    | in_progress  | in_progress | stopped | tier          | in_progress |
    | stopped      | refused     | stopped | tier          | refused     |
    | finished     | refused     | refused | tier          | refused     |

    A late answer after the close is a `save` (refused: the outcome stands); what it changes
    reaches the lead only by closing it again (`finish`, which re-renders the summary and queues
    or cancels the handoff). "Start over" after the close keeps the outcome until the new
    conversation reaches its own. A stopped visitor who answers again is re-closed as stopped
    by the caller, or finishes with a tier when they complete the questions.
    """
    if current is not None and current not in LEAD_STATUSES:
        raise ValueError(f"unknown lead status {current!r}")
    if move is Move.FINISH:
        if target not in FINISHED:
            raise ValueError(f"a lead finishes with a tier ({', '.join(FINISHED)}), not {target!r}")
        return target
    if move is Move.STOP:
        return None if current in FINISHED else STOPPED
    if target != IN_PROGRESS:
        raise ValueError(f"{move.value} keeps a lead {IN_PROGRESS}, not {target!r}")
    return IN_PROGRESS if rank(current) == 0 else None


def move_for(status: str) -> Move:
    """The move a write with this status stands for (`close` is either a stop or a finish)."""
    if status in FINISHED:
        return Move.FINISH
    if status == STOPPED:
        return Move.STOP
    if status == IN_PROGRESS:
        return Move.SAVE
    raise ValueError(f"unknown lead status {status!r}")
