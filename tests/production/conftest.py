"""The production topology (PostgreSQL, Redis, two Rasa instances, two action servers, the worker,
nginx) brought up once per session on loopback, and visitors that talk to it through nginx.

Everything is started from the Debian binaries into a throwaway directory and removed afterwards;
nothing already running on the machine is used.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from requests_toolbelt.adapters.source import SourceAddressAdapter

from bot.ops.local import MODEL
from bot.ops.production import ProductionStack, throwaway_settings
from bot.storage import LeadStore, dispose_engines


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "production: runs against the production topology (PostgreSQL, Redis, nginx)")
    config.addinivalue_line("markers", "last: leaves a service restarting; ordered after the other production tests")


# --------------------------------------------------------------------------- the topology


@pytest.fixture(scope="session")
def prod() -> Iterator[ProductionStack]:
    missing = [b for b in ("nginx", "redis-server") if not (shutil.which(b) or Path(f"/usr/sbin/{b}").exists())]
    if missing or not list(Path("/usr/lib/postgresql").glob("*/bin/postgres")):
        pytest.skip(f"production tests need apt packages postgresql, redis-server, nginx (missing: {missing or 'pg'})")
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make setup` first")
    var = Path(tempfile.mkdtemp(prefix="leadbot-prod-"))
    var.chmod(0o755)  # the postgres user must reach its data dir
    settings = throwaway_settings(
        var,
        {
            "LEADBOT_CORS_ORIGINS": f"{ALLOWED_ORIGIN},https://shop.example.com",
            "LEADBOT_LOCK_LIFETIME": os.environ.get("LEADBOT_TEST_LOCK_LIFETIME", "15"),
            "LEADBOT_WEBHOOK_RATE": "5r/s",
            "LEADBOT_WEBHOOK_BURST": "20",
            "LEADBOT_LOG_FORMAT": "json",
        },
    )
    stack = ProductionStack(settings)
    try:
        stack.start()
    except BaseException:
        stack.stop()
        _dump_logs(var / "logs")
        shutil.rmtree(var, ignore_errors=True)
        raise
    yield stack
    stack.stop()
    dispose_engines()
    if os.environ.get("LEADBOT_KEEP_PROD_LOGS"):
        print(f"production logs kept in {var / 'logs'}")
    else:
        shutil.rmtree(var, ignore_errors=True)


def _dump_logs(directory: Path) -> None:
    for path in sorted(directory.glob("*.log")):
        print(f"--- {path.name} ---\n{path.read_text(errors='replace')[-3000:]}")


@pytest.fixture
def healthy(prod: ProductionStack) -> ProductionStack:
    """The stack with every service up again (a previous fault test may have left one restarting)."""
    restarted = prod.ensure_running()
    if restarted:
        print(f"restarted before the test: {restarted}")
    return prod


@pytest.fixture
def leads(prod: ProductionStack) -> LeadStore:
    return LeadStore(prod.settings.database_url)


# --------------------------------------------------------------------------- visitors

ALLOWED_ORIGIN = "https://www.example.com"
# nginx routes every turn of a conversation to one Rasa instance by this header (deploy/nginx.conf.template).
SENDER_HEADER = "X-Leadbot-Sender"
_next_address = iter(range(1, 250 * 250))
_address_lock = threading.Lock()


def next_source_address() -> str:
    """A distinct loopback address per visitor: nginx rate-limits and hashes by client address."""
    with _address_lock:
        n = next(_next_address)
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


class TurnFailed(AssertionError):
    pass


@dataclass
class Visitor:
    """One website visitor on the REST channel, through nginx, from its own loopback address."""

    stack: ProductionStack
    sender: str = field(default_factory=lambda: f"prod-{uuid.uuid4().hex[:12]}")
    origin: str = ALLOWED_ORIGIN
    metadata: dict[str, Any] = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)
    replies: list[list[dict[str, Any]]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    address: str = ""

    def __post_init__(self) -> None:
        self.address = self.address or next_source_address()
        self.session = requests.Session()
        adapter = SourceAddressAdapter(self.address)
        self.session.mount("http://", adapter)

    def post(self, text: str, timeout: float = 180) -> requests.Response:
        return self.session.post(
            f"{self.stack.public_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text, "metadata": self.metadata},
            headers={"Origin": self.origin, SENDER_HEADER: self.sender},
            timeout=timeout,
        )

    def say(self, text: str) -> str:
        """Send one message; the turn must be answered (200 and at least one bot message)."""
        started = time.monotonic()
        response = self.post(text)
        self.latencies.append(time.monotonic() - started)
        if response.status_code != 200:
            raise TurnFailed(f"{self.sender} {text!r}: HTTP {response.status_code} {response.text[:200]}")
        self.sent.append(text)
        replies = response.json()
        self.replies.append(replies)
        if not replies:
            raise TurnFailed(f"{self.sender} {text!r}: empty reply")
        return "\n".join(r.get("text") or "" for r in replies)

    def tracker(self) -> dict[str, Any]:
        response = requests.get(
            f"{self.stack.public_url}/conversations/{self.sender}/tracker",
            params={"token": self.stack.settings.rasa_token},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    def close(self) -> None:
        self.session.close()


# --------------------------------------------------------------------------- conversations

# The phrasings of tests/integration/test_conversation.py, one script per outcome.
SCRIPTS: dict[str, list[str]] = {
    "sales_ready": [
        "hello",
        "our sales reps waste hours every week on bad leads",
        "around 20k a year",
        "VP of Sales",
        "next quarter",
        "Ana García",
        "ana.garcia@acme-corp.com",
        "Acme Corp",
        "yes",
    ],
    "nurture": ["hey", "just curious, exploring options", "not decided yet", "I'm a marketing manager", "in 4 months"],
    "disqualified": ["hello", "I'm a student doing homework on lead scoring", "no budget", "intern", "no plans"],
}
CLOSINGS = {"sales_ready": "sales team", "nurture": "guide", "disqualified": "thanks for your time"}
TIERS = ("sales_ready", "nurture", "disqualified")


def converse(visitor: Visitor, tier: str, start: int = 0, stop: int | None = None) -> str:
    """Play the script of `tier` from message `start`; return the last reply."""
    reply = ""
    for text in SCRIPTS[tier][start:stop]:
        reply = visitor.say(text)
    return reply


def run_concurrently(jobs: list[Callable[[], Any]], workers: int) -> list[BaseException | Any]:
    """Run every job; return its result or the exception it raised (never stop early)."""

    def guarded(job: Callable[[], Any]) -> Any:
        try:
            return job()
        except BaseException as exc:
            return exc

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(guarded, jobs))


def fire_at_once(posts: list[Callable[[], Any]], stagger: float = 0.0) -> list[BaseException | Any]:
    """Start every post together (message i `i * stagger` seconds after the first), as a visitor
    who double-sends or a widget flushing its offline outbox does; return each result or error."""
    start = threading.Barrier(len(posts))

    def fire(i: int, post: Callable[[], Any]) -> Any:
        start.wait()
        time.sleep(i * stagger)
        return post()

    return run_concurrently([lambda i=i, p=p: fire(i, p) for i, p in enumerate(posts)], workers=len(posts))


def post_turn(url: str, visitor: Visitor, text: str) -> requests.Response:
    """One REST turn of `visitor` at `url` (nginx or a Rasa instance), from the visitor's address, on
    a connection of its own (several run at once for one visitor)."""
    with requests.Session() as session:
        session.mount("http://", SourceAddressAdapter(visitor.address))
        return session.post(
            f"{url}/webhooks/rest/webhook",
            json={"sender": visitor.sender, "message": text},
            headers={"Origin": visitor.origin, SENDER_HEADER: visitor.sender},
            timeout=180,
        )


@dataclass
class BurstOutcome:
    """What one conversation's tracker kept of messages sent at once (RasaHQ/rasa#9213 symptoms)."""

    lost: list[str]
    duplicated: list[str]
    # user events whose turn had not finished (no `action_listen` yet) when the next one was stored
    interleaved: int
    # stored order differs from the send order (meaningful only for staggered sends)
    reordered: bool

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated or self.interleaved)


