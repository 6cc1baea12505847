"""Our patches to Rasa 3.6, each switchable off with a `LEADBOT_RASA_*` setting.

Why each exists is in its docstring; README "Rasa 3.6 patches" has the measurements. They replace
Rasa internals, so each refuses to apply to a Rasa version they were not checked against.
"""

from __future__ import annotations

import contextlib
import logging
import time
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from bot.settings import current_settings

if TYPE_CHECKING:
    from rasa.core.lock import TicketLock
    from rasa.core.lock_store import LockStore

log = logging.getLogger("leadbot.production")

# The Rasa releases whose code the patches below were read against and tested with. A new
# release may move or change what they replace: read its diff of the patched functions, run
# tests/production, then add it here.
CHECKED_RASA_VERSIONS = ("3.6.21",)


class UnsupportedRasaVersion(RuntimeError):
    """The installed Rasa is not one the patches were checked against."""


def require_checked_rasa(patch: str, installed: str | None = None) -> None:
    """Refuse to patch a Rasa the patches were not checked against, saying how to go on."""
    installed = installed or version("rasa")
    if installed in CHECKED_RASA_VERSIONS:
        return
    raise UnsupportedRasaVersion(
        f"the Rasa patch {patch!r} (bot/ops/rasa_patches.py) was checked against Rasa "
        f"{', '.join(CHECKED_RASA_VERSIONS)}, but Rasa {installed} is installed. Install a checked version "
        f"(pip install rasa=={CHECKED_RASA_VERSIONS[-1]}), or check the patch against {installed} and add it "
        "to CHECKED_RASA_VERSIONS, or switch the patches off (LEADBOT_RASA_FAST_VALIDATION=false, "
        "LEADBOT_RASA_STRICT_TRACKER_STORE=false, LEADBOT_RASA_REQUEUE_EXPIRED_TICKETS=false)."
    )


def fail_turns_when_the_tracker_store_is_down() -> None:
    """Let a tracker store error fail the turn instead of Rasa's silent in-memory fallback.

    Rasa 3.6 wraps the SQL store in `FailSafeTrackerStore`: when PostgreSQL is down, `retrieve`
    returns None, so the turn runs on a *new, empty* conversation (the visitor gets the greeting
    again and the action server sees no answers), and `save` keeps it in process memory only.
    Raising instead makes the REST channel answer 200 with no messages and stores nothing;
    the visitor's retry after the outage continues the real conversation."""
    require_checked_rasa("strict tracker store")
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
    waiter renews its own ticket's lifetime at every poll, so only a dead holder's ticket
    expires; and should a waiter's ticket expire all the same (a stalled event loop), it is put
    back under its own number at the place it had, never at the back of the queue: a new ticket
    there would let a later message of the same conversation be processed first."""
    require_checked_rasa("requeue expired lock tickets")
    import asyncio

    from rasa.core.lock import NO_TICKET_ISSUED, TicketLock
    from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore

    def last_issued(self: TicketLock) -> int:
        # The highest number in the queue, not the last one: a put-back ticket sits in the middle.
        self.remove_expired_tickets()
        return max((ticket.number for ticket in self.tickets), default=NO_TICKET_ISSUED)

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
                if current._ticket_for_ticket_number(ticket) is None:
                    log.warning("lock ticket expired while waiting; put back in its place")
                    put_back_ticket(current, ticket, lock_lifetime)
                    self.save_lock(current)
                if not current.is_locked(ticket):
                    break
                await asyncio.sleep(wait_time_in_seconds)
                renew_ticket(self, conversation_id, ticket, lock_lifetime)
            yield current
        finally:
            self.cleanup(conversation_id, ticket)

    TicketLock.last_issued = property(last_issued)  # type: ignore[method-assign,assignment]
    LockStore.lock = lock  # type: ignore[method-assign,assignment]


def renew_ticket(store: LockStore, conversation_id: str, number: int, lifetime: float) -> None:
    """Rasa's `update_lock` (drop expired tickets), plus a fresh lifetime for a waiter's own ticket."""
    lock = store.get_lock(conversation_id)
    if lock is None:
        return
    lock.remove_expired_tickets()
    for ticket in lock.tickets:
        if ticket.number == number:
            ticket.expires = time.time() + lifetime
    store.save_lock(lock)


def put_back_ticket(lock: TicketLock, number: int, lifetime: float) -> None:
    """Re-queue an expired ticket under its own number, in issue order.

    It goes behind every ticket issued before it, but never in front of the head of the queue:
    the head's holder may be processing its turn right now, whatever its number."""
    from rasa.core.lock import Ticket

    lock.remove_expired_tickets()
    tickets = list(lock.tickets)
    place = sum(1 for t in tickets if t.number < number)
    if tickets:
        place = max(place, 1)
    lock.tickets.insert(place, Ticket(number, time.time() + lifetime))


def cache_action_response_validator() -> None:
    """Validate action server responses with one prebuilt validator instead of `jsonschema.validate`.

    Profiling under load (benchmarks/results/bench_load.md) showed Rasa 3.6 spending ~45% of its
    CPU in `jsonschema.validate`, which re-checks the schema itself on every action call. Same
    schema, same errors: only the per-call `check_schema` is skipped. LEADBOT_RASA_FAST_VALIDATION=false
    restores Rasa's own code."""
    if not current_settings().rasa_fast_validation:
        return
    require_checked_rasa("fast validation")
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


def ignore_metadata_that_is_not_an_object() -> None:
    """A REST message whose `metadata` is a string, number or list is read without it.

    Rasa 3.6 passes the value on as is and then fails with a TypeError before any action runs:
    the visitor gets 200 with no reply and the message is lost (found by benchmarks/bench_fuzz.py).
    The widget always sends an object; this keeps hand-made clients from losing messages."""
    require_checked_rasa("metadata objects only")
    from rasa.core.channels.rest import RestInput

    original = RestInput.get_metadata
    if getattr(original, "_leadbot", False):
        return

    def get_metadata(self: RestInput, request: Any) -> dict[str, Any] | None:
        metadata = original(self, request)
        if metadata is not None and not isinstance(metadata, dict):
            log.warning("REST message metadata is a %s, not an object: ignored", type(metadata).__name__)
            return None
        return metadata

    get_metadata._leadbot = True  # type: ignore[attr-defined]
    RestInput.get_metadata = get_metadata  # type: ignore[method-assign]
