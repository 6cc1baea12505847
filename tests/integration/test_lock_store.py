"""`LeadbotLockStore` against a real Redis server (and its in-memory form): one turn of a
conversation at a time, in ticket order, across threads and processes that each hold their own
store, as Rasa instances do; a dead holder's ticket expires, a slow holder's does not.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from bot.ops.lock_store import LeadbotLockStore, _MemoryTickets, _RedisTickets, _Tickets
from bot.ops.supervisor import free_port


@pytest.fixture(scope="module")
def redis_port() -> Iterator[int]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    port = free_port()
    directory = tempfile.mkdtemp(prefix="leadbot-redis-")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory],
        stdout=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.StrictRedis(port=port)
        for _ in range(100):
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    break
            time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(directory, ignore_errors=True)


def redis_store(port: int) -> LeadbotLockStore:
    return LeadbotLockStore(EndpointConfig(url="127.0.0.1", port=port, db=0, key_prefix="test", type="x"))


@pytest.fixture(params=["redis", "memory"])
def make_store(request: pytest.FixtureRequest) -> Callable[[], LeadbotLockStore]:
    """A factory of stores sharing one ticket backend: a new Redis client each, or one memory."""
    if request.param == "memory":
        shared = _MemoryTickets()
        return lambda: LeadbotLockStore(tickets=shared)
    port = request.getfixturevalue("redis_port")
    return lambda: redis_store(port)


def tickets_of(store: LeadbotLockStore) -> _Tickets:
    return store.tickets


# --------------------------------------------------------------------------- mutual exclusion, FIFO


class _Turns:
    """What the turns saw: the ticket each was served under, and whether two ever overlapped."""

    def __init__(self) -> None:
        self.guard = threading.Lock()
        self.inside = 0
        self.overlaps = 0
        self.served: list[int] = []

    async def run(self, store: LeadbotLockStore, conversation: str, hold: float) -> None:
        async with store.lock(conversation, lock_lifetime=30) as lock:
            with self.guard:
                self.inside += 1
                self.overlaps += self.inside > 1
                self.served.append(lock.now_serving or 0)
            await asyncio.sleep(hold)
            with self.guard:
                self.inside -= 1


def test_concurrent_turns_from_several_instances_run_one_at_a_time_in_ticket_order(
    make_store: Callable[[], LeadbotLockStore],
) -> None:
    conversation = f"c-{uuid.uuid4().hex}"
    turns = _Turns()

    def instance() -> None:
        store = make_store()  # each thread is one Rasa instance with its own connection and loop

        async def burst() -> None:
            await asyncio.gather(*(turns.run(store, conversation, 0.002) for _ in range(20)))

        asyncio.run(burst())

    threads = [threading.Thread(target=instance) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert turns.overlaps == 0
    assert len(turns.served) == 80
    assert turns.served == sorted(turns.served) and len(set(turns.served)) == 80  # FIFO, no number twice
    assert make_store().get_lock(conversation) is None  # the last one out leaves nothing behind


def _process_turns(port: int, conversation: str, out: Any) -> None:
    """One Rasa instance in its own process: 15 turns at once; records (ticket, start, end) in Redis."""
    import redis

    store = redis_store(port)
    log = redis.StrictRedis(port=port)

    async def turn() -> None:
        async with store.lock(conversation, lock_lifetime=30) as lock:
            # INCR inside the lock: a second holder at the same time would see a count above 1.
            inside = log.incr(f"{conversation}:inside")
            log.rpush(f"{conversation}:served", f"{lock.now_serving}:{inside}")
            await asyncio.sleep(0.003)
            log.decr(f"{conversation}:inside")

    async def burst() -> None:
        await asyncio.gather(*(turn() for _ in range(15)))

    asyncio.run(burst())
    out.put("done")


def test_tickets_are_atomic_across_processes_on_redis(redis_port: int) -> None:
    """RasaHQ/rasa#9213: Rasa's RedisLockStore can give two processes the same ticket."""
    import redis

    conversation = f"p-{uuid.uuid4().hex}"
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=_process_turns, args=(redis_port, conversation, results)) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(90)
        assert process.exitcode == 0
    entries = redis.StrictRedis(port=redis_port).lrange(f"{conversation}:served", 0, -1)
    served = [entry.decode().split(":") for entry in entries]
    numbers = [int(number) for number, _ in served]
    assert len(numbers) == 60
    assert all(inside == "1" for _, inside in served), "two turns of one conversation ran at once"
    assert numbers == sorted(numbers) and len(set(numbers)) == 60


# --------------------------------------------------------------------------- lifetimes


def test_a_turn_slower_than_the_lifetime_keeps_the_next_one_waiting(
    make_store: Callable[[], LeadbotLockStore],
) -> None:
    store, conversation, events = make_store(), f"s-{uuid.uuid4().hex}", []

    async def turn(name: str, hold: float) -> None:
        async with store.lock(conversation, lock_lifetime=1, wait_time_in_seconds=0.05):
            events.append(f"{name} starts")
            await asyncio.sleep(hold)
            events.append(f"{name} ends")

    async def scenario() -> None:
        slow = asyncio.create_task(turn("slow", 2.5))  # 2.5 lifetimes: Rasa's ticket would expire
        await asyncio.sleep(0.1)
        await asyncio.wait_for(asyncio.gather(slow, turn("next", 0)), timeout=20)

    asyncio.run(scenario())
    assert events == ["slow starts", "slow ends", "next starts", "next ends"]


