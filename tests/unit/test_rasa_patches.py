"""The Rasa patches refuse an unchecked Rasa version, saying what to do, and apply once."""

from __future__ import annotations

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
    validator_before = RemoteAction.__dict__["_validate_action_result"]
    assert rasa_patches.apply_rasa_patches() == ["metadata objects only"]
    assert RemoteAction.__dict__["_validate_action_result"] is validator_before
    assert rasa_patches.apply_rasa_patches() == ["metadata objects only"]  # once per process
