"""`LeadbotLockStore`: Rasa's per-conversation ticket lock made safe, and our Rasa patches applied.

Rasa loads it from `endpoints.yml` (`lock_store: type: bot.ops.lock_store.LeadbotLockStore`), so
it runs however Rasa is started; with a `url` it keeps the tickets in Redis, without one in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.ops.rasa_patches import apply_rasa_patches, require_checked_rasa

log = logging.getLogger("leadbot.lock")

# A waiter asks "is it my turn?" more often the nearer it is to the front, at most this far apart
# (Rasa polls every second, which adds up to a second per queued message of a double-sending visitor).
MAX_POLL_SECONDS = 0.1
FIRST_POLL_SECONDS = 0.005
# A ticket number counter outlives every ticket it issued by far; it is never reset while a
# ticket could still come back (see `_Tickets.poll`), so numbers of one conversation never repeat.
COUNTER_TTL_MS = 24 * 3600 * 1000


class _Tickets(Protocol):
    """Where the tickets of every conversation live. Each method is one atomic step."""

    def issue(self, conversation_id: str, lifetime_ms: int) -> int: ...

    def poll(self, conversation_id: str, number: int, lifetime_ms: int, put_back: bool) -> tuple[bool, int]:
        """Drop expired tickets, renew `number`'s lifetime; (is it first in the queue?, tickets ahead).

        A waiter whose own ticket expired (its event loop stalled longer than the lifetime) is put
        back with `put_back`, in number order but never in front of the first ticket, whose turn may
        be running. A holder's heartbeat (`put_back=False`) only renews; tickets ahead is -1 when its
        ticket is gone."""
        ...

    def release(self, conversation_id: str, number: int) -> None: ...

    def queue(self, conversation_id: str) -> list[tuple[int, float]]:
        """(number, expires as a Unix time) in serving order."""
        ...

    def drop(self, conversation_id: str) -> None: ...


# KEYS: queue (zset number -> serving order), expiry (zset number -> expires ms), counter.
# Time is Redis' clock, never the instances': their clocks may disagree.
_PRELUDE = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, m in ipairs(gone) do
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZREM', KEYS[2], m)
end
local function keep_alive(lifetime)
  for i = 1, 2 do redis.call('PEXPIRE', KEYS[i], lifetime + 60000) end
end
"""
_ISSUE = (
    _PRELUDE
    + """
local lifetime = tonumber(ARGV[1])
local n = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[2]))
local member = string.format('%016d', n)
redis.call('ZADD', KEYS[1], n, member)
redis.call('ZADD', KEYS[2], now + lifetime, member)
keep_alive(lifetime)
return n
"""
)
_POLL = (
    _PRELUDE
    + """
local member = string.format('%016d', tonumber(ARGV[1]))
local lifetime = tonumber(ARGV[2])
if not redis.call('ZSCORE', KEYS[1], member) then
  if ARGV[3] ~= '1' then return {0, -1} end
  local score = tonumber(ARGV[1])
  local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if head[1] then score = math.max(score, tonumber(head[2]) + 0.5) end
  redis.call('ZADD', KEYS[1], score, member)
end
redis.call('ZADD', KEYS[2], now + lifetime, member)
keep_alive(lifetime)
local ahead = redis.call('ZRANK', KEYS[1], member)
return {ahead == 0 and 1 or 0, ahead}
"""
)
_RELEASE = """
local member = string.format('%016d', tonumber(ARGV[1]))
redis.call('ZREM', KEYS[1], member)
redis.call('ZREM', KEYS[2], member)
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
return 1
"""


class _RedisTickets:
    """Tickets in Redis, each step one Lua script: atomic across every Rasa instance (RasaHQ/rasa#9213)."""

    def __init__(self, client: Any, key_prefix: str) -> None:
        self.red = client
        self.key_prefix = key_prefix
        self._issue = client.register_script(_ISSUE)
        self._poll = client.register_script(_POLL)
        self._release = client.register_script(_RELEASE)

    def _keys(self, conversation_id: str) -> list[str]:
        base = f"{self.key_prefix}{conversation_id}"
        return [f"{base}:queue", f"{base}:expires", f"{base}:counter"]

    def issue(self, conversation_id: str, lifetime_ms: int) -> int:
        return int(self._issue(keys=self._keys(conversation_id), args=[lifetime_ms, COUNTER_TTL_MS]))

    def poll(self, conversation_id: str, number: int, lifetime_ms: int, put_back: bool) -> tuple[bool, int]:
        first, ahead = self._poll(keys=self._keys(conversation_id), args=[number, lifetime_ms, int(put_back)])
        return bool(first), int(ahead)

    def release(self, conversation_id: str, number: int) -> None:
        self._release(keys=self._keys(conversation_id)[:2], args=[number])

    def queue(self, conversation_id: str) -> list[tuple[int, float]]:
        queue_key, expires_key, _ = self._keys(conversation_id)
        members = self.red.zrange(queue_key, 0, -1)
        expiries = dict(self.red.zrange(expires_key, 0, -1, withscores=True)) if members else {}
        return [(int(m), expiries.get(m, 0) / 1000) for m in members if m in expiries]

    def drop(self, conversation_id: str) -> None:
        self.red.delete(*self._keys(conversation_id)[:2])