def test_a_dead_instances_ticket_expires_and_the_turn_behind_it_runs(
    make_store: Callable[[], LeadbotLockStore],
) -> None:
    dead, alive, conversation = make_store(), make_store(), f"d-{uuid.uuid4().hex}"
    dead.issue_ticket(conversation, lock_lifetime=1)  # issued, then its instance was SIGKILLed
    served = []

    async def turn() -> None:
        async with alive.lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.05):
            served.append(True)

    asyncio.run(asyncio.wait_for(turn(), timeout=20))
    assert served == [True]


def test_waiters_renew_their_tickets_so_a_long_queue_does_not_expire(
    make_store: Callable[[], LeadbotLockStore],
) -> None:
    """Rasa 3.6: a waiter behind a long turn saw its own ticket expire and then waited forever."""
    store, conversation, served = make_store(), f"w-{uuid.uuid4().hex}", []

    async def turn(name: str, hold: float) -> None:
        async with store.lock(conversation, lock_lifetime=1, wait_time_in_seconds=0.05):
            served.append(name)
            await asyncio.sleep(hold)

    async def scenario() -> None:
        first = asyncio.create_task(turn("A", 2))
        await asyncio.sleep(0.05)
        second = asyncio.create_task(turn("B", 0))
        await asyncio.sleep(0.05)
        await asyncio.wait_for(asyncio.gather(first, second, turn("C", 0)), timeout=20)

    asyncio.run(scenario())
    assert served == ["A", "B", "C"]


def _order(tickets: _Tickets, conversation: str) -> list[int]:
    return [number for number, _ in tickets.queue(conversation)]


def test_a_stalled_waiters_expired_ticket_goes_back_in_its_place_never_in_front_of_the_head(
    make_store: Callable[[], LeadbotLockStore],
) -> None:
    tickets, conversation = tickets_of(make_store()), f"e-{uuid.uuid4().hex}"
    a = tickets.issue(conversation, 30_000)
    b = tickets.issue(conversation, 1000)
    time.sleep(1.2)  # b's event loop stalled past its lifetime
    c = tickets.issue(conversation, 30_000)
    assert _order(tickets, conversation) == [a, c]
    assert tickets.poll(conversation, b, 30_000, put_back=True) == (False, 1)
    assert _order(tickets, conversation) == [a, b, c]  # behind the older ticket, ahead of the younger

    for number in (a, b, c):
        tickets.release(conversation, number)
    d = tickets.issue(conversation, 1000)
    time.sleep(1.2)
    e = tickets.issue(conversation, 30_000)  # first now: its turn may be running
    assert tickets.poll(conversation, d, 30_000, put_back=True) == (False, 1)
    assert _order(tickets, conversation) == [e, d]  # d never jumps in front of it
    assert len({a, b, c, d, e}) == 5


def test_a_holder_whose_ticket_is_gone_is_not_put_back_by_its_heartbeat(
    make_store: Callable[[], LeadbotLockStore],
) -> None:
    tickets, conversation = tickets_of(make_store()), f"h-{uuid.uuid4().hex}"
    a = tickets.issue(conversation, 1000)
    time.sleep(1.2)
    assert tickets.poll(conversation, a, 30_000, put_back=False) == (False, -1)
    assert _order(tickets, conversation) == []


# --------------------------------------------------------------------------- configuration, faults


def test_rasa_creates_it_from_endpoints_yml_and_it_applies_our_patches(
    redis_port: int, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from rasa.core.lock_store import LockStore
    from rasa.core.utils import read_endpoint_config

    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        f"lock_store:\n  type: bot.ops.lock_store.LeadbotLockStore\n  url: 127.0.0.1\n  port: {redis_port}\n"
        "  db: 0\n  key_prefix: leadbot\n"
    )
    with caplog.at_level("INFO", logger="leadbot.lock"):
        store = LockStore.create(read_endpoint_config(str(endpoints), "lock_store"))
    assert isinstance(store, LeadbotLockStore) and isinstance(store.tickets, _RedisTickets)
    assert "Rasa patches applied: fast validation, metadata objects only, strict tracker store" in caplog.text
    from rasa.core.actions.action import RemoteAction

    assert RemoteAction._validate_action_result.__module__ == "bot.ops.rasa_patches"

    endpoints.write_text("lock_store:\n  type: bot.ops.lock_store.LeadbotLockStore\n")
    memory = LockStore.create(read_endpoint_config(str(endpoints), "lock_store"))
    assert isinstance(memory, LeadbotLockStore) and isinstance(memory.tickets, _MemoryTickets)


def test_an_unknown_option_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"unknown option.*'hostname'"):
        LeadbotLockStore(EndpointConfig(url="127.0.0.1", hostname="x", type="x"))


def test_redis_down_fails_the_turn_with_rasas_lock_error() -> None:
    store = LeadbotLockStore(EndpointConfig(url="127.0.0.1", port=free_port(), socket_timeout=1, type="x"))

    async def turn() -> None:
        async with store.lock("anyone"):
            pytest.fail("a turn ran without a lock")

    with pytest.raises(LockError, match="Error while acquiring lock"):
        asyncio.run(turn())
