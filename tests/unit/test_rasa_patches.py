"""The Rasa patches refuse an unchecked Rasa version, saying what to do, and apply once."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.actions.action import RemoteAction

from bot.ops import rasa_patches
from bot.ops.rasa_patches import UnsupportedRasaVersion, require_checked_rasa


def test_installed_rasa_is_one_the_patches_were_checked_against() -> None:
    require_checked_rasa("any")


@pytest.mark.parametrize(
    "patch",
    [
        rasa_patches.fail_turns_when_the_tracker_store_is_down,
        rasa_patches.cache_action_response_validator,
        rasa_patches.ignore_metadata_that_is_not_an_object,
        rasa_patches.extract_slots_once_per_message,
        rasa_patches.reject_idle_form_turns_at_once,
        rasa_patches.fast_sqlite_tracker_store,
    ],
)
def test_every_patch_refuses_an_unchecked_rasa_and_leaves_rasa_alone(
    patch: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rasa_patches, "version", lambda _: "3.7.0")
    validator_before = RemoteAction.__dict__["_validate_action_result"]
    with pytest.raises(UnsupportedRasaVersion) as refused:
        patch()  # type: ignore[operator]
    message = str(refused.value)
    assert "Rasa 3.7.0 is installed" in message
    assert "3.6.21" in message and "CHECKED_RASA_VERSIONS" in message and "=false" in message
    assert RemoteAction.__dict__["_validate_action_result"] is validator_before


def test_the_lock_store_refuses_an_unchecked_rasa_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.ops.lock_store import LeadbotLockStore

    monkeypatch.setattr(rasa_patches, "version", lambda _: "3.7.0")
    with pytest.raises(UnsupportedRasaVersion, match=r"LeadbotLockStore.*pip install rasa==3\.6\.21"):
        LeadbotLockStore()


def test_patches_switched_off_are_not_applied(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rasa_patches, "_applied", None)
    monkeypatch.setenv("LEADBOT_RASA_FAST_VALIDATION", "false")
    monkeypatch.setenv("LEADBOT_RASA_STRICT_TRACKER_STORE", "false")
    monkeypatch.setenv("LEADBOT_RASA_FEWER_ACTION_CALLS", "false")
    monkeypatch.setenv("LEADBOT_RASA_FAST_SQLITE_TRACKER_STORE", "false")
    validator_before = RemoteAction.__dict__["_validate_action_result"]
    assert rasa_patches.apply_rasa_patches() == ["metadata objects only"]
    assert RemoteAction.__dict__["_validate_action_result"] is validator_before
    assert rasa_patches.apply_rasa_patches() == ["metadata objects only"]  # once per process


def _form_turn(*set_this_turn: tuple[str, object]) -> tuple[object, object, object]:
    """The qualification form asking for the budget, and the visitor's next message."""
    from rasa.core.actions.forms import FormAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load("domain.yml")
    events = [
        ActionExecuted("action_listen"),
        UserUttered("our reps waste hours", {"name": "inform", "confidence": 0.9}),
        ActionExecuted("qualification_form"),
        ActiveLoop("qualification_form"),
        SlotSet("requested_slot", "budget"),
        ActionExecuted("action_listen"),
        UserUttered("why do you ask?", {"name": "why_ask", "confidence": 0.9}),
        *(SlotSet(name, value) for name, value in set_this_turn),
    ]
    tracker = DialogueStateTracker.from_events("visitor", events, slots=domain.slots)
    return FormAction("qualification_form", None), tracker, domain


def test_a_form_turn_that_answered_nothing_is_rejected_without_calling_the_action_server() -> None:
    import asyncio

    from rasa.core.actions.action import ActionExecutionRejection

    rasa_patches.reject_idle_form_turns_at_once()
    form, tracker, domain = _form_turn(("language", "en"))
    # No action endpoint: a call to the action server would fail with another error.
    with pytest.raises(ActionExecutionRejection):
        asyncio.run(form.validate(tracker, domain, None, None))  # type: ignore[attr-defined]
    for filled in [("budget", "20k a year"), ("visitor_questions", ["does it do SSO?"])]:
        form, tracker, domain = _form_turn(filled)
        with pytest.raises(Exception) as called:
            asyncio.run(form.validate(tracker, domain, None, None))  # type: ignore[attr-defined]
        assert not isinstance(called.value, ActionExecutionRejection)  # it went on to the call


def test_the_sqlite_tracker_store_keeps_its_connections_and_its_conversations(tmp_path: Path) -> None:
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from sqlalchemy import text
    from sqlalchemy.pool import QueuePool

    rasa_patches.fast_sqlite_tracker_store()
    rasa_patches.fast_sqlite_tracker_store()  # twice is once
    domain = Domain.load("domain.yml")
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    assert isinstance(store.engine.pool, QueuePool)
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL

    async def round_trip() -> DialogueStateTracker | None:
        tracker = DialogueStateTracker.from_events(
            "visitor", [ActionExecuted("action_listen"), UserUttered("hola", {"name": "greet", "confidence": 1.0})]
        )
        await store.save(tracker)
        return await store.retrieve("visitor")

    again = asyncio.run(round_trip())
    assert again is not None and again.latest_message.text == "hola"
    memory = SQLTrackerStore(domain, dialect="sqlite", db=":memory:")
    assert not isinstance(memory.engine.pool, QueuePool)  # Rasa's own engine where a pool can't help
