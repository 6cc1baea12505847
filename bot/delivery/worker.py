"""The handoff outbox worker: delivers queued leads to sales' channels, at most once per channel.

Rows are queued when a lead finishes (`bot/delivery/outbox.py`). The worker claims one due
handoff at a time, renews that claim from a heartbeat thread while it sends (a slow receiver never
outlasts it), asks the store before each channel whether it may send (`begin_send`: claim held,
channel not delivered, no earlier send in flight), records each attempt under its claim token,
and reschedules failures with exponential backoff and full jitter.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import uuid
from datetime import datetime, timedelta
from types import TracebackType

from bot.delivery.channels import channels_from_settings
from bot.delivery.crm import crm_channels
from bot.domain import utcnow
from bot.settings import Settings, current_settings
from bot.storage import Claim, LeadStore

log = logging.getLogger(__name__)

BATCH = 20  # handoffs one pass works through before the loop looks at its stop event again
# A send that started under a claim later lost is taken as finished after this many timeouts
# (a webhook's connect + read; an SMTP dialogue of a few round-trips); until then no other
# worker sends to that channel.
IN_FLIGHT_TIMEOUTS = 3


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**(attempt-1))] seconds.

    Jitter spreads the retries of many handoffs that failed together (receiver down), so the
    receiver is not hit by a synchronised wave when it comes back.
    """
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return (rng or random).uniform(0, ceiling)


class _Heartbeat:
    """Renews one claim every `interval` seconds from a thread until the pass is over; `lost`
    is set as soon as the store says the claim is someone else's."""

    def __init__(self, store: LeadStore, claim: Claim, lease_seconds: float, interval: float) -> None:
        self.store, self.claim, self.lease, self.interval = store, claim, lease_seconds, interval
        self.lost = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{claim.handoff.id}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._done.wait(self.interval):
            try:
                held = self.store.extend_claim(self.claim.handoff.id, token=self.claim.token, lease_seconds=self.lease)
            except Exception:  # a database blip: try again next beat, the lease has slack
                log.warning("handoff %s: lease renewal failed", self.claim.handoff.id, exc_info=True)
                continue
            if not held:
                self.lost.set()
                return


class Worker:
    """One delivery worker: an identity for claims, the channels, and the pass logic.

    `heartbeat_seconds` (default: a third of the lease) is how often a claim is renewed while
    its handoff is being sent."""

    def __init__(
        self, store: LeadStore, settings: Settings | None = None, *, heartbeat_seconds: float | None = None
    ) -> None:
        self.store = store
        self.settings = settings or current_settings()
        # Sales' notifications first, then the CRMs (a slow CRM never delays the Slack ping).
        self.channels = {**channels_from_settings(self.settings), **crm_channels(self.settings)}
        self.id = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.heartbeat_seconds = heartbeat_seconds or self.settings.handoff_lease_seconds / 3
        self._warned_unconfigured = False
        self.last_claimed = 0  # rows claimed by the last pass: a full batch means look again at once

    def deliver_due(self, limit: int = BATCH) -> int:
        """One pass: claim due handoffs one at a time and try each pending channel once.
        Returns how many were fully delivered in this pass."""
        self.last_claimed = 0
        if not self.channels:
            if not self._warned_unconfigured:
                waiting = len(self.store.handoffs(status="pending"))
                log.warning(
                    "no handoff channel configured: %d handoff(s) stay pending in the outbox "
                    "(set LEADBOT_HANDOFF_URL, LEADBOT_SLACK_WEBHOOK_URL, LEADBOT_SMTP_HOST + LEADBOT_SMTP_TO, "
                    "or a CRM: LEADBOT_HUBSPOT_TOKEN, LEADBOT_SALESFORCE_*)",
                    waiting,
                )
                self._warned_unconfigured = True
            return 0
        delivered = 0
        lease = self.settings.handoff_lease_seconds
        while self.last_claimed < limit:
            claims = self.store.claim_handoffs(worker=self.id, lease_seconds=lease, limit=1)
            if not claims:
                break
            self.last_claimed += 1
            with _Heartbeat(self.store, claims[0], lease, self.heartbeat_seconds) as heartbeat:
                delivered += self._deliver(claims[0], heartbeat) == "sent"
        return delivered

    def _deliver(self, claim: Claim, heartbeat: _Heartbeat) -> str:
        """Send one claimed handoff to every channel that still needs it; returns its status."""
        s, handoff, token = self.settings, claim.handoff, claim.token
        errors: list[str] = []
        wait_until: datetime | None = None
        asked_wait = 0.0  # the longest Retry-After a channel answered in this pass
        in_flight = IN_FLIGHT_TIMEOUTS * s.handoff_timeout_seconds
        for name, channel in self.channels.items():
            if heartbeat.lost.is_set():
                return self._lost(claim)
            decision = self.store.begin_send(handoff.id, name, token=token, in_flight_seconds=in_flight)
            if decision.verdict == "claim_lost":
                return self._lost(claim)
            if decision.verdict == "in_flight":
                log.info("handoff %s: an earlier send to %s may still be answered; waiting", handoff.id, name)
                wait_until = max(filter(None, (wait_until, decision.wait_until)))
                continue
            if not decision.go:
                continue  # already accepted there: never send twice to a channel that succeeded
            result = channel.send(handoff)
            held = self.store.record_attempt(
                handoff.id,
                name,
                token=token,
                ok=result.ok,
                status_code=result.status_code,
                error=result.error,
                duration_ms=result.duration_ms,
            )
            if not held:
                return self._lost(claim)
            if not result.ok:
                errors.append(f"{name}: {result.error}")
                asked_wait = max(asked_wait, result.retry_after or 0.0)
        if wait_until is not None:
            # Look again soon: the earlier holder usually records its answer well before the bound.
            wait_until = min(wait_until, utcnow() + timedelta(seconds=s.handoff_lease_seconds))
        delay = backoff_delay(handoff.attempts + 1, s.handoff_backoff_seconds, s.handoff_backoff_max_seconds)
        # A rate-limited receiver (429 + Retry-After) is not asked again before it said, up to
        # the backoff cap: a day-long Retry-After must not park every other channel's retry.
        delay = max(delay, min(asked_wait, s.handoff_backoff_max_seconds))
        status = self.store.complete_pass(
            handoff.id,
            token=token,
            channels=list(self.channels),
            next_attempt_at=utcnow() + timedelta(seconds=delay),
            wait_until=wait_until,
            max_attempts=s.handoff_max_attempts,
            error="; ".join(errors) or None,
        )
        if status == "sent":
            log.info("handoff %s (%s) delivered", handoff.id, handoff.conversation_id)
        elif status == "dead":
            log.error("handoff %s is dead after %d attempts: %s", handoff.id, s.handoff_max_attempts, errors)
        elif errors:
            log.warning("handoff %s failed (%s); retry in %.1fs", handoff.id, "; ".join(errors), delay)
        return status

    def _lost(self, claim: Claim) -> str:
        log.warning(
            "handoff %s: claim lost (lease of %.0fs lapsed); another worker carries on, sending no channel twice",
            claim.handoff.id,
            self.settings.handoff_lease_seconds,
        )
        return "lost"

    def run(self, stop_event: threading.Event) -> None:
        poll = self.settings.worker_poll_seconds
        log.info("handoff worker %s started; channels: %s", self.id, ", ".join(self.channels) or "none")
        while not stop_event.is_set():
            try:
                self.deliver_due()
                busy = self.last_claimed >= BATCH
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
