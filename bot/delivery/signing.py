"""Webhook signing: the canonical body bytes and a timestamped HMAC-SHA256 signature over them.

`X-Leadbot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (Stripe's scheme):
the timestamp is signed with the body, so a captured request stops verifying after the replay
window. Receivers check it with `verify_signature` (or the stdlib snippet in the README).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

SIGNATURE_HEADER = "X-Leadbot-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def canonical_body(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes POSTed: deterministic, so every retry carries an identical body."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `X-Leadbot-Signature` value for `body` sent now (or at `timestamp`, Unix seconds).

    Signed again on every attempt: the body and the idempotency key stay the same, the
    timestamp is the attempt's, so a retry an hour later still lands inside the window."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={t},{SCHEME}={_mac(secret, t, body)}"


def verify_signature(
    body: bytes,
    header: str | None,
    secret: str,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """For receivers: is `header` a valid signature of the raw `body`, made within `tolerance`
    seconds of `now` (default: the clock)?

    False for a missing or malformed header, a wrong secret or body, and a timestamp outside
    the window either way (an old request replayed, or a clock far ahead). Several `v1=` entries
    are allowed (a secret being rotated); one matching is enough. Constant-time comparison."""
    if not header:
        return False
    fields = [part.strip().partition("=") for part in header.split(",")]
    stamps = [value for key, sep, value in fields if key == "t" and sep]
    if len(stamps) != 1 or not stamps[0].isdigit():
        return False
    t = int(stamps[0])
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = _mac(secret, t, body)
    return any(hmac.compare_digest(expected, value) for key, sep, value in fields if key == SCHEME and sep)


def _mac(secret: str, t: int, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
