"""Our patches to Rasa 3.6, each switchable off with a `LEADBOT_RASA_*` setting.

Why each exists is in its docstring; README "Rasa 3.6 patches" has the measurements.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from bot.settings import current_settings

log = logging.getLogger("leadbot.production")


def fail_turns_when_the_tracker_store_is_down() -> None:
    """Let a tracker store error fail the turn instead of Rasa's silent in-memory fallback.

    Rasa 3.6 wraps the SQL store in `FailSafeTrackerStore`: when PostgreSQL is down, `retrieve`
    returns None, so the turn runs on a *new, empty* conversation (the visitor gets the greeting
    again and the action server sees no answers), and `save` keeps it in process memory only.
    Raising instead makes the REST channel answer 200 with no messages and stores nothing;
    the visitor's retry after the outage continues the real conversation."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    def strict(name: str) -> Any:
        async def call(self: FailSafeTrackerStore, *args: Any) -> Any:
            try:
                return await getattr(self._tracker_store, name)(*args)
            except Exception as exc:
                log.error("tracker store unavailable (%s): %s; the turn fails", name, type(exc).__name__)
                raise

        return call

    for name in ("retrieve", "retrieve_full_tracker", "save"):
        setattr(FailSafeTrackerStore, name, strict(name))


def requeue_expired_lock_tickets() -> None:
    """Fix a hang in Rasa's ticket lock after a Rasa instance is killed mid-turn.

    The dead instance's ticket stays first in the queue until it expires; a turn waiting behind it
    (nginx re-sends it to the other instance) holds a ticket issued moments later with the same
    lifetime. If the waiter's own ticket expires before it polls again, `now_serving` never equals
    its number and Rasa 3.6 waits forever (seen in test_faults: 120 s gateway timeouts). Here a
    waiter whose ticket vanished takes a new one and queues again."""
    import asyncio

    from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore

    @contextlib.asynccontextmanager
    async def lock(
        self: LockStore, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> Any:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            while True:
                current = self.get_lock(conversation_id)
                if not current:
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
                if not current.is_locked(ticket):
                    break
                if current._ticket_for_ticket_number(ticket) is None:
                    log.warning("lock ticket expired while waiting; queueing again")
                    ticket = self.issue_ticket(conversation_id, lock_lifetime)
                    continue
                await asyncio.sleep(wait_time_in_seconds)
                self.update_lock(conversation_id)
            yield current
        finally:
            self.cleanup(conversation_id, ticket)

    LockStore.lock = lock  # type: ignore[method-assign,assignment]


def cache_action_response_validator() -> None:
    """Validate action server responses with one prebuilt validator instead of `jsonschema.validate`.

    Profiling under load (benchmarks/results/bench_load.md) showed Rasa 3.6 spending ~45% of its
    CPU in `jsonschema.validate`, which re-checks the schema itself on every action call. Same
    schema, same errors: only the per-call `check_schema` is skipped. LEADBOT_RASA_FAST_VALIDATION=false
    restores Rasa's own code."""
    if not current_settings().rasa_fast_validation:
        return
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    spec = RemoteAction.action_response_format_spec()
    validator_class = validator_for(spec)
    validator_class.check_schema(spec)
    validator = validator_class(spec)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error if isinstance(error, ValidationError) else ValidationError(error.message)

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
