"""The handoff outbox worker: delivers queued leads to sales' channels, at least once, keyed.

Rows are queued when a lead finishes (`bot/delivery/outbox.py`); this module claims due rows,
sends them to every configured channel, records each attempt, and reschedules failures with
exponential backoff and full jitter.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import uuid
from datetime import timedelta

from bot.delivery.channels import channels_from_settings
from bot.domain import utcnow
from bot.settings import Settings, current_settings
from bot.storage import LeadStore

log = logging.getLogger(__name__)


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**(attempt-1))] seconds.

    Jitter spreads the retries of many handoffs that failed together (receiver down), so the
    receiver is not hit by a synchronised wave when it comes back.
    """
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return (rng or random).uniform(0, ceiling)


class Worker:
    """One delivery worker: an identity for claims, the channels, and the pass logic."""

    def __init__(self, store: LeadStore, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or current_settings()
        self.channels = channels_from_settings(self.settings)
        self.id = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._warned_unconfigured = False
        self.last_claimed = 0  # rows claimed by the last pass: a full batch means look again at once

    def deliver_due(self, limit: int = 20) -> int:
        """One pass: claim due handoffs and try each pending channel once. Returns how many were
        fully delivered in this pass."""
        if not self.channels:
            if not self._warned_unconfigured:
                waiting = len(self.store.handoffs(status="pending"))
                log.warning(
                    "no handoff channel configured: %d handoff(s) stay pending in the outbox "
                    "(set LEADBOT_HANDOFF_URL, LEADBOT_SLACK_WEBHOOK_URL or LEADBOT_SMTP_HOST + LEADBOT_SMTP_TO)",
                    waiting,
                )
                self._warned_unconfigured = True
            return 0
        s = self.settings
        claimed = self.store.claim_handoffs(worker=self.id, lease_seconds=s.handoff_lease_seconds, limit=limit)
        delivered = 0
        for handoff in claimed:
            errors: list[str] = []
            for name, channel in self.channels.items():
                if name in handoff.delivered:
                    continue  # already accepted there: never send twice to a channel that succeeded
                result = channel.send(handoff)
                self.store.record_attempt(
                    handoff.id,
                    name,
                    ok=result.ok,
                    status_code=result.status_code,
                    error=result.error,
                    duration_ms=result.duration_ms,
                )
                if not result.ok:
                    errors.append(f"{name}: {result.error}")
            delay = backoff_delay(handoff.attempts + 1, s.handoff_backoff_seconds, s.handoff_backoff_max_seconds)
            status = self.store.complete_pass(
                handoff.id,
                worker=self.id,
                channels=list(self.channels),
                all_delivered=not errors,
                next_attempt_at=utcnow() + timedelta(seconds=delay),
                max_attempts=s.handoff_max_attempts,
                error="; ".join(errors) or None,
            )
            if status == "sent":
                delivered += 1
                log.info("handoff %s (%s) delivered", handoff.id, handoff.conversation_id)
            elif status == "dead":
                log.error("handoff %s is dead after %d attempts: %s", handoff.id, s.handoff_max_attempts, errors)
            else:
                log.warning("handoff %s failed (%s); retry in %.1fs", handoff.id, "; ".join(errors), delay)
        self.last_claimed = len(claimed)
        return delivered

    def run(self, stop_event: threading.Event) -> None:
        poll = self.settings.worker_poll_seconds
        log.info("handoff worker %s started; channels: %s", self.id, ", ".join(self.channels) or "none")
        while not stop_event.is_set():
            try:
                self.deliver_due()
                busy = self.last_claimed >= 20
            except Exception:  # the loop must survive a database blip
                log.exception("handoff worker pass failed")
                busy = False
            if not busy:
                stop_event.wait(poll)
        log.info("handoff worker %s stopped", self.id)


def deliver_due(store: LeadStore, settings: Settings | None = None) -> int:
    """One delivery pass with a fresh worker identity; see `Worker.deliver_due`."""
    return Worker(store, settings).deliver_due()


def run_worker(stop_event: threading.Event, store: LeadStore | None = None) -> None:
    """Poll the outbox (every LEADBOT_WORKER_POLL_SECONDS, default 0.5 s) until `stop_event`."""
    Worker(store or LeadStore()).run(stop_event)