def burst_outcome(tracker: dict[str, Any], sent: list[str]) -> BurstOutcome:
    texts = user_texts(tracker)
    counts = {t: texts.count(t) for t in set(texts)}
    lost = [t for t in sent if t not in counts]
    duplicated = [t for t, n in counts.items() if n > sent.count(t)]
    interleaved, open_turn = 0, False
    for event in tracker["events"]:
        if event["event"] == "user":
            interleaved += open_turn
            open_turn = True
        elif event["event"] == "action" and event.get("name") == "action_listen":
            open_turn = False
    interleaved += open_turn  # the last turn never finished
    return BurstOutcome(lost, duplicated, interleaved, reordered=[t for t in texts if t in sent] != sent)


def user_texts(tracker: dict[str, Any]) -> list[str]:
    return [e.get("text") or "" for e in tracker["events"] if e["event"] == "user"]


def event_problems(visitor: Visitor, tracker: dict[str, Any], *, retried: list[str] | None = None) -> list[str]:
    """Duplicated or reordered user events, or timestamps going backwards (RasaHQ/rasa#9213).

    With `retried`, a turn stored twice in a row (a crashed instance had saved it, then nginx
    re-sent it) is collapsed and recorded there instead of being a problem."""
    problems = []
    texts = user_texts(tracker)
    if retried is not None:
        collapsed = [t for i, t in enumerate(texts) if i == 0 or t != texts[i - 1]]
        if len(collapsed) != len(texts):
            retried.append(f"{visitor.sender}: {len(texts) - len(collapsed)} repeated turn(s)")
        texts = collapsed
    if texts != visitor.sent:
        problems.append(f"{visitor.sender}: user events {texts} != sent {visitor.sent}")
    stamps = [e["timestamp"] for e in tracker["events"]]
    if any(b < a for a, b in itertools.pairwise(stamps)):
        problems.append(f"{visitor.sender}: event timestamps go backwards")
    return problems


