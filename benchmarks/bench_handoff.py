"""Handoff benchmarks (run on demand): finish() → webhook latency, and outbox recovery after an outage.

    python benchmarks/bench_handoff.py [--leads 100] [--down-seconds 60] [--database-url URL]

BENCH_GAP_SECONDS (default 0.1) spaces the finish() calls; one worker on SQLite delivers about
30 handoffs/s, so a faster arrival rate measures queueing, not delivery latency.

1. Latency: a worker thread polls the outbox; for each of N leads, the time from `finish()` returning
   to the receiver getting the POST. Prints p50/p95/max.
2. Outage: the receiver is down for `--down-seconds` while N leads are finished, then comes back;
   reports the time until all are delivered, throughput, and checks each was received exactly once.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))

from conftest import make_sla, make_snapshot

from bot.delivery import finish_lead
from bot.delivery.worker import run_worker
from bot.storage import LeadStore


class Receiver:
    """A webhook receiver on a fixed port that can be started and stopped."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.arrivals: dict[str, float] = {}  # conversation id -> first arrival (perf_counter)
        self.keys: list[str] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver.lock:
                    receiver.arrivals.setdefault(body["conversation_id"], time.perf_counter())
                    receiver.keys.append(self.headers["Idempotency-Key"])
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))]


def bench_latency(store: LeadStore, receiver: Receiver, leads: int) -> None:
    finished: dict[str, float] = {}
    for _ in range(leads):
        snap = make_snapshot()
        finish_lead(store, snap, sla=make_sla(), handoff=True)
        finished[snap.conversation_id] = time.perf_counter()
        time.sleep(float(os.environ.get("BENCH_GAP_SECONDS", "0.1")))  # leads arrive one by one
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(c in receiver.arrivals for c in finished):
        time.sleep(0.05)
    latencies = [(receiver.arrivals[c] - t) * 1000 for c, t in finished.items() if c in receiver.arrivals]
    print(f"latency finish() → webhook over {len(latencies)}/{leads} leads:")
    print(f"  p50 {statistics.median(latencies):.0f} ms, p95 {_pct(latencies, 95):.0f} ms, max {max(latencies):.0f} ms")


def bench_outage(store: LeadStore, receiver: Receiver, leads: int, down_seconds: float) -> bool:
    receiver.stop()
    receiver.arrivals.clear()
    receiver.keys.clear()
    ids = []
    for _ in range(leads):
        snap = make_snapshot()
        ids.append(snap.conversation_id)
        finish_lead(store, snap, sla=make_sla(), handoff=True)
    print(f"receiver down for {down_seconds:.0f} s with {leads} handoffs queued…")
    time.sleep(down_seconds)
    back = time.perf_counter()
    receiver.start()
    deadline = time.monotonic() + max(120.0, down_seconds * 2)
    while time.monotonic() < deadline and not all(c in receiver.arrivals for c in ids):
        time.sleep(0.05)
    delivered = [c for c in ids if c in receiver.arrivals]
    elapsed = max(receiver.arrivals[c] for c in delivered) - back if delivered else float("nan")
    duplicates = len(receiver.keys) - len(set(receiver.keys))
    print(f"  after the receiver came back: {len(delivered)}/{leads} delivered in {elapsed:.1f} s")
    print(f"  throughput {len(delivered) / max(elapsed, 1e-6):.0f} handoffs/s, duplicates received: {duplicates}")
    ok = len(delivered) == leads and duplicates == 0
    print("  OK: all delivered, none twice" if ok else "  FAIL")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=100)
    parser.add_argument("--down-seconds", type=float, default=60.0)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="leadbot-bench-")
    url = args.database_url or f"sqlite:///{tmp}/leads.db"
    port = _free_port()
    os.environ.update(
        {
            "LEADBOT_HANDOFF_URL": f"http://127.0.0.1:{port}/leads",
            "LEADBOT_HANDOFF_SECRET": "bench",
            "LEADBOT_WORKER_POLL_SECONDS": "0.05",
            # A real deployment keeps the 5 s base; the outage test uses 1 s / 10 s cap so that
            # recovery time is dominated by the backoff ceiling, which is what we want to see.
            "LEADBOT_HANDOFF_BACKOFF_SECONDS": os.environ.get("LEADBOT_HANDOFF_BACKOFF_SECONDS", "1"),
            "LEADBOT_HANDOFF_BACKOFF_MAX_SECONDS": os.environ.get("LEADBOT_HANDOFF_BACKOFF_MAX_SECONDS", "10"),
            "LEADBOT_HANDOFF_MAX_ATTEMPTS": "1000",
            "LEADBOT_TEMPLATES_DIR": tmp,
        }
    )
    store = LeadStore(url)
    receiver = Receiver(port)
    receiver.start()
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(stop, store), daemon=True)
    worker.start()
    try:
        bench_latency(store, receiver, args.leads)
        ok = bench_outage(store, receiver, args.leads, args.down_seconds)
    finally:
        stop.set()
        worker.join(10)
        receiver.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
