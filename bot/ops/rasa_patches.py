"""Our patches to Rasa 3.6, each switchable off with a `LEADBOT_RASA_*` setting.

Why each exists is in its docstring; README "Rasa 3.6 patches" has the measurements. They replace
Rasa internals, so each refuses to apply to a Rasa version they were not checked against.
`apply_rasa_patches` is called by what Rasa itself loads from configuration (the lock store of
endpoints.yml, `bot.ops.lock_store`; the IntentGuard of config.yml), so they apply however Rasa
is started. The lock fix lives in the lock store itself.
"""

from __future__ import annotations

import logging
import threading
from contextvars import ContextVar
from importlib.metadata import version
from typing import Any

from bot.settings import current_settings

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
        f"the Rasa patch {patch!r} (bot/ops/rasa_patches.py, bot/ops/lock_store.py) was checked against Rasa "
        f"{', '.join(CHECKED_RASA_VERSIONS)}, but Rasa {installed} is installed. Install a checked version "
        f"(pip install rasa=={CHECKED_RASA_VERSIONS[-1]}), or check the patches against {installed} (run "
        "tests/unit/test_lock_store.py and tests/production) and add it to CHECKED_RASA_VERSIONS in "
        "bot/ops/rasa_patches.py, or switch the patches off (LEADBOT_RASA_FAST_VALIDATION=false, "
        "LEADBOT_RASA_STRICT_TRACKER_STORE=false, LEADBOT_RASA_FEWER_ACTION_CALLS=false, "
        "LEADBOT_RASA_FAST_SQLITE_TRACKER_STORE=false) and use Rasa's own "
        "`lock_store` in endpoints.yml."
    )


_applied: list[str] | None = None
_applying = threading.Lock()


def apply_rasa_patches() -> list[str]:
    """Apply every patch switched on, once per process; return their names (logged by the caller).

    Refuses an unchecked Rasa (`UnsupportedRasaVersion`), so the Rasa server does not start
    half-patched. The metadata guard has no switch: it only drops what Rasa would crash on."""
    global _applied
    with _applying:
        if _applied is None:
            settings = current_settings()
            chosen = [
                (settings.rasa_fast_validation, "fast validation", cache_action_response_validator),
                (True, "metadata objects only", ignore_metadata_that_is_not_an_object),
                (settings.rasa_strict_tracker_store, "strict tracker store", fail_turns_when_the_tracker_store_is_down),
                (settings.rasa_fewer_action_calls, "one slot extraction per message", extract_slots_once_per_message),
                (settings.rasa_fewer_action_calls, "idle form turns rejected at once", reject_idle_form_turns_at_once),
                (settings.rasa_fast_sqlite_tracker_store, "pooled SQLite tracker store", fast_sqlite_tracker_store),
            ]
            applied = []
            for wanted, name, patch in chosen:
                if wanted:
                    patch()
                    applied.append(name)
            _applied = applied
        return list(_applied)


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