@dataclass
class _Conversation:
    order: dict[int, float] = field(default_factory=dict)  # number -> serving order
    expires: dict[int, float] = field(default_factory=dict)  # number -> monotonic deadline


class _MemoryTickets:
    """The same steps for one process (`rasa run` with no Redis), each atomic under one thread lock."""

    def __init__(self) -> None:
        self.conversations: dict[str, _Conversation] = {}
        self.guard = threading.Lock()
        # One counter for every conversation: a conversation's entry can go when its queue empties
        # without a number ever being issued twice (a waiter stalled past its lifetime keeps its own).
        self.numbers = itertools.count(1)

    def _live(self, conversation_id: str, create: bool = True) -> _Conversation:
        if create:
            c = self.conversations.setdefault(conversation_id, _Conversation())
        else:
            c = self.conversations.get(conversation_id) or _Conversation()
        now = time.monotonic()
        for number in [n for n, deadline in c.expires.items() if deadline < now]:
            del c.expires[number], c.order[number]
        return c

    def _ahead(self, c: _Conversation, number: int) -> int:
        key = (c.order[number], number)
        return sum(1 for n, o in c.order.items() if (o, n) < key)

    def issue(self, conversation_id: str, lifetime_ms: int) -> int:
        with self.guard:
            return self._issue(conversation_id, lifetime_ms)

    def poll(self, conversation_id: str, number: int, lifetime_ms: int, put_back: bool) -> tuple[bool, int]:
        with self.guard:
            return self._poll(conversation_id, number, lifetime_ms, put_back)

    def release(self, conversation_id: str, number: int) -> None:
        with self.guard:
            self._release(conversation_id, number)

    def queue(self, conversation_id: str) -> list[tuple[int, float]]:
        with self.guard:
            return self._queue(conversation_id)

    def drop(self, conversation_id: str) -> None:
        with self.guard:
            self.conversations.pop(conversation_id, None)

    def _issue(self, conversation_id: str, lifetime_ms: int) -> int:
        c = self._live(conversation_id)
        number = next(self.numbers)
        c.order[number] = number
        c.expires[number] = time.monotonic() + lifetime_ms / 1000
        return number

    def _poll(self, conversation_id: str, number: int, lifetime_ms: int, put_back: bool) -> tuple[bool, int]:
        c = self._live(conversation_id)
        if number not in c.order:
            if not put_back:
                return False, -1
            head = min(c.order.items(), key=lambda item: (item[1], item[0]), default=None)
            c.order[number] = max(number, head[1] + 0.5) if head else number
        c.expires[number] = time.monotonic() + lifetime_ms / 1000
        ahead = self._ahead(c, number)
        return ahead == 0, ahead

    def _release(self, conversation_id: str, number: int) -> None:
        c = self._live(conversation_id, create=False)
        c.order.pop(number, None)
        c.expires.pop(number, None)
        if not c.order:
            self.conversations.pop(conversation_id, None)

    def _queue(self, conversation_id: str) -> list[tuple[int, float]]:
        c = self._live(conversation_id, create=False)
        offset = time.time() - time.monotonic()
        ordered = sorted(c.order, key=lambda n: (c.order[n], n))
        return [(n, c.expires[n] + offset) for n in ordered]


