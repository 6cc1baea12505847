"""Shared fixtures: the whole stack (action server + Rasa server + chat page) once per run.

Starting Rasa and loading the model takes tens of seconds, so every test shares one stack.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.ops.local import MODEL, Stack, free_port
from bot.storage import LeadStore

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _training_beside_copies_of_the_sla(request: pytest.FixtureRequest) -> None:
    """sla.yml names its example files relative to itself: a copy in tmp_path finds them too."""
    if "tmp_path" in request.fixturenames:
        tmp: Path = request.getfixturevalue("tmp_path")
        if not (tmp / "training").exists():
            (tmp / "training").symlink_to(ROOT / "training")


@pytest.fixture(scope="session")
def partner_origin() -> str:
    """Another site that embeds the widget, allowed by the stack's Rasa as LEADBOT_CORS_ORIGINS
    would allow it (the browser tests serve their partner page there)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, partner_origin: str) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make setup` (trains the model) before the integration tests")
    tmp = tmp_path_factory.mktemp("stack")
    # A copy, so a test can edit the SLA the running action server reads (hot reload).
    sla_copy = tmp / "sla.yml"
    sla_copy.write_text((ROOT / "sla.yml").read_text())
    (tmp / "routing.yml").write_text((ROOT / "routing.yml").read_text())  # sla.yml's `routing:`
    (tmp / "training").symlink_to(ROOT / "training")
    running = Stack.on_free_ports(tmp, web=True, sla_path=str(sla_copy), cors_origins=(partner_origin,))
    try:
        running.start()
    except Exception:
        running.stop()
        for log in sorted((tmp / "logs").glob("*.log")):
            print(f"--- {log.name} ---\n{log.read_text(errors='replace')[-4000:]}")
        raise
    os.environ.setdefault("LEADBOT_TEST_STACK_LOGS", str(tmp / "logs"))
    yield running
    running.stop()


@pytest.fixture
def sla_file(stack: Stack) -> Iterator[Path]:
    """The running stack's SLA file, as marketing would edit it (hot reload); restored after the test."""
    path = Path(stack.sla_path)
    original = path.read_text()
    yield path
    path.write_text(original)


class Visitor:
    """One website visitor talking to the bot over the REST channel."""

    def __init__(self, stack: Stack, metadata: dict[str, Any] | None = None) -> None:
        self.stack = stack
        self.sender = f"test-{uuid.uuid4().hex[:12]}"
        self.metadata = metadata or {}
        self.replies: list[dict[str, Any]] = []

    def say(self, text: str) -> list[dict[str, Any]]:
        response = requests.post(
            f"{self.stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text, "metadata": self.metadata},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        replies = response.json()
        self.replies.extend(replies)
        return replies

    def say_text(self, text: str) -> str:
        """What the bot answered, as one string (for assertions)."""
        return "\n".join(r.get("text") or "" for r in self.say(text))

    def click(self, title_part: str) -> str:
        """Press the button of the last question whose title contains `title_part`."""
        buttons = next(r["buttons"] for r in reversed(self.replies) if r.get("buttons"))
        button = next(b for b in buttons if title_part.lower() in b["title"].lower())
        return self.say_text(button["payload"])

    def tracker(self) -> dict[str, Any]:
        response = requests.get(
            f"{self.stack.rasa_url}/conversations/{self.sender}/tracker", params=self.stack.rasa_auth, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def slots(self) -> dict[str, Any]:
        return self.tracker()["slots"]

    def lead(self) -> Any:
        """The lead stored for this conversation (it must exist)."""
        found = LeadStore(self.stack.database_url).get(self.sender)
        assert found is not None, f"no lead stored for {self.sender}"
        return found


@pytest.fixture
def visitor(stack: Stack) -> Visitor:
    return Visitor(stack)


@pytest.fixture
def make_visitor(stack: Stack) -> Any:
    return lambda metadata=None: Visitor(stack, metadata)
