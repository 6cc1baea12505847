"""The Rasa patches: they refuse an unchecked Rasa version, and the lock keeps turns in order."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Iterator

import pytest
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore

from bot.ops import rasa_patches
from bot.ops.rasa_patches import UnsupportedRasaVersion, put_back_ticket, require_checked_rasa


@pytest.fixture
def patched_lock() -> Iterator[None]:
    """The lock patch applied for one test, Rasa's own code restored after it."""
    saved = LockStore.__dict__["lock"], TicketLock.__dict__["last_issued"]
    rasa_patches.requeue_expired_lock_tickets()
    yield
    LockStore.lock, TicketLock.last_issued = saved  # type: ignore[method-assign]


def test_installed_rasa_is_one_the_patches_were_checked_against() -> None:
    require_checked_rasa("any")


@pytest.mark.parametrize(
    "patch",
    [
        rasa_patches.requeue_expired_lock_tickets,
        rasa_patches.fail_turns_when_the_tracker_store_is_down,
        rasa_patches.cache_action_response_validator,
    ],
)
def test_every_patch_refuses_an_unchecked_rasa_and_leaves_rasa_alone(
    patch: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rasa_patches, "version", lambda _: "3.7.0")
    lock_before = LockStore.__dict__["lock"]
    with pytest.raises(UnsupportedRasaVersion) as refused:
        patch()  # type: ignore[operator]
    message = str(refused.value)
    assert "Rasa 3.7.0 is installed" in message
    assert "3.6.21" in message and "CHECKED_RASA_VERSIONS" in message and "=false" in message
    assert LockStore.__dict__["lock"] is lock_before


def _lock(*numbers: int) -> TicketLock:
    return TicketLock("c", deque(Ticket(n, time.time() + 60) for n in numbers))


@pytest.mark.parametrize(
    ("queue", "expired", "order"),
    [
        ((1, 3, 4), 2, [1, 2, 3, 4]),  # behind the older ticket, ahead of the younger ones
        ((3, 4), 2, [3, 2, 4]),  # never in front of the head: its turn may be running
        ((), 2, [2]),
        ((1,), 2, [1, 2]),
    ],
)
def test_an_expired_ticket_is_put_back_in_its_place_not_at_the_back(
    queue: tuple[int, ...], expired: int, order: list[int]
) -> None:
    lock = _lock(*queue)
    put_back_ticket(lock, expired, 60)
    assert [t.number for t in lock.tickets] == order


def test_a_put_back_ticket_does_not_make_the_next_number_collide(patched_lock: None) -> None:
    lock = _lock(3, 4)
    put_back_ticket(lock, 2, 60)
    assert lock.issue_ticket(60) == 5


def test_turns_are_served_in_arrival_order_when_a_waiters_ticket_outlives_its_lifetime(patched_lock: None) -> None:
    """B waits longer than its ticket's lifetime behind A; C arrives after B and must go after it."""
    store = InMemoryLockStore()
    served: list[str] = []

    async def turn(name: str, lifetime: float, hold: float) -> None:
        async with store.lock("c", lock_lifetime=lifetime, wait_time_in_seconds=0.01):
            served.append(name)
            await asyncio.sleep(hold)

    async def scenario() -> None:
        first = asyncio.create_task(turn("A", 60, 0.4))
        await asyncio.sleep(0.05)
        second = asyncio.create_task(turn("B", 0.1, 0))
        await asyncio.sleep(0.05)
        third = asyncio.create_task(turn("C", 60, 0))
        await asyncio.wait_for(asyncio.gather(first, second, third), timeout=10)

    asyncio.run(scenario())
    assert served == ["A", "B", "C"]