class LeadbotLockStore(LockStore):
    """Rasa's ticket lock per conversation, with three guarantees Rasa 3.6's stores lack.

    - A ticket is issued atomically (a Lua script on Redis), so two instances never hold the same
      number: Rasa's `RedisLockStore` reads, appends and writes back (RasaHQ/rasa#9213, its fix
      reverted from Rasa Open Source in #11428), and two turns of one conversation then ran at once
      and one overwrote the other's events (issue 14: 5 to 10 of 30 trackers lost a message).
    - Turns are served in ticket order, and a waiter renews its own ticket at every poll, so only a
      dead instance's ticket expires (Rasa 3.6 could wait forever behind it).
    - The holder renews its ticket while its turn runs (every third of the lifetime), so a turn
      slower than the lifetime does not let the next one start beside it. `TICKET_LOCK_LIFETIME`
      (LEADBOT_LOCK_LIFETIME in production) is thus only how long a dead instance blocks its
      conversations.

    Rasa instantiates it as `LeadbotLockStore(endpoint_config=...)`; the endpoint's `url`, `port`,
    `db`, `password`, `username`, `use_ssl`, `key_prefix`, `socket_timeout` mean what they mean
    for Rasa's `type: redis`. Creating it also applies our Rasa patches (bot/ops/rasa_patches.py)."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, tickets: _Tickets | None = None) -> None:
        require_checked_rasa("the lock store bot.ops.lock_store.LeadbotLockStore")
        super().__init__()
        if tickets is None:
            tickets = _tickets_for(endpoint_config)
        self.tickets = tickets
        if isinstance(tickets, _MemoryTickets) and os.environ.get("SANIC_WORKERS", "1") not in ("", "1"):
            # Rasa allows several Sanic workers with any custom lock store; each would have its own memory.
            log.warning("lock store without a url: SANIC_WORKERS>1 needs Redis (give lock_store a url)")
        applied = apply_rasa_patches()
        log.info(
            "lock store %s (%s tickets); Rasa patches applied: %s",
            type(self).__name__,
            "Redis" if isinstance(tickets, _RedisTickets) else "in-memory",
            ", ".join(applied) or "none (switched off)",
        )

    # ----------------------------------------------------------------- what Rasa calls

    @contextlib.asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[TicketLock]:
        """Wait for this turn's ticket to come first, hold it (renewed) while the turn runs."""
        lifetime_ms = max(int(lock_lifetime * 1000), 1000)
        number = self.issue_ticket(conversation_id, lock_lifetime)
        heartbeat: asyncio.Task[None] | None = None
        try:
            await self._wait_for_turn(conversation_id, number, lifetime_ms, min(wait_time_in_seconds, MAX_POLL_SECONDS))
            heartbeat = asyncio.create_task(self._hold(conversation_id, number, lifetime_ms))
            yield self._snapshot(conversation_id)
        finally:
            if heartbeat is not None:
                heartbeat.cancel()
            self.cleanup(conversation_id, number)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self.tickets.issue(conversation_id, max(int(lock_lifetime * 1000), 1000))
        except Exception as exc:
            # Rasa's wording: the REST channel logs it and answers 200 with no messages.
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        try:
            self.tickets.release(conversation_id, ticket_number)
        except Exception as exc:  # Redis gone: the ticket expires by itself
            log.warning("could not release lock ticket %s of %s: %s", ticket_number, conversation_id, exc)

    # Rasa's other `LockStore` methods, kept true for anything that inspects a lock.

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        queue = self.tickets.queue(conversation_id)
        if not queue:
            return None
        return TicketLock(conversation_id, deque(Ticket(n, expires) for n, expires in queue))

    def delete_lock(self, conversation_id: str) -> None:
        self.tickets.drop(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError(
            "LeadbotLockStore changes tickets only through its atomic steps (issue, poll, release); "
            "writing a whole lock back is the race of RasaHQ/rasa#9213"
        )

    def update_lock(self, conversation_id: str) -> None:
        """Nothing to do: every atomic step drops the expired tickets first."""

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self.cleanup(conversation_id, ticket_number)

    def is_someone_waiting(self, conversation_id: str) -> bool:
        return bool(self.tickets.queue(conversation_id))

    # ----------------------------------------------------------------- helpers

    async def _wait_for_turn(self, conversation_id: str, number: int, lifetime_ms: int, max_poll: float) -> None:
        while True:
            try:
                first, ahead = self.tickets.poll(conversation_id, number, lifetime_ms, put_back=True)
            except Exception as exc:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}': {exc}") from exc
            if first:
                return
            log.debug("conversation %s: ticket %s waits behind %s", conversation_id, number, ahead)
            # The next in line asks often (a turn takes tens of milliseconds); the rest back off.
            await asyncio.sleep(min(FIRST_POLL_SECONDS * 2 ** min(ahead - 1, 5), max_poll))

    async def _hold(self, conversation_id: str, number: int, lifetime_ms: int) -> None:
        while True:
            await asyncio.sleep(lifetime_ms / 3000)
            try:
                _, ahead = self.tickets.poll(conversation_id, number, lifetime_ms, put_back=False)
            except Exception as exc:
                log.warning("could not renew lock ticket %s of %s: %s", number, conversation_id, exc)
                continue
            if ahead != 0:
                # The event loop stalled past the lifetime: the next turn may be running beside this one.
                log.error("lock ticket %s of %s expired while its turn ran", number, conversation_id)
                return

    def _snapshot(self, conversation_id: str) -> TicketLock:
        return self.get_lock(conversation_id) or TicketLock(conversation_id)


def _tickets_for(endpoint: EndpointConfig | None) -> _Tickets:
    if endpoint is None or not endpoint.url:
        return _MemoryTickets()
    import redis

    options = dict(endpoint.kwargs)
    prefix = str(options.pop("key_prefix", "") or "")
    if prefix and not prefix.isalnum():
        raise ValueError(f"lock_store key_prefix must be letters and digits only, not {prefix!r}")
    client = redis.StrictRedis(
        host=endpoint.url,
        port=int(options.pop("port", 6379)),
        db=int(options.pop("db", 1)),
        username=options.pop("username", None),
        password=options.pop("password", None),
        ssl=bool(options.pop("use_ssl", False)),
        ssl_certfile=options.pop("ssl_certfile", None),
        ssl_keyfile=options.pop("ssl_keyfile", None),
        ssl_ca_certs=options.pop("ssl_ca_certs", None),
        socket_timeout=float(options.pop("socket_timeout", 10)),
        decode_responses=True,
    )
    if options:
        raise ValueError(f"lock_store: unknown option(s) {sorted(options)} for {LeadbotLockStore.__name__}")
    # Not Rasa's "lock:" keys: a rolling upgrade must not mix the two formats in one key.
    return _RedisTickets(client, f"{prefix}:tickets:" if prefix else "tickets:")
