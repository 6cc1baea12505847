"""What guards the console: the signed-in user, CSRF tokens, roles and the sign-in rate limit.

Sessions are Starlette's signed cookies (itsdangerous) holding the user id, the user's session
epoch (bumped by `leadbot users passwd/disable`, which ends older sessions) and the CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from bot.domain.console import User
from bot.storage import ConsoleStore

CSRF_FIELD = "csrf_token"


class Forbidden(Exception):
    """A request refused with 403 (no CSRF token, or a role that may not do this)."""


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use (also before signing in: the login form)."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: object) -> None:
    """Synchronizer token: the form's hidden field must equal the session's token."""
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not isinstance(submitted, str) or not submitted:
        raise Forbidden("missing CSRF token: reload the page and try again")
    if not hmac.compare_digest(expected.encode(), submitted.encode()):
        raise Forbidden("wrong CSRF token: reload the page and try again")


async def current_user(request: Request, store: ConsoleStore) -> User | None:
    """The signed-in user, or None; a disabled user or a session older than the password is out."""
    user_id = request.session.get("uid")
    if not isinstance(user_id, int):
        return None
    user = await run_in_threadpool(store.user, user_id)
    if user is None or not user.active or user.session_epoch != request.session.get("epoch"):
        request.session.pop("uid", None)
        request.session.pop("epoch", None)
        return None
    return user


def sign_in(request: Request, user: User) -> None:
    # A new session id on sign-in: a token planted before (session fixation) is not reused.
    request.session.clear()
    request.session.update({"uid": user.id, "epoch": user.session_epoch})
    csrf_token(request)


class LoginThrottle:
    """Failed sign-ins per (address, account) and per address over a sliding window.

    In memory, per process: the console runs in one process (`leadbot serve`). `clock` is
    injectable so the window can be tested without waiting."""

    def __init__(self, max_failures: int, window_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _keys(self, address: str, email: str) -> list[tuple[tuple[str, str], int]]:
        return [((address, email.strip().lower()), self.max_failures), ((address, ""), self.max_failures * 4)]

    def retry_after(self, address: str, email: str) -> int:
        """Seconds until this address may try this account again; 0 when it may now."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key, limit in self._keys(address, email):
                times = self._failures.get(key)
                if not times:
                    continue
                while times and times[0] <= now - self.window:
                    times.popleft()
                if len(times) >= limit:
                    wait = max(wait, times[0] + self.window - now)
        return int(wait) + 1 if wait else 0

    def failed(self, address: str, email: str) -> None:
        now = self._clock()
        with self._lock:
            for key, _limit in self._keys(address, email):
                self._failures.setdefault(key, deque()).append(now)
            if len(self._failures) > 10_000:  # bounded: drop the stalest keys
                for key in sorted(self._failures, key=lambda k: self._failures[k][-1] if self._failures[k] else 0)[
                    :5000
                ]:
                    del self._failures[key]

    def succeeded(self, address: str, email: str) -> None:
        with self._lock:
            self._failures.pop((address, email.strip().lower()), None)
