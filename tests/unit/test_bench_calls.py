"""benchmarks/bench_calls.py counts Rasa's action calls per kind of turn, passing them on unchanged."""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.ops.supervisor import free_port

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_calls", BENCHMARKS / "bench_calls.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_calls"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


class _ActionServer(BaseHTTPRequestHandler):
    """Answers every call with the action it was asked for, and the header it got."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        reply = json.dumps({"ran": body["next_action"], "token": self.headers.get("X-Token")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


@pytest.fixture
def upstream() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ActionServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def test_calls_are_counted_per_kind_of_turn_and_action_and_passed_on(upstream: int) -> None:
    bench = _bench()
    counter = bench.CallCounter()
    proxy = bench.CountingProxy(free_port(), upstream, counter)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{proxy.server_address[1]}/webhook"
    try:
        with requests.Session() as session:
            for kind, actions in [
                (bench.ANSWER, ["action_validate_slot_mappings", "validate_qualification_form", "action_ask_role"]),
                (bench.ANSWER, ["action_validate_slot_mappings", "validate_qualification_form"]),
                (bench.CLOSING, ["action_validate_slot_mappings", "action_finish"]),
            ]:
                counter.start_turn(kind)
                for action in actions:
                    reply = session.post(url, json={"next_action": action}, headers={"X-Token": "t"}, timeout=10)
                    assert reply.json() == {"ran": action, "token": "t"}
    finally:
        proxy.shutdown()
    assert counter.per_turn(bench.ANSWER) == 2.5
    assert counter.breakdown(bench.ANSWER) == (
        "`action_ask_role` 0.5, `action_validate_slot_mappings` 1, `validate_qualification_form` 1"
    )
    assert counter.first[bench.ANSWER] == [
        "action_validate_slot_mappings",
        "validate_qualification_form",
        "action_ask_role",
    ]
    again = bench.CallCounter.from_json(json.loads(json.dumps(counter.to_json())))
    assert again.per_turn(bench.CLOSING) == 2 and again.per_turn(bench.GREETING) == 0
