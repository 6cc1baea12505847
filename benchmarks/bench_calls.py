"""How many action-server calls each kind of turn costs: Rasa's requests to /webhook, by action.

Starts the real stack (`bot.ops.local.Stack`: action server + Rasa serving models/leadbot.tar.gz,
SQLite in a temp dir) with a counting proxy between Rasa and the action server, plays the
conversations of `bench_turns.py` once each, and counts the webhook requests of every visitor
message by the `next_action` Rasa asked for, under the kind of turn the message is.

    .venv/bin/python benchmarks/bench_calls.py [--save before.json] [--before before.json]
        # -> benchmarks/results/calls.md

Counts, not timings: the same model and code give the same numbers on any machine, loaded or
not. `--save` keeps this run's counts as JSON; `--before` puts a saved run beside this one
(the "before → after" columns of results/calls.md).
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import tempfile
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))

from bot.ops.local import Stack, free_port  # noqa: E402

# The kinds of turn, in the order the report lists them.
GREETING = "greeting"
ANSWER = "answer (one question)"
VOLUNTEERED = "volunteered answers (four in one message)"
CORRECTION = "correction"
DIGRESSION = "question / digression"
CONTACT = "contact details"
CLOSING = "closing turn (consent, lead finished)"
KINDS = (GREETING, ANSWER, VOLUNTEERED, CORRECTION, DIGRESSION, CONTACT, CLOSING)

# (what the visitor says, kind of turn, a word the reply must contain or None)
Turn = tuple[str, str, str | None]
_CONTACT: list[Turn] = [
    ("Ana García", CONTACT, "email"),
    ("ana.garcia@acme-corp.com", CONTACT, "company"),
    ("Acme Corp", CONTACT, "contact you"),
    ("yes", CLOSING, "sales team"),
]
CONVERSATIONS: dict[str, list[Turn]] = {
    "sales-ready": [
        ("hello", GREETING, "problem"),
        ("our sales reps waste hours every week on bad leads", ANSWER, "budget"),
        ("around 20k a year", ANSWER, "role"),
        ("VP of Sales", ANSWER, "when"),
        ("next quarter", ANSWER, "name"),
        *_CONTACT,
    ],
    "four answers in the opener": [
        (
            "Hi, I'm the CTO at Acme, our reps waste hours on bad leads, "
            "we have about 30k a year and want something live next quarter",
            VOLUNTEERED,
            "name",
        ),
        *_CONTACT,
    ],
    "budget correction and questions": [
        ("hi", GREETING, "problem"),
        ("our reps waste time on unqualified leads", ANSWER, "budget"),
        ("why do you ask?", DIGRESSION, "price points"),
        ("3k a year", ANSWER, "role"),
        ("actually our budget is 50k", CORRECTION, "updated"),
        ("how much does it cost?", DIGRESSION, None),
        ("CEO", ANSWER, "when"),
        ("asap", ANSWER, "name"),
        *_CONTACT,
    ],
    "sales-ready (es)": [
        ("Hola, buenas tardes", GREETING, "problema"),
        ("los comerciales pierden horas cada semana con leads malos", ANSWER, "presupuesto"),
        ("unos 20k al año", ANSWER, "puesto"),
        ("VP de ventas", ANSWER, "para cuándo"),
        ("el próximo trimestre", ANSWER, "cómo te llamas"),
        ("Lucía Fernández", CONTACT, "email"),
        ("lucia.fernandez@ventas-iberia.es", CONTACT, "empresa"),
        ("Ventas Iberia SL", CONTACT, "que te escriba"),
        ("sí, claro", CLOSING, "equipo comercial"),
    ],
}


@dataclass
class CallCounter:
    """Webhook calls per kind of turn and action name; `kind` is the turn being played now."""

    kind: str | None = None
    calls: dict[str, Counter[str]] = field(default_factory=dict)
    turns: Counter[str] = field(default_factory=Counter)
    first: dict[str, list[str]] = field(default_factory=dict)  # the calls of each kind's first turn, in order
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _current: list[str] | None = field(default=None, repr=False)  # where this turn's calls go in `first`

    def start_turn(self, kind: str) -> None:
        with self._lock:
            self.kind = kind
            self.turns[kind] += 1
            self.calls.setdefault(kind, Counter())
            self._current = [] if kind not in self.first else None
            if self._current is not None:
                self.first[kind] = self._current

    def record(self, body: bytes) -> str:
        """Count one webhook request (Rasa's JSON body); returns the action it asked for."""
        try:
            action = str(json.loads(body).get("next_action") or "?")
        except (ValueError, AttributeError):
            action = "?"
        with self._lock:
            self.calls.setdefault(self.kind or "(between turns)", Counter())[action] += 1
            if self.kind is not None and self._current is not None:
                self._current.append(action)
        return action

    def per_turn(self, kind: str) -> float:
        turns = self.turns.get(kind, 0)
        return sum(self.calls.get(kind, Counter()).values()) / turns if turns else 0.0

    def breakdown(self, kind: str) -> str:
        """'action_validate_slot_mappings 1, validate_qualification_form 2' per turn of `kind`."""
        turns = self.turns.get(kind, 0) or 1
        counts = self.calls.get(kind, Counter())
        return ", ".join(f"`{name}` {count / turns:g}" for name, count in sorted(counts.items()))

    def to_json(self) -> dict[str, object]:
        return {"turns": dict(self.turns), "calls": {k: dict(v) for k, v in self.calls.items()}, "first": self.first}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> CallCounter:
        counter = cls()
        counter.turns = Counter(data["turns"])  # type: ignore[arg-type]
        counter.calls = {k: Counter(v) for k, v in data["calls"].items()}  # type: ignore[attr-defined]
        counter.first = dict(data.get("first") or {})  # type: ignore[call-overload]
        return counter


class CountingProxy(ThreadingHTTPServer):
    """Forwards every request to the action server unchanged, counting POST /webhook."""

    daemon_threads = True

    def __init__(self, port: int, upstream_port: int, counter: CallCounter) -> None:
        self.upstream_port = upstream_port
        self.counter = counter
        super().__init__(("127.0.0.1", port), _ProxyHandler)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # Rasa's aiohttp session keeps connections alive
    server: CountingProxy

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.command == "POST" and self.path.startswith("/webhook"):
            self.server.counter.record(body)
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        upstream.request(self.command, self.path, body=body or None, headers=headers)
        response = upstream.getresponse()
        payload = response.read()
        upstream.close()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("content-length", "connection", "transfer-encoding", "keep-alive"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _forward


@dataclass
class CountedStack(Stack):
    """The test stack, with Rasa sent to the counting proxy instead of the action server."""

    proxy_port: int = 0

    def write_endpoints(self) -> Path:
        path = super().write_endpoints()
        config = yaml.safe_load(path.read_text())
        config["action_endpoint"]["url"] = f"http://127.0.0.1:{self.proxy_port}/webhook"
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return path


def play(rasa_url: str, counter: CallCounter) -> list[str]:
    """Every conversation once, a new visitor each; returns the replies that went off script."""
    off_script: list[str] = []
    with requests.Session() as session:
        for name, script in CONVERSATIONS.items():
            sender = f"calls-{uuid.uuid4().hex[:12]}"
            for text, kind, expected in script:
                counter.start_turn(kind)
                response = session.post(
                    f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120
                )
                response.raise_for_status()
                reply = "\n".join(r.get("text") or "" for r in response.json())
                if expected is not None and expected not in reply.lower():
                    off_script.append(f"{name}: {text!r} -> {reply[:120]!r} (expected {expected!r})")
            counter.kind, counter._current = None, None
    return off_script


def report(after: CallCounter, before: CallCounter | None, off_script: list[str], when: str) -> str:
    lines = [
        "# Action-server calls per kind of turn",
        "",
        f"Measured {when} by `benchmarks/bench_calls.py`: Rasa's POST /webhook requests to the action "
        "server, counted by a proxy between the two, over the conversations in the script (one "
        "visitor each, REST). Counts, not timings: machine load does not change them.",
        "",
    ]
    if before is not None:
        lines += [
            "| kind of turn | turns | calls per turn, before | after | after, by action (per turn) |",
            "|---|---:|---:|---:|---|",
        ]
        for kind in KINDS:
            lines.append(
                f"| {kind} | {after.turns.get(kind, 0)} | {before.per_turn(kind):g} | "
                f"{after.per_turn(kind):g} | {after.breakdown(kind)} |"
            )
        lines += ["", "Before, by action (per turn):", ""]
        lines += [f"- {kind}: {before.breakdown(kind)}" for kind in KINDS]
    else:
        lines += ["| kind of turn | turns | calls per turn | by action (per turn) |", "|---|---:|---:|---|"]
        for kind in KINDS:
            lines.append(
                f"| {kind} | {after.turns.get(kind, 0)} | {after.per_turn(kind):g} | {after.breakdown(kind)} |"
            )
    lines += ["", "In order, the calls of the first turn of each kind (after):", ""]
    lines += [f"- {kind}: {' → '.join(after.first.get(kind, [])) or '—'}" for kind in KINDS]
    if off_script:
        lines += ["", f"**{len(off_script)} replies off script:**", "", *(f"- {m}" for m in off_script)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="write this run's counts as JSON")
    parser.add_argument("--before", type=Path, help="a saved run to report beside this one")
    parser.add_argument("--output", type=Path, default=RESULTS / "calls.md")
    parser.add_argument("--logs", type=Path, help="keep the servers' logs in this folder")
    args = parser.parse_args(argv)
    counter = CallCounter()
    with tempfile.TemporaryDirectory(prefix="leadbot-bench-calls-") as tmp_name:
        tmp = Path(tmp_name)
        logs = args.logs or tmp / "logs"
        stack = CountedStack.on_free_ports(tmp, proxy_port=free_port(), log_dir=logs)
        proxy = CountingProxy(stack.proxy_port, stack.actions_port, counter)
        threading.Thread(target=proxy.serve_forever, name="counting-proxy", daemon=True).start()
        try:
            stack.start()
            off_script = play(stack.rasa_url, counter)
        except Exception:
            for log in sorted(logs.glob("*.log")):
                print(f"--- {log.name} ---\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
            raise
        finally:
            stack.stop()
            proxy.shutdown()
    if args.save:
        args.save.write_text(json.dumps(counter.to_json(), indent=2))
    before = CallCounter.from_json(json.loads(args.before.read_text())) if args.before else None
    text = report(counter, before, off_script, datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