def fast_sqlite_tracker_store() -> None:
    """Rasa's SQL tracker store on a SQLite file keeps its connections and syncs at WAL checkpoints.

    Rasa 3.6 builds the engine with no pool options, so SQLAlchemy 1.4 opens a new connection for
    every retrieve and save, and SQLite in its default journal mode fsyncs every commit: about
    8 % of the Rasa server's time per turn in local mode. The store gets the engine our own
    SQLite store uses (`bot.storage.engine.sqlite_engine`: a pool, WAL, synchronous=NORMAL, a busy
    timeout); a crash of the process loses nothing, a power cut may lose the last turns. Other
    databases (PostgreSQL in production) are untouched. LEADBOT_RASA_FAST_SQLITE_TRACKER_STORE=false
    restores Rasa's own engine."""
    require_checked_rasa("pooled SQLite tracker store")
    from rasa.core.tracker_store import SQLTrackerStore
    from sqlalchemy.orm import sessionmaker

    from bot.storage.engine import sqlite_engine

    original = SQLTrackerStore.__init__
    if getattr(original, "_leadbot_pooled", False):
        return

    def __init__(self: SQLTrackerStore, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        url = self.engine.url
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return
        self.engine.dispose()
        self.engine = sqlite_engine(url.render_as_string(hide_password=False), future=False)
        self.sessionmaker = sessionmaker(bind=self.engine)

    __init__._leadbot_pooled = True  # type: ignore[attr-defined]
    SQLTrackerStore.__init__ = __init__  # type: ignore[method-assign]


def cache_action_response_validator() -> None:
    """Validate action server responses with one prebuilt validator instead of `jsonschema.validate`.

    Profiling under load (benchmarks/results/bench_load.md) showed Rasa 3.6 spending ~45% of its
    CPU in `jsonschema.validate`, which re-checks the schema itself on every action call. Same
    schema, same errors: only the per-call `check_schema` is skipped. LEADBOT_RASA_FAST_VALIDATION=false
    restores Rasa's own code."""
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


def extract_slots_once_per_message() -> None:
    """Form activation reuses the slot extraction Rasa already ran for the message.

    Rasa 3.6 runs `action_extract_slots` after every user message and, when a form starts in that
    turn, again inside `FormAction.activate`: a second call to `action_validate_slot_mappings`
    (the whole message read again, benchmarks/results/calls.md) on a tracker that already holds the
    first run's slots, whose only effect could be SlotSet events (activation drops its messages).
    Our one custom mapping reads the same message into the same slots, so the second run is skipped
    when the first one ran for the same user message in this process and no action changed a slot
    since (an action that did, such as "start over", gets Rasa's second reading).
    LEADBOT_RASA_FEWER_ACTION_CALLS=false restores Rasa's own code."""
    require_checked_rasa("one slot extraction per message")
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.core.actions.forms import FormAction
    from rasa.shared.core.events import SlotSet, UserUttered

    if getattr(FormAction.activate, "_leadbot", False):
        return
    original_run, original_activate = ActionExtractSlots.run, FormAction.activate
    activating: ContextVar[bool] = ContextVar("leadbot_form_activation", default=False)

    def latest_user_event(tracker: Any) -> Any:
        return next((e for e in reversed(tracker.events) if isinstance(e, UserUttered)), None)

    async def run(self: ActionExtractSlots, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        message = latest_user_event(tracker)
        read = getattr(message, "_leadbot_slots_after_extraction", None)
        if activating.get() and read is not None and read == tracker.current_slot_values():
            return []  # the same message on the same slots: the same reading
        events = await original_run(self, output_channel, nlg, tracker, domain)
        if message is not None:
            # On the event, not the tracker: the form runs on a copy of the tracker, which holds
            # the same event objects (a tracker read back from the store does not: Rasa's way).
            filled = {event.key: event.value for event in events if isinstance(event, SlotSet)}
            message._leadbot_slots_after_extraction = {**tracker.current_slot_values(), **filled}
        return events

    async def activate(self: FormAction, *args: Any, **kwargs: Any) -> Any:
        token = activating.set(True)
        try:
            return await original_activate(self, *args, **kwargs)
        finally:
            activating.reset(token)

    activate._leadbot = True  # type: ignore[attr-defined]
    ActionExtractSlots.run = run  # type: ignore[method-assign]
    FormAction.activate = activate  # type: ignore[method-assign]


def reject_idle_form_turns_at_once() -> None:
    """A message that answered nothing the qualification form takes rejects it without a call.

    With the form active, Rasa 3.6 first runs the form on every message: it calls the form's
    validation action and, when neither the message's slots nor that action filled anything,
    rejects the form so the rules can answer (a question, chitchat, "why do you ask?"), then runs
    the form again. Our validation fills nothing but what the message's reading set in the form's
    slots or in `FORM_ACCEPTS_BEYOND_ITS_SLOTS` (actions/form.py `get_validation_events`), and the
    messages of a rejected run are dropped: so when the message set none of those, the rejection
    is certain and the call (one per digression, benchmarks/results/calls.md) is skipped.
    LEADBOT_RASA_FEWER_ACTION_CALLS=false restores Rasa's own code."""
    require_checked_rasa("idle form turns rejected at once")
    from rasa.core.actions.action import ActionExecutionRejection
    from rasa.core.actions.forms import FormAction

    from bot.conversation.typed import FORM_ACCEPTS_BEYOND_ITS_SLOTS

    original = FormAction.validate
    if getattr(original, "_leadbot", False):
        return

    async def validate(self: FormAction, tracker: Any, domain: Any, output_channel: Any, nlg: Any) -> Any:
        slot_to_fill = self.get_slot_to_fill(tracker)
        if slot_to_fill and not self._get_slot_extractions(tracker, domain):
            set_now = {event.key for event in FormAction._get_events_since_last_user_uttered(tracker)}
            if not set_now & set(FORM_ACCEPTS_BEYOND_ITS_SLOTS):
                raise ActionExecutionRejection(
                    self.name(), f"Failed to extract slot {slot_to_fill} with action {self.name()}"
                )
        return await original(self, tracker, domain, output_channel, nlg)

    validate._leadbot = True  # type: ignore[attr-defined]
    FormAction.validate = validate  # type: ignore[method-assign]