def webhook_upstreams(stack: ProductionStack) -> list[tuple[str, list[str]]]:
    """(sender header, instances tried) of every REST turn in nginx's access log, oldest first."""
    log = stack.settings.var_dir / "nginx" / "logs" / "access.log"
    turns = []
    if log.exists():
        for line in log.read_text(errors="replace").splitlines():
            if "/webhooks/rest/webhook" in line and ' upstream="' in line:
                upstream = line.split(' upstream="', 1)[1].split('"', 1)[0]
                sender = line.split(' sender="', 1)[1].split('"', 1)[0] if ' sender="' in line else ""
                turns.append((sender, upstream.split(", ")))
    return turns


def instances_used(stack: ProductionStack) -> dict[str, int]:
    """How many webhook turns each Rasa port served, from nginx's access log."""
    counts: dict[str, int] = {}
    for _, upstreams in webhook_upstreams(stack):
        for address in upstreams:
            counts[address] = counts.get(address, 0) + 1
    return counts


# Faults that leave a service restarting (a Rasa instance reloads its model for a minute) go last.
_ORDER = ["test_auth", "test_load", "test_privacy", "test_logging", "test_fuzz", "test_faults"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> tuple[int, int]:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        last = 1 if item.get_closest_marker("last") else 0
        return (_ORDER.index(module) if module in _ORDER else len(_ORDER), last)

    items.sort(key=rank)


def rasa_alive(stack: ProductionStack) -> None:
    """Every Rasa instance still runs and answers (a failed turn must not take a server down)."""
    for name in stack.rasa_names:
        assert stack.processes[name].poll() is None, f"{name} died"
        assert requests.get(f"{stack.rasa_url(name)}/", timeout=30).status_code == 200
