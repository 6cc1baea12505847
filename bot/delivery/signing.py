"""Webhook signing: the canonical body bytes and its HMAC-SHA256 signature, for us and receivers.

Receivers verify `X-Leadbot-Signature` against the raw body with `verify_signature`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

SIGNATURE_HEADER = "X-Leadbot-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def canonical_body(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes POSTed: deterministic, so every retry carries an identical signed body."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secret: str) -> bool:
    """For receivers: constant-time check of `X-Leadbot-Signature` against the raw body."""
    return bool(header) and hmac.compare_digest(sign(body, secret), str(header))
